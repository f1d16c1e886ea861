"""risk assessments: versions of a contract's risk assessment

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-11 09:00:00.000000

Issue 19, item 1. One row per version of a contract's risk assessment
(`followup.checks.risk`), only ever added: scores per risk area, the suggested and chosen
level, the reason, the comment, who and when. The register's risk column is not copied in: a
contract without rows counts as assessed once, by the register (version 0).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = storage.tables.UtcDateTime(timezone=True)
    op.create_table(
        'risk_assessments',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('contract_id', sa.String(length=36), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('assessed_by_id', sa.String(length=36), nullable=True),
        sa.Column('assessed_at', moment, nullable=False),
        sa.Column('scores', sa.JSON(), nullable=False),
        sa.Column('suggested', sa.String(length=16), nullable=True),
        sa.Column('chosen', sa.String(length=16), nullable=False),
        sa.Column('previous', sa.String(length=16), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ['contract_id'], ['contracts.id'],
            name=op.f('fk_risk_assessments_contract_id_contracts'),
        ),
        sa.ForeignKeyConstraint(
            ['assessed_by_id'], ['people.id'],
            name=op.f('fk_risk_assessments_assessed_by_id_people'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_assessments')),
        sa.UniqueConstraint(
            'contract_id', 'version', name='uq_risk_assessments_contract_version'
        ),
    )
    op.create_index(
        'ix_risk_assessments_contract_assessed',
        'risk_assessments',
        ['contract_id', 'assessed_at'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_risk_assessments_contract_assessed', table_name='risk_assessments')
    op.drop_table('risk_assessments')
