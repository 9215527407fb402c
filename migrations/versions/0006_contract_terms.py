"""Contract terms as signed (pricing, go-live, example-marked values) and areas' thresholds

Revision ID: 0006_contract_terms
Revises: 0005_server_sessions
Create Date: 2026-11-29 09:05:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0006_contract_terms'
down_revision = '0005_server_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suppression_threshold', sa.Integer(), server_default='5', nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_area_threshold_positive'), 'suppression_threshold > 0')

    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.add_column(sa.Column('go_live_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('pricing', sa.Enum('per_place', 'fixed', name='pricing', native_enum=False, length=16), server_default='per_place', nullable=False))
        batch_op.add_column(sa.Column('value_is_example', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('places_is_example', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.alter_column('places_allocated', existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(batch_op.f('ck_contract_per_place_has_places'), "pricing = 'fixed' OR places_allocated IS NOT NULL")
        batch_op.create_check_constraint(batch_op.f('ck_contract_go_live_within'), 'go_live_on IS NULL OR (go_live_on >= starts_on AND go_live_on <= ends_on)')


def downgrade():
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_contract_go_live_within'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_contract_per_place_has_places'), type_='check')
        batch_op.alter_column('places_allocated', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('places_is_example')
        batch_op.drop_column('value_is_example')
        batch_op.drop_column('pricing')
        batch_op.drop_column('go_live_on')

    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_area_threshold_positive'), type_='check')
        batch_op.drop_column('suppression_threshold')
