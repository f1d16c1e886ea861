"""What the structured checks need from storage (`storage.risk_repositories`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from followup.checks.models import RiskAssessment
from followup.models import RiskLevel
from followup.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class RiskDue:
    """A contract in force whose risk is due an assessment: never assessed in chat
    (`assessed_at` None: only the register's level), or last assessed at `assessed_at`."""

    contract_id: str
    reference: str
    title: str
    risk: RiskLevel
    assessed_at: datetime | None


class RiskAssessmentRepository(Protocol):
    def add(self, assessment: RiskAssessment) -> None:
        """Store a new version (versions are never changed or removed)."""
        ...

    def latest(self, contract_id: str) -> RiskAssessment | None: ...
    def versions(self, contract_id: str) -> Sequence[RiskAssessment]:
        """Every stored version, oldest first."""
        ...

    def due(self, assessed_before: datetime, limit: int) -> Sequence[RiskDue]:
        """Contracts in force (active or planned) never assessed, then those whose latest
        assessment is older than `assessed_before`, oldest first; at most `limit`."""
        ...


class ChecksUnitOfWork(UnitOfWork, Protocol):
    """`followup.ports.UnitOfWork` with the checks' own repository (the domain's ports may not
    import the checks, which import them; storage's unit of work has both)."""

    @property
    def risk_assessments(self) -> RiskAssessmentRepository: ...
