"""On-site checks in the database (`followup.checks.ports.OnsiteCheckRepository`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from followup.checks.onsite_models import OnsiteCheck
from storage.mappings import onsite_check_from_row, onsite_check_values
from storage.tables import OnsiteCheckRow


class SqlAlchemyOnsiteCheckRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, check: OnsiteCheck) -> None:
        self._session.add(OnsiteCheckRow(**onsite_check_values(check)))
        self._session.flush()

    def latest(self, contract_id: str) -> OnsiteCheck | None:
        row = self._session.scalars(
            select(OnsiteCheckRow)
            .where(OnsiteCheckRow.contract_id == contract_id)
            .order_by(OnsiteCheckRow.number.desc())
            .limit(1)
        ).first()
        return onsite_check_from_row(row) if row else None

    def for_contract(self, contract_id: str) -> Sequence[OnsiteCheck]:
        rows = self._session.scalars(
            select(OnsiteCheckRow)
            .where(OnsiteCheckRow.contract_id == contract_id)
            .order_by(OnsiteCheckRow.number)
        )
        return [onsite_check_from_row(r) for r in rows]
