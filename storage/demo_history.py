"""Six months of Fjordvik kommune's contract follow-up, made as it would have happened.

`make_history` walks the demo municipality from six months before `now` to `now` through the
domain's own services, in time order, in the caller's unit of work, so the answers, documents,
deviations and the audit trail's hash chain are exactly what the bot would have stored:

- on the first working day (`DemoHistory.started`), procurement's channel is registered
  (`record_conversation`, `set_procurement_channel`);
- the units take the bot into use in waves (`rollout`: the pilot units that day, the others
  weeks later): each wave's contracts get their plans and follow-up calendars then
  (`apply_plans`, `materialise_calendar`), which also keeps the load to a few seconds;
- each follow-up due since its unit began is answered (`record_answer`, `store_document` for the
  checkpoints that ask for documents, `report_deviation` when something was wrong), mostly on
  time, some late after reminders and escalation (the reminder ladder's steps as the planner
  takes them: `step_due_now`, `next_step`, `lifecycle.take_step`), by the owner, the contract's
  deputy for the owner, or its manager; a few partly delivered answers are corrected later;
- the recent ones are partly still open: overdue, and escalated when the ladder says so;
- procurement reports a few deviations of its own (agreement leakage, prices); deviations move
  to in progress and closed over the weeks after (`update_deviation`), and the high and
  critical ones' alerts to the procurement channel were sent (the outbox's `claim` and
  `finish`, as the sender records a send);
- the structured checks (words and numbers in `storage.demo_checks`): a third of the contracts
  in force get a risk assessment (`assess_risk`) from their owner, manager or procurement, a few
  overruled with a reason and a few assessed twice, two of them changing the level, which makes
  the plan again (what it drops is not answered, what it adds is); the on-site follow-ups of
  labour-intensive contracts are answered by an on-site check (`record_onsite`; elsewhere "not
  relevant"), a few of which find workers without a valid HMS-kort or a crew list that did not
  match and register a deviation, and procurement makes a couple of unannounced checks; the
  evaluation follow-ups are answered by a supplier evaluation (`record_evaluation`), and
  procurement evaluates one weak supplier on its own. A check answers the follow-up its service
  finds; one it answered out of turn is not answered again (`_History.skip`);
- one owner is away now, with a colleague covering (`register_absence`);
- at `now` the plans and calendar are brought up to date once more.

Everything is drawn from `random.Random` seeded by `seed`, in a fixed order (follow-ups by due
date, contract reference and checkpoint code), so the same data and seed give the same history.
The follow-up ladder runs on working days in Europe/Oslo, as the scheduler's does.
"""

from __future__ import annotations

import heapq
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Final

from followup import lifecycle
from followup.absence import RegisterAbsence, register_absence
from followup.answers.actions import DEVIATION, UPLOAD, kind_of
from followup.answers.services import AnswerTarget, RecordAnswer, record_answer
from followup.calendar.workdays import OSLO, WorkingCalendar, oslo_datetime, oslo_today
from followup.checks.evaluation import EVIDENCE_CODE, RecordEvaluation, record_evaluation
from followup.checks.onsite import RecordOnsite, record_onsite
from followup.checks.risk import AssessRisk, assess_risk
from followup.conversations import (
    RecordConversation,
    SetProcurementChannel,
    record_conversation,
    set_procurement_channel,
)
from followup.deviations.services import (
    ALERT_SEVERITIES,
    DeviationAlertRenderer,
    ReportDeviation,
    UpdateDeviation,
    report_deviation,
    update_deviation,
)
from followup.documents.services import StoreDocument, store_document
from followup.models import (
    OPEN_FOLLOW_UP_STATES,
    AnswerKind,
    Category,
    Checkpoint,
    CheckpointStatus,
    Contract,
    ContractStatus,
    ConversationKind,
    DeliveryState,
    DeviationCategory,
    DeviationStatus,
    FollowUp,
    FollowUpState,
    Person,
    Remedy,
    RiskLevel,
    Severity,
    Supplier,
)
from followup.periods import add_months
from followup.plans.materialise import materialise_calendar
from followup.plans.plan_file import PlanConfig, TemplateKind, apply_plans
from followup.ports import DeliveryOutcome, DocumentStore
from followup.reminders.planning import ReminderSettings, next_step, step_due_now
from storage.demo_checks import (
    CARD_FINDINGS,
    CREW_FINDING,
    HSE_FINDING,
    LOWERED_COMMENT,
    NOT_ON_SITE,
    OVERRULED_EVERY,
    RAISED_COMMENT,
    SECOND_COMMENT,
    TWO_VERSION_STORIES,
    WEAK_SUPPLIER_MIN_CONTRACTS,
    DemoUnitOfWork,
    Finding,
    RiskStory,
    RiskVersion,
    evaluation_scores,
    labour_intensive,
    needs_hms_cards,
    onsite_story,
    overruled_suggestion,
    participants,
    risk_story,
    risk_version,
)
from storage.document_store import FolderDocumentStore

log = logging.getLogger(__name__)

HISTORY_MONTHS: Final = 6
DEMO_CHANNEL_ID: Final = "19:fjordvik-innkjop@thread.tacv2"
DEMO_TEAM_ID: Final = "19:fjordvik-innkjop-team@thread.tacv2"
DEMO_TEAM_NAME: Final = "Innkjøp og kontraktsoppfølging"
ACTOR_PLAN: Final = "plan"
HISTORY_CLAIM: Final = "demo-history"

# How often a follow-up due so long ago is still open now (by days since its due date).
_STILL_OPEN: Final = ((14, 0.25), (45, 0.06), (100_000, 0.015))
_LATE: Final = 0.2
"""Of the answered ones, answered after the due date."""
_LATE_WORKING_DAYS: Final = (1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 9, 11, 13, 16)
_EARLY: Final = 0.3
"""Of those due in the next days whose notice has gone out, already answered."""
_BY_DEPUTY: Final = 0.12
_BY_MANAGER: Final = 0.1
_DEVIATION: Final = 0.045
_NOT_APPLICABLE: Final = 0.03
_PARTLY: Final = 0.08
_NOT_DELIVERED: Final = 0.02
_MORE_DOCUMENTS: Final = 0.3
"""Of the documents a checkpoint asks for beyond the first, the share sent."""
_CORRECTED: Final = 0.5
"""Of the partly delivered answers, corrected to delivered some days later."""
_COMMENTED: Final = 0.35
_PROCUREMENT_DEVIATIONS: Final = 8
_AWAY_SINCE_DAYS: Final = 2
_AWAY_FOR_DAYS: Final = 12
_SEVERITIES: Final = (Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)
_SEVERITY_WEIGHTS: Final = (30, 42, 21, 7)
_WORK_START: Final = time(8, 0)
_ASSESSED_BY_OWNER: Final = 0.7
_ASSESSED_BY_MANAGER: Final = 0.1
"""The rest of the risk assessments are procurement's."""
_ONSITE_WITH_PROCUREMENT: Final = 0.4
_AD_HOC_ONSITE: Final = 2
"""Unannounced on-site checks by procurement with the labour inspection (high-risk building)."""
_AD_HOC_SHARE: Final = 0.25
_WEAK_EVALUATIONS: Final = 2
"""Evaluations of the weak supplier by procurement, besides the owners' yearly ones."""

_COMMENTS: Final[Mapping[AnswerKind, tuple[str, ...]]] = {
    AnswerKind.DELIVERED: (
        "Levert som avtalt.",
        "Alt i orden.",
        "Kontrollert ved mottak, ingen merknader.",
        "Mottatt og kontrollert av fagansvarlig.",
        "I orden. Leverandøren var tidlig ute.",
    ),
    AnswerKind.PARTLY_DELIVERED: (
        "Mangler to paller; restlevering lovet neste uke.",
        "Halve leveransen kom, resten er restordre.",
        "Levert, men uten dokumentasjon på kvalitetskontroll.",
    ),
    AnswerKind.NOT_APPLICABLE: (
        "Ingen leveranse denne perioden.",
        "Ikke aktuelt: arbeidet er stanset i påvente av byggetillatelse.",
        "Avtalen ble ikke brukt i perioden.",
    ),
    AnswerKind.NOT_DELIVERED: (
        "Ikke levert. Leverandøren har meldt om problemer hos sin underleverandør.",
        "Ingen leveranse; purret på e-post.",
    ),
}
_CORRECTION: Final = "Restleveransen kom {day}."
_DECISION_COMMENTS: Final = (
    "Drøftet med enhetsleder.",
    "Vurdert sammen med innkjøp.",
    "",
)

# (category, description) by checkpoint code; None: any contract.
_DEVIATION_STORIES: Final[Mapping[str | None, tuple[tuple[DeviationCategory, str], ...]]] = {
    "levering": (
        (
            DeviationCategory.DELAY,
            "Leveransen kom ni dager for sent; enheten måtte kjøpe inn selv.",
        ),
        (DeviationCategory.QUANTITY, "Feil antall levert: 18 av 24 bestilte kolli."),
        (DeviationCategory.DEFECT, "Tre av ti kolli hadde skadet emballasje og ble returnert."),
        (DeviationCategory.DEFECT, "Kvaliteten var ikke som avtalt; fagansvarlig har reklamert."),
    ),
    "egenrapportering": (
        (
            DeviationCategory.INTEGRITY,
            "Egenrapporteringen mangler opplysninger om underleverandørenes lønn.",
        ),
        (DeviationCategory.DOCUMENTATION, "Egenrapporteringen kom ikke innen fristen."),
    ),
    "lonnsdokumentasjon": (
        (
            DeviationCategory.INTEGRITY,
            "Timelistene viser timelønn under allmenngjort minstelønn for to renholdere.",
        ),
        (DeviationCategory.INTEGRITY, "Arbeidsavtaler mangler for tre ansatte i utvalget."),
    ),
    "skatteattest": (
        (DeviationCategory.DOCUMENTATION, "Skatteattesten er eldre enn seks måneder."),
        (DeviationCategory.INTEGRITY, "Skatteattesten viser restanse på merverdiavgift."),
    ),
    "hms-kort": (
        (DeviationCategory.HSE, "To arbeidere på plassen uten gyldig HMS-kort ved stikkprøve."),
        (DeviationCategory.HSE, "Mannskapslisten stemte ikke med hvem som var på plassen."),
    ),
    "underleverandorer": (
        (DeviationCategory.INTEGRITY, "Underleverandør i tredje ledd brukt uten godkjenning."),
    ),
    "laerlinger": (
        (DeviationCategory.INTEGRITY, "Ingen lærlinger i arbeid på kontrakten, som avtalt."),
    ),
    "salgsstatistikk": (
        (DeviationCategory.DOCUMENTATION, "Salgsstatistikken for kvartalet er ikke levert."),
    ),
    "priskontroll": (
        (DeviationCategory.PRICE, "Fakturert pris over avtalt pris på 14 varelinjer."),
        (DeviationCategory.PRICE, "Prisjustering fakturert uten varsel etter avtalen."),
    ),
    None: (
        (DeviationCategory.OTHER, "Leverandøren møtte ikke på statusmøtet og svarer ikke."),
        (DeviationCategory.DOCUMENTATION, "Etterspurt dokumentasjon er ikke levert."),
    ),
}
_PROCUREMENT_STORIES: Final = (
    (DeviationCategory.LEAKAGE, "Kjøp utenfor avtalen hos en lokal forhandler, om lag kr 48 000."),
    (DeviationCategory.LEAKAGE, "Enheten har handlet tilsvarende varer utenfor avtalen i høst."),
    (DeviationCategory.PRICE, "Fakturakontroll: rabatten etter avtalen er ikke gitt."),
    (DeviationCategory.PRICE, "Timepriser fakturert over avtalt sats for konsulentene."),
)
_REMEDIES: Final[Mapping[Severity, tuple[Remedy | None, ...]]] = {
    Severity.LOW: (None, Remedy.NOTICE),
    Severity.MEDIUM: (Remedy.NOTICE, Remedy.CORRECTION, Remedy.PRICE_REDUCTION),
    Severity.HIGH: (Remedy.CORRECTION, Remedy.ACTION_PLAN, Remedy.REDELIVERY),
    Severity.CRITICAL: (Remedy.ACTION_PLAN, Remedy.DAILY_PENALTY, Remedy.WITHHOLDING),
}
_NOTES: Final[Mapping[DeviationStatus, tuple[str, ...]]] = {
    DeviationStatus.IN_PROGRESS: (
        "Leverandøren er varslet og har svart.",
        "Reklamasjon sendt; venter på svar.",
        "Handlingsplan er bedt om, med frist om to uker.",
    ),
    DeviationStatus.CLOSED: (
        "Leverandøren har rettet forholdet.",
        "Prisavslag avtalt og kreditnota mottatt.",
        "Dokumentasjonen er mottatt og kontrollert.",
        "Handlingsplanen er fulgt opp; lukket.",
    ),
}


@dataclass(frozen=True, slots=True)
class DemoChannel:
    """Procurement's channel in the demo: where the dev chat's connector stand-in listens."""

    service_url: str
    tenant_id: str
    bot_id: str
    conversation_id: str = DEMO_CHANNEL_ID
    team_id: str = DEMO_TEAM_ID
    team_name: str = DEMO_TEAM_NAME


@dataclass(frozen=True, slots=True)
class DemoServices:
    """What the history needs from the composition root."""

    plan: PlanConfig
    documents: DocumentStore
    alerts: DeviationAlertRenderer
    channel: DemoChannel
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    reminders: ReminderSettings = field(default_factory=ReminderSettings)


@dataclass(slots=True)
class DemoHistory:
    """What the six months hold."""

    started: datetime
    """The history's first moment (Oslo): the pilot units' first working day."""
    answers: int = 0
    """Follow-ups answered (first answers; corrections are later versions of them)."""
    answered_late: int = 0
    """Of `answers`, given after the due date (Oslo)."""
    documents: int = 0
    deviations: int = 0
    open_overdue: int = 0
    """Follow-ups still open whose due date has passed."""
    escalated: int = 0
    """Of `open_overdue`, escalated (as procurement's `status` counts them)."""
    risk_assessments: int = 0
    """Risk assessments stored (versions)."""
    risk_overruled: int = 0
    """Of `risk_assessments`, with another level than the suggestion (and a reason)."""
    risk_contracts: int = 0
    """Contracts assessed at least once."""
    onsite_checks: int = 0
    onsite_deviations: int = 0
    """Of `onsite_checks`, those whose findings became a deviation (counted in `deviations`)."""
    evaluations: int = 0
    """Supplier evaluations stored (versions)."""


def channel_conversation(channel: DemoChannel) -> RecordConversation:
    """The channel as the bot stores a channel it is added to."""
    return RecordConversation(
        conversation_id=channel.conversation_id,
        kind=ConversationKind.CHANNEL,
        tenant_id=channel.tenant_id,
        service_url=channel.service_url,
        channel_id="msteams",
        bot_id=channel.bot_id,
        bot_name="Kontraktsvakt",
        team_id=channel.team_id,
        team_name=channel.team_name,
    )


class DemoDocumentStore(FolderDocumentStore):
    """`FolderDocumentStore` for the demo's documents: the same keys and folders, written
    without waiting for the disk (`fsync`) for each one: a few hundred made-up files would
    otherwise take seconds, and they can be made again."""

    def put(self, key: str, data: bytes) -> None:
        path = self.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".demo-{path.name}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)


def demo_documents(root: Path) -> DemoDocumentStore:
    return DemoDocumentStore(root)


# --- the history -----------------------------------------------------------------------------


@dataclass(order=True, slots=True)
class _Event:
    at: datetime
    order: int
    run: Callable[[datetime], None] = field(compare=False)


@dataclass(frozen=True, slots=True)
class _RollOut:
    """The event of a unit starting to use the bot."""

    history: _History
    contract_ids: list[str]

    def __call__(self, moment: datetime) -> None:
        self.history.roll_out(self.contract_ids, moment)


@dataclass(slots=True)
class _Deviation:
    """A deviation the history reported, filled in when the report has run."""

    id: str | None = None
    contract: Contract | None = None


class _History:
    def __init__(
        self,
        uow: DemoUnitOfWork,
        now: datetime,
        services: DemoServices,
        rng: random.Random,
        rollout: Sequence[tuple[int, Sequence[str]]],
        procurement: Sequence[Person],
    ) -> None:
        self.uow = uow
        self.now = now
        self.today = oslo_today(now)
        self.services = services
        self.calendar = services.calendar
        self.rng = rng
        self.rollout = rollout
        self.contract_ids = [c for _, ids in rollout for c in ids]
        self.admin, self.team = procurement[0], list(procurement)
        start_day = self.calendar.working_day_on_or_after(add_months(self.today, -HISTORY_MONTHS))
        self.started = oslo_datetime(start_day, time(8, 30))
        self.report = DemoHistory(self.started)
        self.events: list[_Event] = []
        self.order = 0
        self.contracts: dict[str, Contract] = {}
        self.checkpoints: dict[str, Checkpoint] = {}
        self.people: dict[str, Person] = {}
        self.suppliers: dict[str, Supplier] = {}
        self.current: dict[str, FollowUp] = {}
        """The follow-ups the history answers, as they are now in it."""
        self.live_from: dict[str, datetime] = {}
        """When each contract's plan was made (its unit started using the bot)."""
        self.sent_alerts = 0
        self.skip: set[str] = set()
        """Follow-ups whose planned answer is not given: a check answered them earlier, or a
        changed risk level took them out of the plan."""
        self.onsite_codes = frozenset(
            t.code for t in services.plan.checkpoint if t.kind is TemplateKind.ONSITE
        )
        self.two_versions = list(TWO_VERSION_STORIES)
        self.assessed_once = 0
        self.onsite_made = 0
        self.carded_made = 0
        """On-site checks made, and of them those that counted HMS-kort (for the findings)."""
        self.ad_hoc_onsite = _AD_HOC_ONSITE
        self.weak_supplier: str | None = None
        self.weak_evaluations = _WEAK_EVALUATIONS
        self.onsite_contracts: set[str] = set()
        """Contracts with an active on-site checkpoint."""
        self.hse_found = False
        self.pending_cards = self.pending_crew = 0
        self.found_at: set[str] = set()
        """Contracts whose checks found missing cards or a crew list that did not match."""

    # -- the walk

    def run(self) -> DemoHistory:
        self._begin()
        self._plan_procurement_deviations()
        self._plan_absence()
        while self.events:
            event = heapq.heappop(self.events)
            event.run(event.at)
        self._end()
        return self.report

    def _at(self, moment: datetime, run: Callable[[datetime], None]) -> None:
        """Run `run` at `moment` (events run in time order; an event may add later ones)."""
        self.order += 1
        heapq.heappush(self.events, _Event(moment, self.order, run))

    def _begin(self) -> None:
        uow, started, channel = self.uow, self.started, self.services.channel
        record_conversation(channel_conversation(channel), uow, started)
        set_procurement_channel(
            SetProcurementChannel(
                self.admin.id, channel.conversation_id, ConversationKind.CHANNEL, on=True
            ),
            uow,
            started + timedelta(minutes=2),
        )
        self.contracts = dict(uow.contracts.get_many(self.contract_ids))
        people = {
            p
            for c in self.contracts.values()
            for p in (c.owner_id, c.manager_id, c.deputy_id)
            if p is not None
        }
        self.people = dict(uow.people.get_many(people))
        self.people.update((p.id, p) for p in self.team)
        self.suppliers = dict(
            uow.suppliers.get_many(
                {c.supplier_id for c in self.contracts.values() if c.supplier_id}
            )
        )
        for weeks, contract_ids in self.rollout:
            day = self.calendar.working_day_on_or_after(started.date() + timedelta(weeks=weeks))
            moment = max(oslo_datetime(day, time(9, 0)), started + timedelta(minutes=5))
            self.live_from.update(dict.fromkeys(contract_ids, moment))
            self._at(moment, _RollOut(self, list(contract_ids)))
        self.weak_supplier = self._weak_supplier()

    def roll_out(self, contract_ids: list[str], moment: datetime) -> None:
        """A unit starts using the bot: its contracts get plans and calendars, and what comes
        due from then on is answered (or not) as time goes by."""
        uow = self.uow
        apply_plans(uow, contract_ids, self.services.plan, moment, actor=ACTOR_PLAN)
        materialise_calendar(
            uow, contract_ids, moment, settings=self.services.plan.calendar, calendar=self.calendar
        )
        self._known_checkpoints(uow.checkpoints.for_contracts(contract_ids))
        self._plan_answers(contract_ids)
        self._plan_risk(contract_ids, moment)
        self._plan_ad_hoc_checks(contract_ids, moment)

    def _known_checkpoints(self, checkpoints: Sequence[Checkpoint]) -> None:
        self.checkpoints.update((c.id, c) for c in checkpoints)
        self.onsite_contracts.update(
            c.contract_id
            for c in checkpoints
            if c.code in self.onsite_codes and c.status is CheckpointStatus.ACTIVE
        )

    def _end(self) -> None:
        uow, now = self.uow, self.now
        apply_plans(uow, self.contract_ids, self.services.plan, now, actor=ACTOR_PLAN)
        materialise_calendar(
            uow,
            self.contract_ids,
            now,
            settings=self.services.plan.calendar,
            calendar=self.calendar,
        )
        # What is still open has climbed the reminder ladder as far as its time has come.
        around = uow.follow_ups.for_contracts_between(
            self.contract_ids, self.started.date() - timedelta(days=31), self.today + timedelta(31)
        )
        changes = []
        for follow_up in around:
            if follow_up.state not in OPEN_FOLLOW_UP_STATES:
                continue
            climbed = self._climb(follow_up, now)
            if climbed is not follow_up:
                changes.append(lifecycle.schedule_change(climbed))
            if climbed.due_date < self.today:
                self.report.open_overdue += 1
                if (
                    climbed.state is FollowUpState.ESCALATED
                    or climbed.reminder_step >= lifecycle.Step.PROCUREMENT
                ):
                    self.report.escalated += 1
        uow.follow_ups.reschedule(changes)

    def _climb(self, follow_up: FollowUp, until: datetime) -> FollowUp:
        """The follow-up after the reminder ladder's steps due by `until`, one at a time as the
        planner takes them (no messages: those went out at the time)."""
        checkpoint = self.checkpoints.get(follow_up.checkpoint_id)
        if checkpoint is None:
            return follow_up
        settings = self.services.reminders
        current = follow_up
        while current.next_action_at is not None and current.next_action_at <= until:
            at = current.next_action_at
            taken = step_due_now(current, checkpoint, at, self.calendar, settings)
            step, next_at = next_step(current, checkpoint, taken, at, self.calendar, settings)
            current = lifecycle.take_step(current, taken, step, next_at)
        return current

    def _climbed(self, follow_up_id: str, until: datetime) -> FollowUp:
        """The follow-up as the ladder has left it by `until` (kept here, not yet stored)."""
        follow_up = self.current[follow_up_id]
        if follow_up.state in OPEN_FOLLOW_UP_STATES:
            follow_up = self.current[follow_up_id] = self._climb(follow_up, until)
        return follow_up

    def _climb_now(self, follow_up_id: str, until: datetime) -> None:
        """The ladder's steps by `until`, stored (for a service that reads the follow-up)."""
        before = self.current[follow_up_id]
        climbed = self._climbed(follow_up_id, until)
        if climbed is not before:
            self.uow.follow_ups.reschedule([lifecycle.schedule_change(climbed)])

    def _answered(self, follow_up_id: str, kind: AnswerKind) -> None:
        self.current[follow_up_id] = lifecycle.answer(self.current[follow_up_id], kind)

    # -- answers

    def _plan_answers(self, contract_ids: list[str], not_before: datetime | None = None) -> None:
        """Answers for the contracts' follow-ups due by a week from now; `not_before`: for a
        plan made again then, only its new follow-ups."""
        horizon = self.today + timedelta(days=7)
        follow_ups = self.uow.follow_ups.for_contracts_between(
            contract_ids, self.started.date(), horizon
        )
        if not_before is not None:
            follow_ups = [f for f in follow_ups if f.id not in self.current]
        self.current.update((f.id, f) for f in follow_ups)
        ordered = sorted(
            follow_ups,
            key=lambda f: (
                f.due_date,
                self.contracts[f.contract_id].reference,
                self.checkpoints[f.checkpoint_id].code,
            ),
        )
        for follow_up in ordered:
            contract = self.contracts[follow_up.contract_id]
            checkpoint = self.checkpoints[follow_up.checkpoint_id]
            if contract.status is not ContractStatus.ACTIVE or contract.owner_id is None:
                continue
            when = self._answered_at(follow_up, checkpoint, not_before)
            if when is not None:
                self._plan_answer(follow_up, contract, checkpoint, when)

    def _answered_at(
        self, follow_up: FollowUp, checkpoint: Checkpoint, not_before: datetime | None = None
    ) -> datetime | None:
        """When the follow-up was first answered (None: it is still open)."""
        rng, calendar = self.rng, self.calendar
        due = follow_up.due_date
        notice = follow_up.next_action_at or oslo_datetime(due, _WORK_START)
        earliest = max(
            notice, (not_before or self.live_from[follow_up.contract_id]) + timedelta(hours=1)
        )
        if due >= self.today:
            if notice >= self.now or rng.random() >= _EARLY:
                return None
            return self._between(earliest, self.now - timedelta(hours=1))
        days_ago = (self.today - due).days
        still_open = next(p for limit, p in _STILL_OPEN if days_ago <= limit)
        if rng.random() < still_open:
            return None
        if rng.random() < _LATE:
            day = calendar.add_working_days(due, rng.choice(_LATE_WORKING_DAYS))
            if day < self.today:
                return self._on_day(day)
        latest = oslo_datetime(due, time(15, 30))
        return self._between(earliest, min(latest, self.now - timedelta(hours=1)))

    def _on_day(self, day: date) -> datetime:
        minutes = self.rng.randrange(8 * 60, 15 * 60 + 45)
        return oslo_datetime(day, time(minutes // 60, minutes % 60))

    def _between(self, earliest: datetime, latest: datetime) -> datetime:
        """A working-hours moment from `earliest` to `latest` (or `earliest`)."""
        if latest <= earliest:
            return earliest
        first = earliest.astimezone(OSLO).date()
        last = latest.astimezone(OSLO).date()
        days = [
            first + timedelta(days=n)
            for n in range((last - first).days + 1)
            if self.calendar.is_working_day(first + timedelta(days=n))
        ]
        moment = self._on_day(self.rng.choice(days)) if days else earliest
        return min(max(moment, earliest), latest)

    def _answerer(self, contract: Contract) -> Person:
        rng = self.rng
        owner = self.people[contract.owner_id or ""]
        if contract.deputy_id and contract.deputy_id in self.people and rng.random() < _BY_DEPUTY:
            return self.people[contract.deputy_id]
        manager = self.people.get(contract.manager_id or "")
        if manager is not None and manager.id != owner.id and rng.random() < _BY_MANAGER:
            return manager
        return owner

    def _plan_answer(
        self, follow_up: FollowUp, contract: Contract, checkpoint: Checkpoint, at: datetime
    ) -> None:
        rng = self.rng
        person = self._answerer(contract)
        if checkpoint.code in self.onsite_codes:
            self._plan_onsite_answer(follow_up, contract, person, at)
            return
        if EVIDENCE_CODE in checkpoint.evidence:
            self._plan_evaluation(contract, person, at, expected=follow_up.id)
            return
        kinds = [k for k in (kind_of(code) for code in checkpoint.actions) if k is not None]
        main: AnswerKind | None = next(
            (k for k in kinds if k not in (AnswerKind.NOT_APPLICABLE, AnswerKind.NOT_DELIVERED)),
            None,
        )
        roll = rng.random()
        if DEVIATION in checkpoint.actions and roll < _DEVIATION:
            self._plan_follow_up_deviation(follow_up, contract, checkpoint, person, at)
            return
        roll -= _DEVIATION
        if AnswerKind.NOT_APPLICABLE in kinds and roll < _NOT_APPLICABLE:
            self._plan_record(follow_up.id, AnswerKind.NOT_APPLICABLE, person, at)
            return
        roll -= _NOT_APPLICABLE
        if AnswerKind.NOT_DELIVERED in kinds and roll < _NOT_DELIVERED:
            self._plan_record(follow_up.id, AnswerKind.NOT_DELIVERED, person, at)
            return
        roll -= _NOT_DELIVERED
        if AnswerKind.PARTLY_DELIVERED in kinds and roll < _PARTLY:
            self._plan_record(follow_up.id, AnswerKind.PARTLY_DELIVERED, person, at)
            if rng.random() < _CORRECTED:
                later = self.calendar.add_working_days(
                    at.astimezone(OSLO).date(), rng.randint(2, 8)
                )
                if later < self.today:
                    text = _CORRECTION.format(day=f"{later.day}.{later.month}")
                    self._plan_record(
                        follow_up.id, AnswerKind.DELIVERED, person, self._on_day(later), text
                    )
            return
        if UPLOAD in checkpoint.actions and checkpoint.evidence:
            self._plan_documents(follow_up, contract, checkpoint, person, at)
            return
        self._plan_record(follow_up.id, main or AnswerKind.NOT_APPLICABLE, person, at)

    def _comment(self, kind: AnswerKind) -> str | None:
        """Delivery answers other than "delivered" always say why; the rest now and then."""
        choices = _COMMENTS.get(kind)
        if choices is not None:
            if kind is not AnswerKind.DELIVERED or self.rng.random() < _COMMENTED:
                return self.rng.choice(choices)
            return None
        if self.rng.random() < _COMMENTED:
            return self.rng.choice(_DECISION_COMMENTS) or None
        return None

    def _plan_record(
        self,
        follow_up_id: str,
        kind: AnswerKind,
        person: Person,
        at: datetime,
        text: str | None = None,
    ) -> None:
        comment = text if text is not None else self._comment(kind)

        def run(moment: datetime) -> None:
            if follow_up_id in self.skip:
                return
            follow_up = self._climbed(follow_up_id, moment)
            contract = self.contracts[follow_up.contract_id]
            target = AnswerTarget(
                follow_up,
                contract,
                self.checkpoints[follow_up.checkpoint_id],
                person,
                # The contract's deputy answers for the owner (`followup.answers.services`).
                contract.owner_id if person.id == contract.deputy_id != contract.owner_id else None,
            )
            recorded = record_answer(
                RecordAnswer(follow_up_id, kind, person.id, text=comment),
                self.uow,
                moment,
                target=target,
            )
            self.current[follow_up_id] = recorded.follow_up
            self._count(recorded.answer.version, recorded.follow_up.due_date, moment)

        self._at(at, run)

    def _count(self, version: int, due: date, moment: datetime) -> None:
        if version == 1:
            self.report.answers += 1
            if moment.astimezone(OSLO).date() > due:
                self.report.answered_late += 1

    # -- documents

    def _plan_documents(
        self,
        follow_up: FollowUp,
        contract: Contract,
        checkpoint: Checkpoint,
        person: Person,
        at: datetime,
    ) -> None:
        supplier = self.suppliers.get(contract.supplier_id or "")
        supplier_name = supplier.name if supplier else contract.title
        # The first document asked for always; of several, the others now and then: what is
        # still missing shows on the follow-up.
        sent = [
            code
            for index, code in enumerate(checkpoint.evidence)
            if index == 0 or self.rng.random() < _MORE_DOCUMENTS
        ]
        for index, evidence in enumerate(sent):
            name = f"{evidence.capitalize()} {supplier_name} {follow_up.due_date:%Y-%m}.pdf"
            data = _pdf(
                evidence.capitalize(),
                [
                    f"Leverandør: {supplier_name}",
                    f"Avtale: {contract.reference} {contract.title}",
                    f"Periode: {follow_up.due_date:%m.%Y}",
                    # Each follow-up's own file: a one-off and a recurring one may fall due in
                    # the same month, and the same file twice is filed once.
                    f"Frist: {follow_up.due_date:%d.%m.%Y}",
                    f"Utstedt: {at.astimezone(OSLO):%d.%m.%Y}",
                ],
            )

            def run(
                moment: datetime, name: str = name, data: bytes = data, code: str = evidence
            ) -> None:
                if follow_up.id in self.skip:
                    return
                self._climb_now(follow_up.id, moment)
                stored = store_document(
                    StoreDocument(follow_up.id, person.id, name, data, evidence=code),
                    self.uow,
                    moment,
                    store=self.services.documents,
                )
                self._answered(follow_up.id, AnswerKind.DOCUMENTS)
                self.report.documents += not stored.duplicate
                if stored.answer is not None:
                    self._count(stored.answer.version, follow_up.due_date, moment)

            self._at(at + timedelta(minutes=3 * index), run)

    # -- deviations

    def _severity(self) -> Severity:
        return self.rng.choices(_SEVERITIES, weights=_SEVERITY_WEIGHTS)[0]

    def _plan_follow_up_deviation(
        self,
        follow_up: FollowUp,
        contract: Contract,
        checkpoint: Checkpoint,
        person: Person,
        at: datetime,
    ) -> None:
        stories = _DEVIATION_STORIES.get(checkpoint.code) or _DEVIATION_STORIES[None]
        category, description = self.rng.choice(stories)
        severity = self._severity()
        remedy = self.rng.choice(_REMEDIES[severity])
        occurred = at.astimezone(OSLO).date() - timedelta(days=self.rng.randint(0, 3))
        found = _Deviation(contract=contract)

        def run(moment: datetime) -> None:
            if follow_up.id in self.skip:
                return
            self._climb_now(follow_up.id, moment)
            reported = report_deviation(
                ReportDeviation(
                    person_id=person.id,
                    category=category,
                    severity=severity,
                    occurred_on=occurred,
                    description=description,
                    follow_up_id=follow_up.id,
                    remedy=remedy,
                ),
                self.uow,
                moment,
                alert_renderer=self.services.alerts,
            )
            found.id = reported.deviation.id
            self.report.deviations += 1
            if reported.answer is not None:
                self._answered(follow_up.id, AnswerKind.DEVIATION)
                self._count(reported.answer.version, follow_up.due_date, moment)

        self._at(at, run)
        self._plan_deviation_life(found, person, at, severity)

    def _plan_procurement_deviations(self) -> None:
        rng = self.rng
        active = sorted(
            (c for c in self.contracts.values() if c.status is ContractStatus.ACTIVE),
            key=lambda c: c.reference,
        )
        for _ in range(_PROCUREMENT_DEVIATIONS):
            contract = rng.choice(active)
            reporter = rng.choice(self.team)
            category, description = rng.choice(_PROCUREMENT_STORIES)
            severity = self._severity()
            remedy = rng.choice(_REMEDIES[severity])
            live = self.live_from[contract.id].date()
            first = max(live, contract.start_date or live) + timedelta(days=1)
            span = max((self.today - first).days - 1, 1)
            at = self._on_day(
                self.calendar.working_day_on_or_after(first + timedelta(rng.randrange(span)))
            )
            if at >= self.now:
                continue
            found = _Deviation(contract=contract)

            def run(
                moment: datetime,
                contract: Contract = contract,
                reporter: Person = reporter,
                category: DeviationCategory = category,
                description: str = description,
                severity: Severity = severity,
                remedy: Remedy | None = remedy,
                found: _Deviation = found,
            ) -> None:
                reported = report_deviation(
                    ReportDeviation(
                        person_id=reporter.id,
                        category=category,
                        severity=severity,
                        occurred_on=moment.astimezone(OSLO).date(),
                        description=description,
                        contract_id=contract.id,
                        remedy=remedy,
                    ),
                    self.uow,
                    moment,
                    alert_renderer=self.services.alerts,
                )
                found.id = reported.deviation.id
                self.report.deviations += 1

            self._at(at, run)
            self._plan_deviation_life(found, reporter, at, severity)

    def _plan_deviation_life(
        self, found: _Deviation, reporter: Person, at: datetime, severity: Severity
    ) -> None:
        """The alert sent (high and critical), then in progress and closed as time went by."""
        rng = self.rng
        if severity in ALERT_SEVERITIES:
            self._at(at + timedelta(minutes=2), self._send_alerts)
        age = (self.today - at.astimezone(OSLO).date()).days
        steps: list[DeviationStatus] = []
        if age > 60:
            steps = (
                [DeviationStatus.IN_PROGRESS, DeviationStatus.CLOSED]
                if rng.random() < 0.8
                else [DeviationStatus.IN_PROGRESS]
            )
        elif age > 20:
            roll = rng.random()
            if roll < 0.3:
                steps = [DeviationStatus.IN_PROGRESS, DeviationStatus.CLOSED]
            elif roll < 0.8:
                steps = [DeviationStatus.IN_PROGRESS]
        elif age > 3 and rng.random() < 0.4:
            steps = [DeviationStatus.IN_PROGRESS]
        day = at.astimezone(OSLO).date()
        for status in steps:
            gap = rng.randint(2, 9) if status is DeviationStatus.IN_PROGRESS else rng.randint(8, 40)
            day = self.calendar.add_working_days(day, gap)
            if day >= self.today:
                break
            owner = self.people.get(found.contract.owner_id or "") if found.contract else None
            who = owner if owner is not None and rng.random() < 0.5 else rng.choice(self.team)
            note = rng.choice(_NOTES[status])

            def run(
                moment: datetime,
                status: DeviationStatus = status,
                who: Person = who,
                note: str = note,
            ) -> None:
                if found.id is None:
                    return
                update_deviation(
                    UpdateDeviation(found.id, who.id, status, note=note), self.uow, moment
                )

            self._at(self._on_day(day), run)

    def _send_alerts(self, moment: datetime) -> None:
        """The sender's record of the alerts it posted to the procurement channel then."""
        claimed = self.uow.deliveries.claim(
            moment, HISTORY_CLAIM, moment + timedelta(minutes=5), 100
        )
        outcomes = []
        for delivery in claimed:
            self.sent_alerts += 1
            outcomes.append(
                DeliveryOutcome(
                    delivery.id,
                    HISTORY_CLAIM,
                    DeliveryState.SENT,
                    moment + timedelta(seconds=1),
                    sent_activity_id=f"{int(moment.timestamp() * 1000) + self.sent_alerts}",
                )
            )
        self.uow.deliveries.finish(outcomes)

    # -- the structured checks: risk assessments, on-site checks, supplier evaluations

    def _some_moment(self, earliest: datetime, days: int) -> datetime | None:
        """A working-hours moment from `earliest` to `days` later, before now (None: no room)."""
        latest = min(earliest + timedelta(days=days), self.now - timedelta(hours=2))
        if latest <= earliest:
            return None
        return self._between(earliest, latest)

    def _weak_supplier(self) -> str | None:
        """The supplier that delivers below what was agreed: one with significant service or
        building contracts in force whose units took the bot into use in the first half of the
        history (so that its evaluations are months apart)."""
        significant = self.services.plan.thresholds.get("significant", 0)
        early = self.started + (self.now - self.started) / 2
        contracts: dict[str, int] = {}
        for c in self.contracts.values():
            if (
                c.status is ContractStatus.ACTIVE
                and c.supplier_id is not None
                and c.category is not Category.GOODS
                and (c.value_nok or 0) >= significant
                and self.live_from[c.id] < early
            ):
                contracts[c.supplier_id] = contracts.get(c.supplier_id, 0) + 1
        candidates = sorted(s for s, n in contracts.items() if n >= WEAK_SUPPLIER_MIN_CONTRACTS)
        return self.rng.choice(candidates) if candidates else None

    def _assessor(self, contract: Contract) -> tuple[Person, bool]:
        """Who assesses the contract's risk, and whether as procurement."""
        roll = self.rng.random()
        owner = self.people[contract.owner_id or ""]
        manager = self.people.get(contract.manager_id or "")
        if roll < _ASSESSED_BY_OWNER:
            return owner, False
        if roll < _ASSESSED_BY_OWNER + _ASSESSED_BY_MANAGER and manager is not None:
            return manager, False
        return self.rng.choice(self.team), True

    def _plan_risk(self, contract_ids: list[str], live: datetime) -> None:
        """A third of the contracts in force are assessed after their unit started; a few
        twice (`storage.demo_checks.RiskStory`)."""
        rng = self.rng
        room = (self.today - live.astimezone(OSLO).date()).days > 40
        for contract_id in contract_ids:
            contract = self.contracts[contract_id]
            if (
                contract.status not in (ContractStatus.ACTIVE, ContractStatus.PLANNED)
                or contract.owner_id is None
            ):
                continue
            story = risk_story(
                rng,
                contract,
                self.two_versions,
                room=room and contract.status is ContractStatus.ACTIVE,
            )
            if story is None:
                continue
            if story is RiskStory.AGREED:
                self.assessed_once += 1
                if self.assessed_once % OVERRULED_EVERY == OVERRULED_EVERY // 2:
                    story = RiskStory.OVERRULED
            twice = story in (RiskStory.TWICE, RiskStory.RAISED, RiskStory.LOWERED)
            first = self._some_moment(live + timedelta(days=1), 20 if twice else 90)
            if first is None:
                continue
            level = contract.risk
            person, procurement = self._assessor(contract)
            if story is RiskStory.OVERRULED:
                suggested = overruled_suggestion(rng, level)
                version = risk_version(rng, contract, suggested, chosen=level)
            else:
                version = risk_version(rng, contract, level)
            self._plan_assessment(contract_id, person, procurement, version, first)
            second = self._some_moment(first + timedelta(days=14), 75) if twice else None
            if second is None:
                continue
            owner = self.people[contract.owner_id]
            if story is RiskStory.RAISED:
                later = risk_version(rng, contract, RiskLevel.HIGH, comment=RAISED_COMMENT)
                self._plan_assessment(contract_id, owner, False, later, second)
            elif story is RiskStory.LOWERED:
                later = risk_version(rng, contract, RiskLevel.MEDIUM, comment=LOWERED_COMMENT)
                self._plan_assessment(contract_id, owner, False, later, second)
            else:
                later = risk_version(rng, contract, level, comment=SECOND_COMMENT)
                self._plan_assessment(contract_id, rng.choice(self.team), True, later, second)

    def _plan_assessment(
        self,
        contract_id: str,
        person: Person,
        procurement: bool,
        version: RiskVersion,
        at: datetime,
    ) -> None:
        def run(moment: datetime) -> None:
            assessed = assess_risk(
                AssessRisk(
                    person.id,
                    self.contracts[contract_id].reference,
                    scores=version.scores,
                    chosen=version.chosen,
                    reason=version.reason,
                    comment=version.comment,
                    procurement=procurement,
                ),
                self.uow,
                moment,
                config=self.services.plan,
                calendar=self.calendar,
            )
            self.report.risk_assessments += 1
            self.report.risk_contracts += assessed.assessment.version == 1
            self.report.risk_overruled += version.reason is not None
            if assessed.level_changed:
                self._replanned(assessed.contract, moment)

        self._at(at, run)

    def _replanned(self, contract: Contract, moment: datetime) -> None:
        """A changed risk level made the contract's plan again: what it took out is not
        answered, what it added is answered (or not) as the rest."""
        self.contracts[contract.id] = contract
        self._known_checkpoints(self.uow.checkpoints.for_contracts([contract.id]))
        kept = {
            f.id
            for f in self.uow.follow_ups.for_contracts_between(
                [contract.id], self.started.date(), self.today + timedelta(days=7)
            )
        }
        self.skip.update(
            f.id for f in self.current.values() if f.contract_id == contract.id and f.id not in kept
        )
        self._plan_answers([contract.id], not_before=moment)

    def _plan_onsite_answer(
        self, follow_up: FollowUp, contract: Contract, person: Person, at: datetime
    ) -> None:
        """An on-site follow-up answered with a check, or as not relevant where the work is
        not done on the municipality's sites."""
        if not labour_intensive(contract):
            self._plan_record(follow_up.id, AnswerKind.NOT_APPLICABLE, person, at, NOT_ON_SITE)
            return
        people = [person]
        if self.rng.random() < _ONSITE_WITH_PROCUREMENT:
            people.append(self.rng.choice(self.team))
        self._plan_onsite(contract, person, participants(people), at, expected=follow_up.id)

    def _plan_ad_hoc_checks(self, contract_ids: list[str], live: datetime) -> None:
        """Procurement's unannounced on-site checks, and its evaluations of the weak supplier."""
        rng = self.rng
        significant = self.services.plan.thresholds.get("significant", 0)
        for contract_id in contract_ids:
            contract = self.contracts[contract_id]
            if contract.status is not ContractStatus.ACTIVE:
                continue
            if (
                self.ad_hoc_onsite > 0
                and contract.category is Category.BUILDING
                and contract.risk is RiskLevel.HIGH
                and contract_id in self.onsite_contracts
                and rng.random() < _AD_HOC_SHARE
            ):
                at = self._some_moment(live + timedelta(days=10), 120)
                if at is not None:
                    self.ad_hoc_onsite -= 1
                    inspector = rng.choice(self.team)
                    who = participants([inspector], labour_inspection=True)
                    self._plan_onsite(contract, inspector, who, at, procurement=True)
            if (
                self.weak_evaluations > 0
                and contract.supplier_id == self.weak_supplier
                and (contract.value_nok or 0) >= significant
            ):
                # Spread over the time since the unit started: a third in, then two thirds in.
                done = _WEAK_EVALUATIONS - self.weak_evaluations
                at = self._some_moment(live + (self.now - live) * (done + 1) / 3, 14)
                if at is not None:
                    self.weak_evaluations -= 1
                    self._plan_evaluation(contract, rng.choice(self.team), at, procurement=True)

    def _onsite_finding(self, contract: Contract) -> Finding:
        """What the next check made finds (`storage.demo_checks.CARD_FINDINGS` …)."""
        finding = Finding.NONE
        if needs_hms_cards(contract):
            if self.carded_made in CARD_FINDINGS:
                self.pending_cards += 1
            if self.carded_made == CREW_FINDING:
                self.pending_crew += 1
            self.carded_made += 1
            if self.pending_cards and contract.id not in self.found_at:
                finding, self.pending_cards = Finding.CARDS, self.pending_cards - 1
            elif self.pending_crew and contract.id not in self.found_at:
                finding, self.pending_crew = Finding.CREW, self.pending_crew - 1
            if finding is not Finding.NONE:
                self.found_at.add(contract.id)
        if (
            finding is Finding.NONE
            and not self.hse_found
            and self.onsite_made >= HSE_FINDING
            and contract.category is Category.BUILDING
        ):
            finding, self.hse_found = Finding.HSE, True
        self.onsite_made += 1
        return finding

    def _plan_onsite(
        self,
        contract: Contract,
        recorder: Person,
        who: str,
        at: datetime,
        *,
        expected: str | None = None,
        procurement: bool = False,
    ) -> None:
        """A check recorded at `at`, done that day or a working day or two before; it answers
        the contract's open on-site follow-up (`expected`, or the one the service finds). What
        it finds is drawn when it is made (`_onsite_finding`), so that a check a changed plan
        called off takes none of the findings with it."""
        day = at.astimezone(OSLO).date()
        checked_on = max(
            self.calendar.add_working_days(day, -self.rng.choice((0, 0, 1, 2))),
            self.live_from[contract.id].astimezone(OSLO).date(),
        )
        found = _Deviation(contract=contract)

        def run(moment: datetime) -> None:
            if expected is not None:
                if expected in self.skip:
                    return
                self._climb_now(expected, moment)
            story = onsite_story(self.rng, contract, who, self._onsite_finding(contract))
            recorded = record_onsite(
                RecordOnsite(
                    actor_id=recorder.id,
                    reference=contract.reference,
                    checked_on=checked_on,
                    workers=story.workers,
                    cards_checked=story.cards_checked,
                    without_card=story.without_card,
                    crew_list=story.crew_list,
                    place=story.place,
                    participants=story.participants,
                    notes=story.notes,
                    deviation=story.deviation,
                    procurement=procurement,
                ),
                self.uow,
                moment,
                onsite_codes=self.onsite_codes,
                alert_renderer=self.services.alerts,
            )
            self.report.onsite_checks += 1
            if recorded.deviation is not None and story.deviation is not None:
                found.id = recorded.deviation.deviation.id
                self.report.deviations += 1
                self.report.onsite_deviations += 1
                self._plan_deviation_life(found, recorder, moment, story.deviation)
            answered = recorded.check.follow_up_id
            if answered is None or recorded.answer is None:
                return
            if answered != expected:
                self.skip.add(answered)
            if answered in self.current:
                kind = AnswerKind.DEVIATION if recorded.deviation else AnswerKind.DOCUMENTS
                self._answered(answered, kind)
                self._count(recorded.answer.version, self.current[answered].due_date, moment)

        self._at(at, run)

    def _plan_evaluation(
        self,
        contract: Contract,
        person: Person,
        at: datetime,
        *,
        expected: str | None = None,
        procurement: bool = False,
    ) -> None:
        """An evaluation of the contract's supplier; it answers the contract's open evaluation
        follow-up (`expected`, or the one the service finds) when the person may answer it."""
        weak = contract.supplier_id is not None and contract.supplier_id == self.weak_supplier
        scores = evaluation_scores(self.rng, weak=weak)

        def run(moment: datetime) -> None:
            if expected is not None:
                if expected in self.skip:
                    return
                self._climb_now(expected, moment)
            recorded = record_evaluation(
                RecordEvaluation(person.id, contract.reference, scores, procurement=procurement),
                self.uow,
                moment,
            )
            self.report.evaluations += 1
            answered = recorded.answered
            if answered is None:
                return
            follow_up_id = answered.follow_up.id
            if follow_up_id in self.current:
                self._answered(follow_up_id, AnswerKind.DOCUMENTS)
            self._count(answered.answer.version, answered.follow_up.due_date, moment)
            if follow_up_id != expected:
                self.skip.add(follow_up_id)

        self._at(at, run)

    # -- absence

    def _plan_absence(self) -> None:
        """An owner with follow-ups in the coming two weeks is away, a colleague covering:
        registered on the working day before it began."""
        start = self.today - timedelta(days=_AWAY_SINCE_DAYS)
        registered = self.calendar.working_day_on_or_before(start - timedelta(days=1))
        self._at(oslo_datetime(registered, time(15, 10)), self._away)

    def _away(self, moment: datetime) -> None:
        soon = self.uow.follow_ups.for_contracts_between(
            self.contract_ids, self.today, self.today + timedelta(days=14)
        )
        candidates = {
            owner_id
            for f in soon
            if (owner_id := self.contracts[f.contract_id].owner_id) is not None
            and self.contracts[f.contract_id].status is ContractStatus.ACTIVE
            and self.people[owner_id].deputy_person_id is not None
        }
        if not candidates:
            return
        owner = self.people[
            self.rng.choice(sorted(candidates, key=lambda p: self.people[p].email or p))
        ]
        deputy = self.uow.people.get(owner.deputy_person_id or "")
        if deputy is None or deputy.email is None:
            return
        register_absence(
            RegisterAbsence(
                owner.id,
                self.today - timedelta(days=_AWAY_SINCE_DAYS),
                self.today + timedelta(days=_AWAY_FOR_DAYS),
                deputy_address=deputy.email,
            ),
            self.uow,
            moment,
        )


def make_history(
    uow: DemoUnitOfWork,
    now: datetime,
    services: DemoServices,
    *,
    seed: int,
    rollout: Sequence[tuple[int, Sequence[str]]],
    procurement: Sequence[Person],
) -> DemoHistory:
    """Six months of follow-up up to `now` in `uow` (see the module docstring). The caller
    commits. `rollout`: the contracts whose units started using the bot each week after the
    history's start (week 0 for the first); `procurement`: the team, its administrator
    first."""
    rng = random.Random(f"fjordvik:{seed}:history")  # noqa: S311 - demo data, not security
    history = _History(uow, now, services, rng, rollout, procurement).run()
    log.info(
        "demo history made",
        extra={
            "answers": history.answers,
            "documents": history.documents,
            "deviations": history.deviations,
            "overdue": history.open_overdue,
            "risk_assessments": history.risk_assessments,
            "onsite_checks": history.onsite_checks,
            "evaluations": history.evaluations,
        },
    )
    return history


# --- documents ---------------------------------------------------------------------------------


def _pdf_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _pdf(title: str, lines: Sequence[str]) -> bytes:
    """A one-page PDF (Helvetica, WinAnsi) with a title and a few lines: what a scanned
    certificate is to the bot, a file whose content is a PDF."""
    text = [f"BT /F1 16 Tf 56 780 Td ({_pdf_text(title)}) Tj ET"]
    for number, line in enumerate(lines):
        text.append(f"BT /F1 11 Tf 56 {750 - 18 * number} Td ({_pdf_text(line)}) Tj ET")
    stream = "\n".join(text).encode("cp1252", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


__all__ = [
    "DEMO_CHANNEL_ID",
    "HISTORY_MONTHS",
    "DemoChannel",
    "DemoDocumentStore",
    "DemoHistory",
    "DemoServices",
    "channel_conversation",
    "demo_documents",
    "make_history",
]
