"""Deviations as Adaptive Cards 1.5: the alert to the procurement channels, the report dialog's
choice buttons and summary, and the lists and history the commands show.

`DeviationCards` implements `followup.deviations.services.DeviationAlertRenderer`. Every deviation
is
shown with its code (`AV-2026-0042`, `followup.deviations.codes`), which the commands accept.
What people typed (descriptions, notes) and register text are put into TextBlocks and facts
through `plain`, which escapes Markdown: `**`, `[lenke](…)` and `<script>` show as typed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Final

from bot.conversation import formatting
from bot.conversation.cards import (
    ANSWER_KEY,
    Card,
    Element,
    adaptive_card,
    answer_button_rows,
    choices_card,
    clip,
    fact_set,
    subtle_block,
    text_block,
    title_block,
)
from bot.conversation.follow_up_cards import answered_at
from bot.conversation.labels import (
    SERIOUS,
    category_label,
    remedy_label,
    severity_before_noun,
    severity_label,
    status_label,
)
from bot.conversation.markdown import plain, unescape
from bot.conversation.texts import text
from followup.deviations.codes import shown_code
from followup.deviations.services import DeviationAlert, DeviationView
from followup.models import (
    AuditEvent,
    Deviation,
    DeviationStatus,
)
from followup.ports import OutgoingMessage

CHANNEL_LOCALE: Final = "nb-NO"
"""The key of a dialog button's `Action.Submit` data: the answer, as if typed."""
MAX_DESCRIPTION_SHOWN: Final = 1500
MAX_LISTED: Final = 30
MAX_HISTORY: Final = 30


def _plain_clip(value: str, limit: int) -> str:
    return plain(clip(value, limit))


# --- labels -------------------------------------------------------------------------------------


def day_label(day: date, locale: str | None) -> str:
    """`fredag 20. november 2026`."""
    return formatting.long(day, locale, with_year=True)


def numbered(labels: Sequence[str]) -> str:
    """`1 Forsinkelse · 2 Mangel / kvalitetsavvik · …` (the plain-text form of the buttons)."""
    return " · ".join(f"{n} {label}" for n, label in enumerate(labels, start=1))


# --- the dialog's cards ---------------------------------------------------------------------------


def summary_card(facts: Sequence[tuple[str, str]], description: str, locale: str | None) -> Card:
    """What is about to be reported, with Ja / Nei. `facts` are shown as given (escaped by the
    caller); the description is escaped here."""
    title = text("deviation.dialog.summary", locale)
    body: list[Element] = [
        text_block(title, weight="Bolder"),
        fact_set(facts),
        text_block(plain(_clip_lines(description, MAX_DESCRIPTION_SHOWN)), spacing="Small"),
        *answer_button_rows(
            [
                (text("deviation.dialog.yes", locale), "ja"),
                (text("deviation.dialog.no", locale), "nei"),
            ]
        ),
    ]
    lines = [title, *(f"{k}: {unescape(v)}" for k, v in facts), description]
    return adaptive_card(body, "\n".join(lines))


def _clip_lines(value: str, limit: int) -> str:
    """Like `clip`, but keeping the line breaks of a description."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


# --- the alert to procurement --------------------------------------------------------------------


class DeviationCards:
    """Renders a serious deviation for the procurement channels (Norwegian)."""

    def deviation_alert(self, alert: DeviationAlert) -> OutgoingMessage:
        locale = CHANNEL_LOCALE
        deviation, contract = alert.deviation, alert.contract
        code = shown_code(deviation)
        severity = severity_label(deviation.severity, locale)
        title = text(
            "deviation.alert.title",
            locale,
            severity=severity_before_noun(deviation.severity, locale),
            reference=contract.reference,
        )
        reporter = alert.reporter.display_name
        intro = text(
            "deviation.alert.intro",
            locale,
            name=plain(clip(reporter, 80)),
            at=answered_at(deviation.reported_at, locale),
        )
        facts = [
            (
                text("deviation.field.contract", locale),
                f"{plain(contract.reference)} {_plain_clip(contract.title, 100)}",
            ),
        ]
        if alert.supplier is not None:
            facts.append(
                (text("deviation.field.supplier", locale), _plain_clip(alert.supplier.name, 100))
            )
        facts += [
            (text("deviation.field.severity", locale), severity),
            (text("deviation.field.category", locale), category_label(deviation.category, locale)),
            (text("deviation.field.date", locale), day_label(deviation.occurred_on, locale)),
            (text("deviation.field.remedy", locale), remedy_label(deviation.remedy, locale)),
            (text("deviation.field.reporter", locale), _plain_clip(reporter, 80)),
        ]
        if alert.follow_up is not None:
            checkpoint = alert.checkpoint.title if alert.checkpoint else ""
            facts.append(
                (
                    text("deviation.field.follow_up", locale),
                    text(
                        "deviation.follow_up_value",
                        locale,
                        checkpoint=_plain_clip(checkpoint, 100),
                        due=formatting.due(alert.follow_up.due_date, locale),
                    ),
                )
            )
        facts.append((text("deviation.field.code", locale), code))
        how_to = text("deviation.alert.how_to", locale, code=code)
        description = _clip_lines(deviation.description, MAX_DESCRIPTION_SHOWN)
        body: list[Element] = [
            title_block(title) | {"color": "Attention"},
            subtle_block(intro),
            fact_set(facts, spacing="Medium"),
            text_block(text("deviation.field.description", locale), weight="Bolder"),
            text_block(plain(description), spacing="None"),
            text_block(how_to, isSubtle=True, spacing="Medium"),
        ]
        lines = [title, unescape(intro), *(f"{k}: {unescape(v)}" for k, v in facts)]
        lines += [description, how_to]
        return OutgoingMessage(
            text=title,
            card=adaptive_card(body, "\n".join(lines)),
            metadata={"deviation_id": deviation.id},
        )


# --- lists and history ----------------------------------------------------------------------------


def deviation_line(view: DeviationView, locale: str | None) -> str:
    """`AV-2026-0042 · KOM-2025-0147 · Forsinkelse · Høy · Åpent · 20.11.2026` (plain text)."""
    d = view.deviation
    return " · ".join(
        [
            shown_code(d),
            view.contract.reference,
            category_label(d.category, locale),
            severity_label(d.severity, locale),
            status_label(d.status, locale),
            formatting.numeric(d.occurred_on, locale),
        ]
    )


def deviations_card(views: Sequence[DeviationView], locale: str | None) -> Card:
    """A person's open deviations, each with its code."""
    title = text("deviation.list.title", locale, count=len(views))
    hint = text("deviation.list.hint", locale)
    body: list[Element] = [title_block(title), subtle_block(hint)]
    lines = [title, hint, ""]
    for view in views[:MAX_LISTED]:
        d = view.deviation
        head = f"**{shown_code(d)}** · **{plain(view.contract.reference)}** " + _plain_clip(
            view.contract.title, 80
        )
        detail = " · ".join(
            [
                category_label(d.category, locale),
                severity_label(d.severity, locale),
                status_label(d.status, locale),
                formatting.numeric(d.occurred_on, locale),
            ]
        )
        color = "Attention" if d.severity in SERIOUS else "Default"
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    text_block(head, color=color),
                    subtle_block(detail),
                    text_block(_plain_clip(d.description, 200), spacing="Small"),
                ],
            }
        )
        lines.append(f"- {deviation_line(view, locale)}: {clip(d.description, 200)}")
    if len(views) > MAX_LISTED:
        more = text("deviation.list.more", locale, count=len(views) - MAX_LISTED)
        body.append(subtle_block(more, separator=True))
        lines.append(more)
    return adaptive_card(body, "\n".join(lines))


def _history_line(
    event: AuditEvent, names: Mapping[str, str], locale: str | None
) -> tuple[str, str | None]:
    actor = event.actor.removeprefix("person:")
    name = names.get(actor, "?")
    at = answered_at(event.at, locale)
    if event.action == "deviation.reported":
        return text("deviation.history.reported", locale, name=name, at=at), None
    before = (event.before or {}).get("status")
    after = (event.after or {}).get("status")
    line = text(
        "deviation.history.updated",
        locale,
        name=name,
        at=at,
        before=_status_word(before, locale),
        after=_status_word(after, locale),
    )
    note = (event.after or {}).get("note")
    return line, note if isinstance(note, str) and note else None


def _status_word(value: object, locale: str | None) -> str:
    try:
        return status_label(DeviationStatus(str(value)), locale)
    except ValueError:
        return str(value)


def history_card(
    view: DeviationView,
    events: Sequence[AuditEvent],
    names: Mapping[str, str],
    locale: str | None,
) -> Card:
    """One deviation: what it is, its status, and every change (who and when)."""
    d: Deviation = view.deviation
    code = shown_code(d)
    title = text("deviation.history.title", locale, code=code, reference=view.contract.reference)
    facts = [
        (text("deviation.field.contract", locale), _plain_clip(view.contract.title, 100)),
        (text("deviation.field.status", locale), status_label(d.status, locale)),
        (text("deviation.field.severity", locale), severity_label(d.severity, locale)),
        (text("deviation.field.category", locale), category_label(d.category, locale)),
        (text("deviation.field.date", locale), day_label(d.occurred_on, locale)),
        (text("deviation.field.remedy", locale), remedy_label(d.remedy, locale)),
    ]
    body: list[Element] = [
        title_block(plain(title)),
        fact_set(facts),
        text_block(plain(_clip_lines(d.description, MAX_DESCRIPTION_SHOWN)), spacing="Small"),
    ]
    lines = [title, *(f"{k}: {unescape(v)}" for k, v in facts), d.description, ""]
    for event in events[-MAX_HISTORY:]:
        line, note = _history_line(event, names, locale)
        body.append(text_block(plain(line), isSubtle=True, separator=True, spacing="Small"))
        lines.append(line)
        if note:
            shown = text("deviation.history.note", locale, note=clip(note, 300))
            body.append(text_block(plain(shown), spacing="None"))
            lines.append("  " + shown)
    return adaptive_card(body, "\n".join(lines))


__all__ = [
    "ANSWER_KEY",
    "CHANNEL_LOCALE",
    "DeviationCards",
    "category_label",
    "choices_card",
    "day_label",
    "deviation_line",
    "deviations_card",
    "history_card",
    "numbered",
    "plain",
    "remedy_label",
    "severity_label",
    "status_label",
    "summary_card",
]
