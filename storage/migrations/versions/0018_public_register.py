"""public register: Omfang, Bestilling, Kontakt and Doffin on contracts; its change stamp; search

Issue 18. Four register columns on contracts (scope, how_to_order, contact_email,
doffin_notice); `public_register_state`, one row kept by triggers whenever a public framework
agreement's public fields change, one becomes public or stops being so, or a supplier is
renamed (SQLite rebuilds its search index when the version moves; its time is the open data's
Last-Modified); an index for listing the public framework agreements; on PostgreSQL, GIN
indexes on the Norwegian full-text vectors the search matches (storage/public_register.py
spells the very same expressions).

SQLite note: a later migration that recreates `contracts` or `suppliers` (batch "move and
copy") drops their triggers and must create these again.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-10 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PUBLIC = "{row}.public AND {row}.contract_type = 'rammeavtale'"
# The columns a public agreement shows or is filtered and searched by.
PUBLIC_COLUMNS = (
    'reference', 'title', 'contract_type', 'category', 'cpv_code', 'supplier_id', 'unit',
    'start_date', 'end_date', 'options', 'ongoing', 'status', 'public', 'scope',
    'how_to_order', 'contact_email', 'doffin_notice',
)


def _changed(postgres: bool) -> str:
    # PostgreSQL's json has no equality operator: compare its text.
    def col(row: str, name: str) -> str:
        return f'{row}.{name}::text' if postgres and name == 'options' else f'{row}.{name}'

    return ' OR '.join(
        f'{col("OLD", name)} IS DISTINCT FROM {col("NEW", name)}' if postgres
        else f'{col("OLD", name)} IS NOT {col("NEW", name)}'
        for name in PUBLIC_COLUMNS
    )


def _when_update(postgres: bool) -> str:
    return (
        f"(({PUBLIC.format(row='OLD')}) OR ({PUBLIC.format(row='NEW')})) AND ({_changed(postgres)})"
    )


SUPPLIER_CHANGED_SQLITE = 'OLD.name IS NOT NEW.name OR OLD.organisation_number IS NOT NEW.organisation_number'
SUPPLIER_CHANGED_PG = (
    'OLD.name IS DISTINCT FROM NEW.name OR '
    'OLD.organisation_number IS DISTINCT FROM NEW.organisation_number'
)

SQLITE_BUMP = """
    INSERT INTO public_register_state (id, version, changed_at)
    VALUES (1, 1, strftime('%Y-%m-%d %H:%M:%S', 'now'))
    ON CONFLICT (id) DO UPDATE SET
        version = public_register_state.version + 1, changed_at = excluded.changed_at;
"""

TRIGGERS = (
    # name, table, event, condition (SQLite), condition (PostgreSQL)
    ('trg_contracts_public_register_insert', 'contracts', 'INSERT',
     PUBLIC.format(row='NEW'), PUBLIC.format(row='NEW')),
    ('trg_contracts_public_register_update', 'contracts', 'UPDATE',
     _when_update(False), _when_update(True)),
    ('trg_contracts_public_register_delete', 'contracts', 'DELETE',
     PUBLIC.format(row='OLD'), PUBLIC.format(row='OLD')),
    ('trg_suppliers_public_register_update', 'suppliers', 'UPDATE',
     SUPPLIER_CHANGED_SQLITE, SUPPLIER_CHANGED_PG),
)

PG_FUNCTION = """
    CREATE FUNCTION kv_public_register_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO public_register_state (id, version, changed_at) VALUES (1, 1, now())
        ON CONFLICT (id) DO UPDATE SET
            version = public_register_state.version + 1, changed_at = excluded.changed_at;
        RETURN NULL;
    END $$
"""

# The search's vectors (storage/public_register.py: CONTRACT_VECTOR, SUPPLIER_VECTOR).
PG_CONTRACT_VECTOR = (
    "to_tsvector('norwegian'::regconfig, regexp_replace("
    "title || ' ' || coalesce(scope, '') || ' ' || coalesce(cpv_code, '') || ' ' || "
    "replace(category, '_', ' '), '[^[:alnum:]]+', ' ', 'g'))"
)
PG_SUPPLIER_VECTOR = (
    "to_tsvector('norwegian'::regconfig, regexp_replace(name, '[^[:alnum:]]+', ' ', 'g'))"
)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    # Plain ALTER TABLE, never a batch "move and copy": that would drop the triggers on
    # contracts (migrations 0014 and this one).
    op.add_column('contracts', sa.Column('scope', sa.Text(), nullable=True))
    op.add_column('contracts', sa.Column('how_to_order', sa.Text(), nullable=True))
    op.add_column('contracts', sa.Column('contact_email', sa.String(length=320), nullable=True))
    op.add_column('contracts', sa.Column('doffin_notice', sa.String(length=16), nullable=True))
    op.create_index('ix_contracts_public_register', 'contracts', ['contract_type', 'public'], unique=False)
    state = op.create_table(
        'public_register_state',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('changed_at', storage.tables.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_public_register_state')),
    )
    op.execute(
        state.insert().values(id=1, version=1, changed_at=sa.func.current_timestamp())
        if postgres
        else "INSERT INTO public_register_state (id, version, changed_at) "
        "VALUES (1, 1, strftime('%Y-%m-%d %H:%M:%S', 'now'))"
    )
    if postgres:
        op.execute(PG_FUNCTION)
        for name, table, event, _, condition in TRIGGERS:
            op.execute(
                f'CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW '
                f'WHEN ({condition}) EXECUTE FUNCTION kv_public_register_changed()'
            )
        op.execute(
            f'CREATE INDEX ix_contracts_public_search ON contracts USING gin ({PG_CONTRACT_VECTOR}) '
            f"WHERE public AND contract_type = 'rammeavtale'"
        )
        op.execute(f'CREATE INDEX ix_suppliers_public_search ON suppliers USING gin ({PG_SUPPLIER_VECTOR})')
    else:
        for name, table, event, condition, _ in TRIGGERS:
            op.execute(
                f'CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW '
                f'WHEN {condition} BEGIN {SQLITE_BUMP} END'
            )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    for name, table, *_ in TRIGGERS:
        op.execute(f'DROP TRIGGER IF EXISTS {name}' + (f' ON {table}' if postgres else ''))
    if postgres:
        op.execute('DROP FUNCTION IF EXISTS kv_public_register_changed()')
        op.execute('DROP INDEX IF EXISTS ix_suppliers_public_search')
        op.execute('DROP INDEX IF EXISTS ix_contracts_public_search')
    op.drop_table('public_register_state')
    op.drop_index('ix_contracts_public_register', table_name='contracts')
    for column in ('doffin_notice', 'contact_email', 'how_to_order', 'scope'):
        op.execute(f'ALTER TABLE contracts DROP COLUMN {column}')  # SQLite 3.35+: keeps triggers
