"""One question of a dialog, asked until it gets an answer it can use.

A `Question` asks (a message, often with buttons), reads the reply (typed, or a button's
`Action.Submit` value under `ANSWER_KEY`) and ends with what it read. An
answer it cannot use is told why, in the same message as the question asked again. What to
ask and how to read it belong to the owning dialog (`QuestionOwner`), looked up by the
question's id: the dialog state holds only plain data, so a question survives a restart.
"""

from __future__ import annotations

from typing import Any, Final, Protocol

from botbuilder.core import TurnContext
from botbuilder.dialogs import Dialog, DialogContext, DialogInstance, DialogTurnResult
from botbuilder.schema import Activity, ActivityTypes

from bot.conversation.cards import ANSWER_KEY

STATE: Final = "question"
PREFIX: Final = "prefix"
"""An options key: said before the question the first time it is asked (not kept)."""

FILE_DOWNLOAD: Final = "application/vnd.microsoft.teams.file.download.info"


class NotAnswered(Exception):
    """The answer cannot be used; `reply` says why (the question follows it)."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


class QuestionOwner(Protocol):
    async def question(
        self, question_id: str, context: TurnContext, state: dict[str, Any]
    ) -> Activity:
        """The question as a message (text, and buttons if any)."""
        ...

    async def read(
        self, question_id: str, context: TurnContext, state: dict[str, Any], answer: str
    ) -> dict[str, Any]:
        """What the answer says, as fields for the dialog; raises `NotAnswered`."""
        ...


def is_answer(activity: Activity) -> bool:
    """A message a question may take: text (not a file upload), or one of its buttons."""
    if activity.type != ActivityTypes.message:
        return False
    value = activity.value
    if isinstance(value, dict) and isinstance(value.get(ANSWER_KEY), str):
        return True
    if not isinstance(activity.text, str):
        return False
    return not any(a.content_type == FILE_DOWNLOAD for a in activity.attachments or [])


def answer_of(activity: Activity) -> str:
    """The reply as text: a button's answer, or what was typed (without an @mention)."""
    value = activity.value
    if isinstance(value, dict) and isinstance(value.get(ANSWER_KEY), str) and not activity.text:
        return str(value[ANSWER_KEY])
    return TurnContext.remove_recipient_mention(activity) or ""


class Question(Dialog):  # type: ignore[misc]  # botbuilder is untyped
    def __init__(self, question_id: str, owner: QuestionOwner) -> None:
        super().__init__(question_id)
        self._owner = owner

    async def begin_dialog(
        self, dialog_context: DialogContext, options: object = None
    ) -> DialogTurnResult:
        state = dict(options) if isinstance(options, dict) else {}
        prefix = state.pop(PREFIX, None)
        dialog_context.active_dialog.state[STATE] = state
        await self.ask(dialog_context.context, state, prefix if isinstance(prefix, str) else None)
        return Dialog.end_of_turn

    async def continue_dialog(self, dialog_context: DialogContext) -> DialogTurnResult:
        activity: Activity = dialog_context.context.activity
        if not is_answer(activity):
            return Dialog.end_of_turn
        state = dialog_context.active_dialog.state[STATE]
        try:
            fields = await self._owner.read(
                self.id, dialog_context.context, state, answer_of(activity)
            )
        except NotAnswered as problem:
            await self.ask(dialog_context.context, state, problem.reply)
            return Dialog.end_of_turn
        return await dialog_context.end_dialog(fields)

    async def reprompt_dialog(self, context: TurnContext, instance: DialogInstance) -> None:
        await self.ask(context, instance.state[STATE], None)

    async def ask_again(self, context: TurnContext, instance: DialogInstance, prefix: str) -> None:
        await self.ask(context, instance.state[STATE], prefix)

    async def ask(self, context: TurnContext, state: dict[str, Any], prefix: str | None) -> None:
        activity = await self._owner.question(self.id, context, state)
        if prefix:
            activity.text = f"{prefix}\n\n{activity.text}" if activity.text else prefix
        await context.send_activity(activity)


__all__ = [
    "ANSWER_KEY",
    "PREFIX",
    "NotAnswered",
    "Question",
    "QuestionOwner",
    "answer_of",
    "is_answer",
]
