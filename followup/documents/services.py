"""Documentation uploaded to a follow-up: what is accepted, where the bytes go, which named
document a file is, and what is still missing.

`check_upload` decides on the name, the size and the first bytes alone (`UploadPolicy`): the
file's extension must be an allowed type, and its content must look like that type (PDF,
Office Open XML, OpenDocument, old Office (OLE2), PNG, JPEG, GIF, HEIC, CSV and plain text).
The media type a client declares is not trusted (Windows calls a CSV file an Excel file); it
only refuses when it declares a program. The type stored is the one the extension and the
content agree on.

`store_document` stores the bytes (`DocumentStore`, under a generated key such as
`3f/a2/<uuid>.pdf`; no user text reaches a path), records an answer of kind DOCUMENTS (a new
version, idempotent on the source activity like any answer: see `followup.answers.services`) and a
`Document` row linked to the answer and the follow-up. The same file (same SHA-256) sent again
on the same contract, for this follow-up or another of its follow-ups, is recognised and not
filed twice (`DocumentStored.duplicate`, with the document filed first: when and where); the
same bytes for another contract reuse the stored file. The bytes are written before the
transaction commits, so a row never points at a missing file; a failed transaction may leave an
unreferenced file.

A document may be a named piece of evidence (`Checkpoint.evidence`: `skatteattest`, ...):
given by the caller (the bot matches name, message and first page:
`followup.documents.targets.place_file`), else the one of the checkpoint's codes the file name
names (`followup.documents.matching.named_kinds`), else, when the checkpoint asks for exactly
one document and the name names no kind at all, that one. A name that names another kind
(`Skatteattest_….pdf` on a follow-up asking for `egenrapportering`) is no evidence here.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Final

from followup.answers.services import (
    AnswerRefused,
    answer_closed_reason,
    check_text,
    clean_text,
    find_answer_target,
    replayed_answer,
    source_key,
    store_checked_answer,
)
from followup.calendar.workdays import oslo_today
from followup.documents.matching import EVIDENCE_WORDS, named_kinds
from followup.errors import FollowUpError, Refused
from followup.evidence import guess_evidence, missing_evidence
from followup.models import Answer, AnswerKind, AuditEvent, Document, Role
from followup.ports import DocumentStore, UnitOfWork
from followup.reminders.controls import may_answer
from followup.words import normalise_words

MB: Final = 1024 * 1024
MAX_FILE_NAME: Final = 150
HEAD_BYTES: Final = 8192
"""How much of the start of a file `check_upload` looks at (give it at least this)."""


class Sniff(StrEnum):
    PDF = "pdf"
    OOXML = "ooxml"
    ODF = "odf"
    OLE2 = "ole2"
    PNG = "png"
    JPEG = "jpeg"
    GIF = "gif"
    HEIF = "heif"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class FileType:
    extension: str
    media_type: str
    sniff: Sniff
    zip_folder: str | None = None
    """Office Open XML: the folder the package must have (`word/`, `xl/`, `ppt/`)."""


_TYPES: Final = (
    FileType("pdf", "application/pdf", Sniff.PDF),
    FileType(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Sniff.OOXML,
        "word/",
    ),
    FileType(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Sniff.OOXML,
        "xl/",
    ),
    FileType(
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        Sniff.OOXML,
        "ppt/",
    ),
    FileType("odt", "application/vnd.oasis.opendocument.text", Sniff.ODF),
    FileType("ods", "application/vnd.oasis.opendocument.spreadsheet", Sniff.ODF),
    FileType("doc", "application/msword", Sniff.OLE2),
    FileType("xls", "application/vnd.ms-excel", Sniff.OLE2),
    FileType("ppt", "application/vnd.ms-powerpoint", Sniff.OLE2),
    FileType("png", "image/png", Sniff.PNG),
    FileType("jpg", "image/jpeg", Sniff.JPEG),
    FileType("jpeg", "image/jpeg", Sniff.JPEG),
    FileType("gif", "image/gif", Sniff.GIF),
    FileType("heic", "image/heic", Sniff.HEIF),
    FileType("csv", "text/csv", Sniff.TEXT),
    FileType("txt", "text/plain", Sniff.TEXT),
)
FILE_TYPES: Final[Mapping[str, FileType]] = {t.extension: t for t in _TYPES}
DEFAULT_EXTENSIONS: Final = frozenset(FILE_TYPES)

_PROGRAM_TYPES: Final = frozenset(
    {
        "application/x-msdownload",
        "application/x-msdos-program",
        "application/x-dosexec",
        "application/x-executable",
        "application/x-sh",
        "application/x-bat",
        "application/vnd.microsoft.portable-executable",
        "application/java-archive",
        "application/x-msi",
    }
)
_HEIF_BRANDS: Final = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
)
_OLE2: Final = bytes.fromhex("d0cf11e0a1b11ae1")


@dataclass(frozen=True, slots=True)
class UploadPolicy:
    max_bytes: int = 25 * MB
    extensions: frozenset[str] = field(default=DEFAULT_EXTENSIONS)
    """Allowed file types by extension (keys of `FILE_TYPES`)."""


class UploadRefusal(StrEnum):
    """Why a file was refused; the value is the code for the bot's text catalogue."""

    EMPTY = "upload.empty"
    TOO_LARGE = "upload.too_large"
    """values: size, max_bytes, max_mb"""
    TYPE_NOT_ALLOWED = "upload.type_not_allowed"
    """values: extension, allowed (comma-separated extensions)"""
    CONTENT_MISMATCH = "upload.content_mismatch"
    """The content is not what the extension says (an .exe renamed .pdf). values: extension"""
    UNKNOWN_EVIDENCE = "upload.unknown_evidence"
    """The evidence code given is not one the checkpoint asks for. values: evidence, allowed"""
    ACTIVITY_REUSED = "upload.activity_reused"
    """The source activity already answered the follow-up without this file."""


class UploadRefused(Refused):
    reason: UploadRefusal

    def __init__(self, reason: UploadRefusal, message: str = "", **values: object) -> None:
        super().__init__(reason, message, **values)


@dataclass(frozen=True, slots=True)
class AcceptedUpload:
    file_name: str
    """The name to show and store: cleaned (`clean_file_name`)."""
    extension: str
    media_type: str


# --- names -----------------------------------------------------------------------------------

_UNSAFE_NAME_CHARS: Final = re.compile(r'[<>:"|?*]')


def clean_file_name(name: str) -> str:
    """The name to show: the last part of a path, without control, format or direction
    characters, runs of spaces made one, no leading dots, at most `MAX_FILE_NAME` characters
    (the extension kept). Empty → `dokument`."""
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(
        " " if c.isspace() else c
        for c in text
        if unicodedata.category(c) not in ("Cc", "Cf", "Cs") or c.isspace()
    )
    text = _UNSAFE_NAME_CHARS.sub("_", text)
    text = re.sub(r" +", " ", text).strip().lstrip(". ").rstrip(". ")
    stem, dot, extension = text.rpartition(".")
    if not dot:
        stem, extension = text, ""
    if len(extension) > 10:  # not an extension: part of the name
        stem, extension = text, ""
    stem = stem.strip() or "dokument"
    room = MAX_FILE_NAME - (len(extension) + 1 if extension else 0)
    stem = stem[:room].rstrip(". ") or "dokument"
    return f"{stem}.{extension}" if extension else stem


def extension_of(file_name: str) -> str:
    stem, dot, extension = file_name.rpartition(".")
    return extension.lower() if dot and stem else ""


def new_storage_key(extension: str) -> str:
    """A fresh key: `ab/cd/<32 hex>.<ext>` (two levels of folders keep folders small)."""
    hex_id = uuid.uuid4().hex
    ext = re.sub(r"[^a-z0-9]", "", extension.lower())[:10]
    return f"{hex_id[:2]}/{hex_id[2:4]}/{hex_id}" + (f".{ext}" if ext else "")


# --- the policy ------------------------------------------------------------------------------


def check_upload(
    file_name: str,
    declared_media_type: str | None,
    size: int,
    head_bytes: bytes,
    *,
    policy: UploadPolicy | None = None,
) -> AcceptedUpload:
    """Accept a file or raise `UploadRefused`. `head_bytes` is the start of the file (at least
    `HEAD_BYTES`, or all of it); given all of it, Office files are also checked inside."""
    policy = policy or UploadPolicy()
    name = clean_file_name(file_name)
    extension = extension_of(name)
    if size <= 0 or not head_bytes:
        raise UploadRefused(UploadRefusal.EMPTY)
    if size > policy.max_bytes:
        raise UploadRefused(
            UploadRefusal.TOO_LARGE,
            size=size,
            max_bytes=policy.max_bytes,
            max_mb=policy.max_bytes // MB,
        )
    file_type = FILE_TYPES.get(extension)
    declared = (declared_media_type or "").split(";")[0].strip().lower()
    if file_type is None or extension not in policy.extensions or declared in _PROGRAM_TYPES:
        raise UploadRefused(
            UploadRefusal.TYPE_NOT_ALLOWED,
            extension=extension,
            allowed=", ".join(sorted(policy.extensions)),
        )
    whole = len(head_bytes) >= size
    if not _looks_like(file_type, head_bytes[: size if whole else len(head_bytes)], whole=whole):
        raise UploadRefused(UploadRefusal.CONTENT_MISMATCH, extension=extension)
    return AcceptedUpload(name, extension, file_type.media_type)


def _looks_like(file_type: FileType, head: bytes, *, whole: bool) -> bool:
    sniff = file_type.sniff
    if sniff is Sniff.PDF:
        return b"%PDF-" in head[:1024]
    if sniff is Sniff.OLE2:
        return head.startswith(_OLE2)
    if sniff is Sniff.PNG:
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if sniff is Sniff.JPEG:
        return head.startswith(b"\xff\xd8\xff")
    if sniff is Sniff.GIF:
        return head[:6] in (b"GIF87a", b"GIF89a")
    if sniff is Sniff.HEIF:
        return head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS
    if sniff is Sniff.ODF:
        # The first entry of an OpenDocument package is `mimetype`, stored, naming the type.
        expected = file_type.media_type.encode()
        return (
            head.startswith(b"PK\x03\x04")
            and head[30:38] == b"mimetype"
            and head[38 : 38 + len(expected)] == expected
        )
    if sniff is Sniff.OOXML:
        if not head.startswith(b"PK\x03\x04") or head[30:38] == b"mimetype":
            return False
        return not whole or _is_ooxml(head, file_type.zip_folder or "")
    return _is_text(head, whole=whole)


def _is_ooxml(data: bytes, folder: str) -> bool:
    """A zip with `[Content_Types].xml` and the folder of its kind (names only: nothing is
    unpacked)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)


def _is_text(head: bytes, *, whole: bool) -> bool:
    """UTF-8 (a BOM allowed) or Windows-1252, no NUL, no control characters but tab, line
    breaks and form feed."""
    if b"\x00" in head:
        return False
    text: str | None = None
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if not whole and exc.reason == "unexpected end of data" and exc.start >= len(head) - 3:
            text = head[: exc.start].decode("utf-8-sig", errors="strict")
    if text is None:
        try:
            text = head.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text)


# --- storing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentStored:
    document: Document
    duplicate: bool
    """True: this file (same SHA-256) was filed on the contract before, on this follow-up or
    another (`document.follow_up_id`, `document.uploaded_at`); nothing new was stored."""
    answer: Answer | None
    """The DOCUMENTS answer the document belongs to."""
    missing_evidence: list[str]
    """Evidence codes the checkpoint asks for that are still missing after this upload."""


@dataclass(frozen=True, slots=True)
class StoreDocument:
    """`person_id` uploads `data` as `file_name` to `follow_up_id`, from the activity
    `source_activity_id` in the conversation `source_conversation_id` of the channel
    `source_channel_id` (idempotent on the three), with the evidence code it is, if given."""

    follow_up_id: str
    person_id: str
    file_name: str
    data: bytes
    source_activity_id: str | None = None
    source_channel_id: str | None = None
    source_conversation_id: str | None = None
    evidence: str | None = None
    declared_media_type: str | None = None
    text: str | None = None
    channel: str = "msteams"


def store_document(
    cmd: StoreDocument,
    uow: UnitOfWork,
    now: datetime,
    *,
    store: DocumentStore,
    policy: UploadPolicy | None = None,
) -> DocumentStored:
    """Store an uploaded file on a follow-up (see the module docstring). Raises
    `UploadRefused` or `followup.answers.services.AnswerRefused`. The caller commits (after a
    concurrent upload of the same activity or file, this one is rolled back here)."""
    follow_up_id, data = cmd.follow_up_id, cmd.data
    accepted = check_upload(cmd.file_name, cmd.declared_media_type, len(data), data, policy=policy)
    cleaned = clean_text(cmd.text)
    check_text(cleaned)
    sha256 = hashlib.sha256(data).hexdigest()
    target = find_answer_target(uow, follow_up_id, cmd.person_id, now)
    source = source_key(cmd.source_activity_id, cmd.source_channel_id, cmd.source_conversation_id)
    replay = replayed_answer(uow, source)
    if replay is not None:
        return _duplicate(uow, follow_up_id, sha256, replay.answer, target.checkpoint.evidence)
    existing = _filed_copy(uow, follow_up_id, target.contract.id, sha256)
    if existing is not None:
        return _duplicate(uow, follow_up_id, sha256, None, target.checkpoint.evidence, existing)
    reason = answer_closed_reason(target)
    if reason is not None:
        raise AnswerRefused(reason, reference=target.contract.reference)
    code = _evidence_code(cmd.evidence, accepted.file_name, target.checkpoint.evidence)
    key = _stored_key(uow, store, sha256, accepted.extension, data)
    recorded = store_checked_answer(
        uow,
        target,
        AnswerKind.DOCUMENTS,
        now,
        text=cleaned,
        source=source,
        channel=cmd.channel,
    )
    document, created = (None, False)
    if recorded.created:
        document, created = uow.documents.add(
            Document(
                answer_id=recorded.answer.id,
                follow_up_id=follow_up_id,
                file_name=accepted.file_name,
                media_type=accepted.media_type,
                size_bytes=len(data),
                sha256=sha256,
                storage_key=key,
                evidence=code,
                uploaded_by_id=cmd.person_id,
                uploaded_at=now,
            )
        )
    if document is None or not created:
        # A concurrent transaction stored this activity's answer, or this file: theirs stands.
        uow.rollback()
        return _duplicate(
            uow,
            follow_up_id,
            sha256,
            None,
            target.checkpoint.evidence,
            _filed_copy(uow, follow_up_id, target.contract.id, sha256),
        )
    uow.audit.append(
        AuditEvent(
            at=now,
            actor=f"person:{cmd.person_id}",
            action="document.stored",
            entity="document",
            entity_id=document.id,
            after={
                "follow_up_id": follow_up_id,
                "answer_id": recorded.answer.id,
                "file_name": document.file_name,
                "media_type": document.media_type,
                "size_bytes": document.size_bytes,
                "sha256": sha256,
                "storage_key": key,
                "evidence": code,
            },
        )
    )
    missing = _missing(uow, follow_up_id, target.checkpoint.evidence)
    return DocumentStored(document, False, recorded.answer, missing)


def _evidence_code(given: str | None, file_name: str, required: list[str]) -> str | None:
    if given is not None and given.strip():
        wanted = unicodedata.normalize("NFC", given.strip())
        typed = normalise_words(wanted)
        for code in required:
            if normalise_words(code) == typed:
                return code
        raise UploadRefused(
            UploadRefusal.UNKNOWN_EVIDENCE, evidence=wanted[:64], allowed=", ".join(required)
        )
    named = named_kinds(file_name, [*required, *EVIDENCE_WORDS])
    asked = [code for code in named if code in required]
    if len(asked) == 1:
        return asked[0]
    if not named and len(required) == 1:
        return required[0]
    return None


def _filed_copy(
    uow: UnitOfWork, follow_up_id: str, contract_id: str, sha256: str
) -> Document | None:
    """The document with these bytes on this follow-up, else on another of the contract's."""
    return uow.documents.find(follow_up_id, sha256) or uow.documents.on_contract(
        contract_id, sha256
    )


def filed_copy(uow: UnitOfWork, contract_id: str, data: bytes) -> Document | None:
    """The document with these bytes on any follow-up of the contract, if one was filed."""
    return uow.documents.on_contract(contract_id, hashlib.sha256(data).hexdigest())


def _stored_key(
    uow: UnitOfWork, store: DocumentStore, sha256: str, extension: str, data: bytes
) -> str:
    """The key of these bytes if another follow-up has them stored, else a new key with the
    bytes written under it."""
    for other in uow.documents.with_sha256(sha256):
        if store.exists(other.storage_key):
            return other.storage_key
    key = new_storage_key(extension)
    store.put(key, data)
    return key


def _missing(uow: UnitOfWork, follow_up_id: str, required: list[str]) -> list[str]:
    return missing_evidence(
        required, (d.evidence for d in uow.documents.for_follow_up(follow_up_id))
    )


def _duplicate(
    uow: UnitOfWork,
    follow_up_id: str,
    sha256: str,
    answer: Answer | None,
    required: list[str],
    document: Document | None = None,
) -> DocumentStored:
    """What is stored already: `document`, else the follow-up's document with these bytes
    (or, for a replayed activity, the answer's document), and the answer it came with."""
    document = document or uow.documents.find(follow_up_id, sha256)
    if document is None and answer is not None:
        document = next(iter(uow.documents.for_answer(answer.id)), None)
    if document is None:  # the activity was an answer of another kind, without a file
        raise UploadRefused(UploadRefusal.ACTIVITY_REUSED)
    filed_on = document.follow_up_id or follow_up_id
    if answer is None and document.answer_id:
        answer = next(
            (a for a in uow.answers.for_follow_up(filed_on) if a.id == document.answer_id),
            None,
        )
    return DocumentStored(document, True, answer, _missing(uow, follow_up_id, required))


# --- reading ---------------------------------------------------------------------------------


def read_document(
    document_id: str, person_id: str, uow: UnitOfWork, now: datetime, *, store: DocumentStore
) -> tuple[Document, bytes]:
    """A document and its bytes, for whoever may answer its follow-up and for procurement;
    raises `DocumentNotFound` (also when the person may not see it)."""
    document = uow.documents.get(document_id)
    follow_up = (
        uow.follow_ups.get_many([document.follow_up_id]).get(document.follow_up_id)
        if document and document.follow_up_id
        else None
    )
    contract = uow.contracts.get(follow_up.contract_id) if follow_up else None
    person = uow.people.get(person_id)
    if (
        document is None
        or contract is None
        or person is None
        or not (
            Role.PROCUREMENT in person.roles or may_answer(uow, person, contract, oslo_today(now))
        )
    ):
        raise DocumentNotFound("no such document")
    try:
        return document, store.get(document.storage_key)
    except KeyError:
        raise DocumentNotFound("document bytes missing") from None


class DocumentRefusal(StrEnum):
    NOT_FOUND = "document.not_found"
    """No such document, its bytes are gone, or the person may not see it (alike on purpose)."""


class DocumentNotFound(FollowUpError):
    def __init__(self, message: str = "") -> None:
        super().__init__(
            message or DocumentRefusal.NOT_FOUND.value, code=DocumentRefusal.NOT_FOUND.value
        )
        self.reason = DocumentRefusal.NOT_FOUND


__all__ = [
    "DEFAULT_EXTENSIONS",
    "FILE_TYPES",
    "HEAD_BYTES",
    "MAX_FILE_NAME",
    "AcceptedUpload",
    "DocumentNotFound",
    "DocumentRefusal",
    "DocumentStored",
    "FileType",
    "StoreDocument",
    "UploadPolicy",
    "UploadRefusal",
    "UploadRefused",
    "check_upload",
    "clean_file_name",
    "extension_of",
    "filed_copy",
    "guess_evidence",
    "missing_evidence",
    "new_storage_key",
    "read_document",
    "store_document",
]
