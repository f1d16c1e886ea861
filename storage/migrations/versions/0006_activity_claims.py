"""activity claims: a state and an age for each claimed incoming activity

processed_activities.state: `in_progress` while an instance runs the turn, `done` after it;
processed_activities.claimed_at: when the current holder claimed it (a claim in progress older
than the lease is taken over by the next copy). Existing rows were handled: `done`, claimed
when received.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('processed_activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=16), nullable=False, server_default='done'))
        batch_op.add_column(sa.Column('claimed_at', storage.tables.UtcDateTime(timezone=True), nullable=True))
    op.execute('UPDATE processed_activities SET claimed_at = received_at')
    with op.batch_alter_table('processed_activities', schema=None) as batch_op:
        batch_op.alter_column(
            'claimed_at', existing_type=storage.tables.UtcDateTime(timezone=True), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table('processed_activities', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('state')
