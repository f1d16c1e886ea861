"""Supplier evaluations in the database
(`followup.checks.ports.SupplierEvaluationRepository`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from followup.checks.evaluation_models import EvaluationLine, SupplierEvaluation
from storage.mappings import supplier_evaluation_from_row, supplier_evaluation_values
from storage.tables import ContractRow, SupplierEvaluationRow

_E = SupplierEvaluationRow
_C = ContractRow
_MAX_IDS = 900
"""Contract ids per `IN (…)`: under SQLite's 999 bound parameters."""


class SqlAlchemySupplierEvaluationRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, evaluation: SupplierEvaluation) -> None:
        self._session.add(SupplierEvaluationRow(**supplier_evaluation_values(evaluation)))
        self._session.flush()

    def latest(self, contract_id: str) -> SupplierEvaluation | None:
        row = self._session.scalars(
            select(_E).where(_E.contract_id == contract_id).order_by(_E.version.desc()).limit(1)
        ).first()
        return supplier_evaluation_from_row(row) if row else None

    def versions(self, contract_id: str) -> Sequence[SupplierEvaluation]:
        rows = self._session.scalars(
            select(_E).where(_E.contract_id == contract_id).order_by(_E.version)
        )
        return [supplier_evaluation_from_row(r) for r in rows]

    def for_supplier(self, supplier_id: str, limit: int) -> Sequence[EvaluationLine]:
        rows = self._session.execute(
            _lines()
            .where(_E.supplier_id == supplier_id)
            .order_by(_E.evaluated_at.desc(), _C.reference)
            .limit(limit)
        )
        return [_line(r) for r in rows]

    def latest_for_contracts(self, contract_ids: Collection[str]) -> Mapping[str, EvaluationLine]:
        ids = sorted(set(contract_ids))
        found: dict[str, EvaluationLine] = {}
        for start in range(0, len(ids), _MAX_IDS):
            chunk = ids[start : start + _MAX_IDS]
            newest = (
                select(_E.contract_id, func.max(_E.version).label("version"))
                .where(_E.contract_id.in_(chunk))
                .group_by(_E.contract_id)
                .subquery()
            )
            rows = self._session.execute(
                _lines().join(
                    newest,
                    (newest.c.contract_id == _E.contract_id) & (newest.c.version == _E.version),
                )
            )
            found.update((r.contract_id, _line(r)) for r in rows)
        return found


def _lines() -> Any:
    return select(
        _E.contract_id,
        _E.version,
        _E.evaluated_at,
        _E.overall,
        _C.reference,
        _C.title,
        _C.owner_id,
        _C.deputy_id,
        _C.manager_id,
    ).join(_C, _C.id == _E.contract_id)


def _line(row: Any) -> EvaluationLine:
    return EvaluationLine(
        contract_id=row.contract_id,
        reference=row.reference,
        title=row.title,
        version=int(row.version),
        evaluated_at=_aware(row.evaluated_at),
        overall=int(row.overall),
        owner_id=row.owner_id,
        deputy_id=row.deputy_id,
        manager_id=row.manager_id,
    )


def _aware(value: datetime) -> datetime:
    """A naive value read back (SQLite stores UTC without a zone) as an aware one."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
