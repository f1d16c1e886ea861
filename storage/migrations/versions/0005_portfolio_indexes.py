"""portfolio: indexes for status, overdue and deviation queries; derived columns kept by triggers

- follow_ups.first_answered_on: the Oslo date of the follow-up's first answer, kept by a trigger
  on answers (answers are only ever inserted: a correction is a new version).
- contracts.has_follow_ups: whether the contract has any follow-up, kept by triggers on
  follow_ups (insert and delete).
Both are filled in for existing rows here. PostgreSQL's triggers are per statement (a bulk
insert updates once); SQLite's per row.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_STATES_SQL = "state IN ('escalated', 'notified', 'planned', 'reminded', 'snoozed')"


def sqlite_oslo_date(utc_text: str) -> str:
    """SQLite: the Oslo calendar date of a UTC timestamp stored as text (SQLAlchemy's format).

    Summer time (UTC+2) runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
    last Sunday of October (the EU rule, in force since 1996); UTC+1 otherwise.
    """
    year = f"strftime('%Y', {utc_text})"
    start = f"datetime({year} || '-03-31', '-6 days', 'weekday 0', '+1 hours')"
    end = f"datetime({year} || '-10-31', '-6 days', 'weekday 0', '+1 hours')"
    offset = f"CASE WHEN {utc_text} >= {start} AND {utc_text} < {end} THEN '+2 hours' ELSE '+1 hours' END"
    return f"date({utc_text}, {offset})"


POSTGRES_TRIGGERS = [
    """
    CREATE FUNCTION kv_first_answered_on() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE follow_ups AS f SET first_answered_on = n.first_on
        FROM (
            SELECT follow_up_id, min((answered_at AT TIME ZONE 'Europe/Oslo')::date) AS first_on
            FROM new_answers GROUP BY follow_up_id
        ) AS n
        WHERE f.id = n.follow_up_id
          AND (f.first_answered_on IS NULL OR f.first_answered_on > n.first_on);
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER trg_answers_first_answered_on AFTER INSERT ON answers
    REFERENCING NEW TABLE AS new_answers
    FOR EACH STATEMENT EXECUTE FUNCTION kv_first_answered_on()
    """,
    """
    CREATE FUNCTION kv_contracts_followed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE contracts SET has_follow_ups = true
        WHERE NOT has_follow_ups
          AND id IN (SELECT contract_id FROM new_follow_ups);
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER trg_follow_ups_contract_followed AFTER INSERT ON follow_ups
    REFERENCING NEW TABLE AS new_follow_ups
    FOR EACH STATEMENT EXECUTE FUNCTION kv_contracts_followed()
    """,
    """
    CREATE FUNCTION kv_contracts_unfollowed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE contracts AS c SET has_follow_ups = false
        WHERE c.has_follow_ups
          AND c.id IN (SELECT DISTINCT contract_id FROM old_follow_ups)
          AND NOT EXISTS (SELECT 1 FROM follow_ups AS f WHERE f.contract_id = c.id);
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER trg_follow_ups_contract_unfollowed AFTER DELETE ON follow_ups
    REFERENCING OLD TABLE AS old_follow_ups
    FOR EACH STATEMENT EXECUTE FUNCTION kv_contracts_unfollowed()
    """,
]

SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER trg_answers_first_answered_on AFTER INSERT ON answers
    BEGIN
        UPDATE follow_ups SET first_answered_on = {sqlite_oslo_date('NEW.answered_at')}
        WHERE id = NEW.follow_up_id
          AND (first_answered_on IS NULL
               OR first_answered_on > {sqlite_oslo_date('NEW.answered_at')});
    END
    """,
    """
    CREATE TRIGGER trg_follow_ups_contract_followed AFTER INSERT ON follow_ups
    BEGIN
        UPDATE contracts SET has_follow_ups = 1
        WHERE id = NEW.contract_id AND NOT has_follow_ups;
    END
    """,
    """
    CREATE TRIGGER trg_follow_ups_contract_unfollowed AFTER DELETE ON follow_ups
    BEGIN
        UPDATE contracts SET has_follow_ups = 0
        WHERE id = OLD.contract_id AND has_follow_ups
          AND NOT EXISTS (SELECT 1 FROM follow_ups WHERE contract_id = OLD.contract_id);
    END
    """,
]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('has_follow_ups', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index('ix_contracts_status_followed', ['status', 'has_follow_ups'], unique=False)
        batch_op.create_index(
            'ix_contracts_without_follow_ups', ['id'], unique=False,
            postgresql_where=sa.text('NOT has_follow_ups'), sqlite_where=sa.text('NOT has_follow_ups'),
        )

    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_answered_on', sa.Date(), nullable=True))
        # Wider: with the columns the portfolio counts read (the old one is its prefix).
        batch_op.drop_index('ix_follow_ups_contract_due')
        batch_op.create_index(
            'ix_follow_ups_contract_due',
            ['contract_id', 'due_date', 'state', 'reminder_step', 'first_answered_on'], unique=False,
        )
        batch_op.create_index(
            'ix_follow_ups_open_due', ['due_date', 'id', 'state', 'reminder_step'], unique=False,
            postgresql_where=sa.text(OPEN_STATES_SQL), sqlite_where=sa.text(OPEN_STATES_SQL),
        )
        batch_op.create_index(
            'ix_follow_ups_open_contract', ['contract_id', 'due_date', 'id', 'state', 'reminder_step'], unique=False,
            postgresql_where=sa.text(OPEN_STATES_SQL), sqlite_where=sa.text(OPEN_STATES_SQL),
        )
        batch_op.create_index('ix_follow_ups_due_answered', ['due_date', 'state', 'first_answered_on'], unique=False)

    with op.batch_alter_table('deviations', schema=None) as batch_op:
        batch_op.create_index('ix_deviations_status_category', ['status', 'category'], unique=False)

    # Existing rows.
    op.execute(
        'UPDATE contracts SET has_follow_ups = '
        '(EXISTS (SELECT 1 FROM follow_ups WHERE follow_ups.contract_id = contracts.id))'
    )
    first_on = (
        "(SELECT min(answered_at AT TIME ZONE 'Europe/Oslo')::date FROM answers "
        "WHERE answers.follow_up_id = follow_ups.id)"
        if postgres
        else "(SELECT min({}) FROM answers WHERE answers.follow_up_id = follow_ups.id)".format(
            sqlite_oslo_date('answers.answered_at')
        )
    )
    op.execute(
        f'UPDATE follow_ups SET first_answered_on = {first_on} '
        'WHERE EXISTS (SELECT 1 FROM answers WHERE answers.follow_up_id = follow_ups.id)'
    )
    for statement in POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    for trigger, table in (
        ('trg_follow_ups_contract_unfollowed', 'follow_ups'),
        ('trg_follow_ups_contract_followed', 'follow_ups'),
        ('trg_answers_first_answered_on', 'answers'),
    ):
        op.execute(f'DROP TRIGGER IF EXISTS {trigger}' + (f' ON {table}' if postgres else ''))
    if postgres:
        for function in ('kv_contracts_unfollowed', 'kv_contracts_followed', 'kv_first_answered_on'):
            op.execute(f'DROP FUNCTION IF EXISTS {function}()')

    with op.batch_alter_table('deviations', schema=None) as batch_op:
        batch_op.drop_index('ix_deviations_status_category')

    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_ups_due_answered')
        batch_op.drop_index('ix_follow_ups_open_contract')
        batch_op.drop_index('ix_follow_ups_open_due')
        batch_op.drop_index('ix_follow_ups_contract_due')
        batch_op.create_index('ix_follow_ups_contract_due', ['contract_id', 'due_date'], unique=False)
        batch_op.drop_column('first_answered_on')

    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_index('ix_contracts_without_follow_ups')
        batch_op.drop_index('ix_contracts_status_followed')
        batch_op.drop_column('has_follow_ups')
