"""answers: drop ix_answers_follow_up_id, which repeats uq_answers_follow_up_id's first column

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-12 12:00:00.000000

Issue 15. `answers` had two indexes starting with `follow_up_id`: the unique
`uq_answers_follow_up_id` (`follow_up_id`, `version`) and the plain `ix_answers_follow_up_id`
(`follow_up_id`). The unique one serves every look-up of a follow-up's answers (and, on
PostgreSQL, the foreign key's checks) by its first column, so the plain one only cost every
answer's commit an index page to write. The downgrade makes it again.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index('ix_answers_follow_up_id', table_name='answers')


def downgrade() -> None:
    op.create_index('ix_answers_follow_up_id', 'answers', ['follow_up_id'], unique=False)
