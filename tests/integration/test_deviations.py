"""Deviations on real SQLite and PostgreSQL: who may report, what is refused, the answer a
deviation gives its follow-up, alerts to the procurement channels through the outbox, the
life of a deviation (who and when, audited), and the lists the bot shows.

The clock is fixed: Monday 23 November 2026 09:00 UTC, 10:00 in Oslo.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TypeVar

import pytest

from bot.reminders.cards import ReminderCards
from followup.answers.services import MAX_ANSWER_TEXT
from followup.deviations.services import (
    ALERT_SEVERITIES,
    MAX_DESCRIPTION,
    SANCTION_LADDER,
    DeviationAlert,
    DeviationRefusal,
    DeviationRefused,
    DeviationReported,
    DeviationUpdated,
    ReportDeviation,
    UpdateDeviation,
    deviation_history,
    deviations_for_contract,
    open_deviations,
    open_deviations_for_person,
    report_deviation,
    sanction_step,
    update_deviation,
)
from followup.models import (
    AnswerKind,
    ContractStatus,
    DeliveryKind,
    DeliveryState,
    Deviation,
    DeviationCategory,
    DeviationStatus,
    FollowUp,
    FollowUpState,
    Person,
    Remedy,
    Role,
    Severity,
)
from followup.ports import OutgoingMessage, UnitOfWork
from followup.reminders.outbox import OutboxSender
from followup.reminders.pacing import Pacer
from followup.reminders.planning import message_from_json
from followup.views import CATEGORY_LABELS, REMEDY_LABELS, SEVERITY_LABELS, STATUS_LABELS
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_person
from tests.fakes import FakeClock, FakeNotifier
from tests.worlds import (
    NOW,
    World,
    all_deliveries,
    answer_world,
    answers_of,
    audit,
    build_world,
    of_kind,
    open_follow_up,
    owner_away,
    set_contract,
    stored_follow_up,
    stranger,
)

TODAY = date(2026, 11, 23)
T = TypeVar("T")


class AlertCards:
    """A renderer that says what it was asked (the bot's real one comes later)."""

    def __init__(self) -> None:
        self.alerts: list[DeviationAlert] = []

    def deviation_alert(self, alert: DeviationAlert) -> OutgoingMessage:
        self.alerts.append(alert)
        return OutgoingMessage(
            text=f"Avvik ({alert.deviation.severity.value}) på {alert.contract.reference}: "
            f"{alert.deviation.description}",
            card={"type": "AdaptiveCard", "version": "1.5", "body": []},
        )


def procurement_member(world: World) -> Person:
    with world.uow_factory() as uow:
        person = add_person(uow, "Ingrid Innkjøp", NOW, roles={Role.PROCUREMENT})
        uow.commit()
    return person


def report(
    world: World,
    person: Person | None = None,
    *,
    cards: AlertCards | None = None,
    **changes: object,
) -> DeviationReported:
    values: dict[str, object] = {
        "contract_id": world.contract.id,
        "category": DeviationCategory.DELAY,
        "severity": Severity.LOW,
        "occurred_on": date(2026, 11, 20),
        "description": "Leveransen kom tre dager for sent.",
    }
    values.update(changes)
    command = ReportDeviation(person_id=(person or world.owner).id, **values)  # type: ignore[arg-type]
    with world.uow_factory() as uow:
        reported = report_deviation(command, uow, NOW, alert_renderer=cards or AlertCards())
        uow.commit()
    return reported


def update(world: World, *, now: datetime = NOW, **values: object) -> DeviationUpdated:
    with world.uow_factory() as uow:
        updated = update_deviation(UpdateDeviation(**values), uow, now)  # type: ignore[arg-type]
        uow.commit()
    return updated


def read(world: World, work: Callable[[UnitOfWork], T]) -> T:
    with world.uow_factory() as uow:
        return work(uow)


def refusal(world: World, person: Person | None = None, **changes: object) -> DeviationRefusal:
    with pytest.raises(DeviationRefused) as refused:
        report(world, person, **changes)
    return refused.value.reason


def stored_deviations(world: World) -> list[Deviation]:
    with world.uow_factory() as uow:
        return list(uow.deviations.for_contract(world.contract.id))


@pytest.fixture
def world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> World:
    return answer_world(uow_factory)


@pytest.fixture
def follow_up(world: World) -> FollowUp:
    return open_follow_up(world)


# --- words -----------------------------------------------------------------------------------


def test_every_category_severity_remedy_and_status_has_a_norwegian_label() -> None:
    assert set(CATEGORY_LABELS) == set(DeviationCategory)
    assert set(SEVERITY_LABELS) == set(Severity)
    assert set(REMEDY_LABELS) == set(Remedy)
    assert set(STATUS_LABELS) == set(DeviationStatus)
    assert REMEDY_LABELS[Remedy.DAILY_PENALTY] == "Dagmulkt (dagbot)"
    assert STATUS_LABELS[DeviationStatus.IN_PROGRESS] == "Under behandling"
    assert CATEGORY_LABELS[DeviationCategory.INTEGRITY] == "Seriøsitetsavvik"


def test_the_sanction_ladder_runs_from_notice_to_termination() -> None:
    on_ladder = [r for step in SANCTION_LADDER for r in step]
    assert set(on_ladder) | {Remedy.NO_RENEWAL} == set(Remedy)
    assert sanction_step(Remedy.NOTICE) == 1
    assert sanction_step(Remedy.PRICE_REDUCTION) == sanction_step(Remedy.CORRECTION) == 2
    assert sanction_step(Remedy.DAILY_PENALTY) == sanction_step(Remedy.WITHHOLDING) == 4
    assert sanction_step(Remedy.TERMINATION) == len(SANCTION_LADDER) == 6
    assert sanction_step(Remedy.NO_RENEWAL) is None


# --- reporting -------------------------------------------------------------------------------


def test_the_owner_reports_a_deviation(world: World) -> None:
    cards = AlertCards()
    done = report(world, cards=cards, remedy="reklamasjon", category="forsinkelse")

    deviation = done.deviation
    assert done.created is True
    assert done.answer is None
    assert done.alerts == 0
    assert deviation.contract_id == world.contract.id
    assert deviation.category is DeviationCategory.DELAY
    assert deviation.severity is Severity.LOW
    assert deviation.remedy is Remedy.NOTICE
    assert deviation.status is DeviationStatus.OPEN
    assert deviation.occurred_on == date(2026, 11, 20)
    assert deviation.reported_by_id == world.owner.id
    assert deviation.reported_at == NOW
    assert stored_deviations(world) == [deviation]
    (event,) = audit(world, "deviation", deviation.id)
    assert event.action == "deviation.reported"
    assert event.actor == f"person:{world.owner.id}"
    assert event.after is not None
    assert event.after["severity"] == "lav"
    assert event.after["category"] == "forsinkelse"
    assert cards.alerts == []
    assert of_kind(all_deliveries(world.uow_factory), DeliveryKind.DEVIATION) == []


def test_by_reference_and_by_whoever_may_report(world: World) -> None:
    owner_away(world, world.deputy)
    ingrid = procurement_member(world)
    set_contract(world, status=ContractStatus.TERMINATED)  # still takes deviations

    by_reference = report(
        world, world.manager, contract_id=None, contract_reference="kom-2026-0001"
    )
    by_deputy = report(world, world.deputy)
    by_procurement = report(world, ingrid)

    assert by_reference.contract.id == world.contract.id
    assert {d.reported_by_id for d in stored_deviations(world)} == {
        world.manager.id, world.deputy.id, ingrid.id,
    }  # fmt: skip
    assert by_deputy.created
    assert by_procurement.created


def test_a_stranger_may_not_report(world: World) -> None:
    assert refusal(world, stranger(world)) is DeviationRefusal.NOT_ALLOWED
    assert stored_deviations(world) == []


INVALID: list[tuple[dict[str, object], DeviationRefusal]] = [
    ({"occurred_on": TODAY + timedelta(days=1)}, DeviationRefusal.DATE_IN_FUTURE),
    ({"occurred_on": date(2020, 11, 23)}, DeviationRefusal.DATE_TOO_OLD),  # six years
    ({"occurred_on": date(2025, 6, 1)}, DeviationRefusal.DATE_BEFORE_CONTRACT),
    ({"description": ""}, DeviationRefusal.DESCRIPTION_MISSING),
    ({"description": " \n\t\x00 "}, DeviationRefusal.DESCRIPTION_MISSING),
    ({"description": "x" * 10_000}, DeviationRefusal.DESCRIPTION_TOO_LONG),
    ({"description": "x" * (MAX_DESCRIPTION + 1)}, DeviationRefusal.DESCRIPTION_TOO_LONG),
    ({"category": "sabotasje"}, DeviationRefusal.UNKNOWN_CATEGORY),
    ({"severity": "katastrofal"}, DeviationRefusal.UNKNOWN_SEVERITY),
    ({"remedy": "fengsel"}, DeviationRefusal.UNKNOWN_REMEDY),
    ({"contract_id": "no-such-contract"}, DeviationRefusal.UNKNOWN_CONTRACT),
    ({"contract_id": None, "contract_reference": "KOM-0"}, DeviationRefusal.UNKNOWN_CONTRACT),
    ({"contract_id": None}, DeviationRefusal.UNKNOWN_CONTRACT),
    ({"follow_up_id": "no-such-follow-up"}, DeviationRefusal.UNKNOWN_FOLLOW_UP),
]


def test_invalid_reports_are_refused(world: World) -> None:
    """One world for all the cases (each refusal must leave it as it was)."""
    found = [(changes, refusal(world, **changes)) for changes, _ in INVALID]
    assert [reason for _, reason in found] == [reason for _, reason in INVALID]
    assert stored_deviations(world) == []
    assert of_kind(all_deliveries(world.uow_factory), DeliveryKind.DEVIATION) == []


def test_dates_at_the_limits_are_accepted(world: World) -> None:
    assert report(world, occurred_on=TODAY).created
    # Before the contract started (1 January 2026), within 90 days: a late start is common.
    assert report(world, occurred_on=date(2025, 10, 3)).created
    set_contract(world, start_date=date(2015, 1, 1))
    assert report(world, occurred_on=date(2021, 11, 23)).created  # five years back
    assert refusal(world, occurred_on=date(2021, 11, 22)) is DeviationRefusal.DATE_TOO_OLD


def test_a_description_is_kept_as_plain_text(world: World) -> None:
    hostile = "<script>alert('avvik')</script> & <b>fet</b>\x00\x1b[31m"
    done = report(world, description=hostile)
    assert done.deviation.description == "<script>alert('avvik')</script> & <b>fet</b>[31m"
    assert stored_deviations(world)[0].description == done.deviation.description
    longest = report(world, description="æ" * MAX_DESCRIPTION)
    assert len(longest.deviation.description) == MAX_DESCRIPTION


# --- from a follow-up ------------------------------------------------------------------------


def test_a_deviation_from_a_follow_up_answers_it(world: World, follow_up: FollowUp) -> None:
    done = report(world, follow_up_id=follow_up.id, source_activity_id="f:avvik-1")

    assert done.deviation.follow_up_id == follow_up.id
    assert done.answer is not None
    assert done.answer.kind is AnswerKind.DEVIATION
    assert done.answer.version == 1
    assert done.answer.source_activity_id == "f:avvik-1"
    assert len(done.answer.text or "") <= MAX_ANSWER_TEXT
    after = stored_follow_up(world.uow_factory, follow_up.id)
    assert after.state is FollowUpState.DEVIATION_REPORTED
    assert after.next_action_at is None
    assert answers_of(world, follow_up.id) == [done.answer]
    assert audit(world, "deviation", done.deviation.id)[0].after == {
        "code": "AV-2026-0001",
        "contract_id": world.contract.id,
        "follow_up_id": follow_up.id,
        "category": "forsinkelse",
        "severity": "lav",
        "occurred_on": "2026-11-20",
        "remedy": None,
        "status": "open",
        "answer_id": done.answer.id,
    }


def test_the_same_report_twice_is_one_deviation(world: World, follow_up: FollowUp) -> None:
    cards = AlertCards()
    first = report(
        world, follow_up_id=follow_up.id, source_activity_id="f:2", severity="kritisk", cards=cards
    )
    again = report(
        world, follow_up_id=follow_up.id, source_activity_id="f:2", severity="kritisk", cards=cards
    )

    assert first.created is True
    assert again.created is False
    assert again.deviation == first.deviation
    assert again.answer == first.answer
    assert again.alerts == 0
    assert stored_deviations(world) == [first.deviation]
    assert len(answers_of(world, follow_up.id)) == 1
    assert len(of_kind(all_deliveries(world.uow_factory), DeliveryKind.DEVIATION)) == 2
    assert len(cards.alerts) == 1


def test_procurement_reports_on_a_follow_up_without_answering_it(
    world: World, follow_up: FollowUp
) -> None:
    done = report(world, procurement_member(world), follow_up_id=follow_up.id)

    assert done.deviation.follow_up_id == follow_up.id
    assert done.answer is None
    assert answers_of(world, follow_up.id) == []
    assert stored_follow_up(world.uow_factory, follow_up.id) == follow_up
    # A new plan does not delete a follow-up a deviation names, answered or not.
    with world.uow_factory() as uow:
        assert uow.follow_ups.delete_unanswered([follow_up.id]) == 0
        uow.commit()
    assert stored_follow_up(world.uow_factory, follow_up.id) == follow_up


def test_a_follow_up_of_another_contract_is_refused(world: World, follow_up: FollowUp) -> None:
    with world.uow_factory() as uow:
        other = world.contract.model_copy(
            update={"id": "11111111-1111-1111-1111-111111111111", "reference": "KOM-2026-0002"}
        )
        uow.contracts.add(other, NOW)
        uow.commit()
    reason = refusal(world, contract_id=other.id, follow_up_id=follow_up.id)
    assert reason is DeviationRefusal.FOLLOW_UP_MISMATCH
    # Without a contract, the follow-up's contract is the one.
    assert report(world, contract_id=None, follow_up_id=follow_up.id).contract.id == (
        world.contract.id
    )


# --- alerts ----------------------------------------------------------------------------------


def test_high_and_critical_deviations_go_to_every_procurement_channel(
    world: World, follow_up: FollowUp
) -> None:
    assert {Severity.HIGH, Severity.CRITICAL} == ALERT_SEVERITIES
    for severity in (Severity.LOW, Severity.MEDIUM):
        quiet = report(world, severity=severity)
        assert quiet.alerts == 0
    assert of_kind(all_deliveries(world.uow_factory), DeliveryKind.DEVIATION) == []

    for severity in (Severity.HIGH, Severity.CRITICAL):
        cards = AlertCards()
        done = report(world, follow_up_id=follow_up.id, severity=severity, cards=cards)

        alerts = [
            d
            for d in of_kind(all_deliveries(world.uow_factory), DeliveryKind.DEVIATION)
            if d.dedupe_key and d.dedupe_key.startswith(f"deviation:{done.deviation.id}:")
        ]
        assert done.alerts == 2
        assert sorted(d.conversation_ref_id or "" for d in alerts) == sorted(
            c.id for c in world.channels
        )
        for delivery in alerts:
            assert delivery.state is DeliveryState.QUEUED
            assert delivery.follow_up_ids == [follow_up.id]
            assert delivery.recipient_person_id is None
            assert delivery.dedupe_key == (
                f"deviation:{done.deviation.id}:{delivery.conversation_ref_id}"
            )
            assert message_from_json(delivery.message).text == (
                f"Avvik ({severity.value}) på KOM-2026-0001: Leveransen kom tre dager for sent."
            )
        (alert,) = cards.alerts
        assert alert.deviation == done.deviation
        assert alert.contract.id == world.contract.id
        assert alert.supplier is not None
        assert alert.supplier.name == "Fjordbygg AS"
        assert alert.reporter.id == world.owner.id
        assert alert.follow_up is not None
        assert alert.follow_up.id == follow_up.id
        assert alert.checkpoint is not None
        assert alert.checkpoint.id == world.checkpoint.id
    assert len(of_kind(all_deliveries(world.uow_factory), DeliveryKind.DEVIATION)) == 4


def test_with_no_procurement_channel_the_alert_is_recorded_as_unreachable(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    lonely = build_world(uow_factory, channels=0)
    done = report(lonely, severity=Severity.CRITICAL)

    (delivery,) = of_kind(all_deliveries(uow_factory), DeliveryKind.DEVIATION)
    assert done.alerts == 0
    assert delivery.state is DeliveryState.UNREACHABLE
    assert delivery.conversation_ref_id is None


async def test_the_outbox_sender_sends_deviation_alerts_as_they_are(world: World) -> None:
    report(world, severity=Severity.HIGH)
    notifier = FakeNotifier()
    sender = OutboxSender(
        world.uow_factory, notifier, ReminderCards(), FakeClock(NOW), Pacer(None),
        holder="sender-1",
    )  # fmt: skip

    sent = await sender.send_all()

    assert sent.sent == 2
    assert sorted(c for c, _ in notifier.sent) == sorted(c.conversation_id for c in world.channels)
    assert all(d.state is DeliveryState.SENT for d in all_deliveries(world.uow_factory))


# --- life ------------------------------------------------------------------------------------


def test_a_deviation_moves_from_open_to_closed_with_who_and_when(world: World) -> None:
    reported = report(world).deviation
    ingrid = procurement_member(world)
    t1, t2, t3 = (NOW + timedelta(hours=h) for h in (1, 2, 3))

    started = update(
        world, deviation_id=reported.id, person_id=world.owner.id,
        status="in_progress", note="Leverandøren er varslet.", remedy=Remedy.NOTICE, now=t1,
    )  # fmt: skip
    closed = update(
        world, deviation_id=reported.id, person_id=ingrid.id,
        status=DeviationStatus.CLOSED, now=t2, remedy="prisavslag",
    )  # fmt: skip
    reopened = update(
        world, deviation_id=reported.id, person_id=world.manager.id,
        status=DeviationStatus.OPEN, note="Kom tilbake.", now=t3,
    )  # fmt: skip

    assert started.changed
    assert started.before.status is DeviationStatus.OPEN
    assert started.deviation.status is DeviationStatus.IN_PROGRESS
    assert started.deviation.remedy is Remedy.NOTICE
    assert started.deviation.updated_by_id == world.owner.id
    assert started.deviation.updated_at == t1
    assert started.deviation.closed_at is None
    assert closed.deviation.status is DeviationStatus.CLOSED
    assert closed.deviation.closed_by_id == ingrid.id
    assert closed.deviation.closed_at == t2
    assert closed.deviation.remedy is Remedy.PRICE_REDUCTION
    assert reopened.deviation.status is DeviationStatus.OPEN
    assert reopened.deviation.closed_by_id is None
    assert reopened.deviation.closed_at is None
    assert reopened.deviation.remedy is Remedy.PRICE_REDUCTION
    assert stored_deviations(world) == [reopened.deviation]

    history = read(world, lambda uow: deviation_history(reported.id, ingrid.id, uow, NOW))
    assert [(e.action, e.actor, e.at) for e in history] == [
        ("deviation.reported", f"person:{world.owner.id}", NOW),
        ("deviation.updated", f"person:{world.owner.id}", t1),
        ("deviation.updated", f"person:{ingrid.id}", t2),
        ("deviation.updated", f"person:{world.manager.id}", t3),
    ]
    assert history[1].before == {"status": "open", "remedy": None}
    assert history[1].after == {
        "status": "in_progress",
        "remedy": "reklamasjon",
        "note": "Leverandøren er varslet.",
    }
    assert history[2].after == {"status": "closed", "remedy": "prisavslag", "note": None}


def test_who_may_not_change_a_deviation_changes_nothing(world: World) -> None:
    reported = report(world).deviation
    owner_away(world, world.deputy)  # covering for the owner answers, but does not decide

    for person in (stranger(world), world.deputy):
        with pytest.raises(DeviationRefused) as refused:
            update(
                world, deviation_id=reported.id, person_id=person.id,
                status=DeviationStatus.CLOSED, now=NOW,
            )  # fmt: skip
        assert refused.value.reason is DeviationRefusal.NOT_ALLOWED
    assert stored_deviations(world) == [reported]
    assert len(audit(world, "deviation", reported.id)) == 1


def test_invalid_changes_are_refused(world: World) -> None:
    reported = report(world).deviation

    def change(status: str, **extra: object) -> DeviationRefusal:
        with pytest.raises(DeviationRefused) as refused:
            update(
                world,
                deviation_id=extra.pop("deviation_id", reported.id),  # type: ignore[arg-type]
                person_id=world.owner.id, status=status, now=NOW, **extra,  # type: ignore[arg-type]
            )  # fmt: skip
        return refused.value.reason

    update(
        world, deviation_id=reported.id, person_id=world.owner.id,
        status="closed", now=NOW,
    )  # fmt: skip
    assert change("in_progress") is DeviationRefusal.INVALID_TRANSITION
    assert change("ferdig") is DeviationRefusal.UNKNOWN_STATUS
    assert change("open", note="x" * 2001) is DeviationRefusal.NOTE_TOO_LONG
    assert change("open", remedy="bot") is DeviationRefusal.UNKNOWN_REMEDY
    assert change("open", deviation_id="nope") is DeviationRefusal.UNKNOWN_DEVIATION
    assert len(audit(world, "deviation", reported.id)) == 2


def test_no_change_stores_nothing(world: World) -> None:
    reported = report(world).deviation

    same = update(
        world, deviation_id=reported.id, person_id=world.owner.id,
        status="open", now=NOW,
    )  # fmt: skip
    noted = update(
        world, deviation_id=reported.id, person_id=world.owner.id,
        status="open", note="Purret på leverandøren.", now=NOW,
    )  # fmt: skip

    assert same.changed is False
    assert noted.changed is True
    assert noted.deviation.status is DeviationStatus.OPEN
    assert [e.action for e in audit(world, "deviation", reported.id)] == [
        "deviation.reported",
        "deviation.updated",
    ]


# --- lists -----------------------------------------------------------------------------------


def test_the_lists_the_bot_shows(world: World) -> None:
    ingrid = procurement_member(world)
    low = report(world, occurred_on=date(2026, 11, 1)).deviation
    critical = report(world, world.manager, severity="kritisk").deviation
    by_ingrid = report(world, ingrid, severity="høy", occurred_on=date(2026, 11, 10)).deviation
    update(world, deviation_id=low.id, person_id=world.owner.id, status="closed", now=NOW)

    for_contract = read(
        world, lambda uow: deviations_for_contract(world.contract.id, world.owner.id, uow, NOW)
    )
    assert [v.deviation.id for v in for_contract] == [critical.id, by_ingrid.id, low.id]
    assert for_contract[0].reported_by_name == "Per Berg"
    assert for_contract[0].supplier_name == "Fjordbygg AS"
    assert for_contract[2].closed_by_name == "Kari Nordmann"
    assert for_contract[2].updated_by_name == "Kari Nordmann"

    owners = read(world, lambda uow: open_deviations_for_person(world.owner.id, uow))
    assert [v.deviation.id for v in owners] == [critical.id, by_ingrid.id]
    reporters = read(world, lambda uow: open_deviations_for_person(ingrid.id, uow))
    assert [v.deviation.id for v in reporters] == [by_ingrid.id]
    assert read(world, lambda uow: open_deviations_for_person(world.deputy.id, uow)) == []

    portfolio = read(world, lambda uow: open_deviations(ingrid.id, uow))
    assert [v.deviation.severity for v in portfolio] == [Severity.CRITICAL, Severity.HIGH]

    nils = stranger(world)
    with pytest.raises(DeviationRefused):
        read(world, lambda uow: open_deviations(world.owner.id, uow))
    with pytest.raises(DeviationRefused):
        read(world, lambda uow: deviations_for_contract(world.contract.id, nils.id, uow, NOW))
    with pytest.raises(DeviationRefused):
        read(world, lambda uow: deviation_history(low.id, nils.id, uow, NOW))
