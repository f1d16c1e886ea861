"""deviations get a short readable code per year (AV-2026-0042)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 10:00:00.000000

Placeholder reserved for issue 14; filled in by the change that needs it.
"""

from collections.abc import Sequence

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
