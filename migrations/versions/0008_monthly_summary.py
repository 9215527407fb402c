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
IN_PROGRESS = "('SUBMITTED', 'BOOKED', 'ATTENDED', 'DID_NOT_ATTEND')"


def upgrade():
    op.create_table('referral_month_summary',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('main_substance_id', sa.Integer(), nullable=False),
    sa.Column('gender', sa.String(length=20), nullable=False),
    sa.Column('ethnicity', sa.String(length=40), nullable=False),
    *(sa.Column(name, sa.Integer(), nullable=False) for name in MEASURES),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_referral_month_summary_area_id_area')),
    sa.PrimaryKeyConstraint('area_id', 'month', 'main_substance_id', 'gender', 'ethnicity', name=op.f('pk_referral_month_summary'))
    )
    with op.batch_alter_table('referral_month_summary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_month_summary_area_id'), ['area_id'], unique=False)

    # The summary of the referrals already there (as divert.figures.summary.from_scratch).
    if op.get_bind().dialect.name == 'postgresql':
        month = "CAST(date_trunc('month', received_on) AS DATE)"
    else:
        month = "date(received_on, 'start of month')"
    op.execute(f"""
        INSERT INTO referral_month_summary
            (area_id, month, main_substance_id, gender, ethnicity, {', '.join(MEASURES)})
        SELECT area_id, {month}, coalesce(main_substance_id, 0), coalesce(gender, ''),
            coalesce(ethnicity, ''),
            count(*),
            count(*) FILTER (WHERE initial_attended_on IS NOT NULL),
            count(*) FILTER (WHERE status = 'NOT_ENGAGED' AND initial_attended_on IS NULL),
            count(*) FILTER (WHERE is_repeat),
            count(*) FILTER (WHERE status = 'COMPLETED'),
            count(*) FILTER (WHERE status = 'INELIGIBLE'),
            count(*) FILTER (WHERE status = 'WITHDRAWN'),
            count(*) FILTER (WHERE status IN {IN_PROGRESS}),
            count(*) FILTER (WHERE age_group = 'UNDER_18'),
            count(*) FILTER (WHERE age_group = 'ADULT')
        FROM referral
        WHERE status <> 'VOIDED'
        GROUP BY 1, 2, 3, 4, 5
    """)


def downgrade():
    with op.batch_alter_table('referral_month_summary', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_month_summary_area_id'))

    op.drop_table('referral_month_summary')
