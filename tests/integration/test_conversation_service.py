"""Recording Teams identities and conversation references, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from followup.conversations import (
    RecordConversation,
    TeamsIdentity,
    forget_conversation,
    record_conversation,
)
from followup.errors import Conflict
from followup.models import ConversationKind, Role
from storage.db import create_db_engine, create_session_factory
from storage.tables import AuditEventRow, PersonRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _cmd(
    identity: TeamsIdentity | None, kind: ConversationKind = ConversationKind.PERSONAL
) -> RecordConversation:
    return RecordConversation(
        conversation_id="a:conv" if kind is ConversationKind.PERSONAL else "19:chan@thread.tacv2",
        kind=kind,
        tenant_id="tenant",
        service_url="https://smba.trafficmanager.net/emea/",
        channel_id="msteams",
        bot_id="28:bot",
        identity=identity,
    )


KARI = TeamsIdentity(
    teams_user_id="29:kari",
    display_name="Kari Nordmann",
    entra_object_id="aad-kari",
    email="Kari.Nordmann@Fjordvik.Kommune.no",
    upn="kari.nordmann@fjordvik.kommune.no",
)


def test_person_is_matched_by_email_and_updated(db_engine: Engine) -> None:
    with Session(db_engine) as session:
        session.add(
            PersonRow(
                id="p1",
                display_name="Kari N.",
                email="kari.nordmann@fjordvik.kommune.no",
                roles=["owner"],
                created_at=NOW,
                updated_at=NOW,
            )
        )
        session.commit()
    uow_factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(db_engine))
    with uow_factory() as uow:
        recorded = record_conversation(
            _cmd(KARI), uow, NOW, frozenset({"kari.nordmann@fjordvik.kommune.no"})
        )
        uow.commit()
    assert recorded.person is not None
    assert recorded.person.id == "p1"
    assert not recorded.person_is_new
    assert recorded.reference_is_new
    assert recorded.roles == {Role.OWNER, Role.PROCUREMENT}
    with Session(db_engine) as session:
        row = session.get(PersonRow, "p1")
        assert row is not None
        assert row.entra_object_id == "aad-kari"
        assert row.teams_user_id == "29:kari"
        actions = [e.action for e in session.scalars(select(AuditEventRow))]
    assert "person.updated" in actions
    assert "conversation.installed" in actions


def test_recording_again_changes_nothing(db_engine: Engine) -> None:
    uow_factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(db_engine))
    for expected_new in (True, False):
        with uow_factory() as uow:
            recorded = record_conversation(_cmd(KARI), uow, NOW, frozenset())
            uow.commit()
        assert recorded.reference_is_new is expected_new
    with Session(db_engine) as session:
        assert len(session.scalars(select(PersonRow)).all()) == 1
        assert (
            len([e for e in session.scalars(select(AuditEventRow)) if e.action == "person.created"])
            == 1
        )


def test_channel_is_stored_not_registered_for_procurement_and_forgotten(
    db_engine: Engine,
) -> None:
    uow_factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(db_engine))
    with uow_factory() as uow:
        recorded = record_conversation(_cmd(None, ConversationKind.CHANNEL), uow, NOW, frozenset())
        uow.commit()
    # Only a procurement member makes it a procurement channel (`innkjøpskanal på`, issue 13).
    assert not recorded.ref.is_procurement_channel
    assert recorded.person is None
    with uow_factory() as uow:
        assert uow.conversations.find("19:chan@thread.tacv2", None) is not None
        assert list(uow.conversations.procurement_channels()) == []
        # Removed from the team, as Teams says it from a thread: the channel is forgotten.
        forgotten = forget_conversation("19:chan@thread.tacv2;messageid=7", "teams:x", uow, NOW)
        assert forgotten == 1
        uow.commit()
    with uow_factory() as uow:
        assert uow.conversations.find("19:chan@thread.tacv2", None) is None


def test_uncommitted_work_is_rolled_back(db_engine: Engine) -> None:
    uow_factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(db_engine))
    with uow_factory() as uow:
        record_conversation(_cmd(KARI), uow, NOW, frozenset())
    with Session(db_engine) as session:
        assert session.scalars(select(PersonRow)).all() == []


def test_two_first_contacts_at_once_make_one_person(db_url: str) -> None:
    """Two instances see the same new user at the same moment: one wins, the other conflicts."""
    engines = [create_db_engine(db_url), create_db_engine(db_url)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(engine: Engine) -> None:
        factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
        identity = TeamsIdentity(
            teams_user_id="29:new", display_name="Ny", entra_object_id="aad-new"
        )
        try:
            with factory() as uow:
                uow.people.find_by_entra_id("aad-new")
                barrier.wait()
                record_conversation(_cmd(identity), uow, NOW, frozenset())
                uow.commit()
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for engine in engines:
        engine.dispose()
    check = create_db_engine(db_url)
    with Session(check) as session:
        people = session.scalars(select(PersonRow)).all()
    check.dispose()
    assert len(people) == 1
    assert sorted(outcomes) in (["conflict", "ok"], ["ok", "ok"])


@pytest.mark.parametrize("email", ["not-an-address", "", None])
def test_odd_member_data_is_tolerated(db_engine: Engine, email: str | None) -> None:
    uow_factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(db_engine))
    identity = TeamsIdentity(
        teams_user_id=f"29:{uuid.uuid4()}", display_name="  Ola \n Nordmann  ", email=email
    )
    with uow_factory() as uow:
        recorded = record_conversation(_cmd(identity), uow, NOW, frozenset())
        uow.commit()
    assert recorded.person is not None
    assert recorded.person.display_name == "Ola Nordmann"
    assert recorded.person.email is None
