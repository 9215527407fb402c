"""Area invitations and API tokens become area-owned: row-level security on both

Each had an area but was read by hand, because it is read before any area is in scope (by its
secret's hash); that read is now one named function in divert.tenancy, and the database's
policy keeps every other statement to the areas in scope.

A regional lead's API token has a region and no area. Its policy lets a row with no area
through in any scope, as for audit events and outbox messages with no area (`area_optional`):
  - hiding it protects no area's records: it is a region's, and no area-scoped page reads a
    region's tokens (they are listed by region, on the region's pages, for its leads only);
  - the region is checked by the application when the token opens a page (divert.tenancy's
    `_token_opens`, and `leads` for the regional pages), as it is for a signed-in regional lead:
    regions have no database setting, and the regional pages run with no area in scope;
  - requiring 'all' instead would have every regional request, which must update its token's
    `last_used_at`, run in the system scope, which would open every area's rows to it.
An area's token stays visible in that area's scope only.

Revision ID: 0018_invitation_token_rls
Revises: 0016_page_indexes
Create Date: 2026-11-29 16:00:00.000000

"""
from alembic import op
from row_security import protect_area_table, unprotect_area_table

# revision identifiers, used by Alembic.
revision = '0018_invitation_token_rls'
down_revision = '0016_page_indexes'
branch_labels = None
depends_on = None


def upgrade():
    protect_area_table(op, 'area_invitation')
    protect_area_table(op, 'api_token', area_optional=True)


def downgrade():
    unprotect_area_table(op, 'api_token')
    unprotect_area_table(op, 'area_invitation')
