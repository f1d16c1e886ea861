"""audit trail: append-only (triggers) and tamper-evident (a SHA-256 hash chain)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 09:00:00.000000

Adds `seq`, `prev_hash` and `hash` to `audit_events` and the one-row `audit_chain_head`;
chains the events already there in the order they were written (time, then id: ids are
time-ordered), so `kontraktsvakt audit verify` checks them too; then, only after that
back-fill, the triggers that refuse UPDATE and DELETE of audit events (and deleting the head,
or moving it back).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables
from followup.audit import EMPTY_HEAD, ChainHead, event_hash


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000

POSTGRES_TRIGGERS = [
    """
    CREATE FUNCTION kv_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% on % refused: the audit trail is append-only', TG_OP, TG_TABLE_NAME;
    END
    $$
    """,
    """
    CREATE TRIGGER trg_audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION kv_audit_append_only()
    """,
    """
    CREATE TRIGGER trg_audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head
    FOR EACH ROW EXECUTE FUNCTION kv_audit_append_only()
    """,
    """
    CREATE TRIGGER trg_audit_chain_head_forward BEFORE UPDATE ON audit_chain_head
    FOR EACH ROW WHEN (NEW.seq < OLD.seq OR (NEW.seq = OLD.seq AND NEW.hash <> OLD.hash))
    EXECUTE FUNCTION kv_audit_append_only()
    """,
]
SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER trg_audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'UPDATE on audit_events refused: the audit trail is append-only'); END
    """,
    """
    CREATE TRIGGER trg_audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'DELETE on audit_events refused: the audit trail is append-only'); END
    """,
    """
    CREATE TRIGGER trg_audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head
    BEGIN SELECT RAISE(ABORT, 'DELETE on audit_chain_head refused: the audit trail is append-only'); END
    """,
    """
    CREATE TRIGGER trg_audit_chain_head_forward BEFORE UPDATE ON audit_chain_head
    WHEN NEW.seq < OLD.seq OR (NEW.seq = OLD.seq AND NEW.hash <> OLD.hash)
    BEGIN SELECT RAISE(ABORT, 'UPDATE on audit_chain_head refused: the audit trail is append-only'); END
    """,
]
SQLITE_TRIGGER_NAMES = (
    'trg_audit_events_no_update', 'trg_audit_events_no_delete',
    'trg_audit_chain_head_no_delete', 'trg_audit_chain_head_forward',
)
POSTGRES_TRIGGER_NAMES = (
    ('trg_audit_events_append_only', 'audit_events'),
    ('trg_audit_chain_head_no_delete', 'audit_chain_head'),
    ('trg_audit_chain_head_forward', 'audit_chain_head'),
)

events = sa.table(
    'audit_events',
    sa.column('id', sa.String()),
    sa.column('at', storage.tables.UtcDateTime(timezone=True)),
    sa.column('actor', sa.String()),
    sa.column('action', sa.String()),
    sa.column('entity', sa.String()),
    sa.column('entity_id', sa.String()),
    sa.column('before', sa.JSON()),
    sa.column('after', sa.JSON()),
    sa.column('seq', sa.BigInteger()),
    sa.column('prev_hash', sa.String()),
    sa.column('hash', sa.String()),
)


def _chain_existing_events(connection: sa.Connection) -> ChainHead:
    """Link the events already stored, oldest first (time, then id), a batch at a time."""
    head = EMPTY_HEAD
    after: tuple[object, str] | None = None
    columns = [events.c[name] for name in ('id', 'at', 'actor', 'action', 'entity', 'entity_id', 'before', 'after')]
    link_row = (
        sa.update(events)
        .where(events.c.id == sa.bindparam('b_id'))
        .values(seq=sa.bindparam('b_seq'), prev_hash=sa.bindparam('b_prev'), hash=sa.bindparam('b_hash'))
    )
    while True:
        query = sa.select(*columns).order_by(events.c.at, events.c.id).limit(BATCH)
        if after is not None:
            at, last_id = after
            query = query.where(sa.or_(events.c.at > at, sa.and_(events.c.at == at, events.c.id > last_id)))
        rows = connection.execute(query).all()
        if not rows:
            return head
        links = []
        seq, prev = head
        for row in rows:
            seq += 1
            digest = event_hash(seq, row.id, row.at, row.actor, row.action, row.entity, row.entity_id,
                                row.before, row.after, prev)  # fmt: skip
            links.append({'b_id': row.id, 'b_seq': seq, 'b_prev': prev, 'b_hash': digest})
            prev = digest
        connection.execute(link_row, links)
        head = ChainHead(seq, prev)
        after = (rows[-1].at, rows[-1].id)


def upgrade() -> None:
    connection = op.get_bind()
    postgres = connection.dialect.name == 'postgresql'
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )

    head = _chain_existing_events(connection)

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index('ix_audit_events_seq', ['seq'], unique=True)
    op.execute(
        sa.text('INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, :seq, :hash)').bindparams(
            seq=head.seq, hash=head.hash
        )
    )
    # Last: the back-fill above updated every event.
    for statement in POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    if postgres:
        for trigger, table in POSTGRES_TRIGGER_NAMES:
            op.execute(f'DROP TRIGGER IF EXISTS {trigger} ON {table}')
        op.execute('DROP FUNCTION IF EXISTS kv_audit_append_only()')
    else:
        for trigger in SQLITE_TRIGGER_NAMES:
            op.execute(f'DROP TRIGGER IF EXISTS {trigger}')
    op.drop_table('audit_chain_head')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_seq')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
