"""What the structured checks need from storage (`storage.risk_repositories`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from followup.checks.evaluation_models import EvaluationLine, SupplierEvaluation
from followup.checks.models import RiskAssessment
from followup.checks.onsite_models import OnsiteCheck
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


class OnsiteCheckRepository(Protocol):
    def add(self, check: OnsiteCheck) -> None:
        """Store a new check (checks are never changed or removed)."""
        ...

    def latest(self, contract_id: str) -> OnsiteCheck | None:
        """The check with the highest number."""
        ...

    def for_contract(self, contract_id: str) -> Sequence[OnsiteCheck]:
        """Every check of the contract, oldest first."""
        ...


class SupplierEvaluationRepository(Protocol):
    def add(self, evaluation: SupplierEvaluation) -> None:
        """Store a new version (versions are never changed or removed)."""
        ...

    def latest(self, contract_id: str) -> SupplierEvaluation | None: ...
    def versions(self, contract_id: str) -> Sequence[SupplierEvaluation]:
        """Every stored version, oldest first."""
        ...

    def for_supplier(self, supplier_id: str, limit: int) -> Sequence[EvaluationLine]:
        """The supplier's evaluations (of every contract), newest first; at most `limit`."""
        ...

    def latest_for_contracts(self, contract_ids: Collection[str]) -> Mapping[str, EvaluationLine]:
        """Each contract's latest evaluation, by contract id (one statement)."""
        ...


class EvaluationUnitOfWork(UnitOfWork, Protocol):
    """`followup.ports.UnitOfWork` with the supplier evaluations' repository."""

    @property
    def supplier_evaluations(self) -> SupplierEvaluationRepository: ...


class ChecksUnitOfWork(UnitOfWork, Protocol):
    """`followup.ports.UnitOfWork` with the checks' own repository (the domain's ports may not
    import the checks, which import them; storage's unit of work has both)."""

    @property
    def risk_assessments(self) -> RiskAssessmentRepository: ...

    @property
    def onsite_checks(self) -> OnsiteCheckRepository: ...
