"""deviations get a short readable code per year (AV-2026-0042)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 10:00:00.000000

Adds `deviations.code` (unique) and `deviation_serials`, the counter per year that
`DeviationRepository.next_serial` moves; numbers the deviations already stored, per year (Oslo
time) in the order they were reported, and leaves each year's counter at its last number.
"""

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables
from followup.deviations.codes import code_year, format_code

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

deviations = sa.table(
    'deviations',
    sa.column('id', sa.String()),
    sa.column('code', sa.String()),
    sa.column('reported_at', storage.tables.UtcDateTime(timezone=True)),
)
serials = sa.table(
    'deviation_serials', sa.column('year', sa.Integer()), sa.column('last', sa.Integer())
)


def upgrade() -> None:
    op.create_table(
        'deviation_serials',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('year', name=op.f('pk_deviation_serials')),
    )
    with op.batch_alter_table('deviations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=16), nullable=True))

    connection = op.get_bind()
    rows = connection.execute(
        sa.select(deviations.c.id, deviations.c.reported_at).order_by(
            deviations.c.reported_at, deviations.c.id
        )
    ).all()
    last: dict[int, int] = defaultdict(int)
    numbered = []
    for row in rows:
        year = code_year(row.reported_at)
        last[year] += 1
        numbered.append({'b_id': row.id, 'b_code': format_code(year, last[year])})
    if numbered:
        connection.execute(
            sa.update(deviations)
            .where(deviations.c.id == sa.bindparam('b_id'))
            .values(code=sa.bindparam('b_code')),
            numbered,
        )
        connection.execute(
            sa.insert(serials), [{'year': year, 'last': n} for year, n in sorted(last.items())]
        )

    with op.batch_alter_table('deviations', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_deviations_code', ['code'])


def downgrade() -> None:
    with op.batch_alter_table('deviations', schema=None) as batch_op:
        batch_op.drop_constraint('uq_deviations_code', type_='unique')
        batch_op.drop_column('code')
    op.drop_table('deviation_serials')
