"""The calendar feed's RFC 5545 text: structure, escaping, folding and line endings.

`icalendar` is not a dependency, so a small RFC 5545 reader below (unfold, split, unescape)
does the round trip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from followup.calendar.ical import (
    CalendarEntry,
    EntryStatus,
    escape_text,
    fold_line,
    render_calendar,
)

NOW = datetime(2026, 11, 23, 10, 30, tzinfo=ZoneInfo("Europe/Oslo"))


@dataclass
class Component:
    name: str
    properties: list[tuple[str, dict[str, str], str]] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def get(self, name: str) -> str:
        values = [v for n, _, v in self.properties if n == name]
        assert len(values) == 1, (name, values)
        return values[0]

    def has(self, name: str) -> bool:
        return any(n == name for n, _, _ in self.properties)

    def params(self, name: str) -> dict[str, str]:
        return next(p for n, p, _ in self.properties if n == name)


def unescape(value: str) -> str:
    out: list[str] = []
    chars = iter(value)
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        escaped = next(chars)
        out.append("\n" if escaped in "nN" else escaped)
    return "".join(out)


def parse(text: str) -> Component:
    """A minimal RFC 5545 reader: unfold, split properties, unescape TEXT values."""
    assert text.endswith("\r\n")
    unfolded = text.replace("\r\n ", "").replace("\r\n\t", "")
    stack: list[Component] = []
    root: Component | None = None
    for line in unfolded.split("\r\n")[:-1]:
        head, _, value = line.partition(":")
        name, *raw_params = head.split(";")
        params = dict(p.split("=", 1) for p in raw_params)
        if name == "BEGIN":
            component = Component(value)
            if stack:
                stack[-1].children.append(component)
            else:
                root = component
            stack.append(component)
        elif name == "END":
            assert stack.pop().name == value
        else:
            stack[-1].properties.append((name, params, unescape(value)))
    assert not stack
    assert root is not None
    return root


def entry(**changes: object) -> CalendarEntry:
    values: dict[str, object] = {
        "uid": "f-1",
        "day": date(2026, 12, 4),
        "summary": "Bekreft levering – Renhold Sentrum",
        "description": "Kontrakt 2024-017",
    }
    values.update(changes)
    return CalendarEntry(**values)  # type: ignore[arg-type]


def render(*entries: CalendarEntry, name: str = "Kontraktsoppfølging") -> str:
    return render_calendar(entries, name=name, now=NOW)


# --- structure ---------------------------------------------------------------------------------


def test_calendar_header() -> None:
    calendar = parse(render())
    assert calendar.name == "VCALENDAR"
    assert calendar.get("VERSION") == "2.0"
    assert calendar.get("PRODID") == "-//Kontraktsvakt//NO"
    assert calendar.get("CALSCALE") == "GREGORIAN"
    assert calendar.get("METHOD") == "PUBLISH"
    assert calendar.get("X-WR-CALNAME") == "Kontraktsoppfølging"
    assert calendar.get("NAME") == "Kontraktsoppfølging"
    assert calendar.get("X-WR-TIMEZONE") == "Europe/Oslo"
    assert calendar.get("REFRESH-INTERVAL") == "PT6H"
    assert calendar.params("REFRESH-INTERVAL") == {"VALUE": "DURATION"}
    assert calendar.get("X-PUBLISHED-TTL") == "PT6H"
    assert calendar.children == []


def test_refresh_interval_is_configurable() -> None:
    text = render_calendar([], name="K", now=NOW, refresh_hours=12)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in text
    assert "X-PUBLISHED-TTL:PT12H\r\n" in text


def test_one_all_day_event_per_entry() -> None:
    calendar = parse(
        render(
            entry(uid="b", day=date(2026, 12, 31)),
            entry(uid="a", day=date(2026, 12, 4), url="https://kv.example.no/oppfolging/a"),
        )
    )
    events = calendar.children
    assert [e.name for e in events] == ["VEVENT", "VEVENT"]
    first, last = events
    assert first.get("UID") == "a@kontraktsvakt"
    assert first.get("DTSTART") == "20261204"
    assert first.params("DTSTART") == {"VALUE": "DATE"}
    assert first.get("DTEND") == "20261205"
    assert first.params("DTEND") == {"VALUE": "DATE"}
    assert first.get("DTSTAMP") == "20261123T093000Z"
    assert first.get("SUMMARY") == "Bekreft levering – Renhold Sentrum"
    assert first.get("DESCRIPTION") == "Kontrakt 2024-017"
    assert first.get("URL") == "https://kv.example.no/oppfolging/a"
    assert first.get("TRANSP") == "TRANSPARENT"
    assert first.get("STATUS") == "CONFIRMED"
    assert not first.has("LAST-MODIFIED")
    assert first.children == []  # no VALARM
    assert last.get("DTSTART") == "20261231"
    assert last.get("DTEND") == "20270101"
    assert not last.has("URL")


@pytest.mark.parametrize(
    ("status", "summary"),
    [
        (EntryStatus.OPEN, "Salgsstatistikk"),
        (EntryStatus.ANSWERED, "✓ Salgsstatistikk"),
        (EntryStatus.OVERDUE, "⚠ Salgsstatistikk"),
    ],
)
def test_status_shows_in_the_summary(status: EntryStatus, summary: str) -> None:
    event = parse(render(entry(summary="Salgsstatistikk", status=status))).children[0]
    assert event.get("SUMMARY") == summary
    assert event.get("STATUS") == "CONFIRMED"


def test_last_modified_is_utc() -> None:
    changed = datetime(2026, 7, 1, 12, 0, tzinfo=ZoneInfo("Europe/Oslo"))
    event = parse(render(entry(last_modified=changed))).children[0]
    assert event.get("LAST-MODIFIED") == "20260701T100000Z"


def test_empty_description_is_left_out() -> None:
    event = parse(render(entry(description="  "))).children[0]
    assert not event.has("DESCRIPTION")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "https://kv.example.no/a\r\nATTACH:https://evil.example",
        "https://kv.example.no/a b",
        "ftp://kv.example.no/a",
        "",
    ],
)
def test_unsafe_urls_are_left_out(url: str) -> None:
    text = render(entry(url=url))
    assert "URL:" not in text
    assert "ATTACH" not in text


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        render_calendar([], name="K", now=datetime(2026, 1, 1))  # noqa: DTZ001


def test_naive_last_modified_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        render(entry(last_modified=datetime(2026, 1, 1)))  # noqa: DTZ001


def test_repeated_uids_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        render(entry(uid="x"), entry(uid="x", day=date(2027, 1, 1)))


def test_refresh_under_an_hour_is_refused() -> None:
    with pytest.raises(ValueError, match="refresh_hours"):
        render_calendar([], name="K", now=NOW, refresh_hours=0)


# --- text ----------------------------------------------------------------------------------


def test_text_escaping() -> None:
    assert escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    assert escape_text("tid: 10:00") == "tid: 10:00"


def test_special_characters_round_trip() -> None:
    description = "Pris; mengde, kvalitet\\avvik\nLinje 2\r\nLinje 3\rLinje 4\tmed tab"
    event = parse(render(entry(description=description))).children[0]
    assert event.get("DESCRIPTION") == (
        "Pris; mengde, kvalitet\\avvik\nLinje 2\nLinje 3\nLinje 4\tmed tab"
    )
    raw = render(entry(description=description))
    assert "DESCRIPTION:Pris\\; mengde\\, kvalitet\\\\avvik\\nLinje 2\\nLinje 3" in raw


def test_control_characters_are_stripped() -> None:
    dirty = "Bek\x00reft\x07 lev\x1bering\x7f\x85 ok\u2028neste"
    event = parse(render(entry(summary=dirty, description=dirty))).children[0]
    assert event.get("SUMMARY") == "Bekreft levering ok neste"
    assert event.get("DESCRIPTION") == "Bekreft levering ok\nneste"


def test_newlines_cannot_inject_properties_or_components() -> None:
    evil = "Hei\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:falsk"
    text = render(entry(summary=evil, description=evil, uid="u\r\nX-EVIL:1"))
    calendar = parse(text)
    assert len(calendar.children) == 1
    event = calendar.children[0]
    assert event.get("SUMMARY") == "Hei END:VEVENT BEGIN:VEVENT SUMMARY:falsk"
    assert event.get("DESCRIPTION") == evil.replace("\r\n", "\n")
    assert event.get("UID") == "u\nX-EVIL:1@kontraktsvakt"
    assert not event.has("X-EVIL")


def test_the_calendar_name_is_escaped() -> None:
    calendar = parse(render(name="Kari Nordmann; innkjøp, Bergen\nkommune"))
    assert calendar.get("X-WR-CALNAME") == "Kari Nordmann; innkjøp, Bergen kommune"


# --- lines ---------------------------------------------------------------------------------

LONG_NORWEGIAN = (
    "Årlig leverandørevaluering for rammeavtale om kjøkkenutstyr og møbler til "
    "barnehager, skoler og sykehjem i Ålesund, Ørsta og Æsøy – søknad om forlengelse "
    "må være mottatt før fristen; ærlig talt er dette en svært lang tekst. " * 3
)
LONG_EMOJI = "Husk 📎 vedlegg og 👩‍💼 kontraktseier 🇳🇴 " * 12 + "✓ ferdig 🎉"


def _lines(text: str) -> list[bytes]:
    data = text.encode("utf-8")
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


@pytest.mark.parametrize("text", [LONG_NORWEGIAN, LONG_EMOJI, "æ" * 200, "x" * 500])
def test_folding_round_trips(text: str) -> None:
    rendered = render(entry(summary=text[:300], description=text, uid="ø" * 60))
    event = parse(rendered).children[0]
    assert event.get("DESCRIPTION") == text.strip()
    assert event.get("SUMMARY") == text[:300].strip()
    assert event.get("UID") == "ø" * 60 + "@kontraktsvakt"


@pytest.mark.parametrize("text", [LONG_NORWEGIAN, LONG_EMOJI, "æ" * 200, "x" * 500])
def test_every_line_is_at_most_75_octets_and_whole_characters(text: str) -> None:
    rendered = render(entry(summary=text, description=text), name=text)
    lines = _lines(rendered)
    assert any(line.startswith(b" ") for line in lines)  # something was folded
    for line in lines:
        assert len(line) <= 75, line
        line.decode("utf-8")  # would raise on a split multi-byte character
    assert max(len(line) for line in lines) >= 74  # folds fill lines, not break early


def test_crlf_everywhere() -> None:
    rendered = render(entry(description=LONG_NORWEGIAN + "\nny linje\r\nog en til"))
    assert rendered.endswith("END:VCALENDAR\r\n")
    assert "\n" not in rendered.replace("\r\n", "")
    assert "\r" not in rendered.replace("\r\n", "")


def test_fold_line_limits() -> None:
    assert fold_line("x" * 75) == "x" * 75
    assert fold_line("x" * 76) == "x" * 75 + "\r\n x"
    # 74 ASCII octets then a 2-octet "æ": it would end at octet 76, so it moves down whole.
    assert fold_line("x" * 74 + "æ") == "x" * 74 + "\r\n æ"
    # Continuation lines hold 74 octets after their leading space.
    folded = fold_line("x" * 75 + "y" * 74 + "z")
    assert folded == "x" * 75 + "\r\n " + "y" * 74 + "\r\n z"
    # A 4-octet emoji is never split.
    folded = fold_line("x" * 73 + "🎉")
    assert folded == "x" * 73 + "\r\n 🎉"


def test_dtstamp_is_the_same_utc_instant() -> None:
    event = parse(render_calendar([entry()], name="K", now=datetime(2026, 6, 1, tzinfo=UTC)))
    assert event.children[0].get("DTSTAMP") == "20260601T000000Z"
