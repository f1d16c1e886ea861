"""Text the user typed, shown as typed where Teams renders Markdown (TextBlocks, facts,
messages): `plain` escapes it, `echo` quotes a typed command back, shortened."""

from __future__ import annotations

import re
from typing import Final

_INLINE: Final = re.compile(r"([\\`*_\[\]<>~&|])")


_LINE_START: Final = re.compile(r"^(\s*)(?:([#>+=-])|(\d+)([.)]))", re.MULTILINE)


def plain(value: str, *, line_starts: bool = True) -> str:
    """`value` shown as typed where Markdown is rendered (TextBlocks, facts, messages);
    `line_starts=False` for text put in the middle of a line (no heading or list to undo)."""
    escaped = _INLINE.sub(r"\\\1", value)
    return _LINE_START.sub(_escape_line_start, escaped) if line_starts else escaped


def _escape_line_start(match: re.Match[str]) -> str:
    """`# x` → `\\# x` (a heading), `1. x` → `1\\. x` (a numbered list)."""
    if match[2]:
        return match[1] + "\\" + match[2]
    return match[1] + match[3] + "\\" + match[4]


MAX_ECHO = 60


def echo(typed: str) -> str:
    """What the user typed, shortened and escaped, to quote back in a message."""
    shown = " ".join(typed.split())
    if len(shown) > MAX_ECHO:
        shown = shown[: MAX_ECHO - 1] + "…"
    return plain(shown, line_starts=False)
