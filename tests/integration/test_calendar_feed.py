"""The private calendar address, against real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from followup.calendar.feed import (
    FEED_ROUTE,
    TOKEN_LENGTH,
    feed_path,
    is_well_formed,
    issue_calendar_token,
    person_for_token,
    revoke_calendar_token,
)
from followup.errors import NotFound
from followup.models import Person
from storage.tables import AuditEventRow, CalendarFeedRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _person(uow_factory: SqlAlchemyUnitOfWorkFactory, name: str = "Kari Nordmann") -> str:
    person = Person(display_name=name, email=f"{name.partition(' ')[0].lower()}@kommune.no")
    with uow_factory() as uow:
        uow.people.add(person, NOW)
        uow.commit()
    return person.id


def _issue(uow_factory: SqlAlchemyUnitOfWorkFactory, person_id: str, now: datetime = NOW) -> str:
    with uow_factory() as uow:
        token = issue_calendar_token(uow, person_id, now)
        uow.commit()
    return token


def _resolve(uow_factory: SqlAlchemyUnitOfWorkFactory, token: str) -> str | None:
    with uow_factory() as uow:
        return person_for_token(uow, token)


def test_an_issued_token_opens_the_persons_feed(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    kari = _person(uow_factory)
    ola = _person(uow_factory, "Ola Nordmann")
    token = _issue(uow_factory, kari)
    assert is_well_formed(token)
    assert len(token) == TOKEN_LENGTH
    assert _resolve(uow_factory, token) == kari
    assert _resolve(uow_factory, _issue(uow_factory, ola)) == ola
    assert _resolve(uow_factory, token) == kari


def test_only_the_hash_is_stored(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    kari = _person(uow_factory)
    token = _issue(uow_factory, kari)
    with db_engine.connect() as conn:
        rows = conn.execute(select(CalendarFeedRow.__table__)).all()
    assert len(rows) == 1
    assert rows[0].token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(rows)


def test_renewing_ends_the_old_token(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    kari = _person(uow_factory)
    old = _issue(uow_factory, kari)
    new = _issue(uow_factory, kari, NOW + timedelta(days=1))
    assert new != old
    assert _resolve(uow_factory, old) is None
    assert _resolve(uow_factory, new) == kari


def test_an_uncommitted_token_does_not_exist(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    kari = _person(uow_factory)
    with uow_factory() as uow:
        token = issue_calendar_token(uow, kari, NOW)
    assert _resolve(uow_factory, token) is None


def test_revoking_ends_the_feed(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    kari = _person(uow_factory)
    token = _issue(uow_factory, kari)
    with uow_factory() as uow:
        assert revoke_calendar_token(uow, kari, NOW) is True
        uow.commit()
    assert _resolve(uow_factory, token) is None
    with uow_factory() as uow:
        assert revoke_calendar_token(uow, kari, NOW) is False
        uow.commit()


def test_audit_trail_without_the_token(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    kari = _person(uow_factory)
    tokens = [_issue(uow_factory, kari), _issue(uow_factory, kari, NOW + timedelta(hours=1))]
    with uow_factory() as uow:
        revoke_calendar_token(uow, kari, NOW + timedelta(hours=2))
        uow.commit()
    with uow_factory() as uow:
        events = uow.audit.for_entity("person", kari)
    assert [e.action for e in events] == [
        "calendar_feed.created",
        "calendar_feed.renewed",
        "calendar_feed.revoked",
    ]
    assert {e.actor for e in events} == {kari}
    with db_engine.connect() as conn:
        rows = conn.execute(select(AuditEventRow.__table__)).all()
    dumped = repr(rows)
    for token in tokens:
        assert token not in dumped
        assert hashlib.sha256(token.encode()).hexdigest() not in dumped


def test_issuing_for_an_unknown_person_fails(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with uow_factory() as uow, pytest.raises(NotFound):
        issue_calendar_token(uow, "no-such-person", NOW)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "short",
        "a" * (TOKEN_LENGTH - 1),
        "a" * (TOKEN_LENGTH + 1),
        "a" * (TOKEN_LENGTH - 1) + "=",
        "a" * (TOKEN_LENGTH - 1) + "/",
        "a" * (TOKEN_LENGTH - 1) + "ø",
        "a" * (TOKEN_LENGTH - 1) + "\n",
        "' OR 1=1 --" + "a" * (TOKEN_LENGTH - 11),
        "x" * 10_000,
    ],
)
def test_malformed_tokens_open_nothing(
    uow_factory: SqlAlchemyUnitOfWorkFactory, token: str
) -> None:
    _issue(uow_factory, _person(uow_factory))
    assert not is_well_formed(token)
    assert _resolve(uow_factory, token) is None


def test_a_well_formed_unknown_token_opens_nothing(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    _issue(uow_factory, _person(uow_factory))
    assert _resolve(uow_factory, secrets.token_urlsafe(32)) is None


def test_feed_path() -> None:
    token = secrets.token_urlsafe(32)
    assert feed_path(token) == f"/kalender/{token}.ics"
    assert FEED_ROUTE == "/kalender/{token}.ics"
    with pytest.raises(ValueError, match="not a calendar token"):
        feed_path("../../etc/passwd")
