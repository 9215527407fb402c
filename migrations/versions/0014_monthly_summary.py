"""Monthly summary: referral counts per area, programme, month and breakdown key

Derived from the records and kept in step with them by divert.figures.summary; filled here from
the records already there, so the dashboards show the same figures after the upgrade.

Revision ID: 0014_monthly_summary
Revises: 0013_programme_contracts
Create Date: 2026-11-29 12:10:00.000000

"""
from alembic import op
import sqlalchemy as sa
from row_security import protect_area_table, unprotect_area_table

# revision identifiers, used by Alembic.
revision = '0014_monthly_summary'
down_revision = '0013_programme_contracts'
branch_labels = None
depends_on = None

COUNTS = (
    'referrals', 'attended', 'not_engaged', 'repeats', 'completed', 'ineligible', 'withdrawn',
    'in_progress', 'under_18', 'adult', 'not_completed', 'referred_on', 'naloxone_kits', 'onward',
)


def upgrade():
    op.create_table('monthly_summary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('main_substance_id', sa.Integer(), nullable=True),
    sa.Column('gender', sa.String(length=20), nullable=True),
    sa.Column('ethnicity', sa.String(length=40), nullable=True),
    sa.Column('onward_service_id', sa.Integer(), nullable=True),
    *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_monthly_summary_area_id_area')),
    sa.ForeignKeyConstraint(['main_substance_id'], ['substance.id'], name=op.f('fk_monthly_summary_main_substance_id_substance')),
    sa.ForeignKeyConstraint(['onward_service_id'], ['treatment_service.id'], name=op.f('fk_monthly_summary_onward_service_id_treatment_service')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_monthly_summary_programme_id_programme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_summary'))
    )
    with op.batch_alter_table('monthly_summary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monthly_summary_area_id'), ['area_id'], unique=False)
        batch_op.create_index('ix_monthly_summary_area_month', ['area_id', 'month'], unique=False)
    protect_area_table(op, 'monthly_summary')
    _fill_from_records()


def _fill_from_records():
    """The same groups and counts as divert.figures.counts defines (enums hold their names)."""
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        # Every area's rows, for this transaction only: row-level security binds the owner too.
        bind.execute(sa.text("SELECT set_config('divert.area_ids', 'all', true)"))
        month = "CAST(date_trunc('month', r.received_on) AS DATE)"
    else:
        month = "date(r.received_on, 'start of month')"
    received = "r.status <> 'VOIDED'"
    columns = 'area_id, programme_id, month, main_substance_id, gender, ethnicity, onward_service_id, ' + ', '.join(COUNTS)
    bind.execute(sa.text(
        f"INSERT INTO monthly_summary ({columns})"
        f" SELECT r.area_id, r.programme_id, {month}, r.main_substance_id, r.gender, r.ethnicity, NULL,"
        " count(*),"
        " count(*) FILTER (WHERE r.initial_attended_on IS NOT NULL),"
        " count(*) FILTER (WHERE r.status IN ('NOT_ENGAGED', 'NOT_COMPLETED') AND r.initial_attended_on IS NULL),"
        " count(*) FILTER (WHERE r.is_repeat),"
        " count(*) FILTER (WHERE r.status = 'COMPLETED'),"
        " count(*) FILTER (WHERE r.status = 'INELIGIBLE'),"
        " count(*) FILTER (WHERE r.status = 'WITHDRAWN'),"
        " count(*) FILTER (WHERE r.status IN ('SUBMITTED', 'BOOKED', 'ATTENDED', 'DID_NOT_ATTEND')),"
        " count(*) FILTER (WHERE r.age_group = 'UNDER_18'),"
        " count(*) FILTER (WHERE r.age_group = 'ADULT'),"
        " count(*) FILTER (WHERE r.status = 'NOT_COMPLETED' AND r.initial_attended_on IS NOT NULL),"
        " count(*) FILTER (WHERE r.status = 'REFERRED_ON'),"
        " 0, 0"
        f" FROM referral r WHERE {received}"
        f" GROUP BY r.area_id, r.programme_id, {month}, r.main_substance_id, r.gender, r.ethnicity"
    ))
    bind.execute(sa.text(
        f"INSERT INTO monthly_summary ({columns})"
        f" SELECT r.area_id, r.programme_id, {month}, NULL, NULL, NULL, b.onward_service_id,"
        " 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,"
        " count(*) FILTER (WHERE b.naloxone_kit_supplied),"
        " count(*) FILTER (WHERE b.onward_service_id IS NOT NULL)"
        f" FROM booking b JOIN referral r ON r.id = b.referral_id"
        f" WHERE {received} AND b.status = 'ATTENDED'"
        f" GROUP BY r.area_id, r.programme_id, {month}, b.onward_service_id"
    ))


def downgrade():
    unprotect_area_table(op, 'monthly_summary')
    with op.batch_alter_table('monthly_summary', schema=None) as batch_op:
        batch_op.drop_index('ix_monthly_summary_area_month')
        batch_op.drop_index(batch_op.f('ix_monthly_summary_area_id'))
    op.drop_table('monthly_summary')
