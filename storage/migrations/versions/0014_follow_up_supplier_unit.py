"""portfolio: each follow-up carries its contract's supplier and unit, kept by triggers

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:00:00.000000

`status <leverandør|enhet>` counted a supplier's or unit's follow-ups contract by contract: one
index seek into follow_ups per contract (4 306 for the region's largest supplier). With the
contract's `supplier_id` and `unit` on each follow-up, and an index on each by state and due
date (with the columns the counts read), the counts are a few index ranges instead
(bench/status.py).

The two columns are copies, kept by the database, never written by the code:
- a new follow-up gets its contract's (PostgreSQL: a row trigger before the insert; SQLite: an
  update after it);
- when a contract's supplier or unit changes, so do its follow-ups'.
On PostgreSQL an insert first locks the contract `FOR KEY SHARE` (the lock its foreign key
takes anyway) and then reads it, and a contract's move locks its row `FOR UPDATE` before
updating its follow-ups: a move waits for the transactions adding follow-ups to that contract
and then sees their rows; an insert during a move waits for it and reads where the contract
moved to (tests/integration/test_follow_up_parts.py). A move and an insert waiting on each
other over two contracts are a deadlock PostgreSQL detects (one of them fails, nothing is
wrong). SQLite has one writer at a time.
Existing follow-ups get their contract's values here.

A later migration that copies follow_ups or contracts in SQLite's batch mode must create the
triggers again (as for 0005's).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTED = ['state', 'due_date', 'reminder_step', 'first_answered_on']
"""After the part: the columns the status counts read (`storage.portfolio_queries`)."""

POSTGRES_TRIGGERS = [
    """
    CREATE FUNCTION kv_follow_up_part() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- One statement a row (an import inserts a million): FOR SHARE waits for a
        -- transaction moving the contract (its UPDATE holds the row) and then reads the row as
        -- that transaction left it; a move that comes after waits for this transaction, and
        -- its trigger then sees this follow-up.
        SELECT c.supplier_id, c.unit INTO NEW.supplier_id, NEW.unit
        FROM contracts AS c WHERE c.id = NEW.contract_id FOR SHARE;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER trg_follow_ups_part BEFORE INSERT OR UPDATE OF contract_id ON follow_ups
    FOR EACH ROW EXECUTE FUNCTION kv_follow_up_part()
    """,
    """
    CREATE FUNCTION kv_contract_part_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM contracts WHERE id = NEW.id FOR UPDATE;
        UPDATE follow_ups SET supplier_id = NEW.supplier_id, unit = NEW.unit
        WHERE contract_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER trg_contracts_part_moved AFTER UPDATE OF supplier_id, unit ON contracts
    FOR EACH ROW
    WHEN (OLD.supplier_id IS DISTINCT FROM NEW.supplier_id OR OLD.unit IS DISTINCT FROM NEW.unit)
    EXECUTE FUNCTION kv_contract_part_moved()
    """,
]

SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER trg_follow_ups_part AFTER INSERT ON follow_ups
    BEGIN
        UPDATE follow_ups
        SET (supplier_id, unit) =
            (SELECT supplier_id, unit FROM contracts WHERE id = NEW.contract_id)
        WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER trg_follow_ups_part_contract AFTER UPDATE OF contract_id ON follow_ups
    BEGIN
        UPDATE follow_ups
        SET (supplier_id, unit) =
            (SELECT supplier_id, unit FROM contracts WHERE id = NEW.contract_id)
        WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER trg_contracts_part_moved AFTER UPDATE OF supplier_id, unit ON contracts
    WHEN OLD.supplier_id IS NOT NEW.supplier_id OR OLD.unit IS NOT NEW.unit
    BEGIN
        UPDATE follow_ups SET supplier_id = NEW.supplier_id, unit = NEW.unit
        WHERE contract_id = NEW.id;
    END
    """,
]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    # Plain ALTER TABLE, no batch mode: a copy of the table on SQLite would lose 0005's
    # triggers on it.
    op.add_column('follow_ups', sa.Column('supplier_id', sa.String(length=36), nullable=True))
    op.add_column('follow_ups', sa.Column('unit', sa.String(length=200), nullable=True))

    # Existing rows, before the indexes are made (one pass, no index upkeep).
    if postgres:
        op.execute(
            'UPDATE follow_ups AS f SET supplier_id = c.supplier_id, unit = c.unit '
            'FROM contracts AS c '
            'WHERE c.id = f.contract_id AND (c.supplier_id IS NOT NULL OR c.unit IS NOT NULL)'
        )
    else:
        op.execute(
            'UPDATE follow_ups SET (supplier_id, unit) = (SELECT c.supplier_id, c.unit '
            'FROM contracts AS c WHERE c.id = follow_ups.contract_id) '
            'WHERE EXISTS (SELECT 1 FROM contracts AS c WHERE c.id = follow_ups.contract_id '
            'AND (c.supplier_id IS NOT NULL OR c.unit IS NOT NULL))'
        )

    op.create_index('ix_follow_ups_supplier_counts', 'follow_ups', ['supplier_id', *COUNTED])
    op.create_index('ix_follow_ups_unit_counts', 'follow_ups', ['unit', *COUNTED])

    for statement in POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS:
        op.execute(statement)
    # The planner's statistics for the new columns and indexes.
    op.execute('ANALYZE follow_ups')


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    triggers = [('trg_contracts_part_moved', 'contracts'), ('trg_follow_ups_part', 'follow_ups')]
    if not postgres:
        triggers.append(('trg_follow_ups_part_contract', 'follow_ups'))
    for trigger, table in triggers:
        op.execute(f'DROP TRIGGER IF EXISTS {trigger}' + (f' ON {table}' if postgres else ''))
    if postgres:
        for function in ('kv_contract_part_moved', 'kv_follow_up_part'):
            op.execute(f'DROP FUNCTION IF EXISTS {function}()')

    op.drop_index('ix_follow_ups_unit_counts', table_name='follow_ups')
    op.drop_index('ix_follow_ups_supplier_counts', table_name='follow_ups')
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+), not batch mode (as in the upgrade).
    op.drop_column('follow_ups', 'unit')
    op.drop_column('follow_ups', 'supplier_id')
