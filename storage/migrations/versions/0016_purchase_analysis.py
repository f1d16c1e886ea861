"""purchase analysis: price lists, statistics and ledger lines; an agreement's ceiling and accounts

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-07 12:20:00.000000

Issue 16. Lines are kept as the files said them, with money and quantities as scaled integers
(amounts in øre, unit prices in 1/10 000 krone, quantities in 1/1 000): sums in SQL are exact
and a million lines go in by COPY (PostgreSQL) or one executemany (SQLite). A line's id is
SQLite's rowid or a PostgreSQL identity. Each file imported is a row of `analysis_imports`;
re-importing a period of an agreement replaces that period's lines. The statistics and ledger
lines name their import without a foreign key (a million per-line checks cost a third of a
PostgreSQL import; they are only written with their import, and imports are never deleted).
`statistics_periods` keeps each period's line count and sum beside the lines (the ceiling's
turnover before a period), and `statistics_sums` the lines as an analysis reads them (summed
per article and price).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINE_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.add_column('contracts', sa.Column('maximum_value_nok', sa.BigInteger(), nullable=True))
    op.add_column('contracts', sa.Column('ledger_accounts', sa.String(length=500), nullable=True))
    op.create_table(
        'analysis_imports',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('contract_id', sa.String(length=36), nullable=True),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('period_from', sa.Date(), nullable=True),
        sa.Column('period_to', sa.Date(), nullable=True),
        sa.Column('lines', sa.Integer(), nullable=False),
        sa.Column('imported_by', sa.String(length=200), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['contract_id'], ['contracts.id'],
            name=op.f('fk_analysis_imports_contract_id_contracts'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_analysis_imports')),
    )  # fmt: skip
    op.create_index(
        op.f('ix_analysis_imports_contract_id'), 'analysis_imports', ['contract_id']
    )
    op.create_table(
        'price_list_lines',
        sa.Column('id', LINE_ID, autoincrement=True, nullable=False),
        sa.Column('contract_id', sa.String(length=36), nullable=False),
        sa.Column('import_id', sa.String(length=36), nullable=False),
        sa.Column('article_key', sa.String(length=100), nullable=False),
        sa.Column('article', sa.String(length=100), nullable=False),
        sa.Column('description', sa.String(length=500), nullable=False),
        sa.Column('unit', sa.String(length=50), nullable=True),
        sa.Column('agreed_price_e4', sa.BigInteger(), nullable=False),
        sa.Column('core', sa.Boolean(), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ['contract_id'], ['contracts.id'],
            name=op.f('fk_price_list_lines_contract_id_contracts'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['import_id'], ['analysis_imports.id'],
            name=op.f('fk_price_list_lines_import_id_analysis_imports'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_price_list_lines')),
    )  # fmt: skip
    op.create_index(
        'ix_price_list_lines_contract',
        'price_list_lines',
        ['contract_id', 'article_key', 'valid_from'],
    )
    op.create_index(op.f('ix_price_list_lines_import_id'), 'price_list_lines', ['import_id'])
    op.create_table(
        'statistics_lines',
        sa.Column('id', LINE_ID, autoincrement=True, nullable=False),
        sa.Column('contract_id', sa.String(length=36), nullable=False),
        sa.Column('import_id', sa.String(length=36), nullable=False),
        sa.Column('period_from', sa.Date(), nullable=False),
        sa.Column('period_to', sa.Date(), nullable=False),
        sa.Column('customer', sa.String(length=200), nullable=True),
        sa.Column('article_key', sa.String(length=100), nullable=False),
        sa.Column('article', sa.String(length=100), nullable=False),
        sa.Column('description', sa.String(length=500), nullable=True),
        sa.Column('unit', sa.String(length=50), nullable=True),
        sa.Column('quantity_e3', sa.BigInteger(), nullable=True),
        sa.Column('unit_price_e4', sa.BigInteger(), nullable=True),
        sa.Column('amount_ore', sa.BigInteger(), nullable=False),
        sa.Column('core_marked', sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ['contract_id'], ['contracts.id'],
            name=op.f('fk_statistics_lines_contract_id_contracts'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statistics_lines')),
    )  # fmt: skip
    op.create_index(
        'ix_statistics_lines_contract_period',
        'statistics_lines',
        ['contract_id', 'period_from', 'period_to'],
    )
    # An agreement's lines per period, counted and summed as they are stored: the turnover
    # before a period (the ceiling) reads a row a period, not a million lines.
    op.create_table(
        'statistics_periods',
        sa.Column('contract_id', sa.String(length=36), nullable=False),
        sa.Column('period_from', sa.Date(), nullable=False),
        sa.Column('period_to', sa.Date(), nullable=False),
        sa.Column('lines', sa.BigInteger(), nullable=False),
        sa.Column('amount_ore', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ['contract_id'], ['contracts.id'],
            name=op.f('fk_statistics_periods_contract_id_contracts'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint(
            'contract_id', 'period_from', 'period_to', name=op.f('pk_statistics_periods')
        ),
    )  # fmt: skip
    # The lines as an analysis reads them, summed per period when they are stored or removed:
    # a quarter of 20 000 lines is read as its few thousand sums.
    op.create_table(
        'statistics_sums',
        sa.Column('id', LINE_ID, autoincrement=True, nullable=False),
        sa.Column('contract_id', sa.String(length=36), nullable=False),
        sa.Column('period_from', sa.Date(), nullable=False),
        sa.Column('period_to', sa.Date(), nullable=False),
        sa.Column('article', sa.String(length=100), nullable=False),
        sa.Column('description', sa.String(length=500), nullable=True),
        sa.Column('unit', sa.String(length=50), nullable=True),
        sa.Column('quantity_e3', sa.BigInteger(), nullable=True),
        sa.Column('unit_price_e4', sa.BigInteger(), nullable=True),
        sa.Column('amount_ore', sa.BigInteger(), nullable=False),
        sa.Column('lines', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ['contract_id'], ['contracts.id'],
            name=op.f('fk_statistics_sums_contract_id_contracts'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statistics_sums')),
    )  # fmt: skip
    op.create_index(
        'ix_statistics_sums_contract_period',
        'statistics_sums',
        ['contract_id', 'period_from', 'period_to'],
    )
    op.create_table(
        'ledger_lines',
        sa.Column('id', LINE_ID, autoincrement=True, nullable=False),
        sa.Column('import_id', sa.String(length=36), nullable=False),
        sa.Column('voucher_date', sa.Date(), nullable=False),
        sa.Column('organisation_number', sa.String(length=9), nullable=True),
        sa.Column('supplier_name', sa.String(length=300), nullable=False),
        sa.Column('amount_ore', sa.BigInteger(), nullable=False),
        sa.Column('account', sa.String(length=32), nullable=False),
        sa.Column('responsibility', sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_lines')),
    )  # fmt: skip
    # Covering: a period's spend on accounts, per supplier, is summed from the index alone.
    op.create_index(
        'ix_ledger_lines_account_date',
        'ledger_lines',
        ['account', 'voucher_date', 'organisation_number', 'amount_ore', 'supplier_name'],
    )


def downgrade() -> None:
    op.drop_table('ledger_lines')
    op.drop_table('statistics_sums')
    op.drop_table('statistics_periods')
    op.drop_table('statistics_lines')
    op.drop_table('price_list_lines')
    op.drop_table('analysis_imports')
    # Not SQLite's batch mode: copying contracts would drop migration 0014's triggers.
    op.execute('ALTER TABLE contracts DROP COLUMN ledger_accounts')
    op.execute('ALTER TABLE contracts DROP COLUMN maximum_value_nok')
