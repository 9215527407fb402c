"""Every contract belongs to one programme

A contract made before programmes bought the area's DIVERT places: the pre-arrest diversion
scheme's one-to-one pathway, which 0009 named "DIVERT adults" (Warwickshire's published terms
are for that scheme). Each contract without a programme is assigned to its area's DIVERT adults
programme, or, in an area that has none, to the area's first programme; an area with contracts
and no programme at all gets DIVERT adults as 0009 made it. Nothing is lost. Then no two
contracts of one programme of an area start on the same day (two programmes' may).

The downgrade puts back one contract a start date per area: it fails where two programmes of an
area have contracts starting on the same day, rather than drop one.

Revision ID: 0013_programme_contracts
Revises: 0012_cars
Create Date: 2026-11-29 12:05:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0013_programme_contracts'
down_revision = '0012_cars'
branch_labels = None
depends_on = None

ADULTS = 'divert-adults'
# DIVERT adults as 0009 made it, for an area that has contracts but no programme.
ADULTS_PROGRAMME = {
    'code': ADULTS,
    'name': 'DIVERT adults',
    'min_age': 18,
    'disposals': ['pre_arrest_diversion'],
    'pathway': ['one_to_one', 'follow_up'],
    'completion_rule': 'one_to_one_attended',
    'reoffending_months': 6,
    'assessment_questions': [],
    'position': 0,
    'active': True,
}


def _assign_existing_contracts():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        # Every area's rows, for this transaction only: row-level security binds the owner too.
        bind.execute(sa.text("SELECT set_config('divert.area_ids', 'all', true)"))
    programme = sa.table(
        'programme',
        *(sa.column(name) for name in ADULTS_PROGRAMME if name not in ('disposals', 'pathway', 'assessment_questions')),
        sa.column('disposals', sa.JSON()),
        sa.column('pathway', sa.JSON()),
        sa.column('assessment_questions', sa.JSON()),
        sa.column('area_id'),
        sa.column('id'),
    )
    contract = sa.table('contract', sa.column('area_id'), sa.column('programme_id'))
    area_ids = bind.execute(
        sa.select(contract.c.area_id).where(contract.c.programme_id.is_(None)).distinct()
    ).scalars().all()
    for area_id in area_ids:
        # DIVERT adults first, then the area's programmes in their order.
        chosen = bind.execute(
            sa.select(programme.c.id)
            .where(programme.c.area_id == area_id)
            .order_by((programme.c.code != ADULTS), programme.c.position, programme.c.id)
            .limit(1)
        ).scalar()
        if chosen is None:
            chosen = bind.execute(
                programme.insert()
                .values(area_id=area_id, **ADULTS_PROGRAMME)
                .returning(programme.c.id)
            ).scalar_one()
        bind.execute(
            contract.update()
            .where(contract.c.area_id == area_id, contract.c.programme_id.is_(None))
            .values(programme_id=chosen)
        )


def upgrade():
    _assign_existing_contracts()
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.alter_column('programme_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('uq_contract_area_start', type_='unique')
        batch_op.create_unique_constraint('uq_contract_area_programme_start', ['area_id', 'programme_id', 'starts_on'])
        batch_op.create_index(batch_op.f('ix_contract_programme_id'), ['programme_id'], unique=False)


def downgrade():
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_programme_id'))
        batch_op.drop_constraint('uq_contract_area_programme_start', type_='unique')
        batch_op.create_unique_constraint('uq_contract_area_start', ['area_id', 'starts_on'])
        batch_op.alter_column('programme_id', existing_type=sa.Integer(), nullable=True)
