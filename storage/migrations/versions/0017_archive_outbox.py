"""archive outbox: Fiks Arkiv messages to the municipality's archive, once each

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-09 10:00:00.000000

Issue 17. One row per archive message by its stable id (`followup.archive.message_id_for`),
inserted once; senders claim pending rows under a lease; the archive's receipt numbers are
stored on confirmation.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = storage.tables.UtcDateTime(timezone=True)
    op.create_table(
        'archive_messages',
        sa.Column('message_id', sa.String(length=36), nullable=False),
        sa.Column('contract_id', sa.String(length=36), nullable=False),
        sa.Column('record_key', sa.String(length=300), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', moment, nullable=True),
        sa.Column('error_kind', sa.String(length=32), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('claimed_by', sa.String(length=64), nullable=True),
        sa.Column('lease_expires_at', moment, nullable=True),
        sa.Column('created_at', moment, nullable=False),
        sa.Column('updated_at', moment, nullable=False),
        sa.Column('sent_at', moment, nullable=True),
        sa.Column('confirmed_at', moment, nullable=True),
        sa.Column('case_year', sa.Integer(), nullable=True),
        sa.Column('case_sequence', sa.Integer(), nullable=True),
        sa.Column('journal_year', sa.Integer(), nullable=True),
        sa.Column('journal_sequence', sa.Integer(), nullable=True),
        sa.Column('journal_post_number', sa.Integer(), nullable=True),
        sa.Column('record_system_id', sa.String(length=100), nullable=True),
        sa.Column('record_id', sa.String(length=100), nullable=True),
        sa.Column('case_system_id', sa.String(length=100), nullable=True),
        sa.Column('case_id', sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ['contract_id'], ['contracts.id'], name=op.f('fk_archive_messages_contract_id_contracts')
        ),
        sa.PrimaryKeyConstraint('message_id', name=op.f('pk_archive_messages')),
    )
    op.create_index(
        'ix_archive_messages_state_next_attempt',
        'archive_messages',
        ['state', 'next_attempt_at'],
        unique=False,
    )
    op.create_index(
        'ix_archive_messages_contract_state',
        'archive_messages',
        ['contract_id', 'state'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_archive_messages_contract_state', table_name='archive_messages')
    op.drop_index('ix_archive_messages_state_next_attempt', table_name='archive_messages')
    op.drop_table('archive_messages')
