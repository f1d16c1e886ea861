"""RFC 5545 calendar text for a person's private calendar feed. Pure: text in, text out.

One all-day event per follow-up: the due date is the event. Choices:

* Every event is ``STATUS:CONFIRMED`` (the deadline stands whatever its state) and
  ``TRANSP:TRANSPARENT`` with ``X-MICROSOFT-CDO-BUSYSTATUS:FREE``: a deadline never makes anyone
  look busy. The state shows in the summary instead: answered ones start with ``✓``, overdue
  ones with ``⚠``. ``STATUS:CANCELLED`` for answered ones would make clients strike them through
  or hide them, and an answered check is still worth seeing.
* No VALARM: the bot reminds people in Teams, Outlook ignores alarms in subscribed calendars,
  and phones that honour them would remind a second time.
* Dates are floating all-day values (``VALUE=DATE``), so no VTIMEZONE is needed;
  ``X-WR-TIMEZONE`` says Europe/Oslo for the clients that want to know.
* Text is cleaned of control characters, escaped as RFC 5545 TEXT, and lines are folded at
  75 octets without splitting a UTF-8 character; every line ends in CRLF.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Final

MAX_LINE_OCTETS: Final = 75
UID_DOMAIN: Final = "kontraktsvakt"
PRODID: Final = "-//Kontraktsvakt//NO"

# C0 controls except TAB and LF (LF becomes "\n"), DEL, C1 controls, and lone surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f\"<>\\^`{|}]+")


class EntryStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    OVERDUE = "overdue"


_SUMMARY_PREFIX: Final = {
    EntryStatus.OPEN: "",
    EntryStatus.ANSWERED: "✓ ",
    EntryStatus.OVERDUE: "⚠ ",
}


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One follow-up in the calendar. `uid` must be stable (the follow-up id) and unique."""

    uid: str
    day: date
    summary: str
    description: str = ""
    status: EntryStatus = EntryStatus.OPEN
    last_modified: datetime | None = None
    url: str | None = None


def clean_text(text: str) -> str:
    """`text` with line breaks as LF and control characters (except TAB and LF) removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    return _CONTROL.sub("", text)


def escape_text(text: str) -> str:
    """An RFC 5545 TEXT value (section 3.3.11): backslash, `;`, `,` and newlines escaped."""
    return (
        clean_text(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
    )


def fold_line(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, joined by CRLF and one space.

    Splits only between characters, never inside a UTF-8 sequence; the leading space of a
    continuation line counts towards its 75 octets.
    """
    if len(line.encode()) <= MAX_LINE_OCTETS:
        return line
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode())
        if size + width > MAX_LINE_OCTETS:
            pieces.append("".join(current))
            current = [char]
            size = 1 + width  # the space that starts the continuation line
        else:
            current.append(char)
            size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def _utc(moment: datetime, what: str) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"{what} must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _safe_url(url: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    return url if _URL.fullmatch(url) else None


def _event(entry: CalendarEntry, stamp: str) -> list[str]:
    summary = _SUMMARY_PREFIX[entry.status] + clean_text(entry.summary).replace("\n", " ")
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(entry.uid)}@{UID_DOMAIN}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{entry.day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{entry.day + timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{escape_text(summary.strip())}",
    ]
    if entry.description.strip():
        lines.append(f"DESCRIPTION:{escape_text(entry.description.strip())}")
    if url := _safe_url(entry.url):
        lines.append(f"URL:{url}")
    if entry.last_modified is not None:
        lines.append(f"LAST-MODIFIED:{_utc(entry.last_modified, 'last_modified')}")
    lines += [
        "STATUS:CONFIRMED",
        "TRANSP:TRANSPARENT",
        "X-MICROSOFT-CDO-BUSYSTATUS:FREE",
        "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE",
        "END:VEVENT",
    ]
    return lines


def render_calendar(
    entries: Iterable[CalendarEntry], *, name: str, now: datetime, refresh_hours: int = 6
) -> str:
    """A complete VCALENDAR with one all-day VEVENT per entry, ordered by day, CRLF-terminated.

    `now` (aware) becomes every event's DTSTAMP; clients are asked to refresh every
    `refresh_hours` hours. Raises ValueError on a naive `now`, a repeated uid or a refresh
    interval under one hour.
    """
    if refresh_hours < 1:
        raise ValueError("refresh_hours must be at least 1")
    stamp = _utc(now, "now")
    ordered = sorted(entries, key=lambda e: (e.day, e.uid))
    uids = [e.uid for e in ordered]
    if len(set(uids)) != len(uids):
        raise ValueError("calendar entries must have unique uids")
    calendar_name = escape_text(clean_text(name).replace("\n", " ").strip())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{calendar_name}",
        f"X-WR-CALNAME:{calendar_name}",
        "X-WR-TIMEZONE:Europe/Oslo",
        f"REFRESH-INTERVAL;VALUE=DURATION:PT{refresh_hours}H",
        f"X-PUBLISHED-TTL:PT{refresh_hours}H",
    ]
    for entry in ordered:
        lines += _event(entry, stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + "\r\n" for line in lines)
