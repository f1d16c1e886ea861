"""Register data for the tests of reminders, answers, documents and deviations, written through
the real repositories of a unit of work factory (`uow_factory`, see tests/conftest.py).

The clock is fixed: Monday 23 November 2026 09:00 UTC, 10:00 in Oslo (ISO week 48).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from bot.reminders.cards import ReminderCards
from followup.calendar.workdays import OSLO, WorkingCalendar
from followup.models import (
    Absence,
    Answer,
    AuditEvent,
    Checkpoint,
    Contract,
    ConversationKind,
    ConversationRef,
    Delivery,
    DeliveryKind,
    FollowUp,
    FollowUpState,
    Person,
)
from followup.ports import OutgoingMessage
from followup.reminders.planning import (
    Digest,
    PlanReport,
    ProcurementEscalation,
    ReminderSettings,
    Step,
    UnreachableNotice,
    plan_reminders,
)
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Oslo
CALENDAR = WorkingCalendar()
SETTINGS = ReminderSettings()
TENANT = "t"


def oslo(year: int, month: int, day: int, hour: int = 8, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


# --- the reminders world ---------------------------------------------------------------------


class RecordingCards(ReminderCards):
    """The real renderer, remembering what it was asked to render."""

    def __init__(self) -> None:
        super().__init__()
        self.digests: list[Digest] = []
        self.escalations: list[ProcurementEscalation] = []
        self.notices: list[UnreachableNotice] = []

    def digest(self, digest: Digest) -> OutgoingMessage:
        self.digests.append(digest)
        return super().digest(digest)

    def procurement_escalation(self, escalation: ProcurementEscalation) -> OutgoingMessage:
        self.escalations.append(escalation)
        return super().procurement_escalation(escalation)

    def unreachable(self, notice: UnreachableNotice) -> OutgoingMessage:
        self.notices.append(notice)
        return super().unreachable(notice)


def personal_ref(person: Person, conversation_id: str, now: datetime = NOW) -> ConversationRef:
    return ConversationRef(
        conversation_id=conversation_id,
        kind=ConversationKind.PERSONAL,
        tenant_id=TENANT,
        service_url="http://127.0.0.1:1/",
        channel_id="msteams",
        bot_id="28:b",
        user_id=f"29:{conversation_id}",
        person_id=person.id,
        updated_at=now,
    )


def procurement_channel(conversation_id: str, now: datetime = NOW) -> ConversationRef:
    return ConversationRef(
        conversation_id=conversation_id,
        kind=ConversationKind.CHANNEL,
        tenant_id=TENANT,
        service_url="http://127.0.0.1:1/",
        channel_id="msteams",
        bot_id="28:b",
        person_id=None,
        team_id="19:team",
        team_name="Innkjøp",
        is_procurement_channel=True,
        updated_at=now,
    )


@dataclass
class World:
    uow_factory: SqlAlchemyUnitOfWorkFactory
    owner: Person
    deputy: Person
    manager: Person
    contract: Contract
    checkpoint: Checkpoint
    owner_ref: ConversationRef | None
    deputy_ref: ConversationRef
    manager_ref: ConversationRef
    channels: list[ConversationRef] = field(default_factory=list)


def build_world(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    *,
    owner_ref: bool = True,
    channels: int = 1,
    owner_paused: bool = False,
    owner_unreachable: bool = False,
    owner_per_day: int = 1,
    with_manager: bool = False,
    now: datetime = NOW,
) -> World:
    """An owner (Kari), a colleague (Ola, who may deputise), a manager (Per, on the contract
    only when `with_manager`), one contract with one checkpoint, and the procurement channels."""
    with uow_factory() as uow:
        owner = add_person(uow, "Kari Nordmann", now)
        deputy = add_person(uow, "Ola Hansen", now)
        manager = add_person(uow, "Per Berg", now)
        changed = owner.model_copy(
            update={
                "reminders_paused": owner_paused,
                "unreachable": owner_unreachable,
                "reminders_per_day": owner_per_day,
            }
        )
        uow.people.update(changed, now)
        supplier = add_supplier(uow)
        contract = add_contract(
            uow,
            now,
            owner=owner,
            supplier=supplier,
            manager_id=manager.id if with_manager else None,
        )
        uow.commit()
    owner = changed
    with uow_factory() as uow:
        checkpoint = Checkpoint(
            contract_id=contract.id,
            code="levering",
            title="Levering etter avtalen",
            rrule="FREQ=MONTHLY",
            dtstart=date(2026, 1, 1),
        )
        uow.checkpoints.add(checkpoint)
        refs: list[ConversationRef] = []
        o_ref = personal_ref(owner, "a:kari", now) if owner_ref else None
        d_ref = personal_ref(deputy, "a:ola", now)
        m_ref = personal_ref(manager, "a:per", now)
        refs.extend(r for r in (o_ref, d_ref, m_ref) if r is not None)
        made_channels = [procurement_channel(f"19:innkjop-{i}", now) for i in range(channels)]
        refs.extend(made_channels)
        for ref in refs:
            uow.conversations.save(ref)
        uow.commit()
    return World(
        uow_factory, owner, deputy, manager, contract, checkpoint, o_ref, d_ref, m_ref,
        made_channels,
    )  # fmt: skip


def add_follow_up(
    world: World,
    due: date,
    *,
    step: int = Step.NOTICE,
    next_action_at: datetime | None = None,
    state: FollowUpState = FollowUpState.PLANNED,
) -> FollowUp:
    follow_up = FollowUp(
        checkpoint_id=world.checkpoint.id,
        contract_id=world.contract.id,
        due_date=due,
        state=state,
        reminder_step=int(step),
        next_action_at=next_action_at if next_action_at is not None else NOW - timedelta(hours=1),
    )
    with world.uow_factory() as uow:
        uow.follow_ups.add_many([follow_up])
        uow.commit()
    return follow_up


def all_deliveries(uow_factory: SqlAlchemyUnitOfWorkFactory) -> list[Delivery]:
    with uow_factory() as uow:
        return list(reversed(uow.deliveries.recent(10_000)))


def stored_follow_up(uow_factory: SqlAlchemyUnitOfWorkFactory, follow_up_id: str) -> FollowUp:
    with uow_factory() as uow:
        return uow.follow_ups.get_many([follow_up_id])[follow_up_id]


def stored_person(uow_factory: SqlAlchemyUnitOfWorkFactory, person_id: str) -> Person:
    with uow_factory() as uow:
        person = uow.people.get(person_id)
    assert person is not None
    return person


def of_kind(deliveries: Iterable[Delivery], kind: DeliveryKind) -> list[Delivery]:
    return [d for d in deliveries if d.kind is kind]


def plan(
    world: World,
    now: datetime = NOW,
    *,
    holder: str = "planner-1",
    cards: ReminderCards | None = None,
) -> PlanReport:
    return plan_reminders(
        world.uow_factory,
        now,
        holder=holder,
        calendar=CALENDAR,
        renderer=cards or ReminderCards(),
    )


DUE = date(2026, 11, 25)
NEXT = oslo(2026, 11, 25)


# --- the answers world (Kari, Per and Ola on one contract) -----------------------------------


def answer_world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> World:
    """Kari owns the contract, Per manages it, Ola may cover; two procurement channels."""
    return build_world(uow_factory, with_manager=True, channels=2)


def open_follow_up(world: World) -> FollowUp:
    """Due Wednesday 25 November, notified, its next reminder that morning."""
    return add_follow_up(world, DUE, step=1, next_action_at=NEXT, state=FollowUpState.NOTIFIED)


def stranger(world: World, name: str = "Nils Fremmed") -> Person:
    with world.uow_factory() as uow:
        person = add_person(uow, name, NOW)
        uow.commit()
    return person


def answers_of(world: World, follow_up_id: str) -> list[Answer]:
    with world.uow_factory() as uow:
        return list(uow.answers.for_follow_up(follow_up_id))


def audit(world: World, entity: str, entity_id: str) -> list[AuditEvent]:
    with world.uow_factory() as uow:
        return list(uow.audit.for_entity(entity, entity_id))


def add_checkpoint(world: World, code: str, evidence: list[str]) -> Checkpoint:
    checkpoint = Checkpoint(
        contract_id=world.contract.id,
        code=code,
        title=code.capitalize(),
        question=f"Har leverandøren levert {code}?",
        rrule="FREQ=MONTHLY",
        dtstart=date(2026, 1, 1),
        evidence=evidence,
        actions=["dokumentasjon", "avvik", "ikke_relevant", "utsett"],
    )
    with world.uow_factory() as uow:
        uow.checkpoints.add(checkpoint)
        uow.commit()
    return checkpoint


def add_follow_up_for(
    world: World,
    checkpoint: Checkpoint,
    due: date = DUE,
    state: FollowUpState = FollowUpState.NOTIFIED,
) -> FollowUp:
    follow_up = FollowUp(
        checkpoint_id=checkpoint.id,
        contract_id=world.contract.id,
        due_date=due,
        state=state,
        reminder_step=1,
        next_action_at=NEXT,
    )
    with world.uow_factory() as uow:
        uow.follow_ups.add_many([follow_up])
        uow.commit()
    return follow_up


def set_contract(world: World, **changes: object) -> None:
    with world.uow_factory() as uow:
        contract = uow.contracts.get(world.contract.id)
        assert contract is not None
        uow.contracts.update(contract.model_copy(update=changes), NOW)
        uow.commit()


def owner_away(world: World, deputy: Person) -> None:
    with world.uow_factory() as uow:
        uow.absences.add(
            Absence(
                person_id=world.owner.id,
                start=date(2026, 11, 20),
                end=date(2026, 11, 30),
                deputy_person_id=deputy.id,
            )
        )
        uow.commit()
