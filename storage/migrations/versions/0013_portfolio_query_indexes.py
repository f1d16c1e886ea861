"""portfolio: covering indexes for one supplier's or unit's status card

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 08:00:00.000000

`status <leverandør|enhet>` reads the part's contracts several times (to count its follow-ups,
its contracts followed up, its open deviations and its unreachable owners). These indexes hold
everything those reads need, so both stores read them from the index alone (bench/status.py):

- `ix_contracts_supplier_portfolio` and `ix_contracts_unit_portfolio`: a supplier's or a unit's
  contracts with their status, whether they are followed up, their id (to join follow-ups and
  deviations) and their owner (for the unreachable owners);
- `ix_deviations_status_contract`: open deviations with their contract and severity, joined to
  a part's contracts without reading the table.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.create_index(
            'ix_contracts_supplier_portfolio',
            ['supplier_id', 'status', 'has_follow_ups', 'id', 'owner_id'], unique=False,
        )
        batch_op.create_index(
            'ix_contracts_unit_portfolio',
            ['unit', 'status', 'has_follow_ups', 'id', 'owner_id'], unique=False,
        )
    with op.batch_alter_table('deviations', schema=None) as batch_op:
        batch_op.create_index(
            'ix_deviations_status_contract', ['status', 'contract_id', 'severity'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('deviations', schema=None) as batch_op:
        batch_op.drop_index('ix_deviations_status_contract')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_index('ix_contracts_unit_portfolio')
        batch_op.drop_index('ix_contracts_supplier_portfolio')
