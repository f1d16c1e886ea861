"""The answer side of a follow-up card: its actions, and how it looks once answered.

Every open follow-up on a card (a reminder digest, `mine oppgaver`, `kontrakter`, `plan`, an
owner's `status <avtalenr>`, or the card a typed answer or a click answers with) is one compact
line with the actions its checkpoint asks for, in its order (`Checkpoint.actions`): the first
as a button, the others (`Delvis levert`, `Ikke levert`, `Last opp dokumentasjon`, `Meld
avvik`, `Ikke relevant`, `Utsett`) in the overflow menu, with «Legg til kommentar», which shows
the optional comment field that goes with the answer (`bot.conversation.follow_up_lines`).
Each action is an `Action.Execute` with a verb and the follow-up's id, with an
`Action.Submit` fallback carrying the same data for clients without Universal Actions.

A card lists its follow-ups' ids once, in an invisible input (`cardItems`) that every action
sends along, so that after one item is answered the whole card can be drawn again in place:
answered items show who answered, when and what (and `Endre svar`), the others keep their
actions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from bot.conversation import formatting
from bot.conversation.answer_actions import (
    ACTION_KINDS,
    ANSWER_VERB,
    CHANGE_VERB,
    DEVIATION_VERB,
    REFRESH_VERB,
    SNOOZE_DATE,
    SNOOZE_DAY,
    SNOOZE_VERB,
    SNOOZE_WEEK,
    UPLOAD_VERB,
    item_actions,
    offers_upload,
    snooze_input_id,
)
from bot.conversation.cards import (
    Card,
    CardBudget,
    Element,
    adaptive_card,
    clip,
    execute_button,
    subtle_block,
    text_block,
    title_block,
)
from bot.conversation.follow_up_lines import (
    comment_input,
    comment_input_id,
    compact_actions,
    follow_up_line,
)
from bot.conversation.markdown import plain
from bot.conversation.texts import text
from followup.answers.services import FollowUpView
from followup.models import FollowUpState

CARD_ITEMS_INPUT: Final = "cardItems"
MAX_CARD_ITEMS: Final = 40

OSLO: Final = ZoneInfo("Europe/Oslo")
ANSWERED_STATES: Final = frozenset({FollowUpState.ANSWERED, FollowUpState.DEVIATION_REPORTED})


def card_items_input(follow_up_ids: Sequence[str]) -> Element:
    """The invisible input that carries the card's follow-up ids with every action."""
    return {
        "type": "Input.Text",
        "id": CARD_ITEMS_INPUT,
        "value": ",".join(follow_up_ids[:MAX_CARD_ITEMS]),
        "isVisible": False,
    }


def card_items_from(data: dict[str, Any], follow_up_id: str) -> list[str]:
    """The card's follow-up ids as an action sent them (the acted-on one if none came)."""
    raw = data.get(CARD_ITEMS_INPUT)
    found: list[str] = []
    if isinstance(raw, str) and len(raw) <= MAX_CARD_ITEMS * 40:
        for part in raw.split(","):
            item = part.strip()
            if 0 < len(item) <= 64 and item not in found:
                found.append(item)
    if follow_up_id not in found:
        found.insert(0, follow_up_id)
    return found[:MAX_CARD_ITEMS]


def open_item_parts(follow_up_id: str, codes: Iterable[str], locale: str | None) -> list[Element]:
    """The actions of a follow-up whose answer is being changed (`Endre svar`): the first as
    a button, the rest in the overflow, and the comment field «Legg til kommentar» shows."""
    return [
        {"type": "ActionSet", "actions": compact_actions(follow_up_id, codes, locale)},
        comment_input(follow_up_id, locale),
    ]


def _open_element(view: FollowUpView, today: date, locale: str | None) -> tuple[Element, str]:
    """A follow-up still waiting for its answer: one compact line with its actions, and what
    it already has (documents, what is missing, open deviations)."""
    element, line = follow_up_line(view, today, locale)
    extra: list[Element] = []
    lines = [line]
    if view.documents:
        names = ", ".join(clip(d.file_name, 60) for d in view.documents[:10])
        documents = text("answer.documents", locale, count=len(view.documents), names=names)
        extra.append(plain_text(documents))
        lines.append("  " + documents)
    if view.missing_evidence and view.documents:
        missing = text("answer.missing", locale, names=", ".join(view.missing_evidence))
        extra.append(text_block(missing, color="Attention", spacing="None"))
        lines.append("  " + missing)
    open_deviations = [d for d in view.deviations if d.status.value != "closed"]
    if open_deviations:
        extra.append(subtle_block(text("answer.deviations", locale, count=len(open_deviations))))
    element["items"][1:1] = extra
    return element, "\n".join(lines)


# --- the card of follow-ups, after an answer ---------------------------------------------------


def plain_text(value: str) -> Element:
    """What a person wrote, shown as written: a `TextRun` is not read as Markdown, so a comment
    with `[lenke](…)` or `**` shows those characters instead of a link or bold text."""
    return {
        "type": "RichTextBlock",
        "inlines": [{"type": "TextRun", "text": value}],
        "spacing": "None",
    }


def answered_at(moment: datetime, locale: str | None) -> str:
    local = moment.astimezone(OSLO)
    return text(
        "answer.at",
        locale,
        date=formatting.due(local.date(), locale),
        time=f"{local.hour:02d}{text('answer.time_separator', locale)}{local.minute:02d}",
    )


def answer_line(view: FollowUpView, locale: str | None) -> str | None:
    """`Levert – svart av Kari Nordmann for Ola Hansen, fre. 20.11. kl. 10.42`; a decision
    says who decided and when: `Opsjonen utløses – besluttet av Per Olsen 03.12.2026 (svart
    av Kari Nordmann, fre. 04.12. kl. 10.42)`."""
    latest = view.latest
    if latest is None:
        return None
    what = text(f"answer.kind.{latest.kind.value}", locale)
    by = latest.answered_by_name or "?"
    if latest.on_behalf_of_name:
        who = text("answer.by_for", locale, name=by, owner=latest.on_behalf_of_name)
    else:
        who = text("answer.by", locale, name=by)
    at = answered_at(latest.answered_at, locale)
    answer = latest.answer
    if answer.decided_by and answer.decided_on:
        decided = text(
            "answer.decided",
            locale,
            name=plain(clip(answer.decided_by, 120), line_starts=False),
            date=formatting.numeric(answer.decided_on, locale),
        )
        line = f"{what} – {decided} ({who}, {at})"
    else:
        line = f"{what} – {who}, {at}"
    if latest.version > 1:
        line += " " + text("answer.version", locale, version=latest.version)
    return line


def _due_text(view: FollowUpView, today: date, locale: str | None) -> str:
    due = view.due_date
    if due < today and view.state not in ANSWERED_STATES:
        return text(
            "reminder.overdue", locale, date=formatting.due(due, locale), days=(today - due).days
        )
    return text("reminder.due_in", locale, date=formatting.due(due, locale))


def is_answered(view: FollowUpView) -> bool:
    return view.latest is not None and view.state in ANSWERED_STATES


def follow_up_element(
    view: FollowUpView, today: date, locale: str | None, *, editing: bool = False
) -> tuple[Element, str]:
    """One follow-up on a card, and its plain-text line: compact while it waits for an answer
    (`follow_up_lines`), in full once answered."""
    if not is_answered(view) and (view.state in _OPEN or view.state in ANSWERED_STATES):
        return _open_element(view, today, locale)
    contract, checkpoint = view.contract, view.checkpoint
    head = f"**{_due_text(view, today, locale)}** · **{contract.reference}** " + clip(
        contract.title, 100
    )
    details = [clip(checkpoint.title, 100)]
    if view.supplier_name:
        details.append(text("tasks.supplier", locale, name=clip(view.supplier_name, 80)))
    overdue = view.due_date < today and not is_answered(view)
    elements: list[Element] = [
        text_block(head, color="Attention") if overdue else text_block(head),
        subtle_block(" · ".join(details)),
    ]
    question = checkpoint.question or checkpoint.title
    if question != checkpoint.title:
        elements.append(text_block(clip(question, 300), spacing="Small"))
    lines = [f"- {contract.reference} {clip(contract.title, 100)} – {details[0]}"]
    answer = answer_line(view, locale)
    if answer is not None:
        color = "Good" if view.state is FollowUpState.ANSWERED else "Warning"
        elements.append(text_block(answer, weight="Bolder", color=color, spacing="Small"))
        lines.append("  " + answer)
        if view.latest is not None and view.latest.text:
            elements.append(plain_text("«" + clip(view.latest.text, 500) + "»"))
            lines.append("  «" + clip(view.latest.text, 500) + "»")
    if view.documents:
        names = ", ".join(clip(d.file_name, 60) for d in view.documents[:10])
        documents = text("answer.documents", locale, count=len(view.documents), names=names)
        elements.append(plain_text(documents))
        lines.append("  " + documents)
    if view.missing_evidence:
        missing = text("answer.missing", locale, names=", ".join(view.missing_evidence))
        elements.append(text_block(missing, color="Attention", spacing="None"))
        lines.append("  " + missing)
    open_deviations = [d for d in view.deviations if d.status.value != "closed"]
    if open_deviations:
        elements.append(subtle_block(text("answer.deviations", locale, count=len(open_deviations))))
    if is_answered(view) and not editing:
        data = {"followUpId": view.follow_up.id}
        change = [execute_button(text("answer.action.change", locale), CHANGE_VERB, data)]
        if view.missing_evidence and offers_upload(
            checkpoint.actions, view.latest.kind if view.latest else None
        ):
            change.append(execute_button(text("answer.action.upload", locale), UPLOAD_VERB, data))
        if view.follow_up.state is FollowUpState.DEVIATION_REPORTED and not view.deviations:
            change.append(
                execute_button(text("answer.action.deviation", locale), DEVIATION_VERB, data)
            )
        elements.append({"type": "ActionSet", "actions": change})
    elif view.state in ANSWERED_STATES or view.state in _OPEN:
        elements += open_item_parts(view.follow_up.id, checkpoint.actions, locale)
    else:
        closed = text("answer.closed", locale)
        elements.append(subtle_block(closed))
        lines.append("  " + closed)
    container = {"type": "Container", "items": elements, "separator": True, "spacing": "Medium"}
    return container, "\n".join(lines)


_OPEN: Final = frozenset(
    {
        FollowUpState.PLANNED,
        FollowUpState.NOTIFIED,
        FollowUpState.REMINDED,
        FollowUpState.ESCALATED,
        FollowUpState.SNOOZED,
    }
)


def follow_ups_card(
    views: Sequence[FollowUpView],
    today: date,
    locale: str | None,
    *,
    editing: str | None = None,
    notice: str | None = None,
) -> Card:
    """The card of one or more follow-ups, as it stands now (`editing`: the one whose answer
    is being changed shows its actions again)."""
    open_count = sum(1 for v in views if not is_answered(v))
    if open_count == 0:
        title = text("answer.card_title_done", locale)
    else:
        title = text("answer.card_title", locale, count=open_count)
    body: list[Element] = [title_block(title)]
    lines = [title]
    if notice:
        body.append(text_block(notice, color="Accent", weight="Bolder"))
        lines.append(notice)
    budget = CardBudget(MAX_CARD_ITEMS)
    shown: list[str] = []
    for view in views:
        element, line = follow_up_element(view, today, locale, editing=view.follow_up.id == editing)
        if not budget.take(element, line):
            break
        body.append(element)
        lines.append(line)
        shown.append(view.follow_up.id)
    if len(shown) < len(views):
        more = text("reminder.more", locale, count=len(views) - len(shown))
        body.append(subtle_block(more, separator=True))
        lines.append(more)
    body.append(card_items_input(shown))
    return adaptive_card(body, "\n".join(lines))


__all__ = [
    "ACTION_KINDS",
    "ANSWER_VERB",
    "CARD_ITEMS_INPUT",
    "CHANGE_VERB",
    "DEVIATION_VERB",
    "REFRESH_VERB",
    "SNOOZE_DATE",
    "SNOOZE_DAY",
    "SNOOZE_VERB",
    "SNOOZE_WEEK",
    "UPLOAD_VERB",
    "answer_line",
    "card_items_from",
    "card_items_input",
    "comment_input_id",
    "compact_actions",
    "follow_up_element",
    "follow_up_line",
    "follow_ups_card",
    "item_actions",
    "open_item_parts",
    "snooze_input_id",
]
