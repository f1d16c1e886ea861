"""One router for typed commands, card verbs and forms.

Commands have a Norwegian word and English aliases; the Teams manifest's command lists are
built from `COMMANDS` (a test checks they match). Handlers are thin: they build a command for a
`followup` service and render its result.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import Any, TypeAlias

from botbuilder.core import InvokeResponse, MessageFactory
from botbuilder.schema import Activity

from bot.texts import text
from followup.models import ConversationKind

log = logging.getLogger(__name__)


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


Reply: TypeAlias = Activity | str
Handler = Callable[[str, TurnRequest], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Command:
    word: str
    aliases: tuple[str, ...]
    description: str
    scopes: tuple[str, ...]
    handler: Handler


class CommandRouter:
    def __init__(self) -> None:
        self._commands: list[Command] = []
        self.register(
            Command(
                word="hjelp",
                aliases=("help", "?"),
                description="Vis hva du kan spørre om",
                scopes=("personal", "team"),
                handler=self._help,
            )
        )

    def register(self, command: Command) -> None:
        self._commands.append(command)

    @property
    def commands(self) -> tuple[Command, ...]:
        return tuple(self._commands)

    def _match(self, message: str) -> tuple[Command, str] | None:
        lowered = message.lower()
        best: tuple[Command, str] | None = None
        for command in self._commands:
            for word in (command.word, *command.aliases):
                if lowered == word or lowered.startswith(word + " "):
                    rest = message[len(word) :].strip()
                    if best is None or len(word) > len(best[0].word):
                        best = (command, rest)
        return best

    async def handle_text(self, message: str, request: TurnRequest) -> Reply:
        matched = self._match(message)
        if matched is None:
            shown = message if len(message) <= 60 else message[:57] + "..."
            return text("unknown.command", request.locale, text=shown)
        command, rest = matched
        return await command.handler(rest, request)

    async def handle_form(self, request: TurnRequest) -> Reply:
        """An `Action.Submit` from a client without Universal Actions."""
        return text("form.unknown", request.locale)

    async def handle_attachments(self, request: TurnRequest) -> Reply:
        return text("form.unknown", request.locale)

    async def handle_card_action(
        self, value: dict[str, Any], request: TurnRequest
    ) -> InvokeResponse:
        verb = (
            value.get("action", {}).get("verb") if isinstance(value.get("action"), dict) else None
        )
        log.info("card action with no handler", extra={"verb": str(verb)[:64]})
        return InvokeResponse(
            status=int(HTTPStatus.OK),
            body={
                "statusCode": 200,
                "type": "application/vnd.microsoft.activity.message",
                "value": text("card.unknown_action", request.locale),
            },
        )

    async def handle_file_consent(
        self, value: dict[str, Any], request: TurnRequest
    ) -> InvokeResponse:
        message = "file.declined" if value.get("action") == "decline" else "file.no_pending"
        log.info(
            "file consent with nothing pending", extra={"action": str(value.get("action"))[:16]}
        )
        return InvokeResponse(
            status=int(HTTPStatus.OK), body={"message": text(message, request.locale)}
        )

    async def _help(self, _rest: str, request: TurnRequest) -> Reply:
        locale = request.locale
        lines = [
            f"**{text('help.title', locale)}**",
            text("help.intro", locale),
            text("help.commands", locale),
            *(f"- {text('help.cmd.' + c.word, locale)}" for c in self._commands),
        ]
        return MessageFactory.text("\n\n".join(lines))
