"""on-site checks: a contract's on-site checks (stedlig kontroll)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-12 09:00:00.000000

Issue 19, item 2. One row per on-site check (`followup.checks.onsite`), numbered from 1 per
contract and only ever added: the day, place, who took part, workers on site, HMS-kort checked
and without a valid card, whether the crew list matched, notes, who recorded it and when, and
the deviation and follow-up it made or answered.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = storage.tables.UtcDateTime(timezone=True)
    op.create_table(
        'onsite_checks',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('contract_id', sa.String(length=36), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('checked_on', sa.Date(), nullable=False),
        sa.Column('place', sa.String(length=300), nullable=True),
        sa.Column('participants', sa.String(length=300), nullable=True),
        sa.Column('workers', sa.Integer(), nullable=False),
        sa.Column('cards_checked', sa.Integer(), nullable=False),
        sa.Column('without_card', sa.Integer(), nullable=False),
        sa.Column('crew_list', sa.String(length=20), nullable=False),
        sa.Column('notes', sa.Text(), nullable=True),
        sa.Column('recorded_by_id', sa.String(length=36), nullable=False),
        sa.Column('recorded_at', moment, nullable=False),
        sa.Column('deviation_id', sa.String(length=36), nullable=True),
        sa.Column('follow_up_id', sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ['contract_id'], ['contracts.id'],
            name=op.f('fk_onsite_checks_contract_id_contracts'),
        ),
        sa.ForeignKeyConstraint(
            ['recorded_by_id'], ['people.id'],
            name=op.f('fk_onsite_checks_recorded_by_id_people'),
        ),
        sa.ForeignKeyConstraint(
            ['deviation_id'], ['deviations.id'],
            name=op.f('fk_onsite_checks_deviation_id_deviations'),
        ),
        sa.ForeignKeyConstraint(
            ['follow_up_id'], ['follow_ups.id'],
            name=op.f('fk_onsite_checks_follow_up_id_follow_ups'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_onsite_checks')),
        sa.UniqueConstraint('contract_id', 'number', name='uq_onsite_checks_contract_number'),
    )


def downgrade() -> None:
    op.drop_table('onsite_checks')
