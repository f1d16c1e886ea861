"""Prepared exports in a folder (`DATA_DIR/exports`): `followup.exports.ExportStore`.

    <root>/<export id>.xlsx | .csv   the file
    <root>/<export id>.json          what it is and whom it was made for (`ExportFile`)
    <root>/links/<sha256>.json       a download link: the token's hash, the export, the expiry

An export id is 32 hex characters and a link's name a SHA-256 in hex, both checked before they
become a path, so nothing from outside picks a file name. Files are written under a temporary
name and renamed into place, and the record is written after the file: a reader sees a whole
export or none. Instances that share the folder share the exports (like `DOCUMENTS_DIR`).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from followup.exports import ExportFile, ExportFormat, ExportLink, Written, is_export_id
from followup.views import ExportColumn, ExportKind, ExportRow
from storage.export_files import write_csv, write_xlsx

log = logging.getLogger(__name__)

_HASH: Final = re.compile(r"[0-9a-f]{64}")
PARTIAL_SUFFIX: Final = ".part"
STALE_PARTIAL_SECONDS: Final = 3600
"""A half-written file older than this was left by a process that died: removed."""


class _Counted:
    """Rows passed through, counted, stopping after `limit` (and noting whether more came)."""

    def __init__(self, rows: Iterable[ExportRow], limit: int) -> None:
        self._rows = iter(rows)
        self._limit = limit
        self.count = 0
        self.truncated = False

    def __iter__(self) -> Iterator[ExportRow]:
        for row in itertools.islice(self._rows, self._limit):
            self.count += 1
            yield row
        if next(self._rows, None) is not None:
            self.truncated = True


class FolderExportStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._links = root / "links"

    def _ensure(self) -> None:
        self._links.mkdir(parents=True, exist_ok=True)

    def _data_path(self, export_id: str, export_format: ExportFormat) -> Path:
        if not is_export_id(export_id):
            raise ValueError("not an export id")
        return self.root / f"{export_id}.{export_format.value}"

    def _record_path(self, export_id: str) -> Path | None:
        return self.root / f"{export_id}.json" if is_export_id(export_id) else None

    def _link_path(self, token_hash: str) -> Path | None:
        return self._links / f"{token_hash}.json" if _HASH.fullmatch(token_hash) else None

    # -- files

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
        self._ensure()
        final = self._data_path(export_id, export_format)
        partial = final.with_name(final.name + PARTIAL_SUFFIX)
        counted = _Counted(rows, max_rows)
        try:
            with partial.open("wb") as out:
                if export_format is ExportFormat.XLSX:
                    write_xlsx(counted, columns, out, sheet_title=sheet_title)
                else:
                    write_csv(counted, columns, out)
            partial.replace(final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return Written(final.stat().st_size, counted.count, counted.truncated)

    def write_file(
        self, export_id: str, export_format: ExportFormat, write: Callable[[Path], None]
    ) -> int:
        self._ensure()
        final = self._data_path(export_id, export_format)
        partial = final.with_name(final.name + PARTIAL_SUFFIX)
        try:
            write(partial)
            partial.replace(final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return final.stat().st_size

    def path(self, export: ExportFile) -> Path:
        return self._data_path(export.id, export.format)

    # -- records

    def save(self, export: ExportFile) -> None:
        path = self._record_path(export.id)
        if path is None:
            raise ValueError("not an export id")
        _write_json(path, _export_json(export))

    def get(self, export_id: str) -> ExportFile | None:
        path = self._record_path(export_id)
        data = _read_json(path) if path is not None else None
        return _export_from(data) if data is not None else None

    def delete(self, export_id: str) -> bool:
        record = self._record_path(export_id)
        if record is None:
            return False
        found = False
        for export_format in ExportFormat:
            path = self._data_path(export_id, export_format)
            for candidate in (path, path.with_name(path.name + PARTIAL_SUFFIX)):
                with contextlib.suppress(FileNotFoundError):
                    candidate.unlink()
                    found = True
        with contextlib.suppress(FileNotFoundError):
            record.unlink()
            found = True
        self._delete_links(lambda link: link.export_id == export_id)
        return found

    # -- links

    def save_link(self, link: ExportLink) -> None:
        path = self._link_path(link.token_hash)
        if path is None:
            raise ValueError("not a token hash")
        self._ensure()
        _write_json(path, {"exportId": link.export_id, "expiresAt": link.expires_at.isoformat()})

    def link(self, token_hash: str) -> ExportLink | None:
        path = self._link_path(token_hash)
        data = _read_json(path) if path is not None else None
        if data is None:
            return None
        try:
            return ExportLink(
                token_hash, str(data["exportId"]), datetime.fromisoformat(data["expiresAt"])
            )
        except (KeyError, TypeError, ValueError):
            return None

    def _delete_links(self, doomed: Any) -> None:
        if not self._links.is_dir():
            return
        for path in self._links.glob("*.json"):
            link = self.link(path.stem)
            if link is None or doomed(link):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()

    # -- housekeeping

    def remove_expired(self, now: datetime) -> int:
        if not self.root.is_dir():
            return 0
        removed = 0
        live: set[str] = set()
        for record in self.root.glob("*.json"):
            export = self.get(record.stem)
            if export is None or export.expired(now):
                if self.delete(record.stem):
                    removed += 1
            else:
                live.add(export.id)
        self._delete_links(lambda link: link.export_id not in live)
        # A file with no record is a crash's leftover (the record is written last) once it is
        # older than a write could take; so is a partial file.
        cutoff = time.time() - STALE_PARTIAL_SECONDS
        for path in self.root.iterdir():
            if not path.is_file() or path.suffix == ".json":
                continue
            stem = path.name.split(".", 1)[0]
            if stem in live:
                continue
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
        if removed:
            log.info("expired exports removed", extra={"count": removed})
        return removed


def _write_json(path: Path, data: dict[str, Any]) -> None:
    partial = path.with_name(path.name + PARTIAL_SUFFIX)
    partial.write_text(json.dumps(data), encoding="utf-8")
    partial.replace(path)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _export_json(export: ExportFile) -> dict[str, Any]:
    return {
        "id": export.id,
        "kind": export.kind.value,
        "format": export.format.value,
        "fileName": export.file_name,
        "sizeBytes": export.size_bytes,
        "rows": export.rows,
        "truncated": export.truncated,
        "personId": export.person_id,
        "conversationId": export.conversation_id,
        "createdAt": export.created_at.isoformat(),
        "expiresAt": export.expires_at.isoformat(),
    }


def _export_from(data: dict[str, Any]) -> ExportFile | None:
    try:
        return ExportFile(
            id=str(data["id"]),
            kind=ExportKind(data["kind"]),
            format=ExportFormat(data["format"]),
            file_name=str(data["fileName"]),
            size_bytes=int(data["sizeBytes"]),
            rows=int(data["rows"]),
            truncated=bool(data["truncated"]),
            person_id=str(data["personId"]),
            conversation_id=str(data["conversationId"]),
            created_at=datetime.fromisoformat(data["createdAt"]),
            expires_at=datetime.fromisoformat(data["expiresAt"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


__all__ = ["FolderExportStore"]
