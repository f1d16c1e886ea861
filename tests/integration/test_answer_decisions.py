"""Each checkpoint kind's own answers on real SQLite and PostgreSQL: every new answer stored
and read back; an option or expiry decision with who decided and when (the person answering
and today when not given, a date as a card's date field or typed in Norwegian); bad input
refused with nothing stored; the latest decisions in a contract's overview (`status
<avtalenr>`); the answer in words and the decision in the answers and follow-ups exports; and
`plan apply` bringing stored checkpoints the new answers.

The clock is fixed: Monday 23 November 2026 09:00 UTC, 10:00 in Oslo.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from followup.answers.services import (
    AnswerRecorded,
    AnswerRefusal,
    AnswerRefused,
    RecordAnswer,
    record_answer,
)
from followup.models import (
    MAX_DECIDED_BY,
    AnswerKind,
    Checkpoint,
    CheckpointSource,
    FollowUpState,
    Person,
)
from followup.plans.plan_file import apply_plans, load_plan
from followup.portfolio import ContractOverview, export_rows, status_for
from followup.views import EXPORT_COLUMNS, ExportKind, ExportQuery, StatusTarget, TargetKind
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.portfolio_world import EVERYTHING
from tests.worlds import (
    DUE,
    NOW,
    World,
    add_follow_up_for,
    answer_world,
    answers_of,
    audit,
    set_contract,
    stored_follow_up,
)

TODAY = date(2026, 11, 23)
OPTION = ["opsjon_utloses", "opsjon_utloses_ikke", "ikke_relevant", "utsett"]
EXPIRY = ["ny_anskaffelse", "forlenges", "avsluttes", "utsett"]
DECISIONS = [
    AnswerKind.OPTION_EXERCISED,
    AnswerKind.OPTION_NOT_EXERCISED,
    AnswerKind.NEW_PROCUREMENT,
    AnswerKind.EXTENDED,
    AnswerKind.ENDING,
]


@pytest.fixture
def world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> World:
    return answer_world(uow_factory)


def checkpoint(
    world: World, code: str, actions: list[str], *, title: str | None = None
) -> Checkpoint:
    made = Checkpoint(
        contract_id=world.contract.id,
        code=code,
        title=title or code.capitalize(),
        rrule="FREQ=DAILY;COUNT=1",
        dtstart=DUE,
        actions=actions,
    )
    with world.uow_factory() as uow:
        uow.checkpoints.add(made)
        uow.commit()
    return made


def answer(
    world: World,
    follow_up_id: str,
    kind: AnswerKind,
    *,
    person: Person | None = None,
    **values: object,
) -> AnswerRecorded:
    with world.uow_factory() as uow:
        recorded = record_answer(
            RecordAnswer(follow_up_id, kind, (person or world.owner).id, **values),  # type: ignore[arg-type]
            uow,
            NOW,
        )
        uow.commit()
    return recorded


def refused(
    world: World,
    follow_up_id: str,
    kind: AnswerKind,
    *,
    decided_by: str | None = None,
    decided_on: str | None = None,
) -> AnswerRefusal:
    with pytest.raises(AnswerRefused) as caught:
        answer(world, follow_up_id, kind, decided_by=decided_by, decided_on=decided_on)
    return caught.value.reason


# --- every answer, stored ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", DECISIONS)
def test_a_decision_is_stored_with_who_decided_and_when(world: World, kind: AnswerKind) -> None:
    option = checkpoint(world, "opsjon-1", OPTION)
    follow_up = add_follow_up_for(world, option)

    done = answer(
        world, follow_up.id, kind, decided_by=" Per  Olsen ", decided_on="2026-11-20", text="Ok."
    )

    assert done.created
    (stored,) = answers_of(world, follow_up.id)
    assert stored.kind is kind
    assert (stored.decided_by, stored.decided_on) == ("Per Olsen", date(2026, 11, 20))
    assert stored.text == "Ok."
    assert stored_follow_up(world.uow_factory, follow_up.id).state is FollowUpState.ANSWERED
    (event,) = [e for e in audit(world, "follow_up", follow_up.id) if e.action == "answer.recorded"]
    assert event.after is not None
    assert event.after["kind"] == kind.value
    assert event.after["decided_by"] == "Per Olsen"
    assert event.after["decided_on"] == "2026-11-20"


@pytest.mark.parametrize("kind", [AnswerKind.IN_ORDER, AnswerKind.MEETING_HELD])
def test_a_price_check_or_a_meeting_is_answered_without_a_decision(
    world: World, kind: AnswerKind
) -> None:
    check = checkpoint(world, "priskontroll", ["i_samsvar", "holdt", "avvik", "utsett"])
    follow_up = add_follow_up_for(world, check)

    answer(world, follow_up.id, kind, decided_by="Per Olsen", decided_on="2026-11-20")

    (stored,) = answers_of(world, follow_up.id)
    assert stored.kind is kind
    assert (stored.decided_by, stored.decided_on) == (None, None), "not a decision: ignored"
    assert stored_follow_up(world.uow_factory, follow_up.id).state is FollowUpState.ANSWERED
    (event,) = [e for e in audit(world, "follow_up", follow_up.id) if e.action == "answer.recorded"]
    assert event.after is not None
    assert "decided_by" not in event.after


def test_nobody_named_is_the_person_answering_and_no_date_is_today(world: World) -> None:
    expiry = checkpoint(world, "utlop", EXPIRY)
    first = add_follow_up_for(world, expiry)
    answer(world, first.id, AnswerKind.EXTENDED, decided_by="   ", decided_on="")
    (stored,) = answers_of(world, first.id)
    assert (stored.decided_by, stored.decided_on) == ("Kari Nordmann", TODAY)

    # The deputy answers for the owner: the deputy decided, unless someone else is named.
    second = add_follow_up_for(world, expiry, due=DUE + timedelta(days=1))
    set_contract(world, deputy_id=world.deputy.id)
    answer(world, second.id, AnswerKind.ENDING, person=world.deputy)
    (stored,) = answers_of(world, second.id)
    assert stored.on_behalf_of_id == world.owner.id
    assert (stored.decided_by, stored.decided_on) == ("Ola Hansen", TODAY)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("20.11.2026", date(2026, 11, 20)),
        ("20.11", date(2026, 11, 20)),  # no year: the most recent one
        ("3/12-25", date(2025, 12, 3)),
        ("i går", date(2026, 11, 22)),
        (date(2026, 10, 1), date(2026, 10, 1)),
        ("2026-11-23", TODAY),
    ],
)
def test_the_date_of_the_decision_as_typed_or_sent(
    world: World, typed: str | date, day: date
) -> None:
    follow_up = add_follow_up_for(world, checkpoint(world, "opsjon-1", OPTION))
    answer(world, follow_up.id, AnswerKind.OPTION_EXERCISED, decided_on=typed)
    (stored,) = answers_of(world, follow_up.id)
    assert stored.decided_on == day


def test_bad_decisions_are_refused_and_nothing_is_stored(world: World) -> None:
    follow_up = add_follow_up_for(world, checkpoint(world, "opsjon-1", OPTION))
    kind = AnswerKind.OPTION_NOT_EXERCISED

    assert refused(world, follow_up.id, kind, decided_on="24.11.2026") is (
        AnswerRefusal.DECIDED_ON_FUTURE
    )
    assert refused(world, follow_up.id, kind, decided_on="2027-01-01") is (
        AnswerRefusal.DECIDED_ON_FUTURE
    )
    assert refused(world, follow_up.id, kind, decided_on="blåmandag") is (
        AnswerRefusal.DECIDED_ON_UNREADABLE
    )
    assert refused(world, follow_up.id, kind, decided_by="x" * (MAX_DECIDED_BY + 1)) is (
        AnswerRefusal.DECIDED_BY_TOO_LONG
    )
    assert answers_of(world, follow_up.id) == []
    assert audit(world, "follow_up", follow_up.id) == []
    assert stored_follow_up(world.uow_factory, follow_up.id).state is FollowUpState.NOTIFIED

    # Corrected, the same answer goes through.
    answer(world, follow_up.id, kind, decided_by="x" * MAX_DECIDED_BY, decided_on="23.11.2026")
    (stored,) = answers_of(world, follow_up.id)
    assert (stored.decided_by, stored.decided_on) == ("x" * MAX_DECIDED_BY, TODAY)


# --- shown: the contract's overview and the exports ---------------------------------------------


def overview(world: World) -> ContractOverview:
    target = StatusTarget(TargetKind.CONTRACT, world.contract.id, world.contract.reference)
    with world.uow_factory() as uow:
        found = status_for(uow, target, EVERYTHING, TODAY)
    assert isinstance(found, ContractOverview)
    return found


def test_the_overview_shows_the_latest_option_and_expiry_decisions(world: World) -> None:
    option = checkpoint(world, "opsjon-1", OPTION, title="Opsjon 1")
    second_option = checkpoint(world, "opsjon-2", OPTION, title="Opsjon 2")
    expiry = checkpoint(world, "utlop", EXPIRY, title="Utløp")
    first = add_follow_up_for(world, option, due=date(2026, 11, 2))
    later = add_follow_up_for(world, second_option, due=date(2026, 11, 20))
    ends = add_follow_up_for(world, expiry, due=date(2026, 11, 20))
    assert overview(world).decisions == []

    answer(world, first.id, AnswerKind.OPTION_EXERCISED, decided_by="Per Olsen",
           decided_on="2.11.2026")  # fmt: skip
    assert [(d.answer.kind, d.checkpoint_title) for d in overview(world).decisions] == [
        (AnswerKind.OPTION_EXERCISED, "Opsjon 1")
    ]

    with world.uow_factory() as uow:
        record_answer(
            RecordAnswer(later.id, AnswerKind.OPTION_NOT_EXERCISED, world.owner.id,
                         decided_on="20.11.2026"),
            uow,
            NOW + timedelta(minutes=1),
        )  # fmt: skip
        record_answer(
            RecordAnswer(ends.id, AnswerKind.NEW_PROCUREMENT, world.owner.id),
            uow,
            NOW + timedelta(minutes=2),
        )
        uow.commit()
    decisions = overview(world).decisions
    assert [(d.answer.kind, d.answer.decided_by, d.answer.decided_on) for d in decisions] == [
        (AnswerKind.OPTION_NOT_EXERCISED, "Kari Nordmann", date(2026, 11, 20)),
        (AnswerKind.NEW_PROCUREMENT, "Kari Nordmann", TODAY),
    ]
    assert decisions[0].answered_by_name == "Kari Nordmann"
    assert decisions[0].due_date == date(2026, 11, 20)

    # A document sent afterwards adds to the decision; «Ikke relevant» takes it back.
    with world.uow_factory() as uow:
        record_answer(
            RecordAnswer(later.id, AnswerKind.DOCUMENTS, world.owner.id),
            uow,
            NOW + timedelta(minutes=3),
        )
        uow.commit()
    assert overview(world).decisions[0].answer.kind is AnswerKind.OPTION_NOT_EXERCISED
    with world.uow_factory() as uow:
        record_answer(
            RecordAnswer(later.id, AnswerKind.NOT_APPLICABLE, world.owner.id),
            uow,
            NOW + timedelta(minutes=4),
        )
        uow.commit()
    assert [d.answer.kind for d in overview(world).decisions] == [
        AnswerKind.OPTION_EXERCISED,
        AnswerKind.NEW_PROCUREMENT,
    ]


def _rows(world: World, kind: ExportKind) -> list[dict[str, object]]:
    query = ExportQuery(kind, TODAY, date(2026, 11, 1), date(2026, 11, 30))
    columns = [c.header for c in EXPORT_COLUMNS[kind]]
    with world.uow_factory() as uow:
        return [dict(zip(columns, r, strict=True)) for r in export_rows(uow, query, EVERYTHING)]


def test_the_exports_say_the_answer_in_words_and_who_decided_when(world: World) -> None:
    option = add_follow_up_for(world, checkpoint(world, "opsjon-1", OPTION), due=date(2026, 11, 2))
    check = checkpoint(world, "priskontroll", ["i_samsvar", "avvik", "utsett"])
    priced = add_follow_up_for(world, check, due=date(2026, 11, 3))
    waiting = add_follow_up_for(world, check, due=date(2026, 11, 4))
    answer(world, option.id, AnswerKind.OPTION_EXERCISED, decided_by="Per Olsen",
           decided_on="2.11.2026")  # fmt: skip
    answer(world, priced.id, AnswerKind.IN_ORDER)

    answers = {r["Frist"]: r for r in _rows(world, ExportKind.SVAR)}
    assert set(answers) == {date(2026, 11, 2), date(2026, 11, 3)}
    decided = answers[date(2026, 11, 2)]
    assert decided["Svar"] == "opsjonen utløses"
    assert (decided["Besluttet av"], decided["Besluttet dato"]) == ("Per Olsen", date(2026, 11, 2))
    assert decided["Svart av"] == "Kari Nordmann"
    in_order = answers[date(2026, 11, 3)]
    assert (in_order["Svar"], in_order["Besluttet av"], in_order["Besluttet dato"]) == (
        "i samsvar",
        None,
        None,
    )

    follow_ups = {r["Frist"]: r for r in _rows(world, ExportKind.OPPFOLGINGER)}
    assert follow_ups[date(2026, 11, 2)]["Svar"] == "opsjonen utløses"
    assert follow_ups[date(2026, 11, 2)]["Besluttet av"] == "Per Olsen"
    assert follow_ups[date(2026, 11, 2)]["Besluttet dato"] == date(2026, 11, 2)
    assert follow_ups[date(2026, 11, 3)]["Svar"] == "i samsvar"
    unanswered = follow_ups[date(2026, 11, 4)]
    assert (unanswered["Svar"], unanswered["Besluttet av"], unanswered["Besluttet dato"]) == (
        None,
        None,
        None,
    )
    assert stored_follow_up(world.uow_factory, waiting.id).state is FollowUpState.NOTIFIED


# --- existing checkpoints get the new answers ---------------------------------------------------


def test_plan_apply_gives_stored_template_checkpoints_the_new_answers(world: World) -> None:
    set_contract(world, options=[date(2029, 12, 31)], end_date=date(2028, 12, 31))
    old = {
        "opsjon-1": ["levert", "ikke_relevant", "utsett"],
        "utlop": ["levert", "ikke_relevant", "utsett"],
    }
    with world.uow_factory() as uow:
        contract = uow.contracts.get(world.contract.id)
        assert contract is not None
        apply_plans(uow, [contract.id], load_plan(), NOW)
        uow.commit()
    with world.uow_factory() as uow:
        stored = {c.code: c for c in uow.checkpoints.for_contracts([world.contract.id])}
        for code, actions in old.items():
            stored[code].actions = actions
            uow.checkpoints.update(stored[code])
        edited = stored["opsjon-1"].model_copy(update={"customised": True})
        uow.commit()
    assert stored["utlop"].source is CheckpointSource.TEMPLATE
    with world.uow_factory() as uow:
        apply_plans(uow, [world.contract.id], load_plan(), NOW)
        uow.commit()
    with world.uow_factory() as uow:
        now_stored = {c.code: c for c in uow.checkpoints.for_contracts([world.contract.id])}
    assert now_stored["opsjon-1"].actions == OPTION
    assert now_stored["utlop"].actions == EXPIRY

    # One procurement edited is left as it is.
    with world.uow_factory() as uow:
        edited.actions = ["levert", "utsett"]
        uow.checkpoints.update(edited)
        uow.commit()
    with world.uow_factory() as uow:
        apply_plans(uow, [world.contract.id], load_plan(), NOW)
        uow.commit()
    with world.uow_factory() as uow:
        kept = {c.code: c for c in uow.checkpoints.for_contracts([world.contract.id])}
    assert kept["opsjon-1"].actions == ["levert", "utsett"]
