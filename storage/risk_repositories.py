"""Risk assessments in the database (`followup.checks.ports.RiskAssessmentRepository`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from followup.checks.models import RiskAssessment
from followup.checks.ports import RiskDue
from followup.models import ContractStatus, RiskLevel
from storage.mappings import risk_assessment_from_row, risk_assessment_values
from storage.tables import ContractRow, RiskAssessmentRow

_IN_FORCE = (ContractStatus.ACTIVE.value, ContractStatus.PLANNED.value)


class SqlAlchemyRiskAssessmentRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, assessment: RiskAssessment) -> None:
        self._session.add(RiskAssessmentRow(**risk_assessment_values(assessment)))
        self._session.flush()

    def latest(self, contract_id: str) -> RiskAssessment | None:
        row = self._session.scalars(
            select(RiskAssessmentRow)
            .where(RiskAssessmentRow.contract_id == contract_id)
            .order_by(RiskAssessmentRow.version.desc())
            .limit(1)
        ).first()
        return risk_assessment_from_row(row) if row else None

    def versions(self, contract_id: str) -> Sequence[RiskAssessment]:
        rows = self._session.scalars(
            select(RiskAssessmentRow)
            .where(RiskAssessmentRow.contract_id == contract_id)
            .order_by(RiskAssessmentRow.version)
        )
        return [risk_assessment_from_row(r) for r in rows]

    def due(self, assessed_before: datetime, limit: int) -> Sequence[RiskDue]:
        latest = (
            select(
                RiskAssessmentRow.contract_id,
                func.max(RiskAssessmentRow.assessed_at).label("assessed_at"),
            )
            .group_by(RiskAssessmentRow.contract_id)
            .subquery()
        )
        rows = self._session.execute(
            select(
                ContractRow.id,
                ContractRow.reference,
                ContractRow.title,
                ContractRow.risk,
                latest.c.assessed_at,
            )
            .outerjoin(latest, latest.c.contract_id == ContractRow.id)
            .where(
                ContractRow.status.in_(_IN_FORCE),
                (latest.c.assessed_at.is_(None)) | (latest.c.assessed_at < assessed_before),
            )
            .order_by(
                latest.c.assessed_at.is_not(None),
                latest.c.assessed_at,
                ContractRow.reference,
            )
            .limit(limit)
        )
        return [
            RiskDue(
                contract_id=r.id,
                reference=r.reference,
                title=r.title,
                risk=RiskLevel(r.risk),
                assessed_at=_aware(r.assessed_at),
            )
            for r in rows
        ]


def _aware(value: datetime | None) -> datetime | None:
    """A naive value read back (SQLite stores UTC without a zone) as an aware one."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
