"""row-level security on every area-owned table

Revision ID: 0007_row_level_security
Revises: 0006_contract_terms
Create Date: 2026-11-29 09:20:00

PostgreSQL only (SQLite has no row-level security): see migrations/row_security.py.
"""
from row_security import (
    create_area_visible_function,
    drop_area_visible_function,
    protect_area_table,
    unprotect_area_table,
)
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007_row_level_security'
down_revision = '0006_contract_terms'
branch_labels = None
depends_on = None

AREA_TABLES = [
    'api_idempotency_key',
    'booking',
    'contact_attempt',
    'contract',
    'diary_session',
    'intervention',
    'match_review',
    'membership',
    'offence',
    'person',
    'person_blocking_key',
    'reference_counter',
    'referral',
    'referral_event',
    'regional_key_hash',
    'safeguarding_concern',
    'submission_token',
    'substance',
    'treatment_service',
    'venue',
]
# Rows of no area (a sign-in's audit event, an invitation's email) are seen in the system scope.
OPTIONAL_AREA_TABLES = ['audit_event', 'outbox_message']


def upgrade():
    create_area_visible_function(op)
    for table in AREA_TABLES:
        protect_area_table(op, table)
    for table in OPTIONAL_AREA_TABLES:
        protect_area_table(op, table, area_optional=True)


def downgrade():
    for table in AREA_TABLES + OPTIONAL_AREA_TABLES:
        unprotect_area_table(op, table)
    drop_area_visible_function(op)
