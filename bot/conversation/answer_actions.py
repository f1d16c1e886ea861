"""The actions a follow-up offers, by its checkpoint's action codes (`Checkpoint.actions`).

Which code is an answer in one click, which opens the upload or the deviation dialog, and the
button each becomes. The layout of a card (which action is primary, what goes in the overflow)
is `follow_up_cards`'; this module says only what the actions are, in the checkpoint's order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from bot.conversation.cards import Card, execute_button
from bot.conversation.texts import text
from followup.models import AnswerKind

ANSWER_VERB: Final = "answer"
CHANGE_VERB: Final = "changeAnswer"
UPLOAD_VERB: Final = "uploadDocument"
DEVIATION_VERB: Final = "reportDeviation"
REFRESH_VERB: Final = "refreshCard"
SNOOZE_VERB: Final = "snooze"
SNOOZE_DAY: Final = "1d"
SNOOZE_WEEK: Final = "1w"
SNOOZE_DATE: Final = "date"

ACTION_KINDS: Final = {
    "levert": AnswerKind.DELIVERED,
    "delvis_levert": AnswerKind.PARTLY_DELIVERED,
    "ikke_levert": AnswerKind.NOT_DELIVERED,
    "ikke_relevant": AnswerKind.NOT_APPLICABLE,
}
"""The checkpoint's action codes that are an answer in one click."""
DEFAULT_ACTIONS: Final = ("levert", "delvis_levert", "ikke_levert", "avvik", "ikke_relevant")
ALWAYS: Final = ("utsett",)


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


def item_actions(
    follow_up_id: str, codes: Iterable[str], locale: str | None
) -> list[dict[str, Any]]:
    """The follow-up's actions in the checkpoint's order (`Utsett` always, and last)."""
    wanted = [c for c in codes if c not in ALWAYS] or list(DEFAULT_ACTIONS)
    actions: list[dict[str, Any]] = []
    for code in dict.fromkeys(wanted):
        kind = ACTION_KINDS.get(code)
        data: dict[str, Any] = {"followUpId": follow_up_id}
        if kind is not None:
            data["kind"] = kind.value
            actions.append(execute_button(text(f"answer.action.{code}", locale), ANSWER_VERB, data))
        elif code == "dokumentasjon":
            actions.append(execute_button(text("answer.action.upload", locale), UPLOAD_VERB, data))
        elif code == "avvik":
            actions.append(
                execute_button(text("answer.action.deviation", locale), DEVIATION_VERB, data)
            )
    actions.append(_snooze_action(follow_up_id, locale))
    return actions
