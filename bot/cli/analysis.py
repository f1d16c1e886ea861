"""The purchase analysis on the command line (issue 16):

- `kontraktsvakt import prisliste|statistikk FILE --avtale AVTALENR [--dry-run]` and
  `kontraktsvakt import regnskap FILE [--dry-run]`: read the file, print a row-level report in
  Norwegian, store it all or nothing;
- `kontraktsvakt analyse AVTALENR [--fra DATO] [--til DATO] [--json]`: an agreement's figures;
- `kontraktsvakt lekkasje [--fra DATO] [--til DATO] [--json]`: loyalty and leakage per agreement.

Exit codes: 0 fine, 1 when a row failed (nothing was stored), 2 when the file as a whole cannot
be read, the agreement is unknown, a date is unreadable or the schema is not up to date.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, TextIO, TypeVar

from bot.analysis.report import analysis_lines, import_report_lines, leakage_lines
from bot.cli.register_import import T_SCHEMA, schema_is_current
from bot.conversation.texts import text
from followup.analysis.figures import AgreementAnalysis, leakage_to_json, to_json
from followup.analysis.findings import record_period_findings
from followup.analysis.models import ImportKind, Thresholds
from followup.analysis.reading import AnalysisFile, InvalidAnalysisFile, parse_period
from followup.analysis.services import (
    AnalyseAgreement,
    ImportAnalysisFile,
    LeakageReport,
    analyse,
    analyse_with_lines,
    import_analysis_file,
    last_full_quarter,
    leakage_report,
)
from followup.calendar.workdays import oslo_today
from followup.errors import FollowUpError
from followup.register.reading import InvalidCell, parse_date

EXIT_OK: Final = 0
EXIT_ROWS_FAILED: Final = 1
EXIT_ERROR: Final = 2
LOCALE: Final = "nb-NO"
MAX_ACTOR_CHARS: Final = 200
T = TypeVar("T")

KINDS: Final = {
    "prisliste": ImportKind.PRICE_LIST,
    "statistikk": ImportKind.STATISTICS,
    "regnskap": ImportKind.LEDGER,
}
_FILES: Final = {
    ImportKind.PRICE_LIST: AnalysisFile.PRICE_LIST,
    ImportKind.STATISTICS: AnalysisFile.STATISTICS,
    ImportKind.LEDGER: AnalysisFile.LEDGER,
}


def _write(out: TextIO, lines: list[str]) -> None:
    out.write("\n".join(lines) + "\n")


def _uow_factory(database_url: str) -> tuple[Callable[[], Any], Callable[[], None]]:
    from storage.db import create_db_engine, create_session_factory
    from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

    engine = create_db_engine(database_url)
    return SqlAlchemyUnitOfWorkFactory(create_session_factory(engine)), engine.dispose


def run_import_analysis(
    kind: ImportKind,
    path: Path,
    *,
    reference: str | None,
    dry_run: bool,
    database_url: str,
    now: datetime,
    stdout: TextIO,
    stderr: TextIO,
    actor: str | None = None,
    thresholds: Thresholds | None = None,
) -> int:
    """Import one file; print the report; return the exit code. A statistics import also
    opens the deviations the imported periods' figures call for (`followup.analysis.findings`)."""
    from storage.analysis_files import file_sha256, open_analysis_file

    thresholds = thresholds or Thresholds()
    from storage.register_files import RegisterFileError

    try:
        table = open_analysis_file(path, _FILES[kind])
    except RegisterFileError as exc:
        _write(stderr, [text("analysis.import.file_error", LOCALE, name=path.name), exc.message])
        return EXIT_ERROR
    if not schema_is_current(database_url):
        _write(stderr, [T_SCHEMA])
        return EXIT_ERROR
    kind_text = text(f"analysis.kind.{kind.value}", LOCALE)
    _write(
        stdout,
        [
            text(
                "analysis.import.source",
                LOCALE,
                kind=kind_text,
                name=path.name,
                where=table.describe(),
            )
        ],
    )
    command = ImportAnalysisFile(
        kind=kind,
        rows=table.rows(),
        headers=table.headers,
        file_name=path.name,
        sha256=file_sha256(path),
        actor=(actor or f"import:{path.name}")[:MAX_ACTOR_CHARS],
        reference=reference,
        dry_run=dry_run,
    )
    factory, dispose = _uow_factory(database_url)
    try:
        with factory() as uow:
            report = import_analysis_file(command, uow, now)
        opened = (
            _findings(factory, reference, report.periods, now, thresholds)
            if report.stored and kind is ImportKind.STATISTICS and reference
            else 0
        )
    except InvalidAnalysisFile as exc:
        _write(stderr, [text("analysis.import.file_error", LOCALE, name=path.name), *exc.problems])
        return EXIT_ERROR
    except RegisterFileError as exc:  # the file changed or broke while it was read
        _write(stderr, [text("analysis.import.file_error", LOCALE, name=path.name), exc.message])
        return EXIT_ERROR
    except FollowUpError as exc:
        _write(stderr, [_error_text(exc)])
        return EXIT_ERROR
    finally:
        dispose()
    _write(stdout, import_report_lines(report, LOCALE))
    if opened:
        _write(stdout, [text("analysis.import.findings", LOCALE, count=opened)])
    return EXIT_OK if report.ok else EXIT_ROWS_FAILED


def _findings(
    factory: Callable[[], Any],
    reference: str,
    periods: Sequence[tuple[date, date]],
    now: datetime,
    thresholds: Thresholds,
) -> int:
    """Open the deviations the imported periods' figures call for (reported by the owner):
    how many were opened."""
    from bot.analysis.cards import AnalysisCards
    from bot.deviations.cards import DeviationCards

    opened = 0
    for period in periods:
        with factory() as uow:
            found = record_period_findings(
                reference,
                period,
                None,
                uow,
                now,
                thresholds=thresholds,
                alert_renderer=DeviationCards(),
                ceiling_renderer=AnalysisCards(),
            )
            uow.commit()
        opened += len(found.opened)
    return opened


def _error_text(exc: FollowUpError) -> str:
    if exc.code:
        try:
            return text(exc.code, LOCALE, **exc.values)
        except KeyError:
            pass
    return str(exc)


def read_day(value: str | None, what: str) -> date | None:
    """A date given on the command line, the Norwegian way (`31.03.2026`) or ISO; `InvalidCell`
    (Norwegian) when it cannot be read."""
    if value is None:
        return None
    try:
        day = parse_date(value)
    except InvalidCell as exc:
        raise InvalidCell(f"{what}: {exc}") from None
    if day is None:
        raise InvalidCell(f"{what}: tom dato")
    return day


def read_period(
    start: str | None, end: str | None, period: str | None, today: date
) -> tuple[date, date] | None:
    """`--periode 1. kvartal 2026`, or `--fra`/`--til` (`--fra` alone: up to today; `--til`
    alone: from the first of its year); None when nothing was given. `InvalidCell`
    (Norwegian) when a date or the period cannot be read."""
    if period is not None:
        return parse_period(period)
    first, last = read_day(start, "--fra"), read_day(end, "--til")
    if last is not None:
        return (first or last.replace(month=1, day=1)), last
    if first is not None:
        return first, today
    return None


def _print_read(
    database_url: str,
    read: Callable[[Any], T],
    as_json: Callable[[T], Any] | None,
    as_lines: Callable[[T], list[str]],
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    """Run `read` in a unit of work and print what it gives, as JSON or as lines."""
    if not schema_is_current(database_url):
        _write(stderr, [T_SCHEMA])
        return EXIT_ERROR
    factory, dispose = _uow_factory(database_url)
    try:
        with factory() as uow:
            result = read(uow)
    except FollowUpError as exc:
        _write(stderr, [_error_text(exc)])
        return EXIT_ERROR
    finally:
        dispose()
    if as_json is not None:
        stdout.write(json.dumps(as_json(result), ensure_ascii=False) + "\n")
    else:
        _write(stdout, as_lines(result))
    return EXIT_OK


def run_analyse(
    reference: str,
    period: tuple[date, date] | None,
    *,
    as_json: bool,
    database_url: str,
    now: datetime,
    thresholds: Thresholds,
    stdout: TextIO,
    stderr: TextIO,
    workbook: Path | None = None,
) -> int:
    """Print the agreement's figures; with `workbook`, also write them and the lines behind
    them to that Excel file."""

    def read(uow: Any) -> AgreementAnalysis:
        command = AnalyseAgreement(reference, period)
        if workbook is None:
            return analyse(command, uow, now, thresholds)
        from storage.analysis_workbook import write_analysis_workbook

        # The same figures and lines as `eksport analyse` in chat writes.
        found = analyse_with_lines(command, uow, now, thresholds)
        write_analysis_workbook(workbook, found.analysis, found.off_list)
        return found.analysis

    return _print_read(
        database_url,
        read,
        to_json if as_json else None,
        lambda result: analysis_lines(result, LOCALE),
        stdout,
        stderr,
    )


def run_leakage(
    period: tuple[date, date] | None,
    *,
    as_json: bool,
    database_url: str,
    now: datetime,
    thresholds: Thresholds,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    chosen = period or last_full_quarter(oslo_today(now))
    return _print_read(
        database_url,
        lambda uow: leakage_report(LeakageReport(chosen), uow, thresholds),
        leakage_to_json if as_json else None,
        lambda groups: leakage_lines(groups, chosen, LOCALE),
        stdout,
        stderr,
    )
