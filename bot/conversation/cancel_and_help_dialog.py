"""The base of the bot's dialogs: `avbryt` (`cancel`) leaves at any step and stores nothing;
`hjelp` (`help`) says where the user is and what is expected, then asks the question again.

Outside a dialog these words are the router's commands (`hjelp` lists the commands)."""

from __future__ import annotations

from typing import Final

from botbuilder.dialogs import ComponentDialog, Dialog, DialogContext, DialogTurnResult
from botbuilder.schema import Activity, ActivityTypes

from bot.conversation.dialog_question import Question
from bot.conversation.texts import text
from followup.deviations.intake import normalise

CANCEL_WORDS: Final = frozenset({"avbryt", "cancel", "avslutt", "quit", "stopp", "stop"})
HELP_WORDS: Final = frozenset({"hjelp", "help", "?"})


def command_word(activity: Activity) -> str | None:
    """The typed message as one normalised word, if it is short enough to be one."""
    if activity.type != ActivityTypes.message or not isinstance(activity.text, str):
        return None
    raw = activity.text.strip()
    if len(raw) > 20:
        return None
    return "?" if raw == "?" else normalise(raw)


class CancelAndHelpDialog(ComponentDialog):  # type: ignore[misc]  # botbuilder is untyped
    async def on_continue_dialog(self, inner_dc: DialogContext) -> DialogTurnResult:
        word = command_word(inner_dc.context.activity)
        locale = inner_dc.context.activity.locale
        if word in CANCEL_WORDS:
            await inner_dc.context.send_activity(text("dialog.cancelled", locale))
            return await inner_dc.cancel_all_dialogs()
        if word in HELP_WORDS:
            await self._help(inner_dc)
            return Dialog.end_of_turn
        return await super().on_continue_dialog(inner_dc)

    async def _help(self, inner_dc: DialogContext) -> None:
        locale = inner_dc.context.activity.locale
        active = inner_dc.active_dialog
        dialog = await inner_dc.find_dialog(active.id) if active is not None else None
        if isinstance(dialog, Question):
            await dialog.ask_again(inner_dc.context, active, self.help_text(active.id, locale))
        else:
            await inner_dc.context.send_activity(text("dialog.help.stop", locale))

    def help_text(self, question_id: str, locale: str | None) -> str:
        """Where the user is and what is expected at `question_id` (a dialog says more)."""
        return text("dialog.help.stop", locale)


__all__ = ["CANCEL_WORDS", "HELP_WORDS", "CancelAndHelpDialog", "command_word"]
