"""How the archive mapping writes the documents it makes itself (deviation reports, decisions,
summaries, risk assessments, on-site checks, evaluations): Norwegian dates and times in Oslo
time, one-line titles of bounded length, and the small UTF-8 text file (``text/plain``) that
carries each such record's words. Standard library and the archive's own types only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Final

from followup.archive.codes import DocumentType
from followup.archive.messages import ArchiveFile
from followup.calendar.workdays import OSLO

TEXT_MIME: Final = "text/plain"
TITLE_CHARS: Final = 250


def oslo_date(moment: datetime) -> date:
    """The Oslo day of an aware moment."""
    return moment.astimezone(OSLO).date()


def day(value: date) -> str:
    """``03.12.2026``."""
    return value.strftime("%d.%m.%Y")


def moment(value: datetime) -> str:
    """``03.12.2026 kl. 14:05`` (Oslo time)."""
    return value.astimezone(OSLO).strftime("%d.%m.%Y kl. %H:%M")


def short(text: str) -> str:
    """`text` on one line, cut to `TITLE_CHARS` with an ellipsis."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= TITLE_CHARS else one_line[: TITLE_CHARS - 1] + "…"


def text_file(name: str, title: str, lines: Iterable[str], kind: DocumentType) -> ArchiveFile:
    """The main document of a record the mapping writes: `lines` as a UTF-8 text file."""
    data = ("\n".join(lines).rstrip() + "\n").encode("utf-8")
    return ArchiveFile.of_bytes(
        name=name, title=title, data=data, document_type=kind, mime_type=TEXT_MIME
    )


__all__ = ["TEXT_MIME", "TITLE_CHARS", "day", "moment", "oslo_date", "short", "text_file"]
