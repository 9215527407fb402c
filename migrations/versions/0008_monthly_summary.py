"""Monthly summary of referrals for the figures

Revision ID: 0008_monthly_summary
Revises: 0003_api_tokens
Create Date: 2026-11-29 09:30:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0008_monthly_summary'
down_revision = '0003_api_tokens'
branch_labels = None
depends_on = None

MEASURES = (
    'referrals', 'attended', 'not_engaged', 'repeats', 'completed', 'ineligible', 'withdrawn',
    'in_progress', 'under_18', 'adult',
)


def upgrade():
    op.create_table('referral_month_summary',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('breakdown', sa.String(length=12), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    *(sa.Column(name, sa.Integer(), nullable=False) for name in MEASURES),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_referral_month_summary_area_id_area')),
    sa.PrimaryKeyConstraint('area_id', 'month', 'breakdown', 'key', name=op.f('pk_referral_month_summary'))
    )
    with op.batch_alter_table('referral_month_summary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_month_summary_area_id'), ['area_id'], unique=False)

    # The summary of the referrals already there (as divert.figures.summary.from_scratch).
    if op.get_bind().dialect.name == 'postgresql':
        month = "CAST(date_trunc('month', received_on) AS DATE)"
    else:
        month = "date(received_on, 'start of month')"
    counts = """
        count(*),
        count(*) FILTER (WHERE initial_attended_on IS NOT NULL),
        count(*) FILTER (WHERE status = 'NOT_ENGAGED' AND initial_attended_on IS NULL),
        count(*) FILTER (WHERE is_repeat),
        count(*) FILTER (WHERE status = 'COMPLETED'),
        count(*) FILTER (WHERE status = 'INELIGIBLE'),
        count(*) FILTER (WHERE status = 'WITHDRAWN'),
        count(*) FILTER (WHERE status IN ('SUBMITTED', 'BOOKED', 'ATTENDED', 'DID_NOT_ATTEND')),
        count(*) FILTER (WHERE age_group = 'UNDER_18'),
        count(*) FILTER (WHERE age_group = 'ADULT')
    """
    breakdowns = {
        'all': None,
        'substance': "coalesce(CAST(main_substance_id AS VARCHAR(40)), '')",
        'gender': "coalesce(gender, '')",
        'ethnicity': "coalesce(ethnicity, '')",
    }
    for breakdown, key in breakdowns.items():
        op.execute(f"""
            INSERT INTO referral_month_summary
                (area_id, month, breakdown, key, {', '.join(MEASURES)})
            SELECT area_id, {month}, '{breakdown}', {key or "''"}, {counts}
            FROM referral
            WHERE status <> 'VOIDED'
            GROUP BY area_id, {month}{', ' + key if key else ''}
        """)


def downgrade():
    with op.batch_alter_table('referral_month_summary', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_month_summary_area_id'))

    op.drop_table('referral_month_summary')
