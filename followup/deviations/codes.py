"""The code people see and type for a deviation: `AV-2026-0042`, the 42nd deviation reported in
2026 (the year in Oslo of `Deviation.reported_at`).

Numbers are given by the store (`DeviationRepository.next_serial`), one counter per year, taken
in the transaction that stores the deviation, so two reports at once never share a number. A
report that loses a race with a re-sent copy of itself (Teams re-sends) leaves a gap, which is
allowed: the code names a deviation, it does not count them.

Deviations stored before codes existed got theirs in migration 0011, in the order they were
reported. The older hex short code (the id's last eight digits, see
`followup.deviations.intake`) is still accepted where a code is typed, since cards already sent
show it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from followup.models import Deviation

PREFIX: Final = "AV"
OSLO: Final = ZoneInfo("Europe/Oslo")
MAX_SERIAL: Final = 999_999
SHORT_CODE_LENGTH: Final = 8
_TYPED: Final = re.compile(
    r"#?\s*av\s*[-\s/]?\s*(?P<year>\d{4})\s*[-\s/]\s*(?P<serial>\d{1,6})", re.IGNORECASE
)


def code_year(reported_at: datetime) -> int:
    """The year a deviation reported at this moment is numbered in (Oslo time)."""
    return reported_at.astimezone(OSLO).year


def format_code(year: int, serial: int) -> str:
    """`AV-2026-0042`: at least four digits, more when a year has more deviations."""
    return f"{PREFIX}-{year:04d}-{serial:04d}"


def parse_code(text: str) -> str | None:
    """The code as stored, from how people type it (`AV-2026-0042`, `av-2026-42`, `#AV 2026
    42`); None when `text` is not such a code."""
    match = _TYPED.fullmatch(text.strip())
    if match is None:
        return None
    serial = int(match["serial"])
    if not 0 < serial <= MAX_SERIAL:
        return None
    return format_code(int(match["year"]), serial)


def shown(code: str | None, deviation_id: str) -> str:
    """What a person sees for a deviation: its code, or for one held without a code (a model
    made in memory; every stored one has a code after migration 0011) the older short code."""
    return code or short_code(deviation_id)


def shown_code(deviation: Deviation) -> str:
    return shown(deviation.code, deviation.id)


def short_code(deviation_id: str) -> str:
    """The older code of a deviation, the last `SHORT_CODE_LENGTH` hex digits of its id
    (`followup.deviations.intake` explains why the last): still accepted where a code is typed."""
    return deviation_id.replace("-", "")[-SHORT_CODE_LENGTH:].lower()


__all__ = [
    "SHORT_CODE_LENGTH",
    "code_year",
    "format_code",
    "parse_code",
    "short_code",
    "shown",
    "shown_code",
]
