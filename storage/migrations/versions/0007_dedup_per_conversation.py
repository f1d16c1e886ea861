"""answers, deviations and documents: de-duplicate on channel + conversation + activity id

Teams message ids are per-conversation timestamps, so two people can send the same one; keyed
on the bare activity id, the second person's answer (or deviation, or document: a document's
answer carries the key) was dropped as a re-send. Now the key is the conversation and the
activity together:

- answers and deviations get `source_conversation` (the SHA-256 of channel and conversation
  id, `followup.answers.services.conversation_key`; "" when not known);
- the unique constraint on `source_activity_id` alone (`uq_answers_source_activity_id`,
  `uq_deviations_source_activity_id`) becomes one on (`source_conversation`,
  `source_activity_id`) (`uq_answers_source`, `uq_deviations_source`).

Existing rows keep their stored key as it is: it cannot be re-derived, as the conversation was
not kept. They get the conversation "", so among themselves they stay unique exactly as before;
only an activity stored before the upgrade and re-sent after it (Teams re-sends within
seconds) could be stored a second time. Documents have no key of their own (one row per file
per follow-up); an upload is de-duplicated through its answer.

SQLite: the constraints are part of the table, so both tables are copied (batch mode), with
foreign keys off meanwhile (documents reference answers; dropping the old copy would fail
otherwise), and the trigger on answers that keeps `follow_ups.first_answered_on` (0005),
dropped with the old copy, is made again.

Downgrade: the old key allows one row per activity id; of rows sharing one (in different
conversations) the first keeps it and the others lose it (`source_activity_id` NULL: only
their idempotency, long past, is lost).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 09:00:00.000000
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = {'answers': 'answered_at', 'deviations': 'reported_at'}


def sqlite_oslo_date(utc_text: str) -> str:
    """As in 0005: the Oslo calendar date of a UTC timestamp stored as text."""
    year = f"strftime('%Y', {utc_text})"
    start = f"datetime({year} || '-03-31', '-6 days', 'weekday 0', '+1 hours')"
    end = f"datetime({year} || '-10-31', '-6 days', 'weekday 0', '+1 hours')"
    offset = f"CASE WHEN {utc_text} >= {start} AND {utc_text} < {end} THEN '+2 hours' ELSE '+1 hours' END"
    return f"date({utc_text}, {offset})"


SQLITE_FIRST_ANSWERED_TRIGGER = f"""
    CREATE TRIGGER IF NOT EXISTS trg_answers_first_answered_on AFTER INSERT ON answers
    BEGIN
        UPDATE follow_ups SET first_answered_on = {sqlite_oslo_date('NEW.answered_at')}
        WHERE id = NEW.follow_up_id
          AND (first_answered_on IS NULL
               OR first_answered_on > {sqlite_oslo_date('NEW.answered_at')});
    END
    """


@contextmanager
def _tables_copied_on_sqlite() -> Iterator[None]:
    """On SQLite: foreign keys off while the tables are copied (a pragma that only takes effect
    outside a transaction), the answers trigger made again afterwards."""
    if op.get_bind().dialect.name != 'sqlite':
        yield
        return
    with op.get_context().autocommit_block():
        op.execute('PRAGMA foreign_keys=OFF')
    try:
        yield
        op.execute(SQLITE_FIRST_ANSWERED_TRIGGER)
        problems = op.get_bind().execute(sa.text('PRAGMA foreign_key_check')).fetchall()
        if problems:
            raise RuntimeError(f'foreign keys broken by the copy: {problems[:5]}')
    finally:
        with op.get_context().autocommit_block():
            op.execute('PRAGMA foreign_keys=ON')


def upgrade() -> None:
    with _tables_copied_on_sqlite():
        for table in TABLES:
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.add_column(
                    sa.Column('source_conversation', sa.String(length=64), nullable=False, server_default='')
                )
                batch_op.drop_constraint(f'uq_{table}_source_activity_id', type_='unique')
                batch_op.create_unique_constraint(
                    f'uq_{table}_source', ['source_conversation', 'source_activity_id']
                )


def downgrade() -> None:
    for table, at in TABLES.items():
        # The first row (by time, then id) of those sharing an activity id keeps it.
        op.execute(
            f'UPDATE {table} SET source_activity_id = NULL '
            f'WHERE source_activity_id IS NOT NULL AND EXISTS ('
            f'SELECT 1 FROM {table} AS earlier '
            f'WHERE earlier.source_activity_id = {table}.source_activity_id '
            f'AND (earlier.{at} < {table}.{at} '
            f'OR (earlier.{at} = {table}.{at} AND earlier.id < {table}.id)))'
        )
    with _tables_copied_on_sqlite():
        for table in TABLES:
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.drop_constraint(f'uq_{table}_source', type_='unique')
                batch_op.drop_column('source_conversation')
                batch_op.create_unique_constraint(
                    f'uq_{table}_source_activity_id', ['source_activity_id']
                )
