"""supplier evaluations: versions of a contract's supplier evaluation

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-11 12:00:00.000000

Issue 19, item 3. One row per version of a contract's supplier evaluation
(`followup.checks.evaluation`), only ever added: a score and a comment per DFØ heading
(`scores`), the overall score (`overall`, the *samlet vurdering*, kept in a column for the
supplier's list over time), the contract's supplier when evaluated, who and when.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = storage.tables.UtcDateTime(timezone=True)
    op.create_table(
        'supplier_evaluations',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('contract_id', sa.String(length=36), nullable=False),
        sa.Column('supplier_id', sa.String(length=36), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('evaluated_by_id', sa.String(length=36), nullable=False),
        sa.Column('evaluated_at', moment, nullable=False),
        sa.Column('overall', sa.Integer(), nullable=False),
        sa.Column('scores', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ['contract_id'], ['contracts.id'],
            name=op.f('fk_supplier_evaluations_contract_id_contracts'),
        ),
        sa.ForeignKeyConstraint(
            ['supplier_id'], ['suppliers.id'],
            name=op.f('fk_supplier_evaluations_supplier_id_suppliers'),
        ),
        sa.ForeignKeyConstraint(
            ['evaluated_by_id'], ['people.id'],
            name=op.f('fk_supplier_evaluations_evaluated_by_id_people'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_evaluations')),
        sa.UniqueConstraint(
            'contract_id', 'version', name='uq_supplier_evaluations_contract_version'
        ),
    )
    op.create_index(
        'ix_supplier_evaluations_supplier_evaluated',
        'supplier_evaluations',
        ['supplier_id', 'evaluated_at'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        'ix_supplier_evaluations_supplier_evaluated', table_name='supplier_evaluations'
    )
    op.drop_table('supplier_evaluations')
