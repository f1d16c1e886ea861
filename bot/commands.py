"""The bot's commands in one router: `build_router(deps)` is the only place they are listed."""

from __future__ import annotations

import asyncio

from bot.owner_commands import OwnerCommands
from bot.plan_commands import PlanCommands
from bot.reminder_commands import ReminderCommands
from bot.router import CommandRouter, TurnRequest
from bot.teams_bot import BotDependencies
from followup.conversations import identify
from followup.models import Role


def build_router(deps: BotDependencies) -> CommandRouter:
    """`hjelp`, the owners' commands, their reminder controls and procurement's `kontrollpunkt`.

    Building it touches no database: the manifest test builds one with a dependencies object
    whose unit of work is never opened.
    """

    async def is_procurement(request: TurnRequest) -> bool:
        def run() -> bool:
            with deps.uow_factory() as uow:
                person = identify(uow, request.teams_user_id, request.aad_object_id)
            return person is not None and Role.PROCUREMENT in person.roles

        return await asyncio.to_thread(run)

    router = CommandRouter(is_procurement=is_procurement)
    OwnerCommands(deps).register(router)
    PlanCommands(deps).register(router)
    ReminderCommands(deps).register(router)
    return router
