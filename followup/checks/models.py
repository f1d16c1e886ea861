"""The risk assessment of a contract: what is stored (`followup.checks.risk` assesses)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Final

from pydantic import Field

from followup.models import DomainModel, RiskLevel, new_id

SCALE: Final = (1, 2, 3, 4)
"""Consequence and likelihood are scored 1–4: 1 small / unlikely, 2 moderate / possible,
3 serious / likely, 4 very serious / almost certain. An even scale has no middle to fall
back on (a 1–5 scale's 3 is where the undecided land), four steps are what a person can tell
apart on a phone-sized card, and 4 × 4 maps onto three levels without ties at the edges."""


class RiskArea(StrEnum):
    """The risks that matter in municipal contracts (DFØ, Ålesund's process)."""

    DELIVERY = "leveranse"
    """Delivery and quality."""
    PRICE = "pris"
    """Price and economy."""
    WORKING_CONDITIONS = "arbeidsvilkar"
    """Pay and working conditions, social dumping."""
    HEALTH_SAFETY = "hms"
    """Health and safety."""
    SUPPLY_CHAIN = "leverandorkjede"
    """The supply chain (subcontractors, origin of goods)."""
    REPUTATION = "omdomme"
    """The municipality's reputation."""


class RiskSource(StrEnum):
    CHAT = "chat"
    """Assessed by a person, in the chat form or typed."""
    REGISTER = "register"
    """The register import's risk column: a first assessment without scores or reason. Not
    stored as a row: a contract without stored versions has it as version 0
    (`followup.checks.risk.register_assessment`)."""


class RiskScore(DomainModel):
    area: RiskArea
    consequence: int = Field(ge=1, le=4)
    likelihood: int = Field(ge=1, le=4)

    @property
    def product(self) -> int:
        return self.consequence * self.likelihood


class RiskAssessment(DomainModel):
    """One version of a contract's risk assessment. Versions are numbered from 1 per contract
    and never changed: a new assessment is a new version. `suggested` is the level the scores
    give (None without scores); `chosen` the level the person set, with `reason` required when
    it differs from the suggestion (or when there are no scores)."""

    id: str = Field(default_factory=new_id)
    contract_id: str
    version: int = Field(ge=0)
    source: RiskSource = RiskSource.CHAT
    assessed_by_id: str | None = None
    assessed_at: datetime | None = None
    scores: list[RiskScore] = Field(default_factory=list)
    suggested: RiskLevel | None = None
    chosen: RiskLevel
    reason: str | None = None
    comment: str | None = None
    previous: RiskLevel | None = None
    """The contract's risk before this assessment."""
