"""answers record a decision: who decided and when (option and expiry answers)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 10:00:00.000000

Placeholder reserved for issue 14; filled in by the change that needs it.
"""

from collections.abc import Sequence

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
