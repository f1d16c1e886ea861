"""Absences and deputies (`followup.absence`), run against a unit of work kept in dicts
(`tests.fakes.FakeUnitOfWork`). These verbs take the caller's unit of work and leave the
commit to the caller: each test checks that they did not commit, and what the caller's commit
then stores. The clock is Monday 23 November 2026, 10:00 in Oslo."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from followup.absence import (
    RegisterAbsence,
    end_current_absence,
    register_absence,
    set_standing_deputy,
)
from followup.errors import InvalidInput, NotFound
from followup.models import Absence, Person, Role
from tests.fakes import FakeStore, FakeUnitOfWork

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


def person(store: FakeStore, name: str) -> Person:
    made = Person(display_name=name, email=f"{name}@fjordvik.kommune.no", roles={Role.OWNER})
    store.people[made.id] = made
    return made


def absent(store: FakeStore, who: Person, start: date, end: date) -> Absence:
    made = Absence(person_id=who.id, start=start, end=end)
    store.absences[made.id] = made
    return made


def test_an_absence_with_a_deputy_is_registered_and_left_for_the_caller_to_commit(
    store: FakeStore,
) -> None:
    kari, ola = person(store, "kari"), person(store, "ola")
    cmd = RegisterAbsence(
        kari.id, date(2026, 12, 1), date(2026, 12, 11), " <OLA@fjordvik.kommune.no>"
    )

    with FakeUnitOfWork(store) as uow:
        absence = register_absence(cmd, uow, NOW)
        assert uow.commits == 0
        assert store.absences == {}, "nothing is stored before the caller commits"
        uow.commit()

    assert absence.deputy_person_id == ola.id
    assert list(store.absences.values()) == [absence]
    [event] = store.audit.values()
    assert (event.action, event.actor, event.entity_id) == ("absence.registered", kari.id, kari.id)
    assert event.after == {
        "start": "2026-12-01",
        "end": "2026-12-11",
        "deputy_person_id": ola.id,
    }


def test_a_new_absence_replaces_those_it_overlaps(store: FakeStore) -> None:
    kari = person(store, "kari")
    overlapped = absent(store, kari, date(2026, 12, 1), date(2026, 12, 4))
    later = absent(store, kari, date(2027, 1, 4), date(2027, 1, 8))

    with FakeUnitOfWork(store) as uow:
        absence = register_absence(
            RegisterAbsence(kari.id, date(2026, 12, 3), date(2026, 12, 10)), uow, NOW
        )
        uow.commit()

    assert set(store.absences) == {absence.id, later.id}
    assert overlapped.id not in store.absences
    assert [e.action for e in store.audit.values()] == ["absence.replaced", "absence.registered"]


@pytest.mark.parametrize(
    ("start", "end", "deputy", "code"),
    [
        (date(2026, 12, 10), date(2026, 12, 1), None, "absence.end_before_start"),
        (date(2026, 11, 2), date(2026, 11, 20), None, "absence.in_past"),
        (date(2026, 12, 1), date(2027, 12, 31), None, "absence.too_long"),
        (date(2029, 1, 1), date(2029, 1, 5), None, "absence.too_far_ahead"),
        (date(2026, 12, 1), date(2026, 12, 5), "kari@fjordvik.kommune.no", "deputy.self"),
        (date(2026, 12, 1), date(2026, 12, 5), "ola", "deputy.bad_address"),
    ],
)
def test_an_invalid_absence_is_refused_and_nothing_is_written(
    store: FakeStore, start: date, end: date, deputy: str | None, code: str
) -> None:
    kari = person(store, "kari")

    with FakeUnitOfWork(store) as uow:
        with pytest.raises(InvalidInput) as refused:
            register_absence(RegisterAbsence(kari.id, start, end, deputy), uow, NOW)
        assert refused.value.code == code
        assert uow.absences.for_people([kari.id], TODAY) == []
        assert uow.commits == 0


def test_an_unknown_person_or_deputy_is_not_found(store: FakeStore) -> None:
    kari = person(store, "kari")
    december = (date(2026, 12, 1), date(2026, 12, 5))

    with FakeUnitOfWork(store) as uow:
        with pytest.raises(NotFound) as unknown_person:
            register_absence(RegisterAbsence("nobody", *december), uow, NOW)
        with pytest.raises(NotFound) as unknown_deputy:
            register_absence(
                RegisterAbsence(kari.id, *december, "nils@fjordvik.kommune.no"), uow, NOW
            )

    assert unknown_person.value.code == "person.unknown"
    assert unknown_deputy.value.code == "deputy.unknown"
    assert store.absences == {}
    assert uow.commits == 0


def test_coming_back_ends_the_current_absence_yesterday_and_keeps_later_ones(
    store: FakeStore,
) -> None:
    kari, ola = person(store, "kari"), person(store, "ola")
    current = absent(store, kari, date(2026, 11, 16), date(2026, 11, 27))
    future = absent(store, kari, date(2026, 12, 21), date(2026, 12, 31)).model_copy(
        update={"deputy_person_id": ola.id}
    )
    store.absences[future.id] = future
    past = absent(store, kari, date(2026, 10, 1), date(2026, 10, 9))

    with FakeUnitOfWork(store) as uow:
        back = end_current_absence(uow, kari.id, NOW)
        assert uow.commits == 0
        uow.commit()

    assert back.ended == (current,)
    assert back.planned == (future,)
    assert store.absences[future.id] == future, "the planned absence and its deputy stay"
    assert store.absences[past.id] == past
    assert (store.absences[current.id].start, store.absences[current.id].end) == (
        current.start,
        date(2026, 11, 22),
    )
    [event] = store.audit.values()
    assert (event.action, event.before) == (
        "absence.ended",
        {"start": "2026-11-16", "end": "2026-11-27", "deputy_person_id": None},
    )


def test_an_absence_that_began_today_goes_and_with_none_going_on_nothing_ends(
    store: FakeStore,
) -> None:
    kari = person(store, "kari")
    today = absent(store, kari, TODAY, date(2026, 11, 27))
    with FakeUnitOfWork(store) as uow:
        assert end_current_absence(uow, kari.id, NOW).ended == (today,)
        uow.commit()
    assert store.absences == {}

    future = absent(store, kari, date(2026, 12, 1), date(2026, 12, 4))
    with FakeUnitOfWork(store) as uow:
        back = end_current_absence(uow, kari.id, NOW)
        uow.commit()
    assert (back.ended, back.planned) == ((), (future,))
    assert store.absences == {future.id: future}
    assert [e.action for e in store.audit.values()] == ["absence.ended"]


def test_a_standing_deputy_is_named_and_cleared(store: FakeStore) -> None:
    kari, ola = person(store, "kari"), person(store, "ola")

    with FakeUnitOfWork(store) as uow:
        deputy = set_standing_deputy(uow, kari.id, "ola@fjordvik.kommune.no", NOW)
        assert uow.commits == 0
        uow.commit()
    assert deputy is not None
    assert deputy.id == ola.id
    assert store.people[kari.id].deputy_person_id == ola.id

    with FakeUnitOfWork(store) as uow:
        assert set_standing_deputy(uow, kari.id, None, NOW) is None
        # left without committing: the change is dropped, as a rolled-back transaction's is
    assert store.people[kari.id].deputy_person_id == ola.id

    events = list(store.audit.values())
    assert [(e.before, e.after) for e in events] == [
        ({"deputy_person_id": None}, {"deputy_person_id": ola.id})
    ]
