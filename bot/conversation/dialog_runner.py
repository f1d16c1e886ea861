"""The bot's dialogs over its conversation state: continue the active one, begin one, save.

`KontraktsvaktBot` gives every personal message to `continue_turn` before the router sees it;
a message an active dialog takes is its answer (`avbryt` and `hjelp` included). Dialogs run in
personal chats only: a channel's conversation state would be shared by everyone in it. The
state is saved once at the end of every turn (`save`, a no-op when nothing was loaded).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botbuilder.core import ConversationState, TurnContext
from botbuilder.dialogs import Dialog, DialogSet
from botbuilder.schema import Activity

from bot.conversation.dialog_question import ANSWER_KEY, PREFIX, is_answer
from bot.conversation.form_dialog import sent_by_card
from bot.conversation.texts import text
from bot.teams.state_storage import SqlAlchemyStorage

DIALOG_STATE = "DialogState"


def _personal(activity: Activity) -> bool:
    kind = getattr(activity.conversation, "conversation_type", None)
    return kind not in ("channel", "groupChat")


class DialogRunner:
    def __init__(self, conversation_state: ConversationState) -> None:
        self._state = conversation_state
        self._dialogs = DialogSet(conversation_state.create_property(DIALOG_STATE))
        self._restarted: dict[str, str] = {}

    def add(self, dialog: Dialog, *, restarted: str = "dialog.restarted") -> DialogRunner:
        """Run `dialog`; `restarted` is the text key said when it is replaced by a new one."""
        self._dialogs.add(dialog)
        self._restarted[dialog.id] = restarted
        return self

    async def continue_turn(self, turn_context: TurnContext) -> bool:
        """Give the message to the active dialog; True when a dialog took it."""
        activity: Activity = turn_context.activity
        if not _personal(activity) or not is_answer(activity):
            return False
        active = await self._may_be_active(turn_context)
        dialog_context = await self._dialogs.create_context(turn_context) if active else None
        if dialog_context is None or dialog_context.active_dialog is None:
            if isinstance(activity.value, dict) and ANSWER_KEY in activity.value:
                # A button of a question that is over (answered, cancelled, or replaced).
                await turn_context.send_activity(text("dialog.stale_answer", activity.locale))
                return True
            return False
        await dialog_context.continue_dialog()
        return True

    async def end_form_sent_by_card(
        self, turn_context: TurnContext, value: Mapping[str, Any]
    ) -> bool:
        """A card's form submitted while the chat asks the same form, one question at a time:
        the chat's questions end (the card's submission is what counts, stored or refused as
        the card's handler decides). True when they did."""
        if not _personal(turn_context.activity) or not await self._may_be_active(turn_context):
            return False
        dialog_context = await self._dialogs.create_context(turn_context)
        active = dialog_context.active_dialog
        if active is None or not isinstance(active.state, dict):
            return False
        if not sent_by_card(active.state, value):
            return False
        await dialog_context.cancel_all_dialogs()
        return True

    async def _may_be_active(self, turn_context: TurnContext) -> bool:
        """False when the stored state shows no dialog running (the common turn): then the
        state is not recreated (jsonpickle), hashed, given a dialog context and saved. Any
        document it does not recognise counts as a dialog that may be running."""
        storage = getattr(self._state, "_storage", None)  # botbuilder's BotState keeps it so
        if not isinstance(storage, SqlAlchemyStorage):
            return True
        key = self._state.get_storage_key(turn_context)
        if not isinstance(key, str):
            return True
        document = await storage.peek(key)
        if document is None:
            return False
        dialog_state = document.get(DIALOG_STATE)
        if dialog_state is None:
            return False
        if not isinstance(dialog_state, dict):
            return True
        stack = dialog_state.get("_dialog_stack")
        return not isinstance(stack, list) or bool(stack)

    async def begin(
        self, turn_context: TurnContext, dialog_id: str, options: dict[str, Any]
    ) -> None:
        """Start `dialog_id` (its first question is sent now), replacing any dialog running."""
        dialog_context = await self._dialogs.create_context(turn_context)
        if dialog_context.active_dialog is not None:
            key = self._restarted.get(dialog_context.active_dialog.id, "dialog.restarted")
            await dialog_context.cancel_all_dialogs()
            replaced = text(key, turn_context.activity.locale)
            prefix = options.get(PREFIX)
            options = {**options, PREFIX: f"{replaced}\n\n{prefix}" if prefix else replaced}
        await dialog_context.begin_dialog(dialog_id, options)

    async def save(self, turn_context: TurnContext) -> None:
        await self._state.save_changes(turn_context)


__all__ = ["DIALOG_STATE", "DialogRunner"]
