"""Outcome summary: outcome counts per area, programme, month and outcome key

Derived from the records and kept in step with them by divert.figures.summary, as the monthly
summary is; filled here from the records already there (referrals, their outcomes and onward
referrals), so the dashboards show the same outcome figures after the upgrade.

Revision ID: 0020_outcome_summary
Revises: 0018_invitation_token_rls
Create Date: 2026-11-29 18:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from row_security import protect_area_table, unprotect_area_table

# revision identifiers, used by Alembic.
revision = '0020_outcome_summary'
down_revision = '0018_invitation_token_rls'
branch_labels = None
depends_on = None

COUNTS = (
    'cases', 'onward', 'entered', 'case_outcomes', 'results_in', 'reoffended', 'offences',
    'violent', 'alcohol',
)


def upgrade():
    op.create_table('outcome_summary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('returned', sa.Boolean(), nullable=False),
    sa.Column('police_outcome', sa.Enum('NO_FURTHER_ACTION', 'COMMUNITY_RESOLUTION', 'CAUTION', 'CONDITIONAL_CAUTION', 'CHARGE', 'OTHER', name='policeoutcomekind', native_enum=False, length=24), nullable=True),
    sa.Column('cohort', sa.Enum('COMPLETED', 'ATTENDED_NOT_COMPLETED', 'NOT_ENGAGED', name='cohort', native_enum=False, length=24), nullable=True),
    sa.Column('follow_up_due_on', sa.Date(), nullable=True),
    *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_outcome_summary_area_id_area')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_outcome_summary_programme_id_programme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_summary'))
    )
    with op.batch_alter_table('outcome_summary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_summary_area_id'), ['area_id'], unique=False)
        batch_op.create_index('ix_outcome_summary_area_month', ['area_id', 'month'], unique=False)
    protect_area_table(op, 'outcome_summary')
    _fill_from_records()


def _fill_from_records():
    """The same groups and counts as divert.figures.outcomes.case_groups defines (enums hold
    their names): referrals not voided that were returned to the police, referred on to
    treatment at an attended session, or given a cohort."""
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        # Every area's rows, for this transaction only: row-level security binds the owner too.
        bind.execute(sa.text("SELECT set_config('divert.area_ids', 'all', true)"))
        month = "CAST(date_trunc('month', r.received_on) AS DATE)"
    else:
        month = "date(r.received_on, 'start of month')"
    returned = "r.status IN ('NOT_ENGAGED', 'NOT_COMPLETED', 'INELIGIBLE')"
    result_in = "c.result_at IS NOT NULL"
    columns = 'area_id, month, programme_id, returned, police_outcome, cohort, follow_up_due_on, ' + ', '.join(COUNTS)
    bind.execute(sa.text(
        f"INSERT INTO outcome_summary ({columns})"
        f" SELECT r.area_id, {month}, r.programme_id, {returned}, p.outcome, c.cohort, c.follow_up_due_on,"
        " count(*),"
        " count(o.referral_id),"
        " count(t.id) FILTER (WHERE o.referral_id IS NOT NULL),"
        " count(c.id),"
        f" count(c.id) FILTER (WHERE {result_in}),"
        f" count(c.id) FILTER (WHERE {result_in} AND c.reoffended),"
        f" coalesce(sum(c.offence_count) FILTER (WHERE {result_in}), 0),"
        f" count(c.id) FILTER (WHERE {result_in} AND c.any_violent),"
        f" count(c.id) FILTER (WHERE {result_in} AND c.any_alcohol)"
        " FROM referral r"
        " LEFT JOIN case_outcome c ON c.referral_id = r.id"
        " LEFT JOIN (SELECT DISTINCT referral_id FROM booking"
        "  WHERE status = 'ATTENDED' AND onward_service_id IS NOT NULL) o ON o.referral_id = r.id"
        " LEFT JOIN treatment_entry t ON t.referral_id = r.id"
        " LEFT JOIN police_outcome p ON p.referral_id = r.id"
        f" WHERE r.status <> 'VOIDED' AND ({returned} OR o.referral_id IS NOT NULL OR c.id IS NOT NULL)"
        f" GROUP BY r.area_id, {month}, r.programme_id, {returned}, p.outcome, c.cohort, c.follow_up_due_on"
    ))


def downgrade():
    unprotect_area_table(op, 'outcome_summary')
    with op.batch_alter_table('outcome_summary', schema=None) as batch_op:
        batch_op.drop_index('ix_outcome_summary_area_month')
        batch_op.drop_index(batch_op.f('ix_outcome_summary_area_id'))
    op.drop_table('outcome_summary')
