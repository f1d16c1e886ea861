"""An on-site check of a contract: what is stored (`followup.checks.onsite` records it)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Final

from pydantic import Field

from followup.models import DomainModel, new_id

MAX_WORKERS: Final = 10_000


class CrewList(StrEnum):
    """Whether the contractor's crew list (*mannskapsliste*) matched who was on site."""

    MATCHES = "ja"
    DIFFERS = "nei"
    NOT_CHECKED = "ikke_kontrollert"


class OnsiteCheck(DomainModel):
    """One on-site check of a contract, numbered from 1 per contract; never changed."""

    id: str = Field(default_factory=new_id)
    contract_id: str
    number: int = Field(ge=1)
    checked_on: date
    place: str | None = None
    participants: str | None = None
    workers: int = Field(ge=0, le=MAX_WORKERS)
    cards_checked: int = Field(ge=0, le=MAX_WORKERS)
    without_card: int = Field(ge=0, le=MAX_WORKERS)
    crew_list: CrewList = CrewList.NOT_CHECKED
    notes: str | None = None
    recorded_by_id: str
    recorded_at: datetime
    deviation_id: str | None = None
    follow_up_id: str | None = None
    """The on-site follow-up the check answered, if any."""

    @property
    def findings(self) -> bool:
        """Cards missing or the crew list not matching."""
        return self.without_card > 0 or self.crew_list is CrewList.DIFFERS
