"""Proactive reminders, the planning half: what is due now, for whom, as one message each.

The schedule lives in the follow-ups (`next_action_at`, `reminder_step`). A follow-up climbs a
ladder of steps, each at a working-day offset from its due date (see `Step`):

    NOTICE (set by the calendar, 3 working days before) → DUE (the due date) → REMINDER →
    ESCALATE (the contract's deputy or manager) → PROCUREMENT (the procurement channels)

with the offsets of the last three from the checkpoint's escalation ladder (by default 2, 5
and 10 working days after the due date; the plan's `[ladder]` sets them per risk level, and a
template may set its own). What
taking a step does to the follow-up's state is `followup.lifecycle`'s (`take_step`).

`plan_reminders` runs in every scheduler process, but only the holder of the `planner` lease
plans: inside the send window (working days, working hours, Europe/Oslo) it claims the
follow-ups whose time has come, decides who gets each one *now* (the owner, or their deputy
while they are away; the escalation person; procurement), groups them into ONE message per
recipient (with the recipient's other overdue follow-ups), renders it, and writes it to the
outbox (`Delivery`) in the same transaction that moves each follow-up to its next step. The
senders (`followup.reminders.outbox`) only send what is in the outbox.

- A person who paused reminders gets none (the delivery is recorded as skipped) and the ladder
  goes on, so escalation still happens.
- A person the bot cannot reach (no 1:1 conversation, or marked unreachable after a 403/404)
  gets an `unreachable` delivery, and the procurement channels are told which follow-ups are
  stuck with whom.
- At most `Person.reminders_per_day` digests a day (default one): what comes due after that
  waits for the next day's window.
- Steps missed while nothing ran (a weekend, a stopped server) are not sent one by one: the
  latest step whose time has come is the one taken.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Final, Protocol

from followup import lifecycle
from followup.absence import responsible_person
from followup.calendar.workdays import OSLO, WorkingCalendar, oslo_datetime, oslo_today
from followup.lifecycle import Step
from followup.models import (
    Checkpoint,
    CheckpointStatus,
    Contract,
    ContractStatus,
    ConversationRef,
    Delivery,
    DeliveryKind,
    DeliveryState,
    FollowUp,
    FollowUpState,
    Person,
)
from followup.ports import (
    ListedFollowUp,
    OutgoingMessage,
    ScheduleChange,
    UnitOfWork,
    UnitOfWorkFactory,
)
from followup.reminders.channel_guard import naming_contracts
from followup.views import PortfolioCounts

log = logging.getLogger(__name__)

PLANNER_LEASE: Final = "planner"
OVERDUE_LOOKBACK_DAYS: Final = 400
MAX_DIGEST_ITEMS: Final = 40
OPTION_DECISION_ACTION: Final = "opsjon_utloses"
"""An option decision's checkpoint offers this answer: its digest line shows the contract's
latest supplier evaluation (issue 19)."""


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    window_start: time = time(8, 0)
    window_end: time = time(16, 0)
    weekly_weekday: int = 0
    """The weekly summary's day (0 = Monday) and earliest time, in Oslo."""
    weekly_at: time = time(8, 0)
    batch_size: int = 20_000
    """Follow-ups planned per transaction; a person's follow-ups in one tick should fit."""
    lease_seconds: int = 300


# --- when ----------------------------------------------------------------------------------------


def in_send_window(now: datetime, calendar: WorkingCalendar, settings: ReminderSettings) -> bool:
    """A working day in Oslo, between the start (included) and end (excluded) of the day."""
    local = now.astimezone(OSLO)
    return (
        calendar.is_working_day(local.date())
        and settings.window_start <= local.time() < settings.window_end
    )


def next_send_window(
    now: datetime, calendar: WorkingCalendar, settings: ReminderSettings
) -> datetime:
    """The first instant at or after `now` inside the send window."""
    if in_send_window(now, calendar, settings):
        return now
    local = now.astimezone(OSLO)
    day = local.date()
    if not (calendar.is_working_day(day) and local.time() < settings.window_start):
        day = calendar.working_day_on_or_after(day + timedelta(days=1))
    return oslo_datetime(day, settings.window_start)


def step_at(
    follow_up: FollowUp,
    checkpoint: Checkpoint,
    step: Step,
    calendar: WorkingCalendar,
    settings: ReminderSettings,
) -> datetime | None:
    """When `step` of the ladder is due (None: the checkpoint's ladder has no such step).
    NOTICE is set by the calendar when the follow-up is made and is not computed here."""
    return _step_at(follow_up.due_date, checkpoint.escalation, step, calendar, settings)


def _step_at(
    due: date,
    escalation: Sequence[int],
    step: Step,
    calendar: WorkingCalendar,
    settings: ReminderSettings,
) -> datetime | None:
    if step is Step.DUE:
        day = due
    elif Step.REMINDER <= step <= Step.PROCUREMENT:
        index = step - Step.REMINDER
        if index >= len(escalation):
            return None
        day = calendar.add_working_days(due, escalation[index])
    else:
        return None
    return oslo_datetime(calendar.working_day_on_or_after(day), settings.window_start)


StepTimes = Callable[[Step], datetime | None]
"""When each step of one follow-up's ladder is due (`step_at` for that follow-up)."""
_STEPS: Final = tuple(Step)
"""The steps by value, without a call to the enum for each."""


def step_due_now(
    follow_up: FollowUp,
    checkpoint: Checkpoint,
    now: datetime,
    calendar: WorkingCalendar,
    settings: ReminderSettings,
) -> Step:
    """The step to take now: the follow-up's current step, or a later one whose time has also
    come (missed steps are not sent one by one). A snoozed follow-up reminds the person who
    snoozed it, whatever the ladder would say by now."""
    return _due_now(
        follow_up, lambda step: step_at(follow_up, checkpoint, step, calendar, settings), now
    )


def _due_now(follow_up: FollowUp, at: StepTimes, now: datetime) -> Step:
    current = _STEPS[min(max(follow_up.reminder_step, 0), Step.DONE)]
    if follow_up.state is FollowUpState.SNOOZED:
        return min(current, Step.REMINDER)
    taken = current
    for step in _STEPS[current + 1 : Step.DONE]:
        when = at(step)
        if when is not None and when <= now:
            taken = step
    return taken


def next_step(
    follow_up: FollowUp,
    checkpoint: Checkpoint,
    taken: Step,
    now: datetime,
    calendar: WorkingCalendar,
    settings: ReminderSettings,
) -> tuple[Step, datetime | None]:
    """The step after `taken` and when it is due (DONE and None at the end of the ladder)."""
    return _after(taken, lambda step: step_at(follow_up, checkpoint, step, calendar, settings), now)


def _after(taken: Step, at: StepTimes, now: datetime) -> tuple[Step, datetime | None]:
    for step in _STEPS[taken + 1 : Step.DONE]:
        when = at(step)
        if when is not None:
            return step, max(when, now + timedelta(seconds=1))
    return Step.DONE, None


# --- what a message holds ------------------------------------------------------------------------


class ItemRole(StrEnum):
    OWN = "own"
    COVERING = "covering"
    """The recipient answers for an owner who is away."""
    ESCALATED = "escalated"
    """Overdue with another owner; sent to the recipient as the contract's deputy or manager."""


class ListedFollowUpLike(Protocol):
    """What a digest shows of a follow-up: a `FollowUp`, or a `ListedFollowUp` (the
    recipient's other overdue ones, read without models)."""

    @property
    def id(self) -> str: ...
    @property
    def due_date(self) -> date: ...
    @property
    def state(self) -> FollowUpState: ...


class ListedContractLike(Protocol):
    """A `Contract`, or a `ListedContract`."""

    @property
    def id(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def title(self) -> str: ...


class ListedCheckpointLike(Protocol):
    """A `Checkpoint`, or a `ListedCheckpoint`."""

    @property
    def title(self) -> str: ...
    @property
    def actions(self) -> Sequence[str]: ...


class EvaluatedLike(Protocol):
    """A contract's latest supplier evaluation as a digest line shows it
    (`followup.checks.evaluation_models.EvaluationLine`)."""

    @property
    def evaluated_at(self) -> datetime: ...
    @property
    def overall(self) -> int: ...


class _LatestEvaluations(Protocol):
    def latest_for_contracts(
        self, contract_ids: Collection[str]
    ) -> Mapping[str, EvaluatedLike]: ...


@dataclass(frozen=True, slots=True)
class DigestItem:
    follow_up: ListedFollowUpLike
    checkpoint: ListedCheckpointLike
    contract: ListedContractLike
    role: ItemRole
    owner: Person | None
    days_overdue: int
    new: bool
    """Due for a message now (the others are the recipient's other overdue follow-ups)."""
    evaluation: EvaluatedLike | None = None
    """An option decision's: the contract's latest supplier evaluation (None: none, or not
    an option decision)."""


@dataclass(frozen=True, slots=True)
class Digest:
    recipient: Person
    today: date
    items: Sequence[DigestItem]
    more: int = 0
    """Items left out of the card (more than `MAX_DIGEST_ITEMS`)."""


@dataclass(frozen=True, slots=True)
class StuckItem:
    follow_up: FollowUp
    checkpoint: Checkpoint
    contract: Contract
    owner: Person | None
    responsible: Person | None
    days_overdue: int


@dataclass(frozen=True, slots=True)
class ProcurementEscalation:
    today: date
    items: Sequence[StuckItem]


@dataclass(frozen=True, slots=True)
class UnreachableNotice:
    today: date
    person: Person | None
    """None: the contract has no owner or manager at all."""
    reason: str
    items: Sequence[StuckItem]


@dataclass(frozen=True, slots=True)
class WeeklySummary:
    week: str
    """The key the summary is sent once by (`2026-W51`, the ISO week it is made in); internal,
    never shown: the card names the week it covers, from `since` and `until`."""
    since: date
    until: date
    """The week summarised, `since` to `until` inclusive: the seven days before the summary's
    day (Monday to Sunday by default). Answers are counted in it."""
    today: date
    """The day it is made: overdue, escalated, deviations and unreachable are as of today."""
    counts: PortfolioCounts


class ReminderRenderer(Protocol):
    """Turns what is to be said into a message (text and card); implemented by the edge."""

    def digest(self, digest: Digest) -> OutgoingMessage: ...
    def procurement_escalation(self, escalation: ProcurementEscalation) -> OutgoingMessage: ...
    def unreachable(self, notice: UnreachableNotice) -> OutgoingMessage: ...
    def weekly(self, summary: WeeklySummary) -> OutgoingMessage: ...


def message_json(message: OutgoingMessage) -> dict[str, Any]:
    """A message as the outbox keeps it; its metadata (the contracts it names, see
    `followup.reminders.channel_guard`) goes with it."""
    value: dict[str, Any] = {"text": message.text, "card": message.card}
    if message.metadata:
        value["metadata"] = dict(message.metadata)
    return value


def message_from_json(value: Mapping[str, Any]) -> OutgoingMessage:
    card = value.get("card")
    metadata = value.get("metadata")
    return OutgoingMessage(
        text=str(value.get("text") or ""),
        card=card if isinstance(card, dict) else None,
        metadata=(
            {str(k): str(v) for k, v in metadata.items()} if isinstance(metadata, dict) else {}
        ),
    )


# --- planning ------------------------------------------------------------------------------------


class PlannedMessages:
    """The digests this process has just planned, by delivery id, until its sender sends them
    (`OutboxSender.planned`): a message sent from here is not decoded again from the JSON the
    outbox keeps it as (a card of a few thousand objects: the larger part of a send's work).
    It is the very message the outbox row was serialised from, so the same is sent either
    way; which deliveries are sent, and when, is still the outbox's (claims, leases).

    Only what a committed batch planned is kept, at most `limit` messages (~20 KB each as the
    scheduler renders them: the rest of a large fan-out is read from the outbox), and only
    until the next planning: a digest another process sends instead is dropped then."""

    def __init__(self, limit: int = 1_000) -> None:
        self._limit = limit
        self._messages: dict[str, OutgoingMessage] = {}

    def __len__(self) -> int:
        return len(self._messages)

    @property
    def room(self) -> int:
        """How many more it keeps."""
        return max(0, self._limit - len(self._messages))

    def clear(self) -> None:
        self._messages = {}

    def keep(self, messages: Mapping[str, OutgoingMessage]) -> None:
        for delivery_id, message in messages.items():
            if len(self._messages) >= self._limit:
                break
            self._messages[delivery_id] = message

    def ids(self) -> frozenset[str]:
        return frozenset(self._messages)

    def take(self, delivery_id: str) -> OutgoingMessage | None:
        """The message planned for the delivery, once (None: read it from the outbox)."""
        return self._messages.pop(delivery_id, None)


@dataclass(slots=True)
class PlanReport:
    planned: bool = False
    """False when another process holds the planner lease or the window is closed."""
    follow_ups: int = 0
    digests: int = 0
    skipped_paused: int = 0
    unreachable: int = 0
    procurement: int = 0
    deferred: int = 0
    stopped: int = 0
    weekly: int = 0

    def add(self, other: PlanReport) -> None:
        for name in (
            "follow_ups", "digests", "skipped_paused", "unreachable", "procurement", "deferred",
            "stopped", "weekly",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))


# Keeps a unit-of-work factory: a batch job over all due follow-ups, committed batch by batch.
def plan_reminders(
    uow_factory: UnitOfWorkFactory,
    now: datetime,
    *,
    holder: str,
    calendar: WorkingCalendar,
    renderer: ReminderRenderer,
    settings: ReminderSettings | None = None,
    planned: PlannedMessages | None = None,
) -> PlanReport:
    """Plan every reminder due at `now` into the outbox (see the module docstring); the
    digests planned are kept in `planned` for this process's sender."""
    settings = settings or ReminderSettings()
    report = PlanReport()
    if planned is not None:
        planned.clear()
    if not in_send_window(now, calendar, settings):
        return report
    lease_until = now + timedelta(seconds=settings.lease_seconds)
    with uow_factory() as uow:
        if not uow.scheduler.try_lease(PLANNER_LEASE, holder, now, lease_until):
            return report
        uow.commit()
    report.planned = True
    try:
        while True:
            with uow_factory() as uow:
                due = uow.follow_ups.claim_due(now, settings.batch_size)
                if not due:
                    break
                planner = _Planner(
                    uow,
                    now,
                    calendar,
                    settings,
                    renderer,
                    keep_digests=planned.room if planned is not None else 0,
                )
                batch = planner.plan(due)
                uow.commit()
            if planned is not None:
                planned.keep(planner.digests)
            report.add(batch)
            if len(due) < settings.batch_size:
                break
        with uow_factory() as uow:
            report.weekly = _plan_weekly_summaries(uow, now, calendar, settings, renderer)
            uow.commit()
    finally:
        with uow_factory() as uow:
            uow.scheduler.release(PLANNER_LEASE, holder)
            uow.commit()
    if report.follow_ups or report.weekly:
        log.info(
            "reminders planned",
            extra={
                "follow_ups": report.follow_ups,
                "digests": report.digests,
                "procurement": report.procurement,
                "unreachable": report.unreachable,
                "deferred": report.deferred,
                "paused": report.skipped_paused,
                "weekly": report.weekly,
            },
        )
    return report


@dataclass(slots=True)
class _Recipient:
    items: list[tuple[FollowUp, ItemRole]] = field(default_factory=list)


class _Planner:
    """One batch: load everything the batch needs in bulk, then decide per follow-up."""

    def __init__(
        self,
        uow: UnitOfWork,
        now: datetime,
        calendar: WorkingCalendar,
        settings: ReminderSettings,
        renderer: ReminderRenderer,
        *,
        keep_digests: int = 0,
    ) -> None:
        self.uow = uow
        self.now = now
        self.today = oslo_today(now)
        self.calendar = calendar
        self.settings = settings
        self.renderer = renderer
        self.report = PlanReport()
        self.changes: list[ScheduleChange] = []
        self.deliveries: list[Delivery] = []
        self._digests: dict[str, tuple[Person, _Recipient]] = {}
        """Whose digest each delivery in `deliveries` still without its message is (made and
        rendered as the outbox is written: `_outbox`)."""
        self._procurement_channels: Sequence[ConversationRef] | None = None
        self._keep_digests = keep_digests
        self.digests: dict[str, OutgoingMessage] = {}
        """The first `keep_digests` digests rendered, by delivery id (`PlannedMessages`)."""
        self._ladders: dict[tuple[date, tuple[int, ...]], tuple[datetime | None, ...]] = {}
        self._taken: dict[str, Step] = {}

    def plan(self, due: Sequence[FollowUp]) -> PlanReport:
        self.report.follow_ups = len(due)
        self._load(due)
        personal, procurement = self._decide(due)
        self._load_people(set(personal))
        self._load_overdue(personal)
        self._load_evaluations(personal)
        refs = dict(self.uow.conversations.personal_for_people(set(personal)))
        counted = dict(
            self.uow.deliveries.counted_today(set(personal), oslo_datetime(self.today, time(0)))
        )
        for person_id, recipient in personal.items():
            self._plan_person(person_id, recipient, refs.get(person_id), counted.get(person_id, 0))
        if procurement:
            self._plan_procurement(procurement)
        self.uow.deliveries.add_many(self._outbox(), self.now)
        # Only open ones: on SQLite the follow-ups were read outside the write transaction, and
        # an answer given since then must stay.
        self.uow.follow_ups.reschedule(self.changes, only_open=True)
        return self.report

    def _load(self, due: Sequence[FollowUp]) -> None:
        uow = self.uow
        self.contracts = dict(uow.contracts.get_many({f.contract_id for f in due}))
        # Only the due follow-ups' own checkpoints, not every checkpoint of their contracts.
        self.checkpoints = dict(uow.checkpoints.get_many({f.checkpoint_id for f in due}))
        owner_ids = {c.owner_id for c in self.contracts.values() if c.owner_id}
        self.absences = list(uow.absences.for_people(owner_ids, self.today))
        self.people: dict[str, Person] = dict(
            uow.people.get_many(
                owner_ids
                | {p for c in self.contracts.values() for p in (c.manager_id, c.deputy_id) if p}
                | {a.deputy_person_id for a in self.absences if a.deputy_person_id}
            )
        )
        self._load_people({p.deputy_person_id for p in self.people.values() if p.deputy_person_id})

    def _decide(self, due: Sequence[FollowUp]) -> tuple[dict[str, _Recipient], list[FollowUp]]:
        """Who gets each follow-up now: people (with the item's role), or procurement."""
        personal: dict[str, _Recipient] = defaultdict(_Recipient)
        procurement: list[FollowUp] = []
        for follow_up in due:
            contract = self.contracts.get(follow_up.contract_id)
            checkpoint = self.checkpoints.get(follow_up.checkpoint_id)
            if (
                contract is None
                or checkpoint is None
                or not self._still_followed(follow_up, contract, checkpoint)
            ):
                self._stop(follow_up)
                continue
            taken = self._step_due_now(follow_up, checkpoint)
            if taken >= Step.PROCUREMENT:
                procurement.append(follow_up)
                continue
            if taken is Step.ESCALATE:
                target = self._escalation_person(contract)
                if target is None:  # nobody between the owner and procurement
                    procurement.append(follow_up)
                    continue
                personal[target].items.append((follow_up, ItemRole.ESCALATED))
                continue
            who = responsible_person(
                contract, self._person(contract.owner_id), self.absences, self.today
            )
            if who is None:
                self._advance(follow_up)
                self._unreachable_items(None, "ingen avtaleeier", [follow_up])
                continue
            role = ItemRole.OWN if who == contract.owner_id else ItemRole.COVERING
            personal[who].items.append((follow_up, role))
        return personal, procurement

    # -- who

    def _load_people(self, person_ids: Iterable[str]) -> None:
        missing = {p for p in person_ids if p not in self.people}
        if missing:
            self.people.update(self.uow.people.get_many(missing))

    def _person(self, person_id: str | None) -> Person | None:
        return self.people.get(person_id) if person_id else None

    def _escalation_person(self, contract: Contract) -> str | None:
        """The contract's deputy or manager, else the owner's standing deputy: someone who
        is not the person responsible today."""
        owner = self._person(contract.owner_id)
        responsible = responsible_person(contract, owner, self.absences, self.today)
        for candidate in (
            contract.deputy_id,
            contract.manager_id,
            owner.deputy_person_id if owner else None,
        ):
            if candidate and candidate not in (contract.owner_id, responsible):
                return candidate
        return None

    @staticmethod
    def _still_followed(follow_up: FollowUp, contract: Contract, checkpoint: Checkpoint) -> bool:
        return (
            follow_up.state in lifecycle.LADDER_STATES
            and contract.status is ContractStatus.ACTIVE
            and checkpoint.status is CheckpointStatus.ACTIVE
        )

    # -- the ladder

    def _step_times(self, due: date, checkpoint: Checkpoint) -> StepTimes:
        """`step_at` of a follow-up due on `due` on the checkpoint's ladder: worked out once
        per due date and ladder in a batch (many follow-ups share both)."""
        key = (due, tuple(checkpoint.escalation))
        times = self._ladders.get(key)
        if times is None:
            times = tuple(
                _step_at(due, checkpoint.escalation, step, self.calendar, self.settings)
                for step in _STEPS
            )
            self._ladders[key] = times
        return lambda step: times[step]

    def _step_due_now(self, follow_up: FollowUp, checkpoint: Checkpoint) -> Step:
        """`step_due_now`, once per follow-up (deciding and advancing both ask)."""
        taken = self._taken.get(follow_up.id)
        if taken is None:
            times = self._step_times(follow_up.due_date, checkpoint)
            taken = self._taken[follow_up.id] = _due_now(follow_up, times, self.now)
        return taken

    # -- schedule changes

    def _stop(self, follow_up: FollowUp) -> None:
        self.report.stopped += 1
        self.changes.append(lifecycle.schedule_change(lifecycle.stop(follow_up)))

    def _advance(self, follow_up: FollowUp) -> None:
        checkpoint = self.checkpoints[follow_up.checkpoint_id]
        taken = self._step_due_now(follow_up, checkpoint)
        due = follow_up.due_date
        if follow_up.state is FollowUpState.SNOOZED and due < self.today:
            # The rest of the ladder counts from the day the snooze ended, not the due date.
            due = self.today
        step, at = _after(taken, self._step_times(due, checkpoint), self.now)
        self.changes.append(
            lifecycle.schedule_change(lifecycle.take_step(follow_up, taken, step, at))
        )

    def _defer(self, follow_up: FollowUp) -> None:
        """Wait for the next day's window (the person has had their messages today)."""
        self.report.deferred += 1
        tomorrow = self.calendar.working_day_on_or_after(self.today + timedelta(days=1))
        later = lifecycle.reschedule(follow_up, oslo_datetime(tomorrow, self.settings.window_start))
        self.changes.append(lifecycle.schedule_change(later))

    # -- personal digests

    def _plan_person(
        self, person_id: str, recipient: _Recipient, ref: ConversationRef | None, counted: int
    ) -> None:
        person = self._person(person_id)
        follow_ups = [f for f, _ in recipient.items]
        if person is not None and person.reminders_paused:
            self.report.skipped_paused += 1
            for follow_up in follow_ups:
                self._advance(follow_up)
            self.deliveries.append(
                Delivery(
                    recipient_person_id=person_id,
                    follow_up_ids=[f.id for f in follow_ups],
                    state=DeliveryState.SKIPPED,
                    last_error="påminnelser er satt på pause",
                    created_at=self.now,
                )
            )
            return
        if person is None or person.unreachable or ref is None:
            reason = "ikke installert appen" if person is not None and ref is None else "403/404"
            for follow_up in follow_ups:
                self._advance(follow_up)
            self._unreachable_items(person, reason, follow_ups, person_id=person_id)
            return
        if counted >= person.reminders_per_day:
            for follow_up in follow_ups:
                self._defer(follow_up)
            return
        for follow_up in follow_ups:
            self._advance(follow_up)
        self.report.digests += 1
        delivery = Delivery(
            kind=DeliveryKind.DIGEST,
            recipient_person_id=person_id,
            conversation_ref_id=ref.id,
            follow_up_ids=[f.id for f in follow_ups],
            created_at=self.now,
        )
        self.deliveries.append(delivery)
        self._digests[delivery.id] = (person, recipient)

    def _outbox(self) -> Iterator[Delivery]:
        """The deliveries, each digest made and rendered only now, as its row is made: a card
        of dicts is thousands of small objects, and the outbox keeps it as JSON (storage
        serialises each message as it takes it), so each is garbage at once instead of living,
        all of them together, through the whole batch (where Python's collector would scan
        them again and again). Kept for the sender (`keep_digests`) they live on: the
        scheduler's renderer makes them of a few dozen objects, their lines JSON text
        (`bot.reminders.cards.ReminderCards(outbox=True)`)."""
        for delivery in self.deliveries:
            whose = self._digests.get(delivery.id)
            if whose is None:
                yield delivery
            else:
                message = self.renderer.digest(self._digest(*whose))
                if len(self.digests) < self._keep_digests:
                    self.digests[delivery.id] = message
                yield delivery.model_copy(update={"message": message_json(message)})

    def _digest(self, person: Person, recipient: _Recipient) -> Digest:
        items = [self._item(f, role) for f, role in recipient.items]
        items.extend(
            DigestItem(
                follow_up=line,
                checkpoint=line.checkpoint,
                contract=line.contract,
                role=ItemRole.OWN,
                owner=person,
                days_overdue=max(0, (self.today - line.due_date).days),
                new=False,
                evaluation=self._evaluation(line.contract.id, line.checkpoint),
            )
            for line in self.overdue.get(person.id, ())
        )
        items.sort(key=lambda i: (not i.new, i.follow_up.due_date, i.contract.reference))
        listed = len(recipient.items) + self.overdue_count.get(person.id, 0)
        return Digest(
            person,
            self.today,
            items[:MAX_DIGEST_ITEMS],
            more=max(0, listed - MAX_DIGEST_ITEMS),
        )

    def _load_evaluations(self, personal: Mapping[str, _Recipient]) -> None:
        """The latest supplier evaluation of each contract with an option decision in a
        digest: one statement for the batch, none when no digest has an option decision."""
        self.evaluations: Mapping[str, EvaluatedLike] = {}
        contract_ids = {
            f.contract_id
            for recipient in personal.values()
            for f, _ in recipient.items
            if OPTION_DECISION_ACTION in self.checkpoints[f.checkpoint_id].actions
        } | {
            line.contract.id
            for lines in self.overdue.values()
            for line in lines
            if OPTION_DECISION_ACTION in line.checkpoint.actions
        }
        evaluations: _LatestEvaluations | None = getattr(self.uow, "supplier_evaluations", None)
        if contract_ids and evaluations is not None:
            self.evaluations = evaluations.latest_for_contracts(contract_ids)

    def _evaluation(
        self, contract_id: str, checkpoint: ListedCheckpointLike
    ) -> EvaluatedLike | None:
        if OPTION_DECISION_ACTION not in checkpoint.actions:
            return None
        return self.evaluations.get(contract_id)

    def _load_overdue(self, personal: Mapping[str, _Recipient]) -> None:
        """Each recipient's own other open follow-ups due today or before (on active
        checkpoints), in the digest's order: the first `MAX_DIGEST_ITEMS` after the new ones
        as the lines a digest lists (`ListedFollowUp`, read in one statement with what the
        line shows of the contract and checkpoint: no models), the rest only counted."""
        self.overdue: dict[str, list[ListedFollowUp]] = {}
        self.overdue_count: dict[str, int] = {}
        if not personal:
            return
        found = self.uow.summaries.open_lines_owned_by(
            set(personal), self.today - timedelta(days=OVERDUE_LOOKBACK_DAYS), self.today
        )
        by_owner: dict[str, list[ListedFollowUp]] = defaultdict(list)
        for line in found:
            by_owner[line.owner_id].append(line)
        for person_id, lines in by_owner.items():
            new_ids = {f.id for f, _ in personal[person_id].items}
            others = sorted(
                (line for line in lines if line.id not in new_ids),
                key=lambda line: (
                    line.due_date,
                    line.contract.reference,
                    line.contract.id,
                    line.id,
                ),
            )
            self.overdue_count[person_id] = len(others)
            self.overdue[person_id] = others[: max(0, MAX_DIGEST_ITEMS - len(new_ids))]

    def _item(self, follow_up: FollowUp, role: ItemRole) -> DigestItem:
        """A follow-up due for a message now."""
        contract = self.contracts[follow_up.contract_id]
        return DigestItem(
            follow_up=follow_up,
            checkpoint=self.checkpoints[follow_up.checkpoint_id],
            contract=contract,
            role=role,
            owner=self._person(contract.owner_id),
            days_overdue=max(0, (self.today - follow_up.due_date).days),
            new=True,
            evaluation=self._evaluation(contract.id, self.checkpoints[follow_up.checkpoint_id]),
        )

    # -- procurement

    def _stuck(self, follow_up: FollowUp) -> StuckItem:
        contract = self.contracts[follow_up.contract_id]
        owner = self._person(contract.owner_id)
        responsible = responsible_person(contract, owner, self.absences, self.today)
        return StuckItem(
            follow_up=follow_up,
            checkpoint=self.checkpoints[follow_up.checkpoint_id],
            contract=contract,
            owner=owner,
            responsible=self._person(responsible),
            days_overdue=max(0, (self.today - follow_up.due_date).days),
        )

    def _channels(self) -> Sequence[ConversationRef]:
        if self._procurement_channels is None:
            self._procurement_channels = self.uow.conversations.procurement_channels()
        return self._procurement_channels

    def _to_channels(
        self, kind: DeliveryKind, follow_ups: Sequence[FollowUp], message: OutgoingMessage
    ) -> None:
        """To every procurement channel (one per channel), marked with the contracts it names:
        it is posted only where every member may see them, decided when it is sent
        (`followup.reminders.channel_guard`)."""
        message = naming_contracts(message, {f.contract_id for f in follow_ups})
        channels = self._channels()
        if not channels:
            log.warning(
                "no procurement channel registered; message not sent",
                extra={"kind": kind.value, "follow_ups": len(follow_ups)},
            )
            self.deliveries.append(
                Delivery(
                    kind=kind,
                    follow_up_ids=[f.id for f in follow_ups],
                    message=message_json(message),
                    state=DeliveryState.UNREACHABLE,
                    last_error="ingen innkjøpskanal er registrert",
                    created_at=self.now,
                )
            )
            return
        for channel in channels:
            self.deliveries.append(
                Delivery(
                    kind=kind,
                    conversation_ref_id=channel.id,
                    follow_up_ids=[f.id for f in follow_ups],
                    message=message_json(message),
                    created_at=self.now,
                )
            )

    def _plan_procurement(self, follow_ups: Sequence[FollowUp]) -> None:
        self.report.procurement += len(follow_ups)
        for follow_up in follow_ups:
            self._advance(follow_up)
        items = sorted(
            (self._stuck(f) for f in follow_ups),
            key=lambda i: (-i.days_overdue, i.contract.reference),
        )
        message = self.renderer.procurement_escalation(ProcurementEscalation(self.today, items))
        self._to_channels(DeliveryKind.ESCALATION, follow_ups, message)

    def _unreachable_items(
        self,
        person: Person | None,
        reason: str,
        follow_ups: Sequence[FollowUp],
        *,
        person_id: str | None = None,
        record: bool = True,
    ) -> None:
        self.report.unreachable += 1
        if record:
            self.deliveries.append(
                Delivery(
                    kind=DeliveryKind.DIGEST,
                    recipient_person_id=person.id if person else person_id,
                    follow_up_ids=[f.id for f in follow_ups],
                    state=DeliveryState.UNREACHABLE,
                    last_error=reason,
                    created_at=self.now,
                )
            )
        notice = UnreachableNotice(self.today, person, reason, [self._stuck(f) for f in follow_ups])
        self._to_channels(DeliveryKind.UNREACHABLE, follow_ups, self.renderer.unreachable(notice))


def report_unreachable(
    uow: UnitOfWork,
    person_id: str,
    follow_up_ids: Sequence[str],
    reason: str,
    now: datetime,
    renderer: ReminderRenderer,
    *,
    calendar: WorkingCalendar | None = None,
) -> None:
    """A digest to `person_id` came back 403/404: mark them unreachable (until they write to
    the bot again) and tell the procurement channels which follow-ups are stuck with them."""
    person = uow.people.get(person_id)
    if person is not None and not person.unreachable:
        person.unreachable = True
        uow.people.update(person, now)
    planner = _Planner(uow, now, calendar or WorkingCalendar(), ReminderSettings(), renderer)
    follow_ups = list(uow.follow_ups.get_many(follow_up_ids).values())
    planner._load(follow_ups)
    known = [
        f
        for f in follow_ups
        if f.contract_id in planner.contracts and f.checkpoint_id in planner.checkpoints
    ]
    if known:
        planner._unreachable_items(person, reason, known, person_id=person_id, record=False)
        uow.deliveries.add_many(planner._outbox(), now)


# --- the weekly summary --------------------------------------------------------------------------


def _plan_weekly_summaries(
    uow: UnitOfWork,
    now: datetime,
    calendar: WorkingCalendar,
    settings: ReminderSettings,
    renderer: ReminderRenderer,
) -> int:
    local = now.astimezone(OSLO)
    # The summary's latest day, or the first working day after it when that day is off (Easter
    # Monday, or a weekend day): planning runs only on working days.
    day = local.date() - timedelta(days=(local.weekday() - settings.weekly_weekday) % 7)
    if calendar.working_day_on_or_after(day) != local.date() or local.time() < settings.weekly_at:
        return 0
    year, week, _ = day.isocalendar()
    label = f"{year}-W{week:02d}"
    channels = [
        c
        for c in uow.conversations.procurement_channels()
        if not uow.deliveries.exists(_weekly_key(c, label))
    ]
    if not channels:
        return 0
    today = local.date()
    # The week before the summary's day, also when a holiday moved the summary a day later:
    # each day is in exactly one summary.
    since, until = day - timedelta(days=7), day - timedelta(days=1)
    counts = uow.summaries.weekly_counts(oslo_datetime(since, time(0)), today, until=until)
    message = renderer.weekly(WeeklySummary(label, since, until, today, counts))
    uow.deliveries.add_many(
        [
            Delivery(
                kind=DeliveryKind.WEEKLY,
                conversation_ref_id=channel.id,
                message=message_json(message),
                dedupe_key=_weekly_key(channel, label),
                created_at=now,
            )
            for channel in channels
        ],
        now,
    )
    return len(channels)


def _weekly_key(channel: ConversationRef, week: str) -> str:
    return f"weekly:{channel.id}:{week}"


__all__ = [
    "MAX_DIGEST_ITEMS",
    "PLANNER_LEASE",
    "Digest",
    "DigestItem",
    "ItemRole",
    "PlanReport",
    "PlannedMessages",
    "ProcurementEscalation",
    "ReminderRenderer",
    "ReminderSettings",
    "Step",
    "StuckItem",
    "UnreachableNotice",
    "WeeklySummary",
    "in_send_window",
    "message_from_json",
    "message_json",
    "next_send_window",
    "next_step",
    "plan_reminders",
    "report_unreachable",
    "step_at",
    "step_due_now",
]
