"""`StandInArchive`: a municipality's archive as the tests (and a demo transport) see it.

    archive = StandInArchive(schema, clock=lambda: now, state_file=folder / "archive.json")
    receipt_xml = archive.accept(container, message_id=message.message_id)

`accept` checks the container as an archive would (`reading.read_container`: ASiC-E structure,
the XML against the official schema, *antallFiler*, every *referanseDokumentfil*, checksums)
and raises the matching `InvalidArchiveMessage` subclass when it refuses; `UnknownCase` when
the record points to a case it cannot find. Otherwise it files the record and answers with a
receipt that validates against the receipt schema:

- the same message id again returns the SAME receipt bytes (Fiks IO de-duplicates on the id);
- a record key it already holds (a new id for an old record) keeps its numbers (*Eksisterende*);
- a case folder's key gets one case number for good (same contract, same case), a case named
  by number is taken as the archive's own existing case;
- journal numbers (*journalaar*/*journalsekvensnummer*) increase per year of the clock (Oslo
  time), *journalpostnummer* per case; *systemID*s are uuid5s of the keys.

With a `state_file` it keeps all that in a JSON file (written whole, then renamed) so it
remembers across a restart; without one it lives in memory. One lock serialises `accept`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from followup.archive.receipts import ArchiveReceipt, ExternalKey
from storage.archive.errors import InvalidArchiveMessage, UnknownCase
from storage.archive.reading import ReceivedMessage, read_container
from storage.archive.receipt import write_receipt
from storage.archive.schema import ArchiveSchema

_OSLO: Final = ZoneInfo("Europe/Oslo")
_IDS: Final = UUID("6f1d2c8a-3b7e-5c41-9d2a-8e5f4a7b6c3d")  # namespace of the systemIDs


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _key_text(key: ExternalKey) -> str:
    return f"{key.system}\x1f{key.key}"


@dataclass(slots=True)
class _Case:
    year: int
    sequence: int
    system_id: str
    posts: int = 0


@dataclass(slots=True)
class _State:
    cases: dict[str, _Case] = field(default_factory=dict)
    case_sequences: dict[str, int] = field(default_factory=dict)
    journal_sequences: dict[str, int] = field(default_factory=dict)
    records: dict[str, ArchiveReceipt] = field(default_factory=dict)
    receipts: dict[str, str] = field(default_factory=dict)
    """Receipt XML by message id."""


class StandInArchive:
    """An archive that accepts Fiks Arkiv messages and answers with receipts."""

    def __init__(
        self,
        schema: ArchiveSchema,
        *,
        clock: Callable[[], datetime] = _utc_now,
        state_file: Path | None = None,
    ) -> None:
        self._schema = schema
        self._clock = clock
        self._state_file = state_file
        self._lock = threading.Lock()
        self._state = _load(state_file) if state_file is not None else _State()

    @property
    def record_count(self) -> int:
        """How many records the archive holds."""
        return len(self._state.records)

    def receipt_for(self, message_id: UUID) -> bytes | None:
        """The receipt given for `message_id`, or None when that id never arrived."""
        receipt = self._state.receipts.get(str(message_id))
        return None if receipt is None else receipt.encode("utf-8")

    def accept(self, container: bytes, *, message_id: UUID | None = None) -> bytes:
        """File the container's record and return the receipt XML; raises an
        `InvalidArchiveMessage` subclass when the container is refused."""
        with self._lock:
            if message_id is not None and (known := self.receipt_for(message_id)) is not None:
                return known
            message = read_container(container, self._schema)
            if message.record_key is None:
                raise InvalidArchiveMessage("the record has no referanseEksternNoekkel")
            record_key = _key_text(message.record_key)
            if (earlier := self._state.records.get(record_key)) is not None:
                receipt = replace(
                    earlier,
                    record_created=False,
                    case_created=None if earlier.case_system_id is None else False,
                )
            else:
                receipt = self._file(message, message.record_key)
                self._state.records[record_key] = receipt
            xml = write_receipt(receipt)
            self._schema.check_receipt(xml)
            if message_id is not None:
                self._state.receipts[str(message_id)] = xml.decode("utf-8")
            self._save()
            return xml

    def _file(self, message: ReceivedMessage, record_key: ExternalKey) -> ArchiveReceipt:
        year = self._clock().astimezone(_OSLO).year
        case, created = self._case(message, year)
        case.posts += 1
        sequence = self._next(self._state.journal_sequences, year)
        folder = message.case_key
        return ArchiveReceipt(
            record_system_id=str(uuid5(_IDS, f"record\x1f{_key_text(record_key)}")),
            record_created=True,
            record_key=record_key,
            journal_year=year,
            journal_sequence=sequence,
            journal_post_number=case.posts,
            record_id=f"{case.year}/{case.sequence}-{case.posts}",
            case_system_id=None if folder is None else case.system_id,
            case_created=None if folder is None else created,
            case_key=folder,
            case_year=None if folder is None else case.year,
            case_sequence=None if folder is None else case.sequence,
            case_id=None if folder is None else f"{case.year}/{case.sequence}",
        )

    def _case(self, message: ReceivedMessage, year: int) -> tuple[_Case, bool]:
        cases = self._state.cases
        if message.case_key is not None:
            if message.parent_key not in (None, message.case_key):
                raise UnknownCase("the record points to another case than the message's folder")
            name = f"key\x1f{_key_text(message.case_key)}"
            if name in cases:
                return cases[name], False
            sequence = self._next(self._state.case_sequences, year)
            cases[name] = _Case(year, sequence, str(uuid5(_IDS, name)))
            return cases[name], True
        if message.parent_number is not None:
            case_year, case_sequence = message.parent_number
            name = f"number\x1f{case_year}/{case_sequence}"
            case = cases.setdefault(name, _Case(case_year, case_sequence, str(uuid5(_IDS, name))))
            return case, False
        if message.parent_key is not None:
            name = f"key\x1f{_key_text(message.parent_key)}"
            if name in cases:
                return cases[name], False
            raise UnknownCase(f"no case has the key {message.parent_key.key!r}")
        raise UnknownCase("the record names no case (referanseForelderMappe)")

    @staticmethod
    def _next(counters: dict[str, int], year: int) -> int:
        counters[str(year)] = counters.get(str(year), 0) + 1
        return counters[str(year)]

    def _save(self) -> None:
        if self._state_file is None:
            return
        state = asdict(self._state)
        temporary = self._state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
        temporary.replace(self._state_file)


def _load(path: Path) -> _State:
    if not path.exists():
        return _State()
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return _State(
        cases={name: _Case(**case) for name, case in raw["cases"].items()},
        case_sequences=raw["case_sequences"],
        journal_sequences=raw["journal_sequences"],
        records={name: _receipt(value) for name, value in raw["records"].items()},
        receipts=raw["receipts"],
    )


def _receipt(raw: dict[str, Any]) -> ArchiveReceipt:
    keys = {
        name: None if raw[name] is None else ExternalKey(**raw[name])
        for name in ("record_key", "case_key")
    }
    return ArchiveReceipt(**{**raw, **keys})
