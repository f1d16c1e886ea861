"""What every domain command handler needs: a unit of work in a worker thread, the sender as a
registered person, and domain errors turned into replies by their code."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from bot.conversation.dependencies import BotDependencies
from bot.conversation.replies import DateProblem, error_reply
from bot.conversation.router import Handler, Reply, TurnRequest, note_sender
from bot.conversation.texts import text
from followup.conversations import identify
from followup.errors import FollowUpError
from followup.models import Person
from followup.ports import UnitOfWork

T = TypeVar("T")


class NotRegistered(Exception):
    """The sender is not a person in the register."""


def guarded(handler: Handler) -> Handler:
    """`handler`, with a sender not in the register, a date not read and a domain error turned
    into replies (domain errors by their code, in `bot.conversation.replies.error_reply`)."""

    async def run(rest: str, request: TurnRequest) -> Reply:
        try:
            return await handler(rest, request)
        except NotRegistered:
            return text("person.not_registered", request.locale)
        except DateProblem as problem:
            return problem.reply
        except FollowUpError as error:
            return error_reply(error, request.locale)

    return run


class DomainCommands:
    """Base of the command groups: one unit of work per command, run where the store runs it
    best (`BotDependencies.store_calls`)."""

    def __init__(self, deps: BotDependencies) -> None:
        self._deps = deps

    async def _read(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run `work` in a unit of work that is rolled back (it only reads)."""

        def run() -> T:
            with self._deps.uow_factory() as uow:
                return work(uow)

        return await self._deps.store_calls.run(run)

    async def _write(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run `work` in a unit of work and commit it."""

        def run() -> T:
            with self._deps.uow_factory() as uow:
                result = work(uow)
                uow.commit()
            return result

        return await self._deps.store_calls.run(run)

    @staticmethod
    def _person(uow: UnitOfWork, request: TurnRequest) -> Person:
        person = identify(uow, request.teams_user_id, request.aad_object_id)
        if person is None or person.teams_user_id == request.teams_user_id:
            note_sender(request, unreachable=person is not None and person.unreachable)
        if person is None:
            raise NotRegistered
        return person
