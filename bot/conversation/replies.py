"""Turning results into activities: cards with their plain-text twin, and domain errors by code."""

from __future__ import annotations

import copy
import logging
from datetime import date, datetime
from string import Formatter
from typing import Any

from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import Activity

from bot.conversation import formatting
from bot.conversation.markdown import plain
from bot.conversation.texts import CATALOGUES, text
from bot.teams.codec import JsonReady
from followup.dates import DateReading, Prefer, read_date
from followup.dates import read_period as read_period_phrase
from followup.errors import FollowUpError

log = logging.getLogger(__name__)


class SentCard(JsonReady):
    """A card's content as the bot sends it: built for one reply and never changed after, so
    the copy botbuilder makes of every outgoing activity (`TurnContext.send_activities`
    deep-copies it) shares it instead of copying a hundred dicts per card, and the codec writes
    it as it is (`JsonReady`: a card is JSON from the start)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> SentCard:
        return self


class SentActivity(Activity):  # type: ignore[misc]  # botbuilder's models are untyped
    """An outgoing activity built for one send. `TurnContext.send_activities` deep-copies every
    activity before addressing it, so that the caller's object is left as it was; it only sets
    attributes on the copy (`apply_conversation_reference`), and the bot never uses the object
    again, so a shallow copy does: about a hundred objects fewer to copy per reply."""

    def __deepcopy__(self, memo: dict[int, Any]) -> SentActivity:
        return copy.copy(self)


def shared_cards(activity: Activity | str) -> Activity:
    """`activity` (text becomes a message) ready to send: its cards' content as `SentCard`s
    and itself a `SentActivity` (see both); returns it."""
    if isinstance(activity, str):
        activity = MessageFactory.text(activity)
    for attachment in activity.attachments or []:
        content = attachment.content
        if type(content) is dict:
            attachment.content = SentCard(content)
    if type(activity) is Activity:
        activity.__class__ = SentActivity
    return activity


def card_reply(card: dict[str, Any]) -> Activity:
    """A message with one Adaptive Card; `summary` holds the card's plain-text rendering."""
    activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
    activity.summary = card.get("fallbackText")
    return activity


def error_reply(error: FollowUpError, locale: str | None, *, markdown: bool = True) -> str:
    """The friendly text for a domain error, chosen by its `code` (never by its message). Its
    values may be what the user typed or sent: escaped where the text is rendered as Markdown
    (a message; not a card action's answer, which Teams shows as it is: `markdown=False`)."""
    code = error.code
    if code and code in CATALOGUES["nb"]:
        values = {k: _shown(v, markdown) for k, v in error.values.items()}
        if _fields(text(code, locale)) <= values.keys():
            return text(code, locale, **values)
        log.warning("a domain error's values do not fit its text", extra={"code": code})
    log.warning(
        "domain error without a text", extra={"code": str(code), "error": type(error).__name__}
    )
    return text("error.domain", locale)


def _fields(template: str) -> set[str]:
    return {
        name.split(".")[0].split("[")[0] for _, name, _, _ in Formatter().parse(template) if name
    }


def _shown(value: object, markdown: bool) -> object:
    """Values from the user, cut to a length a message can show (and escaped for Markdown)."""
    if isinstance(value, str):
        value = " ".join(value.split())
        value = value if len(value) <= 80 else value[:79] + "…"
        return plain(value, line_starts=False) if markdown else value
    return value


# --- dates typed by the user ------------------------------------------------------------------


class DateProblem(Exception):
    """A date the user typed was not understood or is ambiguous; `reply` says so."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


def _checked(reading: DateReading, today: date, locale: str | None) -> date:
    if reading.date is not None:
        return reading.date
    if reading.ambiguous:
        options = formatting.alternatives(reading.readings, today, locale)
        raise DateProblem(text("date.ambiguous", locale, options=options))
    shown = " ".join(reading.text.split())[:60]
    raise DateProblem(text("date.not_understood", locale, text=shown))


def read_period(
    phrase: str,
    now: datetime,
    today: date,
    locale: str | None,
    *,
    prefer: Prefer | None = None,
) -> tuple[date, date]:
    """The first and last day of a period the user typed (`fra 7.12 til 18.12`, `i morgen`).

    Only `followup.dates` reads dates; ambiguous or unread dates raise `DateProblem`.
    `prefer="past"` reads a start without a year as the most recent one (a period looked back
    on, as in an export); the end follows the start either way.
    """
    halves = read_period_phrase(phrase, now, prefer=prefer)
    if halves is None:
        day = _checked(read_date(phrase, now, prefer=prefer), today, locale)
        return day, day
    return _checked(halves[0], today, locale), _checked(halves[1], today, locale)


def read_one_date(
    phrase: str, now: datetime, today: date, locale: str | None, *, prefer: Prefer | None = None
) -> date:
    """One date the user typed (`fredag`, `15.12`, `neste uke`); raises `DateProblem`.

    `prefer="past"` reads a bare weekday or a date without a year as the most recent one (for
    "when did it happen"); see `followup.dates.read_date`."""
    return _checked(read_date(phrase, now, prefer=prefer), today, locale)
