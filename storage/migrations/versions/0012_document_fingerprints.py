"""documents are found by contract and SHA-256, so a file sent again is recognised

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 10:00:00.000000

Placeholder reserved for issue 14; filled in by the change that needs it.
"""

from collections.abc import Sequence

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
