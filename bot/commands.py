"""The bot's commands in one router and its dialogs in one runner: `build_router(deps)` and
`build_dialogs(deps)` are the only places they are listed (part of the composition root: the
one place that imports every capability)."""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext

from bot.analysis.commands import AnalysisCommands
from bot.answers.commands import AnswerCommands
from bot.archive.commands import ArchiveCommands
from bot.checks.commands import RiskCommands
from bot.checks.dialogs import (
    EVALUATION_WORDS,
    ONSITE_WORDS,
    RISK_WORDS,
    asks_in_chat,
    evaluation_dialog,
    onsite_dialog,
    risk_dialog,
)
from bot.checks.evaluation_commands import EvaluationCommands
from bot.checks.onsite_commands import OnsiteCommands
from bot.conversation.activity_handler import send_reply, turn_request
from bot.conversation.dependencies import BotDependencies
from bot.conversation.dialog_runner import DialogRunner
from bot.conversation.dialog_starters import DialogStarters
from bot.conversation.form_dialog import FormDialog, Submit
from bot.conversation.router import BeginDialog, CommandRouter, TurnRequest
from bot.deviations.cards import DeviationCards
from bot.deviations.commands import DEVIATIONS_WORDS, REPORT_WORDS, DeviationCommands
from bot.deviations.report_deviation_dialog import DeviationServices, ReportDeviationDialog
from bot.exports.analysis_export import AnalysisExportCommands
from bot.exports.commands import ExportCommands, Exports
from bot.exports.evaluation_letter import EvaluationLetterCommands
from bot.history.commands import HistoryCommands
from bot.owner.commands import OwnerCommands
from bot.owner.plan_commands import PlanCommands
from bot.portfolio.channel_commands import ProcurementChannelCommands
from bot.portfolio.commands import PortfolioCommands, is_deviation_list
from bot.reminders.commands import ReminderCommands
from bot.uploads.commands import UploadCommands, Uploads
from followup.help_profile import HelpProfile, help_profile

STARTS_ANOTHER_DIALOG = DialogStarters(
    alone_or_with_reference=REPORT_WORDS,
    with_reference=DEVIATIONS_WORDS,
    step_by_step=RISK_WORDS + ONSITE_WORDS + EVALUATION_WORDS,
    asks_in_chat=asks_in_chat,
)
"""The commands that begin a dialog, from their own words: typed where a dialog waits for an
answer, they are no answer (`bot.conversation.dialog_starters`)."""


def build_dialogs(deps: BotDependencies) -> DialogRunner:
    """Every dialog the bot has, over `deps.conversation_state`."""
    services = DeviationServices(
        deps.uow_factory, deps.clock, DeviationCards(), send_alerts=deps.outbox_nudge
    )
    return DialogRunner(deps.conversation_state).add(
        ReportDeviationDialog(services, interrupts=STARTS_ANOTHER_DIALOG),
        restarted="deviation.dialog.restarted",
    )


def build_router(
    deps: BotDependencies,
    dialogs: DialogRunner | None = None,
    *,
    uploads: Uploads | None = None,
    exports: Exports | None = None,
) -> CommandRouter:
    """`hjelp`, the owners' commands, their reminder controls, procurement's `kontrollpunkt`,
    questions (`status`, `forfalt`, `avvik`, `mer`), `innkjøpskanal`, `rolle`, `eksport`
    (and `eksport analyse`), `historikk`, `analyse` and `lekkasje`.

    Building it touches no database: the manifest test builds one with a dependencies object
    whose unit of work is never opened. `dialogs` are the ones the bot continues (`bot.app`
    passes the same runner to both); by default a runner over `deps.conversation_state`.
    `uploads` receives documents (None: files are not taken); `exports` prepares exports
    (None: `eksport` only explains itself).
    """

    async def asker(request: TurnRequest, with_examples: bool) -> HelpProfile:
        """Who asks for help, in one unit of work: the person, and (`with_examples`) one query
        for contracts to show in the examples."""

        def run() -> HelpProfile:
            with deps.uow_factory() as uow:
                return help_profile(
                    uow,
                    request.teams_user_id,
                    request.aad_object_id,
                    procurement_addresses=deps.procurement_addresses,
                    with_examples=with_examples,
                )

        return await deps.store_calls.run(run)

    router = CommandRouter(help_profile=asker)
    runner = dialogs or build_dialogs(deps)
    portfolio = PortfolioCommands(deps)
    OwnerCommands(deps).register(router)
    PlanCommands(deps).register(router)
    ReminderCommands(deps).register(router)
    AnswerCommands(deps).register(router)
    UploadCommands(deps, uploads).register(router)
    DeviationCommands(
        deps,
        runner,
        list_deviations=portfolio.deviations,
        is_deviation_list=is_deviation_list,
    ).register(router)
    portfolio.register(router)
    ProcurementChannelCommands(deps).register(router)
    ExportCommands(deps, exports).register(router)
    HistoryCommands(deps).register(router)
    analysis = AnalysisCommands(deps)
    analysis.register(router)
    # `eksport analyse`: the analysis reads, checks and computes; the export room delivers.
    AnalysisExportCommands(deps, exports, read_analysis=analysis.with_lines).register(router)
    ArchiveCommands(deps).register(router)
    RiskCommands(deps).register(router)
    # `evaluer <avtalenr> brev`: the evaluation room reads and checks; the export room delivers.
    evaluation = EvaluationCommands(deps)
    letters = EvaluationLetterCommands(deps, exports, read_letter=evaluation.letter_content)
    evaluation.letter = letters.letter
    evaluation.register(router)
    letters.register(router)
    OnsiteCommands(deps, DeviationCards()).register(router)
    # The checks' forms asked one question at a time end in the forms' own handlers.
    submit = form_submitter(router, deps)
    interrupts = STARTS_ANOTHER_DIALOG
    for spec in (
        risk_dialog(interrupts),
        onsite_dialog(deps.clock, interrupts),
        evaluation_dialog(interrupts),
    ):
        runner.add(FormDialog(spec, submit), restarted="form_dialog.restarted")
    return router


def form_submitter(router: CommandRouter, deps: BotDependencies) -> Submit:
    """A form dialog's end: the collected form to the router's form handlers (as the card's
    `Action.Submit` would be), and the handler's reply sent."""

    async def submit(value: dict[str, Any], turn_context: TurnContext) -> None:
        reply = await router.handle_form(value, turn_request(turn_context, deps.clock()))
        if isinstance(reply, BeginDialog):  # pragma: no cover - a complete form begins none
            return
        await send_reply(turn_context, reply)

    return submit
