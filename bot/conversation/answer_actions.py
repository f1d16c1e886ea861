"""The actions a follow-up offers, by its checkpoint's action codes (`Checkpoint.actions`).

Which code is an answer in one click, which opens the upload or the deviation dialog, and the
button each becomes (the codes themselves: `followup.answers.actions`). The layout of a card
(which action is primary, what goes in the overflow) is `follow_up_cards`'; this module says
only what the actions are, in the checkpoint's order.

A decision (an option's, or what happens when a contract expires) is not one click: its button
opens a small form (`Action.ShowCard`) with «Besluttet av» (empty: the person answering) and
«Dato for beslutningen» (empty: today), and the answer is sent by its confirm button, with the
two fields (`decided_by_input_id`, `decided_on_input_id`: one pair per answer, so that the
forms of one card never share an input id).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from bot.conversation.cards import Card, execute_button
from bot.conversation.texts import text
from followup.answers.actions import (
    ANSWER_CODES,
    DECISION_KINDS,
    DEFAULT_ACTIONS,
    DEVIATION,
    EVIDENCE_AFTER,
    UPLOAD,
)
from followup.models import MAX_DECIDED_BY, AnswerKind

ANSWER_VERB: Final = "answer"
CHANGE_VERB: Final = "changeAnswer"
UPLOAD_VERB: Final = "uploadDocument"
DEVIATION_VERB: Final = "reportDeviation"
REFRESH_VERB: Final = "refreshCard"
SNOOZE_VERB: Final = "snooze"
SNOOZE_DAY: Final = "1d"
SNOOZE_WEEK: Final = "1w"
SNOOZE_DATE: Final = "date"

ACTION_KINDS: Final = ANSWER_CODES
"""The checkpoint's action codes that are an answer (decisions through their form)."""
ALWAYS: Final = ("utsett",)
PRICE_CHECK: Final = "i_samsvar"
"""Where a checkpoint answers «I samsvar», its deviation button says «Avvik funnet»."""


def decided_by_input_id(follow_up_id: str, kind: AnswerKind) -> str:
    return f"decidedBy-{kind.value}-{follow_up_id}"


def decided_on_input_id(follow_up_id: str, kind: AnswerKind) -> str:
    return f"decidedOn-{kind.value}-{follow_up_id}"


def offers_upload(codes: Iterable[str], kind: AnswerKind | None) -> bool:
    """Whether an answered follow-up still missing evidence offers «Last opp dokumentasjon»:
    its checkpoint takes documents as an answer, or the answer given asks for them (the
    minutes of a meeting held)."""
    return UPLOAD in codes or kind in EVIDENCE_AFTER


def snooze_input_id(follow_up_id: str) -> str:
    return f"snoozeUntil-{follow_up_id}"


def _snooze_action(follow_up_id: str, locale: str | None) -> dict[str, Any]:
    date_input = {
        "type": "Input.Text",
        "id": snooze_input_id(follow_up_id),
        "label": text("reminder.snooze_date", locale),
        "placeholder": text("reminder.snooze_date_placeholder", locale),
        "maxLength": 60,
    }

    def option(key: str, value: str) -> dict[str, Any]:
        data = {"followUpId": follow_up_id, "option": value}
        return execute_button(text(key, locale), SNOOZE_VERB, data)

    form: Card = {
        "type": "AdaptiveCard",
        "body": [date_input],
        "actions": [
            option("reminder.snooze_day", SNOOZE_DAY),
            option("reminder.snooze_week", SNOOZE_WEEK),
            option("reminder.snooze_date", SNOOZE_DATE),
        ],
    }
    return {"type": "Action.ShowCard", "title": text("reminder.snooze", locale), "card": form}


def _decision_action(
    follow_up_id: str, code: str, kind: AnswerKind, locale: str | None
) -> dict[str, Any]:
    """A decision's button: a small form, and the answer sent by its confirm button."""
    label = text(f"answer.action.{code}", locale)
    form: Card = {
        "type": "AdaptiveCard",
        "body": [
            {
                "type": "Input.Text",
                "id": decided_by_input_id(follow_up_id, kind),
                "label": text("answer.decision.by", locale),
                "placeholder": text("answer.decision.by_placeholder", locale),
                "maxLength": MAX_DECIDED_BY,
            },
            {
                "type": "Input.Date",
                "id": decided_on_input_id(follow_up_id, kind),
                "label": text("answer.decision.on", locale),
                "placeholder": text("answer.decision.on_placeholder", locale),
            },
        ],
        "actions": [
            execute_button(
                text("answer.decision.confirm", locale, what=label),
                ANSWER_VERB,
                {"followUpId": follow_up_id, "kind": kind.value},
            )
        ],
    }
    return {"type": "Action.ShowCard", "title": label, "card": form}


def item_actions(
    follow_up_id: str, codes: Iterable[str], locale: str | None
) -> list[dict[str, Any]]:
    """The follow-up's actions in the checkpoint's order (`Utsett` always, and last)."""
    wanted = [c for c in codes if c not in ALWAYS] or list(DEFAULT_ACTIONS)
    actions: list[dict[str, Any]] = []
    for code in dict.fromkeys(wanted):
        kind = ACTION_KINDS.get(code)
        data: dict[str, Any] = {"followUpId": follow_up_id}
        if kind is not None and kind in DECISION_KINDS:
            actions.append(_decision_action(follow_up_id, code, kind, locale))
        elif kind is not None:
            data["kind"] = kind.value
            actions.append(execute_button(text(f"answer.action.{code}", locale), ANSWER_VERB, data))
        elif code == UPLOAD:
            actions.append(execute_button(text("answer.action.upload", locale), UPLOAD_VERB, data))
        elif code == DEVIATION:
            key = (
                "answer.action.deviation_found"
                if PRICE_CHECK in wanted
                else "answer.action.deviation"
            )
            actions.append(execute_button(text(key, locale), DEVIATION_VERB, data))
    actions.append(_snooze_action(follow_up_id, locale))
    return actions
