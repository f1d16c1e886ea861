"""Text the user typed, shown as typed where Teams renders Markdown (TextBlocks, facts,
messages): `plain` escapes it, `echo` quotes a typed command back, shortened, `unescape` takes
the escapes out again for what is not rendered (a card's `fallbackText`, a button's title).

Only what would change the text is escaped: emphasis (`*`, `_`, `~`), code (`` ` ``), links
(`[`, `]`, `<`), tables (`|`), the backslash itself, and at the start of a line a heading, a
quote or a list. `&` is left alone (`Rent & Pent`); only an `&` that would read as an HTML
entity (`&amp;`) is escaped. A backslash shows in Teams where Markdown is not rendered, so
nothing else gets one.
"""

from __future__ import annotations

import re
from typing import Final

_INLINE: Final = re.compile(r"([\\`*_\[\]<~|])|&(?=#?[0-9A-Za-z]+;)")
_LINE_START: Final = re.compile(r"^(\s*)(?:([#>+=-])|(\d+)([.)]))", re.MULTILINE)
_ESCAPED: Final = re.compile(r"\\([\\`*_\[\]<>~|&#+=.)-])")


def plain(value: str, *, line_starts: bool = True) -> str:
    """`value` shown as typed where Markdown is rendered (TextBlocks, facts, messages);
    `line_starts=False` for text put in the middle of a line (no heading or list to undo)."""
    escaped = _INLINE.sub(_escape_inline, value)
    return _LINE_START.sub(_escape_line_start, escaped) if line_starts else escaped


def unescape(value: str) -> str:
    """`plain` undone: the text as typed, for where Markdown is not rendered."""
    return _ESCAPED.sub(r"\1", value)


def _escape_inline(match: re.Match[str]) -> str:
    return "\\" + match[0]


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
