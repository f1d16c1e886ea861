"""`kontraktsvakt dates --now ISO-DATETIME`: read Norwegian date phrases, one per line.

Each line on stdin gives one JSON object on stdout, flushed at once, so the command can sit
behind a pipe: `{"text": ..., "date": "YYYY-MM-DD" | null, "ambiguous": bool,
"readings": [...], "rule": ...}` (`rule` names the reading rule, e.g. `vague` or `named_period`
for a phrase the bot asks back about). An empty line gives a null result; nothing is skipped.
Only the standard library is imported at module level: `bot/cli/main.py` imports this module
for every command.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from datetime import datetime
from typing import TextIO

EXIT_USAGE = 2


def parse_now(text: str) -> datetime:
    """An aware instant from ISO 8601; a value without offset is Oslo wall-clock time."""
    from followup.calendar.workdays import OSLO

    value = datetime.fromisoformat(text.strip())
    return value if value.tzinfo is not None else value.replace(tzinfo=OSLO)


def run_dates(now_text: str, stdin: TextIO, stdout: TextIO, *, stderr: TextIO | None = None) -> int:
    """Read each line of `stdin` as a date phrase relative to `now_text`; 2 if that is bad."""
    from followup.dates import read_date

    try:
        now = parse_now(now_text)
    except ValueError:
        (stderr or sys.stderr).write(
            f"kontraktsvakt dates: --now must be an ISO 8601 date and time, "
            f"e.g. 2026-11-20T10:00:00+01:00 (got {now_text!r})\n"
        )
        return EXIT_USAGE
    for line in stdin:
        text = line.removesuffix("\n").removesuffix("\r")
        # a lone surrogate cannot be written as UTF-8: replace it rather than fail the line
        text = text.encode("utf-8", "replace").decode("utf-8")
        reading = read_date(text, now)
        record = {
            "text": text,
            "date": reading.date.isoformat() if reading.date else None,
            "ambiguous": reading.ambiguous,
            "readings": [day.isoformat() for day in reading.readings],
            "rule": str(reading.rule),
        }
        stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        stdout.flush()
    return 0


def cmd_dates(args: argparse.Namespace) -> int:
    """The `dates` subcommand: UTF-8 in and out whatever the locale; bad bytes become U+FFFD."""
    for stream in (sys.stdin, sys.stdout):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors="replace")
    return run_dates(args.now, sys.stdin, sys.stdout)
