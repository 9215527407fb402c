"""Page indexes: the caseload reads an area's cases of one status, oldest first

Without it the caseload (and the count above it) scanned every referral of the area and kept
those of the status; with it, PostgreSQL reads only the status's cases, already in order.

Revision ID: 0016_page_indexes
Revises: 0014_monthly_summary
Create Date: 2026-11-29 15:20:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016_page_indexes'
down_revision = '0014_monthly_summary'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index(
            'ix_referral_caseload',
            ['area_id', 'status', 'received_on', 'received_at', 'id'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_caseload')
