"""One router for typed commands, card verbs and forms.

Commands have a Norwegian word and English aliases; `bot.commands.build_router` registers them
all, and the Teams manifest lists the same words per scope (`tests/unit/test_manifest_commands.py`
checks they match). A command is answered only in the scopes it names, so personal follow-ups
never reach a channel. Handlers are thin: they build a command for a `followup` service and
render its result.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import Any, Final, TypeAlias

from botbuilder.core import InvokeResponse
from botbuilder.schema import Activity

from bot.conversation.help_cards import (
    ALL_COMMANDS_WORD,
    HELP_ALL_VERB,
    all_commands_card,
    help_card,
)
from bot.conversation.markdown import echo, plain
from bot.conversation.replies import card_reply
from bot.conversation.texts import text
from followup.calendar.workdays import oslo_today
from followup.help_profile import HelpProfile
from followup.models import ConversationKind

log = logging.getLogger(__name__)

SENDER_SEEN: Final = "kontraktsvakt.sender_seen"
"""The turn state's key for what the turn learnt of its sender's person (`note_sender`)."""
FORM_STORED: Final = "kontraktsvakt.form_stored"
"""The turn state's key for «a form handler stored its form this turn» (`note_form_stored`)."""


@dataclass(frozen=True, slots=True)
class TurnRequest:
    """What a handler may know about the turn, without botbuilder types."""

    teams_user_id: str | None
    aad_object_id: str | None
    conversation_id: str | None
    kind: ConversationKind
    locale: str | None
    activity_id: str | None
    now: datetime
    raw_activity: Any = field(default=None, repr=False)
    turn_context: Any = field(default=None, repr=False)
    """The botbuilder `TurnContext`, for a card action that begins a dialog
    (`bot.conversation.dialog_runner.DialogRunner.begin`); handlers of text and forms return
    `BeginDialog`."""


def note_form_stored(request: TurnRequest) -> None:
    """A form handler stored what was submitted (not refused, not begun in the chat): a chat
    dialog asking the same form may then end (`DialogRunner.end_form_sent_by_card`)."""
    if request.turn_context is not None:
        request.turn_context.turn_state[FORM_STORED] = True


def form_stored(turn_state: Mapping[str, Any]) -> bool:
    """Whether a form handler of this turn stored its form (`note_form_stored`)."""
    return turn_state.get(FORM_STORED) is True


def note_sender(request: TurnRequest, *, unreachable: bool) -> None:
    """The turn read its sender's person (or found none: `unreachable` False). The activity
    handler marks a sender reachable again after the turn only when the turn did not read them,
    or read them as unreachable: no second read of the person on a common turn."""
    if request.turn_context is not None:
        request.turn_context.turn_state[SENDER_SEEN] = unreachable


@dataclass(frozen=True, slots=True)
class CardUpdate:
    """A reply that redraws a card in place (`replaces`: the card's activity id), as the
    answer to an `Action.Submit` from a card; sent as a new message when it cannot replace."""

    card: dict[str, Any]
    replaces: str | None
    message: str | None = None
    """Said as well, in a message of its own."""


@dataclass(frozen=True, slots=True)
class BeginDialog:
    """A reply that begins a dialog (`bot.conversation.dialog_runner`): its first question is the
    answer."""

    dialog_id: str
    options: dict[str, Any]


Reply: TypeAlias = Activity | str | CardUpdate | BeginDialog
Handler = Callable[[str, TurnRequest], Awaitable[Reply]]
FormHandler = Callable[[dict[str, Any], TurnRequest], Awaitable[Reply]]
UploadHandler = Callable[[str, TurnRequest], Awaitable[Reply]]
_LINK = re.compile(r"\bhttps?://", re.IGNORECASE)


HelpProfileReader = Callable[[TurnRequest, bool], Awaitable[HelpProfile]]
"""`reader(request, with_examples)`: who asks for help (`followup.help_profile`); with examples,
one query more than reading the person."""
EVERYONE = HelpProfile(registered=True, procurement=True, admin=True)
"""The help of a router without a reader: every command listed."""
CardActionHandler = Callable[[dict[str, Any], TurnRequest], Awaitable[InvokeResponse]]
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def card_action_card(card: dict[str, Any]) -> InvokeResponse:
    """The answer to a card action that replaces the card with `card`."""
    return InvokeResponse(
        status=int(HTTPStatus.OK),
        body={"statusCode": 200, "type": ADAPTIVE_CARD, "value": card},
    )


def card_action_message(message: str) -> InvokeResponse:
    """The answer to a card action that shows a message and leaves the card as it is."""
    return InvokeResponse(
        status=int(HTTPStatus.OK),
        body={
            "statusCode": 200,
            "type": "application/vnd.microsoft.activity.message",
            "value": message,
        },
    )


@dataclass(frozen=True, slots=True)
class Command:
    """A typed command. `scopes` are Teams' (`personal`, `team`): where it is offered and
    answered; `procurement_only` commands are listed in help for the procurement team only (the
    service itself refuses everyone else)."""

    word: str
    aliases: tuple[str, ...]
    description: str
    scopes: tuple[str, ...]
    handler: Handler
    procurement_only: bool = False
    in_menu: bool = True
    """Listed in the Teams app's command menu (at most ten per scope); every command is in
    `hjelp` (`vis alle kommandoer`) either way."""
    menu_scopes: tuple[str, ...] | None = None
    """The scopes whose menu lists it, when not all of `scopes` (a full personal menu)."""
    admin_only: bool = False
    """Listed in help for administrators only (the service itself refuses everyone else)."""

    def in_menu_of(self, scope: str) -> bool:
        """Listed in the command menu of `scope` (`personal`, `team`)."""
        menu = self.scopes if self.menu_scopes is None else self.menu_scopes
        return self.in_menu and scope in self.scopes and scope in menu


def scope_of(kind: ConversationKind) -> str:
    """The Teams manifest scope a conversation belongs to (group chats count as `team`)."""
    return "personal" if kind is ConversationKind.PERSONAL else "team"


class CommandRouter:
    def __init__(self, *, help_profile: HelpProfileReader | None = None) -> None:
        self._commands: list[Command] = []
        self._by_word: dict[str, Command] = {}
        self._longest_word = 0
        self._card_actions: dict[str, CardActionHandler] = {}
        self._forms: dict[tuple[str, str], FormHandler] = {}
        self._uploads: UploadHandler | None = None
        self._file_consent: CardActionHandler | None = None
        self._help_profile = help_profile
        self.register(
            Command(
                word="hjelp",
                aliases=("help", "?"),
                description=text("command.hjelp"),
                scopes=("personal", "team"),
                handler=self._help,
            )
        )
        self.register(
            Command(
                word=ALL_COMMANDS_WORD,
                aliases=(
                    "alle kommandoer",
                    "hjelp alle",
                    "kommandoer",
                    "show all commands",
                    "all commands",
                    "help all",
                    "commands",
                ),
                description=text("command.vis alle kommandoer"),
                scopes=("personal", "team"),
                handler=self._all_commands,
                in_menu=False,
            )
        )
        self.register_card_action(HELP_ALL_VERB, self._all_commands_action)

    def register(self, command: Command) -> None:
        self._commands.append(command)
        for word in (command.word, *command.aliases):
            self._by_word.setdefault(word, command)  # the first registered keeps a word
            self._longest_word = max(self._longest_word, len(word))

    @property
    def commands(self) -> tuple[Command, ...]:
        return tuple(self._commands)

    def _match(self, message: str) -> tuple[Command, str] | None:
        """The command whose word or alias starts the message (the whole message, or up to a
        space); the longest such word wins. Looked up by the message's leading words, longest
        first, not by trying every command's words on every turn."""
        lowered = message.lower()
        end = len(lowered) if len(lowered) <= self._longest_word else -1
        if end < 0 or lowered not in self._by_word:
            end = lowered.rfind(" ", 0, self._longest_word + 1)
            while end > 0 and lowered[:end] not in self._by_word:
                end = lowered.rfind(" ", 0, end)
        if end <= 0:
            return None
        return self._by_word[lowered[:end]], message[end:].strip()

    async def handle_text(self, message: str, request: TurnRequest) -> Reply:
        matched = self._match(message)
        if (
            matched is None
            and self._uploads is not None
            and request.kind is ConversationKind.PERSONAL
            and _LINK.search(message)
        ):
            return await self._uploads(message, request)
        if matched is None:
            return text("unknown.command", request.locale, text=echo(message))
        command, rest = matched
        if scope_of(request.kind) not in command.scopes:
            # Personal follow-ups are not shown to a whole channel.
            return text("command.personal_only", request.locale, word=command.word)
        return await command.handler(rest, request)

    async def handle_form(self, value: dict[str, Any], request: TurnRequest) -> Reply:
        """An `Action.Submit` (a client without Universal Actions, or a form): the same verbs
        and data as `Action.Execute`, the verb in the data; a card the action would replace is
        redrawn in place."""
        verb = value.get("verb")
        handler = self._card_actions.get(verb) if isinstance(verb, str) else None
        if handler is None:
            for key, form in self._forms.items():
                if value.get(key[0]) == key[1]:
                    return await form(value, request)
            return text("form.unknown", request.locale)
        data = {k: v for k, v in value.items() if k != "verb"}
        response = await handler(data, request)
        body = response.body if isinstance(response.body, dict) else {}
        reply_to = getattr(request.raw_activity, "reply_to_id", None)
        if body.get("type") == ADAPTIVE_CARD and isinstance(body.get("value"), dict):
            return CardUpdate(body["value"], reply_to if isinstance(reply_to, str) else None)
        # The card action's message is plain text (Teams shows it as it is); here it is a chat
        # message, rendered as Markdown: what it quotes of the card's fields is escaped.
        shown = body.get("value")
        return plain(shown) if isinstance(shown, str) else text("form.unknown", request.locale)

    def register_form(self, field_name: str, value: str, handler: FormHandler) -> None:
        """`handler(value, request)` answers a submitted form whose `field_name` is `value`
        (forms that are not a card verb, e.g. `{"handling": "rapporterAvvik", ...}`)."""
        self._forms[(field_name, value)] = handler

    def register_uploads(self, handler: UploadHandler) -> None:
        """`handler(text, request)` answers a message with files attached (in
        `request.raw_activity`), and, in a personal chat, a message that is no command but
        holds a link (`bot.uploads.commands`)."""
        self._uploads = handler

    async def handle_attachments(self, request: TurnRequest, message: str = "") -> Reply:
        if self._uploads is None:
            return text("form.unknown", request.locale)
        return await self._uploads(message, request)

    def register_card_action(self, verb: str, handler: CardActionHandler) -> None:
        """`handler(data, request)` answers `Action.Execute` invokes with this verb."""
        self._card_actions[verb] = handler

    async def handle_card_action(
        self, value: dict[str, Any], request: TurnRequest
    ) -> InvokeResponse:
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        verb = action.get("verb") if isinstance(action, dict) else None
        data = action.get("data") if isinstance(action, dict) else None
        handler = self._card_actions.get(verb) if isinstance(verb, str) else None
        if handler is None:
            log.info("card action with no handler", extra={"verb": str(verb)[:64]})
            return card_action_message(text("card.unknown_action", request.locale))
        return await handler(data if isinstance(data, dict) else {}, request)

    def register_file_consent(self, handler: CardActionHandler) -> None:
        """`handler(value, request)` answers `fileConsent/invoke` (a file consent card's
        accept or decline, `bot.exports.commands`)."""
        self._file_consent = handler

    async def handle_file_consent(
        self, value: dict[str, Any], request: TurnRequest
    ) -> InvokeResponse:
        if self._file_consent is not None:
            return await self._file_consent(value, request)
        message = "file.declined" if value.get("action") == "decline" else "file.no_pending"
        log.info(
            "file consent with nothing pending", extra={"action": str(value.get("action"))[:16]}
        )
        return InvokeResponse(
            status=int(HTTPStatus.OK), body={"message": text(message, request.locale)}
        )

    async def _profile(self, request: TurnRequest, *, with_examples: bool) -> HelpProfile:
        if self._help_profile is None:
            return EVERYONE
        return await self._help_profile(request, with_examples)

    def _shown(self, profile: HelpProfile, scope: str) -> list[Command]:
        """The commands `hjelp` lists to the asker here: those answered in this scope, but
        procurement's and administrators' only to them."""
        return [
            c
            for c in self._commands
            if scope in c.scopes
            and (profile.procurement or not c.procurement_only)
            and (profile.admin or not c.admin_only)
        ]

    async def _help(self, _rest: str, request: TurnRequest) -> Reply:
        """The short help by role (`bot.conversation.help_cards.help_card`): in a 1:1 chat with
        the asker's own contracts as examples (one query), in a channel with placeholders."""
        scope = scope_of(request.kind)
        channel = scope != "personal"
        profile = await self._profile(request, with_examples=not channel)
        note_sender(request, unreachable=profile.unreachable)
        available = {c.word for c in self._shown(profile, scope)}
        today = oslo_today(request.now)
        return card_reply(help_card(profile, available, request.locale, today, channel=channel))

    async def _all_commands_card(self, request: TurnRequest) -> dict[str, Any]:
        scope = scope_of(request.kind)
        profile = await self._profile(request, with_examples=False)
        words = [c.word for c in self._shown(profile, scope) if c.word != ALL_COMMANDS_WORD]
        return all_commands_card(words, request.locale, channel=scope != "personal")

    async def _all_commands(self, _rest: str, request: TurnRequest) -> Reply:
        """`vis alle kommandoer`: every command the asker may use here, grouped by topic."""
        return card_reply(await self._all_commands_card(request))

    async def _all_commands_action(
        self, _data: dict[str, Any], request: TurnRequest
    ) -> InvokeResponse:
        """The help card's button: the full list replaces the short help."""
        return card_action_card(await self._all_commands_card(request))
