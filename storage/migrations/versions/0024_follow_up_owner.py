"""reminders: each follow-up carries its contract's owner, kept by the triggers of 0014

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-14 12:00:00.000000

Issue 15, the scheduler. A digest lists its recipient's other open overdue follow-ups; a tick
asked for those of its few hundred recipients by the contracts' owner, so the database read
every open follow-up due in the last 400 days in the whole region, and its contract, to keep
those of the recipients' contracts: ~35 ms a tick at 200 000 follow-ups, ~215 ms at 1 000 000
(bench/tick.py), a third of the tick. With the owner on the follow-up and a partial index of the
open ones by owner and due date (`ix_follow_ups_open_owner`), the read is one range per
recipient.

`owner_id` is a copy of the contract's, kept by the database exactly as 0014 keeps `supplier_id`
and `unit` (its triggers now copy the three columns): a new follow-up gets its contract's; when a
contract changes owner, supplier or unit, its follow-ups change with it. Never written by the
code. Existing follow-ups get their contract's owner here.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_STATES = "state IN ('escalated', 'notified', 'planned', 'reminded', 'snoozed')"
"""As `storage.tables.OPEN_STATES_SQL` spells it today (SQLite uses a partial index only for
the very same expression); a migration keeps its own copy."""


def _postgres_triggers(parts: Sequence[str]) -> list[str]:
    """0014's PostgreSQL functions and triggers, copying `parts` of the contract."""
    columns = ', '.join(parts)
    into = ', '.join(f'NEW.{part}' for part in parts)
    moved = ' OR '.join(f'OLD.{part} IS DISTINCT FROM NEW.{part}' for part in parts)
    return [
        f"""
        CREATE OR REPLACE FUNCTION kv_follow_up_part() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- One statement a row: FOR SHARE waits for a transaction moving the contract and
            -- then reads the row as that transaction left it (migration 0014).
            SELECT {', '.join(f'c.{part}' for part in parts)} INTO {into}
            FROM contracts AS c WHERE c.id = NEW.contract_id FOR SHARE;
            RETURN NEW;
        END $$
        """,
        f"""
        CREATE OR REPLACE FUNCTION kv_contract_part_moved() RETURNS trigger LANGUAGE plpgsql
        AS $$
        BEGIN
            PERFORM 1 FROM contracts WHERE id = NEW.id FOR UPDATE;
            UPDATE follow_ups SET {', '.join(f'{part} = NEW.{part}' for part in parts)}
            WHERE contract_id = NEW.id;
            RETURN NULL;
        END $$
        """,
        'DROP TRIGGER IF EXISTS trg_contracts_part_moved ON contracts',
        f"""
        CREATE TRIGGER trg_contracts_part_moved AFTER UPDATE OF {columns} ON contracts
        FOR EACH ROW
        WHEN ({moved})
        EXECUTE FUNCTION kv_contract_part_moved()
        """,
    ]


def _sqlite_triggers(parts: Sequence[str]) -> list[str]:
    """0014's SQLite triggers, copying `parts` of the contract (dropped and made again)."""
    columns = ', '.join(parts)
    moved = ' OR '.join(f'OLD.{part} IS NOT NEW.{part}' for part in parts)
    copy = f'SET ({columns}) = (SELECT {columns} FROM contracts WHERE id = NEW.contract_id)'
    return [
        'DROP TRIGGER IF EXISTS trg_follow_ups_part',
        'DROP TRIGGER IF EXISTS trg_follow_ups_part_contract',
        'DROP TRIGGER IF EXISTS trg_contracts_part_moved',
        f"""
        CREATE TRIGGER trg_follow_ups_part AFTER INSERT ON follow_ups
        BEGIN
            UPDATE follow_ups {copy} WHERE id = NEW.id;
        END
        """,
        f"""
        CREATE TRIGGER trg_follow_ups_part_contract AFTER UPDATE OF contract_id ON follow_ups
        BEGIN
            UPDATE follow_ups {copy} WHERE id = NEW.id;
        END
        """,
        f"""
        CREATE TRIGGER trg_contracts_part_moved AFTER UPDATE OF {columns} ON contracts
        WHEN {moved}
        BEGIN
            UPDATE follow_ups SET {', '.join(f'{part} = NEW.{part}' for part in parts)}
            WHERE contract_id = NEW.id;
        END
        """,
    ]


def _triggers(parts: Sequence[str]) -> list[str]:
    postgres = op.get_bind().dialect.name == 'postgresql'
    return _postgres_triggers(parts) if postgres else _sqlite_triggers(parts)


def upgrade() -> None:
    # Plain ALTER TABLE, no batch mode: a copy of the table on SQLite would lose the triggers.
    op.add_column('follow_ups', sa.Column('owner_id', sa.String(length=36), nullable=True))
    # Existing rows, before the index is made (one pass, no index upkeep).
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            'UPDATE follow_ups AS f SET owner_id = c.owner_id FROM contracts AS c '
            'WHERE c.id = f.contract_id AND c.owner_id IS NOT NULL'
        )
    else:
        op.execute(
            'UPDATE follow_ups SET owner_id = (SELECT c.owner_id FROM contracts AS c '
            'WHERE c.id = follow_ups.contract_id) '
            'WHERE EXISTS (SELECT 1 FROM contracts AS c WHERE c.id = follow_ups.contract_id '
            'AND c.owner_id IS NOT NULL)'
        )
    op.create_index(
        'ix_follow_ups_open_owner',
        'follow_ups',
        ['owner_id', 'due_date'],
        postgresql_where=sa.text(OPEN_STATES),
        sqlite_where=sa.text(OPEN_STATES),
    )
    for statement in _triggers(['supplier_id', 'unit', 'owner_id']):
        op.execute(statement)
    op.execute('ANALYZE follow_ups')


def downgrade() -> None:
    for statement in _triggers(['supplier_id', 'unit']):
        op.execute(statement)
    op.drop_index('ix_follow_ups_open_owner', table_name='follow_ups')
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+), not batch mode (as in the upgrade).
    op.drop_column('follow_ups', 'owner_id')
