"""`arkiv` in 1:1 chat for procurement (issue 17): how far the hand-off to the municipality's
archive has come, the messages that failed and why; `arkiv prøv igjen [avtalenr …]` queues the
failed ones again once the cause is mended."""

from __future__ import annotations

from typing import Final, cast

from bot.archive.cards import status_card
from bot.conversation.domain_commands import DomainCommands, guarded
from bot.conversation.replies import card_reply
from bot.conversation.router import Command, CommandRouter, Reply, TurnRequest
from bot.conversation.texts import text
from followup.access import is_procurement
from followup.archive.ports import ArchiveUnitOfWork
from followup.archive.services import ArchiveStatus, archive_status, requeue_failed
from followup.errors import NotAllowed
from followup.ports import UnitOfWork
from followup.words import normalise_words

RETRY_WORDS: Final = ("prøv igjen", "prov igjen", "send igjen", "retry")
MAX_REFERENCES: Final = 20
MAX_REFERENCE: Final = 60


class ArchiveCommands(DomainCommands):
    def register(self, router: CommandRouter) -> None:
        router.register(
            Command(
                "arkiv",
                ("arkivering", "archive"),
                text("command.arkiv"),
                ("personal",),
                guarded(self.archive),
                procurement_only=True,
                in_menu=False,
            )
        )

    async def archive(self, rest: str, request: TurnRequest) -> Reply:
        if not self._deps.archive_enabled:
            return text("archive.off", request.locale)
        words = normalise_words(rest).strip()
        retry = next((w for w in RETRY_WORDS if words == w or words.startswith(w + " ")), None)
        if retry is None and words:
            return text("archive.usage", request.locale)
        if retry is not None:
            references = words[len(retry) :].upper().replace(",", " ").split()
            if len(references) > MAX_REFERENCES or any(len(r) > MAX_REFERENCE for r in references):
                return text("archive.usage", request.locale)
            return await self._retry(references or None, request)

        def read(uow: UnitOfWork) -> ArchiveStatus:
            self._procurement(uow, request)
            return archive_status(_with_archive(uow), request.now)

        return card_reply(status_card(await self._read(read), request.locale))

    async def _retry(self, references: list[str] | None, request: TurnRequest) -> Reply:
        def write(uow: UnitOfWork) -> int:
            self._procurement(uow, request)
            return requeue_failed(_with_archive(uow), request.now, references)

        count = await self._write(write)
        if not count:
            return text("archive.retry.none", request.locale)
        return text("archive.retry.done", request.locale, count=count)

    def _procurement(self, uow: UnitOfWork, request: TurnRequest) -> None:
        person = self._person(uow, request)
        if not is_procurement(person, self._deps.procurement_addresses):
            raise NotAllowed(code="archive.not_allowed")


def _with_archive(uow: UnitOfWork) -> ArchiveUnitOfWork:
    """The unit of work as the archive hand-off sees it (storage's has `archive`; the domain's
    `UnitOfWork` port does not name it: the archive imports the ports)."""
    if not hasattr(uow, "archive"):  # pragma: no cover - storage's unit of work has one
        raise TypeError("the unit of work has no archive repository")
    return cast(ArchiveUnitOfWork, uow)
