"""Dialog and conversation state in the database, with optimistic concurrency per item.

The bot's state survives a restart and is shared by every bot instance on the same database.
Each item is a JSON document with an e-tag that changes on every write. A write that names an
expected e-tag succeeds only if the stored item still has it; the check is a conditional
``UPDATE ... WHERE key = :key AND e_tag = :expected``, so it holds across processes.

This module knows nothing of botbuilder; `bot.teams.state_storage` adapts it to botbuilder's
`Storage`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from followup.errors import ETagConflict
from storage.lean_sql import LeanStatement
from storage.tables import DialogStateRow

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 1024 * 1024
"""The largest document one item may hold, as UTF-8 encoded JSON."""

MAX_KEY_LENGTH = 512
"""Keys up to this length are stored as they are; longer ones under a hash (see `storage_key`)."""

WILDCARD_ETAG = "*"

_HASHED_KEY_PREFIX_LENGTH = MAX_KEY_LENGTH - len("#sha256:") - 64
_READ_CHUNK = 500

_table = cast(Table, DialogStateRow.__table__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def storage_key(key: str) -> str:
    """The primary key an item is stored under.

    Keys that fit the column (and hold no NUL, which PostgreSQL refuses in text) are stored as
    they are. Others are stored as the start of the key followed by ``#sha256:`` and the SHA-256
    of the whole key: deterministic, at most `MAX_KEY_LENGTH` characters, and still readable.
    """
    if len(key) <= MAX_KEY_LENGTH and "\x00" not in key:
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    head = key[:_HASHED_KEY_PREFIX_LENGTH].replace("\x00", "")
    return f"{head}#sha256:{digest}"


def encode_document(document: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON; `ValueError` if it is larger than `MAX_DOCUMENT_BYTES`."""
    encoded = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
    if len(encoded) > MAX_DOCUMENT_BYTES:
        raise ValueError(
            f"state document is {len(encoded)} bytes; the limit is {MAX_DOCUMENT_BYTES} bytes"
        )
    return encoded


_READ_ONE = LeanStatement(
    select(_table.c.key, _table.c.e_tag, _table.c.document).where(_table.c.key == bindparam("key"))
)
"""The read of every personal turn (one key), compiled once and run lean."""


def _read_on(
    conn: Connection, wanted: Mapping[str, list[str]]
) -> dict[str, tuple[dict[str, Any], str]]:
    found: dict[str, tuple[dict[str, Any], str]] = {}
    db_keys = list(wanted)
    for start in range(0, len(db_keys), _READ_CHUNK):
        chunk = db_keys[start : start + _READ_CHUNK]
        rows: Iterable[Sequence[Any]] = (
            _READ_ONE.rows(conn, {"key": chunk[0]})
            if len(chunk) == 1
            else conn.execute(
                select(_table.c.key, _table.c.e_tag, _table.c.document).where(
                    _table.c.key.in_(chunk)
                )
            )
        )
        for db_key, e_tag, raw in rows:
            text = bytes(raw).decode()
            for key in wanted[db_key]:
                found[key] = (json.loads(text), e_tag)
    return found


class SqlDialogStateStore:
    """Key -> (JSON document, e-tag) in table ``bot_state``. Synchronous and thread-safe."""

    def __init__(self, engine: Engine, now: Callable[[], datetime] = _utc_now) -> None:
        self._engine = engine
        self._now = now
        dialect = engine.dialect.name
        if dialect not in ("sqlite", "postgresql"):
            raise ValueError(f"SqlDialogStateStore supports SQLite and PostgreSQL, not {dialect}")
        self._dialect = dialect

    def read(self, keys: Sequence[str]) -> dict[str, tuple[dict[str, Any], str]]:
        """Document and e-tag for each key that exists; unknown keys are left out."""
        wanted: dict[str, list[str]] = {}
        for key in dict.fromkeys(keys):
            wanted.setdefault(storage_key(key), []).append(key)
        if not wanted:
            return {}
        with self._engine.connect() as conn:
            return _read_on(conn, wanted)

    def read_on(
        self, conn: Connection, keys: Sequence[str]
    ) -> dict[str, tuple[dict[str, Any], str]]:
        """As `read`, on `conn` and in its transaction (`ProcessedActivityLog.claim` reads a
        turn's dialog state with its claim: one transaction for both)."""
        wanted: dict[str, list[str]] = {}
        for key in dict.fromkeys(keys):
            wanted.setdefault(storage_key(key), []).append(key)
        return _read_on(conn, wanted) if wanted else {}

    def write(self, changes: Mapping[str, tuple[dict[str, Any], str | None]]) -> dict[str, str]:
        """Store every change in one transaction, or none of them; return the new e-tags.

        The second element of each change is the expected e-tag: ``None`` or ``"*"`` writes
        whatever is stored (last write wins, creating the item if needed); any other value must
        equal the stored e-tag, otherwise `ETagConflict` is raised and nothing is written.
        A document larger than `MAX_DOCUMENT_BYTES` raises `ValueError`, also writing nothing.
        """
        if not changes:
            return {}
        prepared: list[tuple[str, str, bytes, str | None]] = []
        for key, (document, expected) in changes.items():
            if expected == "":
                raise ETagConflict(key)
            try:
                encoded = encode_document(document)
            except ValueError as exc:
                raise ValueError(f"state item {key!r} refused: {exc}") from exc
            prepared.append((key, storage_key(key), encoded, expected))

        now = self._now()
        new_etags: dict[str, str] = {}
        with self._engine.begin() as conn:
            for key, db_key, encoded, expected in prepared:
                new_etag = uuid.uuid4().hex
                new_etags[key] = new_etag
                if expected is None or expected == WILDCARD_ETAG:
                    self._upsert(conn, db_key, encoded, new_etag, now)
                    continue
                result = conn.execute(
                    update(_table)
                    .where(_table.c.key == db_key, _table.c.e_tag == expected)
                    .values(e_tag=new_etag, document=encoded, updated_at=now)
                )
                if result.rowcount != 1:
                    log.info("state e-tag conflict", extra={"state_key": db_key})
                    raise ETagConflict(key)
        return new_etags

    def delete(self, keys: Iterable[str]) -> None:
        """Remove the items; keys that do not exist are ignored."""
        db_keys = list(dict.fromkeys(storage_key(key) for key in keys))
        if not db_keys:
            return
        with self._engine.begin() as conn:
            for start in range(0, len(db_keys), _READ_CHUNK):
                conn.execute(
                    delete(_table).where(_table.c.key.in_(db_keys[start : start + _READ_CHUNK]))
                )

    def _upsert(
        self, conn: Connection, db_key: str, encoded: bytes, e_tag: str, now: datetime
    ) -> None:
        values = {"key": db_key, "e_tag": e_tag, "document": encoded, "updated_at": now}
        changed = {"e_tag": e_tag, "document": encoded, "updated_at": now}
        if self._dialect == "postgresql":
            pg_stmt = postgresql.insert(_table).values(**values)
            conn.execute(pg_stmt.on_conflict_do_update(index_elements=[_table.c.key], set_=changed))
        else:
            lite_stmt = sqlite.insert(_table).values(**values)
            conn.execute(
                lite_stmt.on_conflict_do_update(index_elements=[_table.c.key], set_=changed)
            )
