"""`kontraktsvakt import contracts FILE [--dry-run]`: import the contract register, print a report.

Exit codes: 0 when every row was imported, 1 when any row failed (the good rows are still
imported), 2 when the file as a whole cannot be imported (unknown type, unreadable, required
columns missing) or the database schema is not up to date.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO

from bot.conversation.texts import Plural, render
from followup.register.importing import ImportReport, import_parsed, importable_columns
from followup.register.reading import FIELD_LABELS, InvalidRegister, RowProblem

if TYPE_CHECKING:
    from storage.register_files import RegisterFile

log = logging.getLogger(__name__)

EXIT_OK: Final = 0
EXIT_ROWS_FAILED: Final = 1
EXIT_FILE_ERROR: Final = 2

MAX_LISTED: Final = 50
MAX_ACTOR_CHARS: Final = 200
IMPORT_GC_THRESHOLDS: Final = (100_000, 10, 10)
"""The collector's thresholds while a register is imported (see `_collector_for_import`): a
chunk of rows holds a few hundred thousand containers until it is written, and collecting
every 10 000 new ones (the serving processes' setting) still took a fifth of the writing
process's time scanning them; every 100 000, about nothing (peak memory the same)."""
_VALUE_WIDTH = 30
_COLUMN_WIDTH = 24
_TITLE_WIDTH = 60

# --- texts (Bokmål) ---------------------------------------------------------------------------

T_SCHEMA = "Databasen er ikke oppdatert til siste versjon. Kjør `kontraktsvakt db upgrade` først."
T_FILE_ERROR = "Kan ikke importere «{name}»:"
T_SOURCE = "Leser «{name}» ({where})."
T_SUMMARY = Plural(
    one="Lest {rows} rad: {created} nye, {updated} endret, {unchanged} uendret, {failed} med feil",
    other=(
        "Lest {rows} rader: {created} nye, {updated} endret, {unchanged} uendret, {failed} med feil"
    ),
    by="rows",
)
T_SUPPLIERS = (
    "Leverandører: {created} nye, {updated} endret navn. "
    "Personer: {people} nye, {roles} fikk rollen kontraktseier."
)
T_WARNING = "Advarsel: {message}"
T_MORE_WARNINGS = Plural(one="… og {count} advarsel til", other="… og {count} advarsler til")
T_PROBLEMS = Plural(
    one="Feil ({count} rad er ikke importert):", other="Feil ({count} rader er ikke importert):"
)
T_PROBLEM_HEAD = ("rad", "kolonne", "verdi", "feil")
T_WOULD_CHANGE = "Dette ville blitt lagret:"
T_NEW = "ny"
T_MORE = "… og {count} til"
T_DRY_RUN = "Tørrkjøring: ingenting er lagret."
T_DONE_OK = "Alle radene er importert."
T_DONE_FAILED = (
    "Radene med feil er ikke importert. Rett dem i filen og importer den på nytt: "
    "rader som allerede er importert, blir ikke endret på nytt."
)


def _truncate(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def schema_is_current(database_url: str) -> bool:
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config, create_db_engine, current_revision

    engine = create_db_engine(database_url)
    try:
        current = current_revision(engine)
    finally:
        engine.dispose()
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    return current == head


def run_import_contracts(
    path: Path,
    *,
    dry_run: bool,
    database_url: str,
    now: datetime,
    stdout: TextIO,
    stderr: TextIO,
    on_contracts_changed: Callable[[Sequence[str]], None] | None = None,
    actor: str | None = None,
) -> int:
    """Import the register in `path` into the database; print the report; return the exit code.

    `on_contracts_changed(ids)` is called after a real (not dry) import that created or
    updated contracts, with their ids (to bring their follow-up plans up to date).
    """
    from storage.register_files import RegisterFileError, open_register_file

    actor = (actor or f"import:{path.name}")[:MAX_ACTOR_CHARS]
    try:
        register = open_register_file(path)
    except RegisterFileError as exc:
        _print_file_error(stderr, path, [exc.message])
        return EXIT_FILE_ERROR
    if not schema_is_current(database_url):
        stderr.write(T_SCHEMA + "\n")
        return EXIT_FILE_ERROR
    stdout.write(T_SOURCE.format(name=path.name, where=register.describe()) + "\n")
    try:
        report = import_register(register, database_url, now, actor=actor, dry_run=dry_run)
    except InvalidRegister as exc:
        _print_file_error(stderr, path, exc.problems)
        return EXIT_FILE_ERROR
    except RegisterFileError as exc:  # the file changed or broke while it was read
        _print_file_error(stderr, path, [exc.message])
        return EXIT_FILE_ERROR
    write_report(report, stdout)
    if not dry_run and report.contract_ids and on_contracts_changed is not None:
        on_contracts_changed(report.contract_ids)
    return EXIT_OK if report.ok else EXIT_ROWS_FAILED


def import_register(
    register: RegisterFile, database_url: str, now: datetime, *, actor: str, dry_run: bool
) -> ImportReport:
    """Import a register file already looked at (`storage.register_files.open_register_file`)
    into the database, as `kontraktsvakt import contracts` does, and return the report
    (bench/import_contracts.py measures this). Raises `InvalidRegister` when the headers will
    not do, `RegisterFileError` when the file breaks while it is read.

    A large file is parsed in a child process while this one writes; the engine is set up for
    bulk writes (`storage.bulk_insert.prepare_for_bulk_writes`) and disposed afterwards."""
    from storage.bulk_insert import prepare_for_bulk_writes
    from storage.db import create_db_engine, create_session_factory
    from storage.register_files import parse_register
    from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

    columns = importable_columns(register.headers)
    engine = create_db_engine(database_url)
    prepare_for_bulk_writes(engine)
    try:
        with _collector_for_import():
            return import_parsed(
                parse_register(register),
                columns,
                SqlAlchemyUnitOfWorkFactory(create_session_factory(engine)),
                now,
                actor=actor,
                dry_run=dry_run,
            )
    finally:
        engine.dispose()


@contextmanager
def _collector_for_import() -> Iterator[None]:
    """While a register is imported: everything alive before it in the collector's permanent
    generation (`gc.freeze`: modules, SQLAlchemy's and pydantic's long-lived objects; never
    scanned while frozen) and young objects collected every `IMPORT_GC_THRESHOLDS[0]` new
    container objects instead of 700. An import allocates a few dozen containers a row, and
    with CPython's defaults full collections over the whole heap came every ~2 500 rows: with
    the young collections, a fifth of a 100 000-row import's time (bench/import_contracts.py;
    now under 2 %). The thresholds are put back afterwards, and the heap unfrozen unless the
    process had frozen it already (`bot.wiring.settle_process_heap`)."""
    thresholds = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.collect()
        gc.freeze()
    gc.set_threshold(*IMPORT_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if freeze:
            gc.unfreeze()


def _print_file_error(stderr: TextIO, path: Path, problems: Sequence[str]) -> None:
    stderr.write(T_FILE_ERROR.format(name=path.name) + "\n")
    for problem in problems:
        stderr.write(f"  {problem}\n")


def write_report(report: ImportReport, out: TextIO) -> None:
    """The report as people read it: summary, warnings, problems, and (dry run) what changes."""
    out.write(
        render(
            T_SUMMARY,
            rows=report.rows_read,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            failed=report.failed,
        )
        + "\n"
    )
    if (
        report.suppliers_created
        or report.suppliers_updated
        or report.people_created
        or report.people_updated
    ):
        out.write(
            T_SUPPLIERS.format(
                created=report.suppliers_created,
                updated=report.suppliers_updated,
                people=report.people_created,
                roles=report.people_updated,
            )
            + "\n"
        )
    for warning in report.warnings:
        out.write(T_WARNING.format(message=warning) + "\n")
    if report.warnings_left_out:
        out.write(render(T_MORE_WARNINGS, count=report.warnings_left_out) + "\n")
    if report.problems:
        out.write("\n" + render(T_PROBLEMS, count=report.failed))
        out.write("\n" + _problem_table(report.problems))
    if report.dry_run:
        _write_changes(report, out)
        out.write("\n" + T_DRY_RUN + "\n")
    elif report.ok:
        out.write("\n" + T_DONE_OK + "\n")
    else:
        out.write("\n" + T_DONE_FAILED + "\n")


def _problem_table(problems: Sequence[RowProblem]) -> str:
    rows = [
        (
            str(p.row),
            _truncate(p.column, _COLUMN_WIDTH),
            _truncate(p.value, _VALUE_WIDTH),
            p.message,
        )
        for p in problems
    ]
    widths = [max(len(r[i]) for r in [T_PROBLEM_HEAD, *rows]) for i in range(3)]
    lines = []
    for row in [T_PROBLEM_HEAD, *rows]:
        number, column, value, message = row
        lines.append(
            f"  {number:>{widths[0]}}  {column:<{widths[1]}}  {value:<{widths[2]}}  {message}"
        )
    return "\n".join(lines) + "\n"


def _write_changes(report: ImportReport, out: TextIO) -> None:
    total = report.created + report.updated
    if not total:
        return
    out.write("\n" + T_WOULD_CHANGE + "\n")
    listed = report.changes[:MAX_LISTED]
    width = max(len(c.reference) for c in listed)
    for change in listed:
        if change.created:
            title = _truncate(change.title, _TITLE_WIDTH)
            out.write(f"  + {change.reference:<{width}}  {title} ({T_NEW})\n")
        else:
            fields = ", ".join(FIELD_LABELS.get(f, f) for f in change.fields)
            out.write(f"  ~ {change.reference:<{width}}  {fields}\n")
    if total > len(listed):
        out.write("  " + T_MORE.format(count=total - len(listed)) + "\n")


__all__ = [
    "EXIT_FILE_ERROR",
    "EXIT_OK",
    "EXIT_ROWS_FAILED",
    "import_register",
    "run_import_contracts",
    "write_report",
]
