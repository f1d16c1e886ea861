"""answers record a decision: who decided and when (option and expiry answers)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 10:00:00.000000

- `answers.decided_by` (text, at most 120 characters) and `answers.decided_on` (a date), both
  nullable: an option or expiry decision says who decided and on which day; other answers
  leave them empty. `answers.kind` is a plain string column (no CHECK constraint, no enum
  type), so the new kinds (`option_exercised`, `option_not_exercised`, `new_procurement`,
  `extended`, `ending`, `in_order`, `meeting_held`) need nothing more.
- Checkpoints made from the default plan and never edited (`source = 'template'`,
  `customised` false) that still offer the old answers get the new ones at once, so a
  contract's next card asks the question its checkpoint is about: option checkpoints
  (`opsjon-1`, `opsjon-2` …) and the expiry checkpoint (`utlop`) offered «Levert», the price
  check «Levert», the status meeting «Last opp dokumentasjon». Only rows whose actions are
  exactly the old default are changed: a plan file with actions of its own is left to
  `kontraktsvakt plan apply` (and the scheduler's daily refresh), which copy the plan file's
  actions onto such checkpoints anyway.

Downgrade: the columns go, the checkpoints get their old actions back (those that still have
exactly the new ones), and answers of the new kinds, which the old code cannot read, become
«delivered» with the decision written into their comment, so nothing said is lost.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ACTIONS = {
    'opsjon': ['levert', 'ikke_relevant', 'utsett'],
    'utlop': ['levert', 'ikke_relevant', 'utsett'],
    'priskontroll': ['levert', 'avvik', 'ikke_relevant', 'utsett'],
    'statusmote': ['dokumentasjon', 'avvik', 'ikke_relevant', 'utsett'],
}
NEW_ACTIONS = {
    'opsjon': ['opsjon_utloses', 'opsjon_utloses_ikke', 'ikke_relevant', 'utsett'],
    'utlop': ['ny_anskaffelse', 'forlenges', 'avsluttes', 'utsett'],
    'priskontroll': ['i_samsvar', 'avvik', 'ikke_relevant', 'utsett'],
    'statusmote': ['holdt', 'avvik', 'ikke_relevant', 'utsett'],
}
NEW_KIND_WORDS = {
    'option_exercised': 'Opsjonen utløses',
    'option_not_exercised': 'Opsjonen utløses ikke',
    'new_procurement': 'Ny anskaffelse startet',
    'extended': 'Forlenges',
    'ending': 'Avsluttes',
    'in_order': 'I samsvar',
    'meeting_held': 'Møtet holdt',
}

checkpoints = sa.table(
    'checkpoints',
    sa.column('id', sa.String()),
    sa.column('code', sa.String()),
    sa.column('actions', sa.JSON()),
    sa.column('source', sa.String()),
    sa.column('customised', sa.Boolean()),
)
answers = sa.table(
    'answers',
    sa.column('id', sa.String()),
    sa.column('kind', sa.String()),
    sa.column('text', sa.Text()),
    sa.column('decided_by', sa.String()),
    sa.column('decided_on', sa.Date()),
)


def _template_code(code: str) -> str:
    """`opsjon-2` → `opsjon` (one option checkpoint per option); others as they are."""
    return 'opsjon' if code.startswith('opsjon-') else code


def _replace_actions(before: dict[str, list[str]], after: dict[str, list[str]]) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(checkpoints.c.id, checkpoints.c.code, checkpoints.c.actions).where(
            checkpoints.c.source == 'template',
            checkpoints.c.customised.is_(False),
            sa.or_(
                checkpoints.c.code.in_(['utlop', 'priskontroll', 'statusmote']),
                checkpoints.c.code.like('opsjon-%'),
            ),
        )
    ).all()
    for row in rows:
        code = _template_code(row.code)
        if code in before and list(row.actions or []) == before[code]:
            connection.execute(
                sa.update(checkpoints)
                .where(checkpoints.c.id == row.id)
                .values(actions=after[code])
            )


def upgrade() -> None:
    with op.batch_alter_table('answers', recreate='never') as batch_op:
        batch_op.add_column(sa.Column('decided_by', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('decided_on', sa.Date(), nullable=True))
    _replace_actions(OLD_ACTIONS, NEW_ACTIONS)


def downgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(answers.c.id, answers.c.kind, answers.c.text, answers.c.decided_by,
                  answers.c.decided_on)
        .where(answers.c.kind.in_(list(NEW_KIND_WORDS)))
    ).all()  # fmt: skip
    for row in rows:
        said = NEW_KIND_WORDS[row.kind]
        if row.decided_by:
            said += f' – besluttet av {row.decided_by}'
        if row.decided_on:
            said += f' {row.decided_on.day}.{row.decided_on.month}.{row.decided_on.year}'
        connection.execute(
            sa.update(answers)
            .where(answers.c.id == row.id)
            .values(kind='delivered', text=f'{said}. {row.text}' if row.text else said)
        )
    _replace_actions(NEW_ACTIONS, OLD_ACTIONS)
    with op.batch_alter_table('answers', recreate='never') as batch_op:
        batch_op.drop_column('decided_on')
        batch_op.drop_column('decided_by')
