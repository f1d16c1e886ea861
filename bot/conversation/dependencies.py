"""What every turn and every command group may use: the unit of work, the clock, the plan,
the calendar, the state stores. Feature services (uploads, exports) are given to their own
command groups by the composition root (`bot.commands.build_router`), not carried here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from botbuilder.core import ConversationState, MemoryStorage, Storage

from bot.teams.store_calls import IN_THREADS, StoreCalls
from followup.analysis.models import Thresholds
from followup.calendar.workdays import WorkingCalendar
from followup.plans.plan_file import PlanConfig, load_plan
from followup.ports import UnitOfWorkFactory
from followup.reminders.planning import ReminderSettings


class OutboxNudge:
    """Asks the reminder jobs in this process to send the outbox now rather than at their next
    tick (a high or critical deviation's alert to procurement). With the scheduler in another
    process it does nothing: that process's next tick sends it."""

    def __init__(self) -> None:
        self._send_now: Callable[[], None] | None = None

    def connect(self, send_now: Callable[[], None]) -> None:
        self._send_now = send_now

    def __call__(self) -> None:
        if self._send_now is not None:
            self._send_now()


@dataclass(frozen=True, slots=True)
class BotDependencies:
    uow_factory: UnitOfWorkFactory
    clock: Callable[[], datetime]
    procurement_addresses: frozenset[str]
    plan: PlanConfig = field(default_factory=load_plan)
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    base_url: str = "http://127.0.0.1:3978"
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    conversation_state: ConversationState = field(
        default_factory=lambda: ConversationState(MemoryStorage())
    )
    """Where dialogs keep their state; `bot.app` gives the database-backed one."""
    outbox_nudge: OutboxNudge = field(default_factory=OutboxNudge)
    store_calls: StoreCalls = IN_THREADS
    """Where a turn's units of work run (`bot.teams.store_calls`): `bot.app` runs them on the
    event loop for SQLite."""
    analysis_thresholds: Thresholds = field(default_factory=Thresholds)
    """When the purchase analysis' figures become findings (settings `ANALYSIS_*`)."""
    archive_enabled: bool = False
    """Whether records go to the municipality's archive (setting `ARCHIVE_TRANSPORT`)."""
    state_storage: Storage = field(default_factory=MemoryStorage)
    """Small notes per conversation kept apart from the dialogs' state and written
    last-writer-wins (the last list of `bot.portfolio.commands`); `bot.app` gives the
    database-backed storage."""
