"""What the purchase analysis needs from storage (`storage.analysis_repositories`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from decimal import Decimal
from types import TracebackType
from typing import Protocol, Self

from followup.accounts import AccountRange
from followup.analysis.figures import SpendLine
from followup.analysis.models import (
    AnalysisImport,
    LedgerLine,
    PriceLine,
    StatisticsLine,
)
from followup.ports import (
    AuditLog,
    CheckpointRepository,
    ContractRepository,
    FollowUpRepository,
    SupplierRepository,
)


class AnalysisRepository(Protocol):
    def add_import(self, record: AnalysisImport) -> None: ...

    def finish_import(
        self, import_id: str, lines: int, period_from: date | None, period_to: date | None
    ) -> None: ...

    def replace_price_list(
        self, contract_id: str, import_id: str, lines: Sequence[PriceLine]
    ) -> int: ...

    def remove_statistics(
        self, contract_id: str, periods: Collection[tuple[date, date]], *, keep_import: str
    ) -> int: ...

    def add_statistics(
        self, contract_id: str, import_id: str, lines: Iterable[StatisticsLine]
    ) -> int: ...

    def remove_ledger_between(self, start: date, end: date) -> int: ...

    def add_ledger(self, import_id: str, lines: Iterable[LedgerLine]) -> int: ...

    def price_list(self, contract_id: str) -> Sequence[PriceLine]: ...

    def statistics_summed(
        self, contract_id: str, start: date, end: date
    ) -> Sequence[StatisticsLine]: ...

    def turnover_until(self, contract_id: str, before: date) -> Decimal: ...

    def statistics_periods(self, contract_id: str) -> Sequence[tuple[date, date]]: ...

    def ledger_spend(
        self, start: date, end: date, accounts: Sequence[AccountRange]
    ) -> Sequence[SpendLine]: ...


class AnalysisUnitOfWork(Protocol):
    """The part of `followup.ports.UnitOfWork` the analysis uses, with its own repository."""

    @property
    def contracts(self) -> ContractRepository: ...
    @property
    def suppliers(self) -> SupplierRepository: ...
    @property
    def checkpoints(self) -> CheckpointRepository: ...
    @property
    def follow_ups(self) -> FollowUpRepository: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def analysis(self) -> AnalysisRepository: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
