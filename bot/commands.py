"""The bot's commands in one router: `build_router(deps)` is the only place they are listed."""

from __future__ import annotations

import asyncio

from bot.answers.commands import AnswerCommands
from bot.conversation.activity_handler import BotDependencies
from bot.conversation.dialog_runner import DialogRunner, build_dialogs
from bot.conversation.router import CommandRouter, TurnRequest
from bot.deviations.commands import DeviationCommands
from bot.exports.commands import ExportCommands
from bot.owner.commands import OwnerCommands
from bot.owner.plan_commands import PlanCommands
from bot.portfolio.commands import PortfolioCommands
from bot.reminders.commands import ReminderCommands
from bot.uploads.commands import UploadCommands
from followup.access import is_procurement as has_procurement_access
from followup.conversations import identify
from followup.models import Person, Role


def build_router(deps: BotDependencies, dialogs: DialogRunner | None = None) -> CommandRouter:
    """`hjelp`, the owners' commands, their reminder controls, procurement's `kontrollpunkt`,
    questions (`status`, `forfalt`, `avvik`, `mer`), `rolle` and `eksport`.

    Building it touches no database: the manifest test builds one with a dependencies object
    whose unit of work is never opened. `dialogs` are the ones the bot continues (`bot.app`
    passes the same runner to both); by default a runner over `deps.conversation_state`.
    """

    async def sender(request: TurnRequest) -> Person | None:
        def run() -> Person | None:
            with deps.uow_factory() as uow:
                return identify(uow, request.teams_user_id, request.aad_object_id)

        return await asyncio.to_thread(run)

    async def is_procurement(request: TurnRequest) -> bool:
        person = await sender(request)
        return person is not None and has_procurement_access(person, deps.procurement_addresses)

    async def is_admin(request: TurnRequest) -> bool:
        person = await sender(request)
        return person is not None and Role.ADMIN in person.roles

    router = CommandRouter(is_procurement=is_procurement, is_admin=is_admin)
    portfolio = PortfolioCommands(deps)
    OwnerCommands(deps).register(router)
    PlanCommands(deps).register(router)
    ReminderCommands(deps).register(router)
    AnswerCommands(deps).register(router)
    UploadCommands(deps).register(router)
    DeviationCommands(
        deps, dialogs or build_dialogs(deps), list_deviations=portfolio.deviations
    ).register(router)
    portfolio.register(router)
    ExportCommands(deps).register(router)
    return router
