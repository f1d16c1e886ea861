"""The bot's commands in one router: `build_router(deps)` is the only place they are listed."""

from __future__ import annotations

import asyncio

from bot.answer_commands import AnswerCommands
from bot.deviation_commands import DeviationCommands
from bot.owner_commands import OwnerCommands
from bot.plan_commands import PlanCommands
from bot.reminder_commands import ReminderCommands
from bot.router import CommandRouter, TurnRequest
from bot.teams_bot import BotDependencies
from bot.upload_commands import UploadCommands
from dialogs.runner import DialogRunner, build_dialogs
from followup.conversations import identify
from followup.models import Role


def build_router(deps: BotDependencies, dialogs: DialogRunner | None = None) -> CommandRouter:
    """`hjelp`, the owners' commands, their reminder controls and procurement's `kontrollpunkt`.

    Building it touches no database: the manifest test builds one with a dependencies object
    whose unit of work is never opened. `dialogs` are the ones the bot continues (`bot.app`
    passes the same runner to both); by default a runner over `deps.conversation_state`.
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
    AnswerCommands(deps).register(router)
    UploadCommands(deps).register(router)
    DeviationCommands(deps, dialogs or build_dialogs(deps)).register(router)
    return router
