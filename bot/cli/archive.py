"""The archive hand-off on the command line (issue 17):

- `kontraktsvakt arkiv eksport [AVTALENR …|--alle] --ut DIR`: each contract's Fiks Arkiv
  messages as ``<message id>.asice`` files in DIR, each ``arkivmelding.xml`` validated first.
  Idempotent: the same records give the same ids and the same bytes (a file already there
  with those bytes is left alone).
- `kontraktsvakt arkiv send [--feilede]`: queue what is new, then send once through
  ARCHIVE_TRANSPORT and collect the receipts the archive has left; ``--feilede`` first puts
  the failed messages back in the queue.
- `kontraktsvakt arkiv status`: pending, sent, confirmed and failed messages, the failures
  listed with their reasons.

Exit codes: 0 fine; 1 when a message failed (export, send) or failed messages wait (status);
2 for an unknown avtalenr, a missing schema folder, no transport or a schema not up to date.
"""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, TextIO

from bot.cli.register_import import T_SCHEMA, schema_is_current
from bot.conversation.texts import Plural, render
from bot.settings import ArchiveTransportKind, Settings
from followup.archive.ports import ArchiveErrorKind, ArchiveRefused, ArchiveState
from followup.archive.services import (
    ArchiveSendReport,
    UnknownContracts,
    archive_status,
    messages_for_export,
    queue_archive_messages,
    requeue_failed,
    send_archive_messages,
)
from storage.archive.errors import SchemaFolderError
from storage.archive.schema import ArchiveSchema
from storage.archive.transports import (
    CONTAINER_SUFFIX,
    INVALID_FOLDER,
    FiksIONotAvailable,
    FolderDrop,
    open_transport,
    package,
    write_atomically,
)
from storage.db import create_db_engine, create_session_factory
from storage.document_store import FolderDocumentStore
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_ERROR: Final = 2
LOCALE: Final = "nb-NO"
SEND_BATCH: Final = 50
MAX_SEND_ROUNDS: Final = 10_000

T_UNKNOWN = Plural(
    one="Finner ikke avtalenummeret {references} i kontraktsregisteret.",
    other="Finner ikke disse avtalenumrene i kontraktsregisteret: {references}.",
)
T_NO_CONTRACTS = "Oppgi avtalenumre, eller --alle for alle kontrakter."
T_SCHEMA_FOLDER = (
    "Fiks Arkiv-skjemaene finnes ikke eller kan ikke brukes ({problem}). "
    "Sett ARCHIVE_SCHEMA_DIR til mappen med de offisielle V1-skjemaene."
)
T_OUT_NOT_FOLDER = "--ut {folder} er en fil, ikke en mappe. Oppgi en mappe å skrive til."
T_OUT_NOT_WRITABLE = (
    "Kan ikke skrive til mappen {folder} ({problem}). Oppgi en annen mappe med --ut."
)
OS_PROBLEMS: Final = {
    errno.ENOSPC: "disken er full",
    errno.EDQUOT: "diskkvoten er brukt opp",
    errno.EACCES: "ingen skrivetilgang",
    errno.EPERM: "ingen skrivetilgang",
    errno.EROFS: "skrivebeskyttet",
    errno.ENOENT: "mappen finnes ikke",
    errno.EEXIST: "en fil har samme navn som mappen",
    errno.ENOTDIR: "en fil har samme navn som mappen",
}
T_EXPORT_CONTRACT = Plural(one="{contract}: {count} melding", other="{contract}: {count} meldinger")
T_EXPORT_FAILED = "  Kan ikke lage meldingen «{title}»: {why}"
T_EXPORT_DONE = Plural(
    one="Skrev {count} arkivmelding til {folder} ({new} nye, {same} uendret, {failed} feilet).",
    other="Skrev {count} arkivmeldinger til {folder} ({new} nye, {same} uendret, {failed} feilet).",
)
T_NO_TRANSPORT = (
    "Ingen arkivtransport er satt opp (ARCHIVE_TRANSPORT=none). Sett ARCHIVE_TRANSPORT=folder "
    "eller standin, eller skriv meldingene til en mappe med `kontraktsvakt arkiv eksport`."
)
T_FIKS_IO = "Fiks IO kan ikke brukes her: {problem}"
T_RECEIPTS_SET_ASIDE = Plural(
    one="{count} fil i kvitteringsmappen kunne ikke leses som en kvittering fra arkivet og er "
    "flyttet til {folder}: {names}",
    other="{count} filer i kvitteringsmappen kunne ikke leses som kvitteringer fra arkivet og "
    "er flyttet til {folder}: {names}",
)
MAX_NAMES_SHOWN: Final = 5
T_QUEUED = Plural(
    one="{count} ny arkivmelding lagt i køen ({known} lå der fra før).",
    other="{count} nye arkivmeldinger lagt i køen ({known} lå der fra før).",
)
T_REQUEUED = Plural(
    one="{count} feilet melding lagt i køen igjen.",
    other="{count} feilede meldinger lagt i køen igjen.",
)
T_SENT = (
    "Sendt nå: {confirmed} bekreftet av arkivet, {sent} levert (venter på kvittering), "
    "{retried} prøves igjen senere, {failed} feilet. Kvitteringer hentet: {collected}."
)
T_STATUS = Plural(one="Arkivmeldinger: {count} i alt", other="Arkivmeldinger: {count} i alt")
STATE_WORDS: Final = {
    ArchiveState.PENDING: "venter på sending",
    ArchiveState.SENT: "sendt, venter på kvittering",
    ArchiveState.CONFIRMED: "bekreftet av arkivet",
    ArchiveState.FAILED: "feilet",
}
T_WAITING_LONG = Plural(
    one="  {count} melding har ventet over et døgn på kvittering: sjekk at arkivet henter fra "
    "mappen.",
    other="  {count} meldinger har ventet over et døgn på kvittering: sjekk at arkivet henter fra "
    "mappen.",
)
T_FAILED_HEAD = "Feilet (nyeste først):"
T_FAILED_LINE = "  - {reference} {contract}: {what} «{title}» – {why} ({attempts} forsøk, {at})"
T_DETAIL = "      Detalj: {detail}"
ERROR_WORDS: Final = {
    ArchiveErrorKind.UNAVAILABLE: "arkivet eller veien dit svarte ikke",
    ArchiveErrorKind.REFUSED: "arkivet avviste meldingen",
    ArchiveErrorKind.ARCHIVE_FAILED: "arkivet kunne ikke opprette saken eller journalposten",
    ArchiveErrorKind.FILE_MISSING: "en fil mangler i dokumentlageret eller er endret",
    ArchiveErrorKind.RECORD_GONE: "det som skulle arkiveres, er ikke lagret lenger",
    ArchiveErrorKind.TOO_MANY_ATTEMPTS: "for mange mislykkede forsøk",
}
KIND_WORDS: Final = {
    "document": "dokument",
    "deviation": "avviksrapport",
    "deviation-decision": "beslutning i avvik",
    "option": "opsjonsbeslutning",
    "expiry": "beslutning ved utløp",
    "summary": "oppfølgingsrapport",
    "risk": "risikovurdering",
    "onsite": "stedlig kontroll",
    "evaluation": "leverandørevaluering",
}
MAX_DETAIL: Final = 300


def _write(out: TextIO, *lines: str) -> None:
    out.write("\n".join(lines) + "\n")


def _uow_factory(database_url: str) -> tuple[SqlAlchemyUnitOfWorkFactory, Callable[[], None]]:
    engine = create_db_engine(database_url)
    return SqlAlchemyUnitOfWorkFactory(create_session_factory(engine)), engine.dispose


def _schema(settings: Settings, stderr: TextIO) -> ArchiveSchema | None:
    try:
        return ArchiveSchema.load(settings.effective_archive_schema_dir)
    except SchemaFolderError as exc:
        _write(stderr, T_SCHEMA_FOLDER.format(problem=exc))
        return None


def _unknown(stderr: TextIO, exc: UnknownContracts) -> int:
    _write(
        stderr,
        render(
            T_UNKNOWN,
            LOCALE,
            count=len(exc.references),
            references=", ".join(exc.references),
        ),
    )
    return EXIT_ERROR


def why(kind: ArchiveErrorKind | None) -> str:
    return ERROR_WORDS.get(kind, "ukjent feil") if kind else "ukjent feil"


def run_archive_export(
    settings: Settings,
    references: Sequence[str],
    out: Path,
    *,
    now: datetime,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    """Write the messages of the contracts `references` names (all when empty) into `out`."""
    database_url = settings.effective_database_url
    folder_problem = _output_folder_problem(out)
    if folder_problem is not None:
        _write(stderr, folder_problem)
        return EXIT_ERROR
    schema = _schema(settings, stderr)
    if schema is None:
        return EXIT_ERROR
    if not schema_is_current(database_url):
        _write(stderr, T_SCHEMA)
        return EXIT_ERROR
    documents = FolderDocumentStore(settings.effective_documents_dir)
    options = settings.archive_options()
    uow_factory, dispose = _uow_factory(database_url)
    written = new = same = failed = 0
    try:
        with uow_factory() as uow:
            try:
                contracts = messages_for_export(uow, now, options, documents, references or None)
            except UnknownContracts as exc:
                return _unknown(stderr, exc)
            for _contract_id, messages in contracts:
                if not messages:
                    continue
                title = messages[0].case.title
                _write(
                    stdout, render(T_EXPORT_CONTRACT, LOCALE, contract=title, count=len(messages))
                )
                for message in messages:
                    try:
                        container = package(message, schema)
                    except ArchiveRefused as exc:
                        failed += 1
                        _write(
                            stdout,
                            T_EXPORT_FAILED.format(title=message.record.title, why=why(exc.kind)),
                            T_DETAIL.format(detail=exc.detail[:MAX_DETAIL]),
                        )
                        continue
                    path = out / f"{message.message_id}{CONTAINER_SUFFIX}"
                    if path.is_file() and path.read_bytes() == container:
                        same += 1
                    else:
                        try:
                            write_atomically(path, container)
                        except OSError as exc:  # full disk, folder gone or made read-only
                            problem = OS_PROBLEMS.get(exc.errno or 0, "feil fra filsystemet")
                            _write(stderr, T_OUT_NOT_WRITABLE.format(folder=out, problem=problem))
                            return EXIT_ERROR
                        new += 1
                    written += 1
    finally:
        dispose()
    _write(
        stdout,
        render(
            T_EXPORT_DONE,
            LOCALE,
            count=written,
            folder=str(out),
            new=new,
            same=same,
            failed=failed,
        ),
    )
    return EXIT_FAILED if failed else EXIT_OK


def _output_folder_problem(out: Path) -> str | None:
    """Why `out` cannot take the export (checked before anything is read), or None. Nothing is
    created here: the folder is made when the first file is written."""
    if out.exists() and not out.is_dir():
        return T_OUT_NOT_FOLDER.format(folder=out)
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return T_OUT_NOT_FOLDER.format(folder=existing)
    if not os.access(existing, os.W_OK | os.X_OK):
        return T_OUT_NOT_WRITABLE.format(folder=existing, problem="ingen skrivetilgang")
    return None


def run_archive_send(
    settings: Settings,
    *,
    now: datetime,
    stdout: TextIO,
    stderr: TextIO,
    retry_failed: bool = False,
) -> int:
    """Queue what is new, send once through the configured transport, collect receipts."""
    if settings.archive_transport is ArchiveTransportKind.NONE:
        _write(stderr, T_NO_TRANSPORT)
        return EXIT_ERROR
    schema = _schema(settings, stderr)
    if schema is None:
        return EXIT_ERROR
    try:
        transport = open_transport(
            settings.archive_transport.value, settings.effective_archive_folder, schema
        )
    except FiksIONotAvailable as exc:
        _write(stderr, T_FIKS_IO.format(problem=exc))
        return EXIT_ERROR
    if transport is None:  # pragma: no cover (checked above)
        _write(stderr, T_NO_TRANSPORT)
        return EXIT_ERROR
    database_url = settings.effective_database_url
    if not schema_is_current(database_url):
        _write(stderr, T_SCHEMA)
        return EXIT_ERROR
    options = settings.archive_options()
    documents = FolderDocumentStore(settings.effective_documents_dir)
    uow_factory, dispose = _uow_factory(database_url)
    total = ArchiveSendReport()
    try:
        with uow_factory() as uow:
            if retry_failed:
                again = requeue_failed(uow, now)
                _write(stdout, render(T_REQUEUED, LOCALE, count=again))
            counts = queue_archive_messages(uow, now, options)
            uow.commit()
        _write(stdout, render(T_QUEUED, LOCALE, count=counts.queued, known=counts.known))
        holder = f"cli:{socket.gethostname()[:20]}:{os.getpid()}"
        for _ in range(MAX_SEND_ROUNDS):
            report = send_archive_messages(
                uow_factory,
                transport,
                now,
                SEND_BATCH,
                options=options,
                documents=documents,
                holder=holder,
            )
            total.add(report)
            if report.claimed < SEND_BATCH:
                break
    finally:
        dispose()
    _write(
        stdout,
        T_SENT.format(
            confirmed=total.confirmed,
            sent=total.sent,
            retried=total.retried,
            failed=total.failed,
            collected=total.receipts_collected,
        ),
    )
    if isinstance(transport, FolderDrop) and transport.set_aside:
        names = transport.set_aside
        shown = ", ".join(names[:MAX_NAMES_SHOWN]) + (" …" if len(names) > MAX_NAMES_SHOWN else "")
        folder = transport.receipts / INVALID_FOLDER
        _write(
            stderr,
            render(T_RECEIPTS_SET_ASIDE, LOCALE, count=len(names), folder=folder, names=shown),
        )
    return EXIT_FAILED if total.failed else EXIT_OK


def run_archive_status(
    settings: Settings, *, stdout: TextIO, stderr: TextIO, now: datetime | None = None
) -> int:
    """The outbox's counts and its failures."""
    database_url = settings.effective_database_url
    if not schema_is_current(database_url):
        _write(stderr, T_SCHEMA)
        return EXIT_ERROR
    uow_factory, dispose = _uow_factory(database_url)
    try:
        with uow_factory() as uow:
            status = archive_status(uow, now or datetime.now(UTC))
    finally:
        dispose()
    lines = [render(T_STATUS, LOCALE, count=status.total)]
    lines += [f"  {STATE_WORDS[state]}: {status.counts[state]}" for state in ArchiveState]
    if status.waiting_long:
        lines.append(render(T_WAITING_LONG, LOCALE, count=status.waiting_long))
    if status.failed:
        lines.append(T_FAILED_HEAD)
        for failure in status.failed:
            lines.append(
                T_FAILED_LINE.format(
                    reference=failure.reference,
                    contract=failure.contract_title,
                    what=KIND_WORDS.get(failure.kind, "melding"),
                    title=failure.title,
                    why=why(failure.error_kind),
                    attempts=failure.attempts,
                    at=_oslo(failure.at),
                )
            )
            if failure.last_error:
                lines.append(T_DETAIL.format(detail=failure.last_error[:MAX_DETAIL]))
    _write(stdout, *lines)
    return EXIT_FAILED if status.counts[ArchiveState.FAILED] else EXIT_OK


def _oslo(moment: datetime) -> str:
    from followup.calendar.workdays import OSLO

    return moment.astimezone(OSLO).strftime("%d.%m.%Y %H:%M")


def add_archive_parser(sub: Any, commands: dict[str, Callable[..., int]]) -> None:
    """`arkiv eksport|send|status` on the `kontraktsvakt` parser; `commands` gives each its
    handler (bot/cli/main.py's, which read the settings)."""
    archive = sub.add_parser("arkiv", help="hand records to the archive (KS Fiks Arkiv V1)")
    archive_sub = archive.add_subparsers(dest="archive_command", required=True)
    export = archive_sub.add_parser(
        "eksport", help="write each contract's archive messages as .asice files"
    )
    export.add_argument("avtalenr", nargs="*", help="the contracts' references")
    export.add_argument("--alle", action="store_true", help="every contract")
    export.add_argument("--ut", required=True, help="the folder to write to")
    export.set_defaults(func=commands["eksport"])
    send = archive_sub.add_parser(
        "send", help="queue new records and send them once through ARCHIVE_TRANSPORT"
    )
    send.add_argument(
        "--feilede", action="store_true", help="put the failed messages back in the queue first"
    )
    send.set_defaults(func=commands["send"])
    status = archive_sub.add_parser("status", help="pending, sent, confirmed and failed messages")
    status.set_defaults(func=commands["status"])
