"""The proactive messages as Adaptive Cards 1.5: a person's reminder digest, and for the
procurement channels the escalations, the unreachable people and the weekly summary.

`ReminderCards` implements `followup.reminders.planning.ReminderRenderer`. Each digest item carries
its
own actions (`Action.Execute`, verb and follow-up id): `Utsett` opens a small form (one working
day, one week, or a date typed in Norwegian). Every card has a plain-text rendering in
`fallbackText` and as the message text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from bot.conversation import formatting
from bot.conversation.cards import (
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
    open_item_parts,
    snooze_input_id,
)
from bot.conversation.texts import text
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
    `followup.reminders.planning.ReminderRenderer`)."""

    def digest(self, digest: Digest) -> OutgoingMessage:
        locale = digest.recipient.locale
        count = len(digest.items) + digest.more
        title = (
            text("reminder.title_one", locale)
            if count == 1
            else text("reminder.title", locale, count=count)
        )
        first = digest.items[0].contract.reference if digest.items else ""
        intro = text("reminder.intro", locale, reference=first)
        body: list[Element] = [title_block(title), subtle_block(intro)]
        lines = [title, intro, ""]
        shown_old = False
        for item in digest.items:
            if not item.new and not shown_old:
                shown_old = True
                heading = text("reminder.also_overdue", locale)
                body.append(text_block(heading, weight="Bolder", separator=True, spacing="Medium"))
                lines += ["", heading]
            body.append(_digest_item(item, digest, locale))
            lines.append(_digest_line(item, digest, locale))
        if digest.more:
            more = text("reminder.more", locale, count=digest.more)
            body.append(subtle_block(more, separator=True))
            lines += ["", more]
        body.append(card_items_input([item.follow_up.id for item in digest.items]))
        fallback = "\n".join(lines)
        return OutgoingMessage(text=title, card=adaptive_card(body, fallback))

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
        title = text("weekly.title", locale, week=summary.week)
        period = text(
            "weekly.period",
            locale,
            since=formatting.numeric(summary.since, locale),
            today=formatting.numeric(summary.today, locale),
        )
        deviations = ", ".join(
            f"{counts.open_deviations[s.value]} " + text(f"weekly.severity.{s.value}", locale)
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
            (text("weekly.overdue", locale), str(counts.overdue)),
            (text("weekly.escalated", locale), str(counts.escalated)),
            (text("weekly.deviations", locale), deviations),
            (text("weekly.unreachable", locale), unreachable),
        ]
        body: list[Element] = [title_block(title), subtle_block(period), fact_set(facts)]
        fallback = "\n".join([title, period, *(f"{k}: {v}" for k, v in facts)])
        return OutgoingMessage(text=title, card=adaptive_card(body, fallback))


# --- digest items -----------------------------------------------------------------------------


def _due(item: DigestItem, digest: Digest, locale: str | None) -> str:
    due = item.follow_up.due_date
    if due < digest.today:
        return text(
            "reminder.overdue",
            locale,
            date=formatting.due(due, locale),
            days=(digest.today - due).days,
        )
    if due == digest.today:
        return text("reminder.due_today", locale)
    return text("reminder.due_in", locale, date=formatting.due(due, locale))


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
        notes.append(text("reminder.snoozed", locale))
    return notes


def _digest_item(item: DigestItem, digest: Digest, locale: str | None) -> Element:
    overdue = item.follow_up.due_date < digest.today
    head = f"**{_due(item, digest, locale)}** · **{item.contract.reference}** " + clip(
        item.contract.title, 100
    )
    question = item.checkpoint.question or item.checkpoint.title
    details = [clip(item.checkpoint.title, 100)]
    if item.supplier is not None:
        details.append(text("tasks.supplier", locale, name=clip(item.supplier.name, 80)))
    elements: list[Element] = [
        text_block(head, color="Attention") if overdue else text_block(head),
        subtle_block(" · ".join(details)),
    ]
    if question != item.checkpoint.title:
        elements.append(text_block(clip(question, 300), spacing="Small"))
    notes = _notes(item, locale)
    if notes:
        elements.append(text_block(" · ".join(notes), color="Accent", spacing="None"))
    elements += open_item_parts(item.follow_up.id, item.checkpoint.actions, locale)
    return {"type": "Container", "items": elements, "separator": True, "spacing": "Medium"}


def _digest_line(item: DigestItem, digest: Digest, locale: str | None) -> str:
    parts = [
        f"- {_due(item, digest, locale)}: {item.contract.reference} "
        + clip(item.contract.title, 100),
        clip(item.checkpoint.title, 100),
    ]
    if item.supplier is not None:
        parts.append(clip(item.supplier.name, 80))
    parts += _notes(item, locale)
    return " – ".join(parts)


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
