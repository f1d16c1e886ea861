"""The proactive messages as Adaptive Cards 1.5: a person's reminder digest, and for the
procurement channels the escalations, the unreachable people and the weekly summary.

`ReminderCards` implements `followup.reminders.planning.ReminderRenderer`. A digest lists each
follow-up once, under one heading (overdue, due today, coming), as one compact line with its
actions (`bot.conversation.follow_up_lines`: the first as a button, the rest in the overflow
menu, among them `Utsett`, a small form: one working day, one week, or a date typed in
Norwegian). Every card has a plain-text rendering in `fallbackText` and as the message text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Final, cast

from bot.conversation import formatting
from bot.conversation.cards import (
    MAX_BYTES,
    CardBudget,
    Element,
    adaptive_card,
    clip,
    fact_set,
    subtle_block,
    text_block,
    title_block,
)
from bot.conversation.follow_up_cards import (
    SNOOZE_DATE,
    SNOOZE_DAY,
    SNOOZE_VERB,
    SNOOZE_WEEK,
    card_items_input,
    snooze_input_id,
)
from bot.conversation.texts import text
from bot.reminders.digest_lines import DigestLines, LineElement, LineTemplates
from followup.calendar.workdays import oslo_today
from followup.models import FollowUpState, Severity
from followup.ports import OutgoingMessage
from followup.reminders.planning import (
    Digest,
    DigestItem,
    ItemRole,
    ProcurementEscalation,
    StuckItem,
    UnreachableNotice,
    WeeklySummary,
)

CHANNEL_LOCALE: Final = "nb-NO"
MAX_LISTED: Final = 40


class ReminderCards:
    """Renders what the planner decided to say (see
    `followup.reminders.planning.ReminderRenderer`); a digest's lines come from templates kept
    for the life of the renderer (`bot.reminders.digest_lines`).

    `outbox=True`: the cards are only to be serialised (written to the outbox, as the
    scheduler's renderer does): a digest's lines are left as the JSON text they were made as
    (`orjson.Fragment`), which `orjson.dumps` writes unchanged, byte for byte the text of
    the same card made of dicts. Anything that reads a card (tests, the schema) takes them
    as dicts, the default."""

    def __init__(self, *, outbox: bool = False) -> None:
        self._lines = LineTemplates()
        self._outbox = outbox

    def digest(self, digest: Digest) -> OutgoingMessage:
        locale = digest.recipient.locale
        items = _once(digest.items)
        count = len(items) + digest.more
        title = _word("reminder.title", locale, count)
        first = items[0].contract.reference if items else ""
        intro = text("reminder.intro", locale, reference=first)
        body: list[LineElement] = [title_block(title), subtle_block(intro)]
        lines = [title, intro]
        taking = DigestLines(
            CardBudget(MAX_LISTED),
            self._lines,
            with_actions=MAX_LISTED,
            action_bytes=MAX_BYTES,
            as_json=self._outbox,
        )
        for heading, group in _groups(items, digest.today, locale):
            taken = []
            for item in group:
                found = taking.take(item, digest.today, locale, notes=_notes(item, locale))
                if found is None:
                    break
                taken.append(found)
            if taken:
                body.append(text_block(heading, weight="Bolder", spacing="Medium"))
                lines += ["", heading]
            for element, line in taken:
                body.append(element)
                lines.append(line)
            if len(taken) < len(group):
                break  # the card is full
        left_out = len(items) - taking.budget.shown + digest.more
        if left_out:
            more = _word("reminder.more", locale, left_out)
            body.append(subtle_block(more, separator=True))
            lines += ["", more]
        hint = taking.hint(locale)
        if hint:
            body.append(subtle_block(hint))
            lines.append(hint)
        body.append(card_items_input(taking.acted))
        fallback = "\n".join(lines)
        # With `outbox`, some elements are JSON fragments: a card only to be serialised.
        card = adaptive_card(cast(list[Element], body), fallback)
        return OutgoingMessage(text=title, card=card)

    def procurement_escalation(self, escalation: ProcurementEscalation) -> OutgoingMessage:
        locale = CHANNEL_LOCALE
        title = text("escalation.title", locale, count=len(escalation.items))
        intro = text("escalation.intro", locale)
        return _stuck_card(title, intro, escalation.items, locale)

    def unreachable(self, notice: UnreachableNotice) -> OutgoingMessage:
        locale = CHANNEL_LOCALE
        if notice.person is None:
            title = text("unreachable.title_nobody", locale)
            intro = text("unreachable.intro_nobody", locale)
        else:
            name = _person_name(notice.person.display_name, notice.person.email)
            title = text("unreachable.title", locale, name=name)
            intro = text("unreachable.intro", locale, name=name, reason=notice.reason)
        return _stuck_card(title, intro, notice.items, locale)

    def weekly(self, summary: WeeklySummary) -> OutgoingMessage:
        locale = CHANNEL_LOCALE
        counts = summary.counts
        title = _weekly_title(summary, locale)
        period = text(
            "weekly.period", locale, period=formatting.period(summary.since, summary.until, locale)
        )
        deviations = ", ".join(
            text(f"weekly.severity.{s.value}", locale, count=counts.open_deviations[s.value])
            for s in (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)
            if counts.open_deviations.get(s.value)
        ) or text("weekly.deviations_none", locale)
        unreachable = ", ".join(
            clip(p.display_name, 60) for p in counts.unreachable_people[:20]
        ) or text("weekly.unreachable_none", locale)
        facts = [
            (
                text("weekly.answered", locale),
                text(
                    "weekly.answered_value",
                    locale,
                    count=counts.answered,
                    on_time=counts.answered_on_time,
                ),
            ),
            (text("weekly.overdue", locale), formatting.number(counts.overdue, locale)),
            (text("weekly.escalated", locale), formatting.number(counts.escalated, locale)),
            (text("weekly.deviations", locale), deviations),
            (text("weekly.unreachable", locale), unreachable),
        ]
        body: list[Element] = [title_block(title), subtle_block(period), fact_set(facts)]
        fallback = "\n".join([title, period, *(f"{k}: {v}" for k, v in facts)])
        return OutgoingMessage(text=title, card=adaptive_card(body, fallback))


def _weekly_title(summary: WeeklySummary, locale: str | None) -> str:
    """`Ukesoppsummering for uke 50`: the ISO week(s) of the days it covers."""
    first, last = summary.since.isocalendar().week, summary.until.isocalendar().week
    if first == last:
        return text("weekly.title", locale, week=first)
    return text("weekly.title_weeks", locale, first=first, last=last)


# --- digest items -----------------------------------------------------------------------------


@lru_cache(maxsize=2048)
def _word(key: str, locale: str | None, count: int | None = None) -> str:
    """A word every digest says alike (a heading, a count), looked up in the catalogue once."""
    return text(key, locale) if count is None else text(key, locale, count=count)


def _once(items: Sequence[DigestItem]) -> list[DigestItem]:
    """Each follow-up once (the first time the planner named it: new before old)."""
    seen: set[str] = set()
    kept = []
    for item in items:
        if item.follow_up.id not in seen:
            seen.add(item.follow_up.id)
            kept.append(item)
    return kept


def _groups(
    items: Sequence[DigestItem], today: date, locale: str | None
) -> list[tuple[str, list[DigestItem]]]:
    """Overdue, due today, coming: each item under one heading, earliest due first."""
    ordered = sorted(items, key=lambda i: (i.follow_up.due_date, i.contract.reference))
    groups = [
        ("reminder.group.overdue", [i for i in ordered if i.follow_up.due_date < today]),
        ("reminder.group.today", [i for i in ordered if i.follow_up.due_date == today]),
        ("reminder.group.coming", [i for i in ordered if i.follow_up.due_date > today]),
    ]
    return [(_word(key, locale), group) for key, group in groups if group]


def _notes(item: DigestItem, locale: str | None) -> list[str]:
    notes = []
    owner = item.owner.display_name if item.owner else None
    if item.role is ItemRole.COVERING and owner:
        notes.append(text("reminder.covering_for", locale, name=owner))
    elif item.role is ItemRole.ESCALATED:
        notes.append(
            text("reminder.escalated", locale, name=owner)
            if owner
            else text("reminder.escalated_nobody", locale)
        )
    if item.follow_up.state is FollowUpState.SNOOZED:
        notes.append(_word("reminder.snoozed", locale))
    if item.evaluation is not None:
        evaluated_on = oslo_today(item.evaluation.evaluated_at)
        notes.append(
            text(
                "evaluation.reminder.latest",
                locale,
                when=formatting.numeric(evaluated_on, locale),
                overall=item.evaluation.overall,
            )
        )
    return notes


# --- procurement -------------------------------------------------------------------------------


def _person_name(name: str | None, email: str | None) -> str:
    if name and email:
        return f"{clip(name, 80)} ({email})"
    return clip(name or email or "?", 120)


def _stuck_card(
    title: str, intro: str, items: Sequence[StuckItem], locale: str | None
) -> OutgoingMessage:
    body: list[Element] = [title_block(title), subtle_block(intro)]
    lines = [title, intro, ""]
    for item in items[:MAX_LISTED]:
        owner = item.owner.display_name if item.owner else "–"
        head = f"**{item.contract.reference}** " + clip(item.contract.title, 100)
        detail = [
            clip(item.checkpoint.title, 100),
            text("escalation.item", locale, days=item.days_overdue, owner=owner),
        ]
        if (
            item.responsible is not None
            and item.owner is not None
            and (item.responsible.id != item.owner.id)
        ):
            detail.append(
                text("escalation.responsible", locale, name=item.responsible.display_name)
            )
        body.append(
            {
                "type": "Container",
                "items": [text_block(head), subtle_block(" · ".join(detail))],
                "separator": True,
            }
        )
        lines.append(f"- {item.contract.reference} {item.contract.title} – " + " – ".join(detail))
    if len(items) > MAX_LISTED:
        more = text("reminder.more_stuck", locale, count=len(items) - MAX_LISTED)
        body.append(subtle_block(more, separator=True))
        lines.append(more)
    return OutgoingMessage(text=title, card=adaptive_card(body, "\n".join(lines)))


__all__ = [
    "SNOOZE_DATE",
    "SNOOZE_DAY",
    "SNOOZE_VERB",
    "SNOOZE_WEEK",
    "ReminderCards",
    "snooze_input_id",
]
