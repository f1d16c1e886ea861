"""The ways to the municipality's archive, each a `followup.archive.ports.ArchiveTransport`.

- `FolderDrop(outgoing, receipts, schema)`: many archive systems import from a folder. Each
  message is written as ``<message id>.asice`` into `outgoing`, whole or not at all (a
  temporary file, flushed, then renamed), so the archive never picks up half a container;
  sending again writes the same bytes under the same name. The archive leaves its answer as
  ``<message id>.kvittering.xml`` in `receipts`; `collect_receipts` reads them (validated
  against the V1 receipt schema) and `acknowledge` moves one to ``behandlet/`` once it is
  stored. A receipt that does not validate is moved to ``ugyldige/`` and logged.
- `StandInTransport(archive, schema)`: the stand-in archive (`StandInArchive`), answering at
  once (tests, the demo).
- `FiksIOTransport`: the place for KS Fiks IO, the production transport. Nothing outside this
  machine is reachable here, so it refuses to start, naming what a real connection needs.

Every transport packs with `package_message` (the XML validated before anything leaves) and
maps the format layer's errors onto the domain's: a refused container, a missing or changed
file and a failure the archive reports are `ArchiveRefused` (permanent); a disk or network
problem and a garbled receipt are `ArchiveUnavailable` (try later).
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final
from uuid import UUID

from followup.archive.messages import ArchiveFileChanged, ArchiveMessage
from followup.archive.ports import (
    ArchiveErrorKind,
    ArchiveRefused,
    ArchiveUnavailable,
    CollectedReceipt,
)
from followup.archive.receipts import ArchiveReceipt
from storage.archive.errors import ArchiveReportedFailure, InvalidArchiveMessage, InvalidReceipt
from storage.archive.package import package_message
from storage.archive.receipt import parse_receipt
from storage.archive.schema import ArchiveSchema
from storage.archive.standin import StandInArchive

log = logging.getLogger(__name__)

CONTAINER_SUFFIX: Final = ".asice"
RECEIPT_SUFFIX: Final = ".kvittering.xml"
OUTGOING_FOLDER: Final = "ut"
RECEIPTS_FOLDER: Final = "kvitteringer"
PROCESSED_FOLDER: Final = "behandlet"
INVALID_FOLDER: Final = "ugyldige"
MAX_RECEIPT_BYTES: Final = 1_000_000
"""A receipt is a few kilobytes; a bigger file is set aside unread (never read into memory)."""
_RECEIPT_NAME: Final = re.compile(
    r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})" + re.escape(RECEIPT_SUFFIX)
)


def package(message: ArchiveMessage, schema: ArchiveSchema) -> bytes:
    """The message's container; the format layer's errors as the domain's."""
    try:
        return package_message(message, schema)
    except ArchiveFileChanged as error:
        raise ArchiveRefused(ArchiveErrorKind.FILE_MISSING, str(error)) from error
    except (KeyError, ValueError) as error:  # the document store: no such key, an unsafe key
        raise ArchiveRefused(
            ArchiveErrorKind.FILE_MISSING, f"a document is missing from the store: {error}"
        ) from error
    except InvalidArchiveMessage as error:
        raise ArchiveRefused(ArchiveErrorKind.REFUSED, str(error)) from error
    except OSError as error:
        raise ArchiveUnavailable(f"reading a document failed: {error}") from error


def read_receipt(xml: bytes, schema: ArchiveSchema) -> ArchiveReceipt:
    """The archive's receipt; `ArchiveRefused` when it reports a failure, `ArchiveUnavailable`
    when it is not a receipt."""
    try:
        return parse_receipt(xml, schema)
    except ArchiveReportedFailure as error:
        raise ArchiveRefused(ArchiveErrorKind.ARCHIVE_FAILED, str(error)) from error
    except InvalidReceipt as error:
        raise ArchiveUnavailable(f"the archive's answer is not a valid receipt: {error}") from error


def write_atomically(path: Path, data: bytes) -> None:
    """`data` under `path`, whole or not at all (a temporary file in the folder, renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class FolderDrop:
    """Messages as files in a folder the archive imports from; receipts from another."""

    def __init__(self, outgoing: Path, receipts: Path, schema: ArchiveSchema) -> None:
        self.outgoing = outgoing
        self.receipts = receipts
        self._schema = schema
        self.set_aside: list[str] = []
        """The receipt files this drop moved to `INVALID_FOLDER` (for the sender's report)."""

    @classmethod
    def in_folder(cls, folder: Path, schema: ArchiveSchema) -> FolderDrop:
        """``<folder>/ut`` for the messages, ``<folder>/kvitteringer`` for the receipts."""
        return cls(folder / OUTGOING_FOLDER, folder / RECEIPTS_FOLDER, schema)

    def container_path(self, message_id: UUID) -> Path:
        return self.outgoing / f"{message_id}{CONTAINER_SUFFIX}"

    def send(self, message: ArchiveMessage) -> ArchiveReceipt | None:
        container = package(message, self._schema)
        try:
            write_atomically(self.container_path(message.message_id), container)
        except OSError as error:
            raise ArchiveUnavailable(f"writing to {self.outgoing} failed: {error}") from error
        return None

    def collect_receipts(self) -> Sequence[CollectedReceipt]:
        if not self.receipts.is_dir():
            return []
        collected = []
        for path in sorted(self.receipts.iterdir()):
            found = _RECEIPT_NAME.fullmatch(path.name)
            if found is None or not path.is_file():
                continue
            message_id = UUID(found[1])
            try:
                size = path.stat().st_size
                if size > MAX_RECEIPT_BYTES:
                    raise ArchiveUnavailable(f"{size} bytes is too big for a receipt")
                collected.append(
                    CollectedReceipt(message_id, read_receipt(path.read_bytes(), self._schema))
                )
            except ArchiveRefused as failure:
                collected.append(CollectedReceipt(message_id, None, failure))
            except (ArchiveUnavailable, OSError) as error:
                log.warning(
                    "an archive receipt cannot be read; moved aside",
                    extra={"file": path.name, "error": str(error)},
                )
                try:
                    self._move(path, INVALID_FOLDER)
                except OSError as moving:  # read next time; never stops the sender
                    log.warning(
                        "an unreadable archive receipt cannot be moved aside",
                        extra={"file": path.name, "error": str(moving)},
                    )
                else:
                    self.set_aside.append(path.name)
        return collected

    def acknowledge(self, message_id: UUID) -> None:
        path = self.receipts / f"{message_id}{RECEIPT_SUFFIX}"
        if path.is_file():
            self._move(path, PROCESSED_FOLDER)

    def _move(self, path: Path, folder: str) -> None:
        target = self.receipts / folder
        target.mkdir(parents=True, exist_ok=True)
        path.replace(target / path.name)


class StandInTransport:
    """The stand-in archive, answering at once with its receipt."""

    def __init__(self, archive: StandInArchive, schema: ArchiveSchema) -> None:
        self.archive = archive
        self._schema = schema

    def send(self, message: ArchiveMessage) -> ArchiveReceipt | None:
        container = package(message, self._schema)
        try:
            xml = self.archive.accept(container, message_id=message.message_id)
        except InvalidArchiveMessage as error:
            raise ArchiveRefused(ArchiveErrorKind.REFUSED, str(error)) from error
        except OSError as error:  # its state file
            raise ArchiveUnavailable(f"the stand-in archive failed: {error}") from error
        return read_receipt(xml, self._schema)

    def collect_receipts(self) -> Sequence[CollectedReceipt]:
        return []

    def acknowledge(self, message_id: UUID) -> None:
        """Nothing to do: receipts come with the answer."""


class FiksIONotAvailable(Exception):
    """Fiks IO cannot be used here; the message names what a connection needs."""


FIKS_IO_NEEDS: Final = (
    "a Maskinporten client (its client id and the certificate or key it signs with, with the "
    "scope ks:fiks)",
    "a Fiks IO account id (the municipality's archive's account, from KS' Fiks forvaltning)",
    "the account's private key (PEM) for decrypting receipts",
    "a Fiks integration id and integration password",
    "the archive's Fiks IO account to send to (found by the organisation number)",
)


class FiksIOTransport:
    """The place for KS Fiks IO. A real connection sends each container, encrypted for the
    archive's account, with the message type ``no.ks.fiks.arkiv.v1.arkivering.arkivmelding
    .opprett`` and the message id as its id, and receives the archive's *mottatt* and
    *kvittering* messages on its own account (AMQP); `collect_receipts` would hand those over.
    No Fiks IO client library or network is available in this build, so it refuses to start."""

    def __init__(self, *, missing: Sequence[str] = FIKS_IO_NEEDS) -> None:
        raise FiksIONotAvailable(
            "ARCHIVE_TRANSPORT=fiksio is not available in this build (no Fiks IO client). "
            "A Fiks IO connection needs: " + "; ".join(missing) + ". Use ARCHIVE_TRANSPORT="
            "folder (the archive imports from ARCHIVE_FOLDER) until then."
        )

    def send(self, message: ArchiveMessage) -> ArchiveReceipt | None:  # pragma: no cover
        raise ArchiveUnavailable("Fiks IO is not available")

    def collect_receipts(self) -> Sequence[CollectedReceipt]:  # pragma: no cover
        return []

    def acknowledge(self, message_id: UUID) -> None:  # pragma: no cover
        """Nothing to acknowledge."""


STANDIN_STATE_FILE: Final = "standin-arkiv.json"


def open_transport(
    kind: str, folder: Path, schema: ArchiveSchema
) -> FolderDrop | StandInTransport | FiksIOTransport | None:
    """The transport ARCHIVE_TRANSPORT names (``none`` gives None): a folder drop in `folder`,
    the stand-in archive keeping its state in `folder`, or Fiks IO (which refuses to start:
    `FiksIONotAvailable`)."""
    if kind == "folder":
        return FolderDrop.in_folder(folder, schema)
    if kind == "standin":
        folder.mkdir(parents=True, exist_ok=True)
        archive = StandInArchive(schema, state_file=folder / STANDIN_STATE_FILE)
        return StandInTransport(archive, schema)
    if kind == "fiksio":
        return FiksIOTransport()
    if kind == "none":
        return None
    raise ValueError(f"unknown archive transport {kind!r}")


__all__ = [
    "FIKS_IO_NEEDS",
    "INVALID_FOLDER",
    "MAX_RECEIPT_BYTES",
    "STANDIN_STATE_FILE",
    "FiksIONotAvailable",
    "FiksIOTransport",
    "FolderDrop",
    "StandInTransport",
    "open_transport",
    "package",
    "read_receipt",
    "write_atomically",
]
