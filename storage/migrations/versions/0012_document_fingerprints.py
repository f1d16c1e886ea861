"""documents are found by contract and SHA-256, so a file sent again is recognised

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 10:00:00.000000

Adds `documents.contract_id` (the contract of the document's follow-up) and the unique key
(`contract_id`, `sha256`): the same file sent again on a contract, for whichever of its
follow-ups, is recognised and not filed twice, also by two transactions at once. The key's
index also finds a contract's documents by SHA-256.

Existing documents get the contract of their follow-up. Before this revision the same bytes
could be filed on two follow-ups of one contract; of such copies only the earliest (by upload
time, then id) gets the contract, the later ones keep `contract_id` NULL (NULLs never clash),
so the earliest is the one a new copy is recognised as. Nothing is deleted.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CONTRACT_OF = (
    '(SELECT follow_ups.contract_id FROM follow_ups WHERE follow_ups.id = documents.follow_up_id)'
)


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contract_id', sa.String(length=36), nullable=True))

    op.execute(
        f'UPDATE documents SET contract_id = {_CONTRACT_OF} '
        'WHERE follow_up_id IS NOT NULL AND NOT EXISTS ('
        'SELECT 1 FROM documents AS earlier '
        'JOIN follow_ups AS earlier_follow_up ON earlier_follow_up.id = earlier.follow_up_id '
        'WHERE earlier.sha256 = documents.sha256 '
        f'AND earlier_follow_up.contract_id = {_CONTRACT_OF} '
        'AND (earlier.uploaded_at < documents.uploaded_at '
        'OR (earlier.uploaded_at = documents.uploaded_at AND earlier.id < documents.id)))'
    )

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_documents_contract_sha256', ['contract_id', 'sha256'])
        batch_op.create_foreign_key(
            batch_op.f('fk_documents_contract_id_contracts'), 'contracts', ['contract_id'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_documents_contract_id_contracts'), type_='foreignkey')
        batch_op.drop_constraint('uq_documents_contract_sha256', type_='unique')
        batch_op.drop_column('contract_id')
