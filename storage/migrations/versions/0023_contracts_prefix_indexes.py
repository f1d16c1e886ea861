"""contracts: drop three indexes that repeat the first column of a wider one

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-13 12:00:00.000000

Issue 15. `contracts` had `ix_contracts_supplier_id` (`supplier_id`), `ix_contracts_unit`
(`unit`) and `ix_contracts_status` (`status`) next to `ix_contracts_supplier_portfolio`
(`supplier_id`, …), `ix_contracts_unit_portfolio` (`unit`, …) and `ix_contracts_status_followed`
(`status`, `has_follow_ups`). The wider ones serve every look-up by their first column (and, on
PostgreSQL, the foreign key's checks when a supplier is deleted), so the narrow ones only cost
every contract written three index entries more (a fifth of a first import's index upkeep).
The downgrade makes them again.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DROPPED = {
    'ix_contracts_supplier_id': ['supplier_id'],
    'ix_contracts_unit': ['unit'],
    'ix_contracts_status': ['status'],
}


def upgrade() -> None:
    for name in DROPPED:
        op.drop_index(name, table_name='contracts')


def downgrade() -> None:
    for name, columns in DROPPED.items():
        op.create_index(name, 'contracts', columns, unique=False)
