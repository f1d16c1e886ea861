"""answers and documents: documents linked to their follow-up, evidence codes and uploader;
deviations: who changed them last, index by reporter and follow-up, one per source activity

Existing documents get their follow-up from their answer. All new columns are nullable.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follow_up_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('evidence', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('uploaded_by_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_documents_follow_up_id'), ['follow_up_id'], unique=False)
        batch_op.create_unique_constraint('uq_documents_follow_up_sha256', ['follow_up_id', 'sha256'])
        batch_op.create_foreign_key(batch_op.f('fk_documents_follow_up_id_follow_ups'), 'follow_ups', ['follow_up_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_documents_uploaded_by_id_people'), 'people', ['uploaded_by_id'], ['id'])

    op.execute(
        'UPDATE documents SET follow_up_id = '
        '(SELECT answers.follow_up_id FROM answers WHERE answers.id = documents.answer_id) '
        'WHERE follow_up_id IS NULL AND answer_id IS NOT NULL'
    )

    with op.batch_alter_table('deviations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_by_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('updated_at', storage.tables.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('source_activity_id', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_deviations_follow_up_id'), ['follow_up_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deviations_reported_by_id'), ['reported_by_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_deviations_source_activity_id'), ['source_activity_id'])
        batch_op.create_foreign_key(batch_op.f('fk_deviations_updated_by_id_people'), 'people', ['updated_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('deviations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_deviations_updated_by_id_people'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_deviations_source_activity_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_deviations_reported_by_id'))
        batch_op.drop_index(batch_op.f('ix_deviations_follow_up_id'))
        batch_op.drop_column('source_activity_id')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('updated_by_id')

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_documents_uploaded_by_id_people'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_documents_follow_up_id_follow_ups'), type_='foreignkey')
        batch_op.drop_constraint('uq_documents_follow_up_sha256', type_='unique')
        batch_op.drop_index(batch_op.f('ix_documents_follow_up_id'))
        batch_op.drop_column('uploaded_by_id')
        batch_op.drop_column('evidence')
        batch_op.drop_column('follow_up_id')
