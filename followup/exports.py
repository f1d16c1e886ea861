"""Exports handed to a person: a file made once, kept for a while, delivered one of two ways.

An export (`followup.views.ExportQuery`, rows streamed by `export_rows`) is written to a
file (Excel, or CSV on request) and kept by an `ExportStore` until `expires_at`. What is kept
is the file and who it was made for; the rows are never put anywhere else (not in a card, not
in a URL).

- **In a 1:1 chat in Teams** the file goes through Teams' file consent: the card carries only
  the export's id (`ExportFile.id`, 128 random bits). When the person accepts, the bot uploads
  the file to the address Teams gives and forgets it (`consented_export`: only the person it
  was made for, in the conversation it was made in, before it expires).
- **Elsewhere** (a channel, a group chat, the dev chat) the bot posts a download link whose
  token (`issue_link`) is 32 random bytes, is good for that one file only, and ends at
  `ExportLink.expires_at` (shorter than the file's life). Only the token's SHA-256 is kept, so
  the store's contents do not open any file; a token may be used again until it expires (Teams
  fetches a posted link to preview it).

Nothing here reads the clock: `now` is a parameter.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol

from followup.portfolio import export_rows
from followup.views import ExportColumn, ExportKind, ExportQuery, ExportRow, Scope

if TYPE_CHECKING:
    from followup.ports import UnitOfWork

EXPORT_ID_LENGTH: Final = 32
LINK_TOKEN_BYTES: Final = 32
LINK_TOKEN_LENGTH: Final = 43  # base64url of 32 bytes, unpadded
MAX_ROWS: Final = 1_048_575
"""An Excel sheet holds 1 048 576 rows, the header included; an export stops there."""

_EXPORT_ID: Final = re.compile(rf"[0-9a-f]{{{EXPORT_ID_LENGTH}}}")
_LINK_TOKEN: Final = re.compile(rf"[A-Za-z0-9_-]{{{LINK_TOKEN_LENGTH}}}")


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"

    @property
    def media_type(self) -> str:
        if self is ExportFormat.XLSX:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "text/csv"


@dataclass(frozen=True, slots=True)
class ExportFile:
    """A prepared export on disk, and whom it was made for."""

    id: str
    kind: ExportKind
    format: ExportFormat
    file_name: str
    size_bytes: int
    rows: int
    truncated: bool
    """More rows matched than a sheet holds (`MAX_ROWS`); the file has the first ones."""
    person_id: str
    conversation_id: str
    created_at: datetime
    expires_at: datetime

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


@dataclass(frozen=True, slots=True)
class ExportLink:
    """A download link's record: the token's hash, never the token."""

    token_hash: str
    export_id: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Written:
    size_bytes: int
    rows: int
    truncated: bool


class ExportStore(Protocol):
    """Where prepared exports are kept (`storage.export_store.FolderExportStore`)."""

    def write(
        self,
        export_id: str,
        export_format: ExportFormat,
        rows: Iterable[ExportRow],
        columns: Sequence[ExportColumn],
        *,
        sheet_title: str,
        max_rows: int,
    ) -> Written:
        """Write the file (at most `max_rows` rows); nothing is left behind if it fails."""
        ...

    def write_file(
        self, export_id: str, export_format: ExportFormat, write: Callable[[Path], None]
    ) -> int:
        """Write the file with `write` (given the path to write to, not yet the file's own),
        then put it in place; its size in bytes. Nothing is left behind if it fails."""
        ...

    def save(self, export: ExportFile) -> None:
        """Record the export once its file is written."""
        ...

    def get(self, export_id: str) -> ExportFile | None: ...

    def path(self, export: ExportFile) -> Path:
        """Where its bytes are."""
        ...

    def delete(self, export_id: str) -> bool:
        """Forget the export, its file and its links; False when there was nothing."""
        ...

    def save_link(self, link: ExportLink) -> None: ...

    def link(self, token_hash: str) -> ExportLink | None: ...

    def remove_expired(self, now: datetime) -> int:
        """Delete exports past their expiry (their links with them); how many went."""
        ...


# --- making an export -------------------------------------------------------------------------


def new_export_id() -> str:
    return secrets.token_hex(EXPORT_ID_LENGTH // 2)


def is_export_id(value: object) -> bool:
    return isinstance(value, str) and _EXPORT_ID.fullmatch(value) is not None


def prepare_export(
    uow: UnitOfWork,
    store: ExportStore,
    query: ExportQuery,
    scope: Scope,
    export_format: ExportFormat,
    *,
    person_id: str,
    conversation_id: str,
    now: datetime,
    lifetime: timedelta,
    sheet_title: str,
    max_rows: int = MAX_ROWS,
) -> ExportFile | None:
    """Write the export's rows (only what `scope` sees) to a file kept for `lifetime`; None
    when no row matches (no file is kept). Blocking: run it in a worker thread. Raises
    `InvalidInput` (`PortfolioRefusal.BAD_PERIOD`) for a period that ends before it starts."""
    export_id = new_export_id()
    # A workbook takes four times as long to write as its rows to read: they are read ahead,
    # in a thread, which must be done with the database before the unit of work ends, so the
    # rows are closed here, read to the end or not (`max_rows`, an error).
    slow_writer = export_format is ExportFormat.XLSX
    with _closed_after(export_rows(uow, query, scope, read_ahead=slow_writer)) as rows:
        written = store.write(
            export_id,
            export_format,
            rows,
            query.columns,
            sheet_title=sheet_title,
            max_rows=max_rows,
        )
    if written.rows == 0:
        store.delete(export_id)
        return None
    export = ExportFile(
        id=export_id,
        kind=query.kind,
        format=export_format,
        file_name=query.file_name(export_format.value),
        size_bytes=written.size_bytes,
        rows=written.rows,
        truncated=written.truncated,
        person_id=person_id,
        conversation_id=conversation_id,
        created_at=now,
        expires_at=now + lifetime,
    )
    store.save(export)
    return export


def prepare_file(
    store: ExportStore,
    kind: ExportKind,
    export_format: ExportFormat,
    write: Callable[[Path], None],
    *,
    file_name: str,
    rows: int,
    person_id: str,
    conversation_id: str,
    now: datetime,
    lifetime: timedelta,
) -> ExportFile:
    """An export that is a file of its own rather than rows of a query (an agreement's
    analysis workbook): `write` makes it at the path it is given, and it is kept for
    `lifetime` like any export. `rows` is what the file lists, for the reply. Blocking: run
    it in a worker thread."""
    export_id = new_export_id()
    size = store.write_file(export_id, export_format, write)
    export = ExportFile(
        id=export_id,
        kind=kind,
        format=export_format,
        file_name=file_name,
        size_bytes=size,
        rows=rows,
        truncated=False,
        person_id=person_id,
        conversation_id=conversation_id,
        created_at=now,
        expires_at=now + lifetime,
    )
    store.save(export)
    return export


@contextmanager
def _closed_after(rows: Iterator[ExportRow]) -> Iterator[Iterator[ExportRow]]:
    """The rows, closed (a generator's `close`) when the block ends."""
    try:
        yield rows
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()


# --- file consent (1:1 chat) --------------------------------------------------------------------


class ConsentProblem(StrEnum):
    UNKNOWN = "unknown"
    """No such export (never made, declined, delivered, or cleaned up)."""
    NOT_YOURS = "not_yours"
    """Made for someone else, or in another conversation."""
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Consented:
    export: ExportFile | None
    problem: ConsentProblem | None = None


def consented_export(
    store: ExportStore,
    export_id: object,
    *,
    person_id: str | None,
    conversation_id: str | None,
    now: datetime,
) -> Consented:
    """The export a consent (accept or decline) is about, if this person may have it here."""
    if not isinstance(export_id, str) or not is_export_id(export_id):
        return Consented(None, ConsentProblem.UNKNOWN)
    export = store.get(export_id)
    if export is None:
        return Consented(None, ConsentProblem.UNKNOWN)
    if person_id is None or export.person_id != person_id:
        return Consented(None, ConsentProblem.NOT_YOURS)
    if conversation_id is None or export.conversation_id != conversation_id:
        return Consented(None, ConsentProblem.NOT_YOURS)
    if export.expired(now):
        return Consented(None, ConsentProblem.EXPIRED)
    return Consented(export)


# --- download links -----------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def is_link_token(value: str) -> bool:
    return _LINK_TOKEN.fullmatch(value) is not None


def issue_link(
    store: ExportStore, export: ExportFile, now: datetime, lifetime: timedelta
) -> tuple[str, ExportLink]:
    """A new download token for this export (returned once; only its hash is kept). It ends
    after `lifetime`, and never after the export itself."""
    token = secrets.token_urlsafe(LINK_TOKEN_BYTES)
    link = ExportLink(hash_token(token), export.id, min(now + lifetime, export.expires_at))
    store.save_link(link)
    return token, link


class LinkState(StrEnum):
    READY = "ready"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class LinkLookup:
    state: LinkState
    export: ExportFile | None = None


def export_for_link(store: ExportStore, token: str, now: datetime) -> LinkLookup:
    """The export behind a download token, if it has not expired."""
    if not is_link_token(token):
        return LinkLookup(LinkState.UNKNOWN)
    link = store.link(hash_token(token))
    if link is None:
        return LinkLookup(LinkState.UNKNOWN)
    if now >= link.expires_at:
        return LinkLookup(LinkState.EXPIRED)
    export = store.get(link.export_id)
    if export is None:
        return LinkLookup(LinkState.UNKNOWN)
    if export.expired(now):
        return LinkLookup(LinkState.EXPIRED)
    return LinkLookup(LinkState.READY, export)


__all__ = [
    "MAX_ROWS",
    "ConsentProblem",
    "Consented",
    "ExportFile",
    "ExportFormat",
    "ExportLink",
    "ExportStore",
    "LinkLookup",
    "LinkState",
    "Written",
    "consented_export",
    "export_for_link",
    "hash_token",
    "is_export_id",
    "is_link_token",
    "issue_link",
    "new_export_id",
    "prepare_export",
    "prepare_file",
]
