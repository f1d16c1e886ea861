"""The archive hand-off's cards: the status `arkiv` answers with, and the alert to the
procurement channels (`followup.archive.alerts.ArchiveAlertRenderer`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from bot.conversation.cards import (
    Card,
    Element,
    adaptive_card,
    clip,
    fact_set,
    subtle_block,
    text_block,
    title_block,
)
from bot.conversation.formatting import number, numeric
from bot.conversation.texts import text
from followup.archive.ports import ArchiveState, FailedArchiveMessage
from followup.archive.services import ArchiveStatus
from followup.calendar.workdays import oslo_today
from followup.ports import OutgoingMessage

LISTED: Final = 10
"""Failures a card names; the rest are counted."""


def failure_line(failure: FailedArchiveMessage, locale: str | None) -> str:
    why = failure.error_kind.value if failure.error_kind is not None else "unknown"
    return text(
        "archive.failed.line",
        locale,
        reference=failure.reference,
        title=clip(failure.title, 120),
        why=text(f"archive.why.{why}", locale),
        attempts=failure.attempts,
        when=numeric(oslo_today(failure.at), locale),
    )


def _failures(
    failures: Sequence[FailedArchiveMessage], total: int, locale: str | None
) -> list[str]:
    lines = [text("archive.failed.heading", locale, count=total)]
    lines += [failure_line(f, locale) for f in failures[:LISTED]]
    if total > LISTED:
        lines.append(text("archive.failed.more", locale, count=total - LISTED))
    return lines


def status_card(status: ArchiveStatus, locale: str | None) -> Card:
    """Messages per state, and the failures (newest first) with what to do about them."""
    heading = text("archive.status.title", locale)
    body: list[Element] = [title_block(heading)]
    lines = [heading]
    if status.total == 0:
        said = text("archive.nothing", locale)
        return adaptive_card([*body, text_block(said)], f"{heading}\n{said}")
    facts = [
        (text(f"archive.state.{state.value}", locale), number(status.counts[state], locale))
        for state in ArchiveState
    ]
    body.append(fact_set(facts))
    lines += [f"{k}: {v}" for k, v in facts]
    if status.waiting_long:
        waiting = text("archive.waiting_long", locale, count=status.waiting_long)
        body.append(text_block(waiting, color="Warning"))
        lines.append(waiting)
    failed = status.counts[ArchiveState.FAILED]
    if failed:
        listed = _failures(status.failed, failed, locale)
        body.append(text_block(listed[0], weight="Bolder", color="Attention"))
        body += [text_block(line) for line in listed[1:]]
        hint = text("archive.failed.hint", locale)
        body.append(subtle_block(hint))
        lines += [*listed, hint]
    return adaptive_card(body, "\n".join(lines))


class ArchiveCards:
    """The archive's proactive message (`followup.archive.alerts.ArchiveAlertRenderer`), in
    Bokmål: the outbox has no recipient language yet."""

    def archive_failures(self, failures: Sequence[FailedArchiveMessage]) -> OutgoingMessage:
        locale = "nb-NO"
        heading = text("archive.alert.title", locale, count=len(failures))
        said = text("archive.alert.text", locale)
        listed = _failures(failures, len(failures), locale)[1:]
        body: list[Element] = [
            title_block(heading),
            text_block(said, color="Attention"),
            *(text_block(line) for line in listed),
        ]
        card = adaptive_card(body, "\n".join([heading, said, *listed]))
        return OutgoingMessage(card["fallbackText"], card=card)
