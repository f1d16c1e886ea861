"""Purchase analysis, as verbs: import a price list, sales statistics or a ledger extract, and
analyse an agreement or the leakage across the register (issue 16).

An import reads every row, reports each problem in Norwegian, and writes all or nothing: when
one row fails, nothing is stored (a period is never replaced by part of a file) and the report
says what to fix. Re-importing replaces what the file covers, never doubles it: a statistics
file replaces the agreement's lines of the periods it has, a price list the agreement's lines
valid from the same dates, a ledger extract the months it has. Lines stream into the database
in chunks inside one transaction, so memory stays flat for a million lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final, TypeVar

from followup.analysis.exact import exact
from followup.analysis.figures import (
    AgreementAnalysis,
    LeakageGroup,
    analyse_agreement,
    leakage,
)
from followup.analysis.models import (
    AgreementTerms,
    AnalysisImport,
    ImportKind,
    LedgerLine,
    PriceLine,
    StatisticsLine,
    Thresholds,
)
from followup.analysis.ports import AnalysisUnitOfWork
from followup.analysis.reading import (
    AnalysisColumns,
    AnalysisFile,
    PriceListParser,
    article_key,
    parse_ledger_row,
    parse_statistics_row,
)
from followup.calendar.workdays import oslo_today
from followup.errors import InvalidInput, NotFound
from followup.models import (
    OPEN_FOLLOW_UP_STATES,
    AuditEvent,
    Contract,
    ContractType,
    new_id,
)
from followup.register.reading import RowProblem, parse_accounts

STATISTICS_CHECKPOINT: Final = "salgsstatistikk"
"""The checkpoint whose answer is the statistics (followup/plans/*.toml)."""
MAX_PROBLEMS_KEPT: Final = 1_000
"""Problems listed in a report; the count goes on (a wrong file can fail on every row)."""
OVERDUE_LOOKBACK: Final = timedelta(days=400)

_KIND_FILE: Final = {
    ImportKind.PRICE_LIST: AnalysisFile.PRICE_LIST,
    ImportKind.STATISTICS: AnalysisFile.STATISTICS,
    ImportKind.LEDGER: AnalysisFile.LEDGER,
}
_Line = TypeVar("_Line", PriceLine, StatisticsLine, LedgerLine)


@dataclass(frozen=True, slots=True)
class ImportAnalysisFile:
    """Import one file's rows. `reference` names the agreement (a price list, statistics)."""

    kind: ImportKind
    rows: Iterable[tuple[int, Mapping[str, object]]]
    headers: Sequence[str]
    file_name: str
    sha256: str
    actor: str
    reference: str | None = None
    dry_run: bool = False


@dataclass
class AnalysisImportReport:
    kind: ImportKind
    file_name: str
    reference: str | None
    dry_run: bool
    rows_read: int = 0
    lines: int = 0
    """Lines read without a problem (stored unless the import failed or was a dry run)."""
    replaced: int = 0
    """Lines stored before that this import replaced."""
    failed: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    periods: list[tuple[date, date]] = field(default_factory=list)
    """Statistics: the periods in the file; ledger: its first and last voucher date."""
    stored: bool = False

    @property
    def ok(self) -> bool:
        return self.failed == 0


@exact
def import_analysis_file(
    command: ImportAnalysisFile, uow: AnalysisUnitOfWork, now: datetime
) -> AnalysisImportReport:
    """Read, check and (unless a dry run, and only when every row is good) store the file in
    `uow`, committing it. Raises `InvalidInput` (Norwegian) when the file as a whole will not
    do (missing columns) or names an unknown agreement."""
    columns = AnalysisColumns.from_headers(_KIND_FILE[command.kind], command.headers)
    columns.require_readable()
    report = AnalysisImportReport(
        kind=command.kind,
        file_name=command.file_name,
        reference=command.reference,
        dry_run=command.dry_run,
        warnings=columns.warnings(),
    )
    contract = _agreement(command, uow)
    import_id = new_id()
    if not command.dry_run:  # first: the lines refer to it; rolled back with them on failure
        uow.analysis.add_import(
            AnalysisImport(
                id=import_id,
                kind=command.kind,
                contract_id=None if contract is None else contract.id,
                file_name=command.file_name,
                sha256=command.sha256,
                period_from=None,
                period_to=None,
                lines=0,
                imported_by=command.actor,
                imported_at=now,
            )
        )
    if contract is None:
        _import_ledger(command, columns, import_id, uow, report)
    elif command.kind is ImportKind.PRICE_LIST:
        parser = PriceListParser(columns)  # also refuses an article priced twice from one date
        prices = list(
            _good_lines(command.rows, columns, lambda n, c, _: parser.parse(n, c), report)
        )
        if report.ok and not command.dry_run:
            report.replaced = uow.analysis.replace_price_list(contract.id, import_id, prices)
    else:
        _import_statistics(command, columns, contract, import_id, uow, report)
    if not report.ok or command.dry_run:
        uow.rollback()
        return report
    first = min((p[0] for p in report.periods), default=None)
    last = max((p[1] for p in report.periods), default=None)
    uow.analysis.finish_import(import_id, report.lines, first, last)
    uow.audit.append(
        AuditEvent(
            at=now,
            actor=command.actor,
            action=f"analysis.{command.kind.value}.imported",
            entity="contract" if contract is not None else "ledger",
            entity_id=contract.id if contract is not None else import_id,
            after={
                "import_id": import_id,
                "file": command.file_name,
                "sha256": command.sha256,
                "lines": report.lines,
                "replaced": report.replaced,
                "from": None if first is None else first.isoformat(),
                "to": None if last is None else last.isoformat(),
            },
        )
    )
    uow.commit()
    report.stored = True
    return report


def _agreement(command: ImportAnalysisFile, uow: AnalysisUnitOfWork) -> Contract | None:
    if command.kind is ImportKind.LEDGER:
        return None
    if not command.reference:
        raise InvalidInput(
            "Oppgi avtalen filen gjelder: --avtale AVTALENR.", code="analysis.no_agreement"
        )
    return _contract(command.reference, uow)


def _contract(reference: str, uow: AnalysisUnitOfWork) -> Contract:
    contract = uow.contracts.by_reference(reference)
    if contract is None:
        raise NotFound(
            f"Fant ingen avtale med avtalenummer «{reference}».",
            code="analysis.unknown_agreement",
            reference=reference,
        )
    return contract


def _good_lines(
    rows: Iterable[tuple[int, Mapping[str, object]]],
    columns: AnalysisColumns,
    parse: Callable[[int, Mapping[str, object], AnalysisColumns], _Line | list[RowProblem]],
    report: AnalysisImportReport,
) -> Iterator[_Line]:
    """The rows' lines; a failed row is counted and its problems kept in `report`."""
    for number, cells in rows:
        report.rows_read += 1
        parsed = parse(number, cells, columns)
        if isinstance(parsed, list):
            report.failed += 1
            room = MAX_PROBLEMS_KEPT - len(report.problems)
            if room > 0:
                report.problems.extend(parsed[:room])
            continue
        report.lines += 1
        yield parsed


def _import_statistics(
    command: ImportAnalysisFile,
    columns: AnalysisColumns,
    contract: Contract,
    import_id: str,
    uow: AnalysisUnitOfWork,
    report: AnalysisImportReport,
) -> None:
    seen: set[tuple[date, date]] = set()
    writing = not command.dry_run

    def lines() -> Iterator[StatisticsLine]:
        for line in _good_lines(command.rows, columns, parse_statistics_row, report):
            period = (line.period_from, line.period_to)
            if period not in seen:
                seen.add(period)
                if writing and report.ok:
                    report.replaced += uow.analysis.remove_statistics(
                        contract.id, [period], keep_import=import_id
                    )
            yield line

    if writing:
        # Stops writing at the first failed row (the transaction is rolled back) but reads on,
        # to report every problem.
        uow.analysis.add_statistics(contract.id, import_id, _while_ok(lines(), report))
    else:
        for _ in lines():
            pass
    report.periods = sorted(seen)


def _import_ledger(
    command: ImportAnalysisFile,
    columns: AnalysisColumns,
    import_id: str,
    uow: AnalysisUnitOfWork,
    report: AnalysisImportReport,
) -> None:
    months: set[tuple[int, int]] = set()
    span: list[date] = []
    writing = not command.dry_run

    def lines() -> Iterator[LedgerLine]:
        for line in _good_lines(command.rows, columns, parse_ledger_row, report):
            day = line.voucher_date
            month = (day.year, day.month)
            if month not in months:
                months.add(month)
                if writing and report.ok:
                    start = day.replace(day=1)
                    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
                    report.replaced += uow.analysis.remove_ledger_between(start, end)
            if not span:
                span[:] = [day, day]
            else:
                span[0], span[1] = min(span[0], day), max(span[1], day)
            yield line

    if writing:
        uow.analysis.add_ledger(import_id, _while_ok(lines(), report))
    else:
        for _ in lines():
            pass
    if span:
        report.periods = [(span[0], span[1])]


def _while_ok(lines: Iterator[_Line], report: AnalysisImportReport) -> Iterator[_Line]:
    """The lines while no row has failed; after that the rest is only read (for the report)."""
    for line in lines:
        if report.ok:
            yield line
    # Drained by the loop above: every row was read and checked.


# --- analysing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnalyseAgreement:
    reference: str
    period: tuple[date, date] | None = None
    """None: the latest period the agreement has statistics for."""


def agreement_terms(contract: Contract, uow: AnalysisUnitOfWork) -> AgreementTerms:
    suppliers = uow.suppliers.get_many([contract.supplier_id]) if contract.supplier_id else {}
    numbers = frozenset(s.organisation_number for s in suppliers.values())
    return AgreementTerms(
        reference=contract.reference,
        title=contract.title,
        start_date=contract.start_date,
        maximum_value=None
        if contract.maximum_value_nok is None
        else Decimal(contract.maximum_value_nok),
        estimated_value=None if contract.value_nok is None else Decimal(contract.value_nok),
        organisation_numbers=numbers,
        accounts=parse_accounts(contract.ledger_accounts) if contract.ledger_accounts else (),
    )


@exact
def analyse(
    command: AnalyseAgreement, uow: AnalysisUnitOfWork, now: datetime, thresholds: Thresholds
) -> AgreementAnalysis:
    """The figures of the agreement for the period (see `followup.analysis.figures`). Raises
    `NotFound` (Norwegian) for an unknown agreement or one without statistics."""
    contract = _contract(command.reference, uow)
    period = command.period
    if period is None:
        periods = uow.analysis.statistics_periods(contract.id)
        if not periods:
            raise NotFound(
                f"Avtale {contract.reference} har ingen salgsstatistikk ennå. Importer den med "
                f"«kontraktsvakt import statistikk FIL --avtale {contract.reference}».",
                code="analysis.no_statistics",
                reference=contract.reference,
            )
        period = periods[0]
    if period[1] < period[0]:
        raise InvalidInput("Perioden slutter før den begynner.", code="analysis.bad_period")
    terms = agreement_terms(contract, uow)
    lines = uow.analysis.statistics_summed(contract.id, period[0], period[1])
    loyalty = None
    if terms.accounts:
        spend = uow.analysis.ledger_spend(period[0], period[1], terms.accounts)
        groups = leakage([terms], spend, period, thresholds=thresholds)
        loyalty = groups[0].loyalty if groups else None
    # The ceiling counts every line that ended by `til`, also one that began before `fra`
    # (a quarter's line when the period starts mid-quarter): what is not in the period's lines.
    in_period = sum((line.amount for line in lines), Decimal(0))
    until_end = uow.analysis.turnover_until(contract.id, period[1] + timedelta(days=1))
    return analyse_agreement(
        terms,
        uow.analysis.price_list(contract.id),
        lines,
        period,
        turnover_before=until_end - in_period,
        statistics_missing=statistics_overdue(contract, uow, now),
        thresholds=thresholds,
        loyalty=loyalty,
    )


@exact
def off_list_lines(
    reference: str, period: tuple[date, date], uow: AnalysisUnitOfWork
) -> list[StatisticsLine]:
    """The agreement's lines in `period` whose article is on no price list (the lines behind
    the off-list share), summed as `statistics_summed` sums them."""
    contract = _contract(reference, uow)
    listed = {article_key(p.article) for p in uow.analysis.price_list(contract.id)}
    return [
        line
        for line in uow.analysis.statistics_summed(contract.id, period[0], period[1])
        if article_key(line.article) not in listed
    ]


@dataclass(frozen=True, slots=True)
class AnalysisLines:
    """An agreement's figures and the lines behind its off-list share: what its workbook
    holds (`kontraktsvakt analyse --xlsx`, `eksport analyse` in chat)."""

    analysis: AgreementAnalysis
    off_list: list[StatisticsLine]


@exact
def analyse_with_lines(
    command: AnalyseAgreement, uow: AnalysisUnitOfWork, now: datetime, thresholds: Thresholds
) -> AnalysisLines:
    """`analyse`, and the off-list lines of the period it chose (`off_list_lines`)."""
    analysis = analyse(command, uow, now, thresholds)
    period = (analysis.period_from, analysis.period_to)
    return AnalysisLines(analysis, off_list_lines(command.reference, period, uow))


def statistics_overdue(contract: Contract, uow: AnalysisUnitOfWork, now: datetime) -> bool:
    """Whether a *Salgsstatistikk* follow-up of the agreement is past its due date and open."""
    wanted = {
        c.id
        for c in uow.checkpoints.for_contracts([contract.id])
        if c.code == STATISTICS_CHECKPOINT
    }
    if not wanted:
        return False
    today = oslo_today(now)
    return any(
        f.checkpoint_id in wanted and f.state in OPEN_FOLLOW_UP_STATES
        for f in uow.follow_ups.for_contracts_between(
            [contract.id], today - OVERDUE_LOOKBACK, today - timedelta(days=1)
        )
    )


def last_full_quarter(today: date) -> tuple[date, date]:
    """The last quarter that has ended by `today`: the default period of a leakage report."""
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = quarter_start - timedelta(days=1)
    return date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end


@dataclass(frozen=True, slots=True)
class LeakageReport:
    period: tuple[date, date]


@exact
def leakage_report(
    command: LeakageReport, uow: AnalysisUnitOfWork, thresholds: Thresholds
) -> list[LeakageGroup]:
    """Loyalty and leakage of every framework agreement that names its ledger accounts."""
    start, end = command.period
    if end < start:
        raise InvalidInput("Perioden slutter før den begynner.", code="analysis.bad_period")
    contracts = [
        c for c in uow.contracts.with_ledger_accounts() if c.contract_type is ContractType.FRAMEWORK
    ]
    supplier_ids = {c.supplier_id for c in contracts if c.supplier_id}
    suppliers = uow.suppliers.get_many(supplier_ids) if supplier_ids else {}
    terms = [
        AgreementTerms(
            reference=c.reference,
            title=c.title,
            start_date=c.start_date,
            maximum_value=None if c.maximum_value_nok is None else Decimal(c.maximum_value_nok),
            estimated_value=None if c.value_nok is None else Decimal(c.value_nok),
            organisation_numbers=frozenset(
                s.organisation_number for s in [suppliers.get(c.supplier_id or "")] if s
            ),
            accounts=parse_accounts(c.ledger_accounts),
        )
        for c in contracts
    ]
    accounts = tuple({a for t in terms for a in t.accounts})
    spend = uow.analysis.ledger_spend(start, end, accounts)
    return leakage(terms, spend, command.period, thresholds=thresholds)
