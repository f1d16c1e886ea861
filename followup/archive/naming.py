"""Names and ids of archive messages: the stable message id, the case number as registers
write it, the ASCII names files travel under, checksums and media types. Standard library only.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata
from typing import Final
from uuid import UUID, uuid5

MESSAGE_ID_NAMESPACE: Final = UUID("0d6c3f3e-5b1a-5b53-9a38-4b6f7276616b")
"""The uuid5 namespace of `message_id_for` (fixed for good: ids must never change)."""

_SEPARATOR: Final = "\x1f"  # a control character: keys cannot hold one (ArchiveCase refuses it)
_MIME_TYPES: Final = mimetypes.MimeTypes()  # Python's own table only: same answer on any host
_OFFICE_TYPES: Final = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".msg": "application/vnd.ms-outlook",
}
_FALLBACK_MIME_TYPE: Final = "application/octet-stream"
_CASE_NUMBER: Final = re.compile(
    r"""
    \s*(?:saks?(?:nr|nummer)?\s*[.:]?\s*)?  # an optional label: "Saksnr.", "Sak:"
    (?P<year>\d{4}|\d{2})\s*[/-]\s*(?P<sequence>\d{1,7})
    (?:\s*-\s*\d{1,5})?                            # a record's number after it: "2025/1234-5"
    \s*
    """,
    re.IGNORECASE | re.VERBOSE,
)
_TWO_DIGIT_PIVOT: Final = 70  # "69/12" is 2069, "70/12" is 1970: no register has older cases
_TRANSLITERATION: Final = str.maketrans(
    {"æ": "ae", "Æ": "AE", "ø": "oe", "Ø": "OE", "å": "aa", "Å": "AA", "ß": "ss"}
)
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_REFERENCE_LENGTH: Final = 120


def sha256_of(data: bytes) -> str:
    """The SHA-256 of `data` as 64 lower-case hex digits (the message's *sjekksum*)."""
    return hashlib.sha256(data).hexdigest()


def message_id_for(system: str, case_key: str, record_key: str) -> UUID:
    """The stable message id of one record: a uuid5 of the fagsystem and both external keys."""
    return uuid5(MESSAGE_ID_NAMESPACE, _SEPARATOR.join((system, case_key, record_key)))


def parse_case_number(text: str | None) -> tuple[int, int] | None:
    """The (year, sequence) of a case number as registers write it, or None when it is none.

    ``"2025/1234"``, ``"25/1234"`` (two-digit years: 70-99 are 19xx, the rest 20xx),
    ``"2025-1234"``, ``"Saksnr. 2025/01234"`` and a record's number ``"2025/1234-5"`` all give
    ``(2025, 1234)``; blanks, junk, year 0 and sequence 0 give None.
    """
    if text is None:
        return None
    match = _CASE_NUMBER.fullmatch(text)
    if match is None:
        return None
    year = int(match["year"])
    if len(match["year"]) == 2:
        year += 1900 if year >= _TWO_DIGIT_PIVOT else 2000
    sequence = int(match["sequence"])
    if not 1900 <= year <= 2199 or sequence == 0:
        return None
    return year, sequence


def container_name(number: int, file_name: str) -> str:
    """The ASCII name file `number` (1, 2 …) travels under (*referanseDokumentfil*):
    ``container_name(1, "Skatteattest æøå.pdf") == "01-Skatteattest_aeoeaa.pdf"``."""
    ascii_name = (
        unicodedata.normalize("NFKD", _base_name(file_name).translate(_TRANSLITERATION))
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    stem, dot, suffix = ascii_name.rpartition(".")
    if not dot:
        stem, suffix = ascii_name, ""
    suffix = _UNSAFE.sub("", suffix)[:10]
    room = _MAX_REFERENCE_LENGTH - len(suffix) - 4
    stem = _UNSAFE.sub("_", stem).strip("._-")[:room] or "fil"
    return f"{number:02d}-{stem}.{suffix}" if suffix else f"{number:02d}-{stem}"


def _base_name(file_name: str) -> str:
    """The last part of a name that came with a path (``C:\\Users\\…\\a.pdf``)."""
    return file_name.replace("\\", "/").rpartition("/")[2]


def guess_mime_type(file_name: str) -> str:
    """The media type for a file name: Office formats, then Python's own table (not the
    host's, so every machine answers the same), else ``application/octet-stream``."""
    suffix = file_name.rpartition(".")[2].lower()
    if office := _OFFICE_TYPES.get(f".{suffix}"):
        return office
    guessed, _ = _MIME_TYPES.guess_type(file_name, strict=False)
    return guessed or _FALLBACK_MIME_TYPE
