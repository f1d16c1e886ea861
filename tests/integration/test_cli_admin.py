"""`kontraktsvakt admin grant <e-post>`: the first administrator comes from the command line
(audited, actor `cli`); a second is refused there and given in the chat instead."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.admin import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from bot.cli.main import main
from followup.models import Role
from storage.db import create_db_engine, create_session_factory, upgrade_database
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_person

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SqlAlchemyUnitOfWorkFactory:
    url = f"sqlite:///{(tmp_path / 'cli.db').as_posix()}"
    upgrade_database(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MicrosoftAppId", "")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(create_db_engine(url)))
    with factory() as uow:
        add_person(uow, "Ingrid Haugland", NOW, roles={Role.PROCUREMENT})
        add_person(uow, "Per Olsen", NOW)
        uow.commit()
    return factory


def test_admin_grant_makes_the_first_administrator_only(
    database: SqlAlchemyUnitOfWorkFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["admin", "grant", "ingen@fjordvik.kommune.no"]) == EXIT_REFUSED
    assert "Ingen med e-postadressen ingen@fjordvik.kommune.no" in capsys.readouterr().err
    assert main(["admin", "grant", "ikke-en-adresse"]) == EXIT_USAGE
    assert "er ikke en e-postadresse" in capsys.readouterr().err

    assert main(["admin", "grant", "Ingrid.Haugland@fjordvik.kommune.no"]) == EXIT_OK
    assert "Ingrid Haugland (ingrid.haugland@fjordvik.kommune.no) er nå administrator" in (
        capsys.readouterr().out
    )
    with database() as uow:
        ingrid = uow.people.find_by_email_or_upn("ingrid.haugland@fjordvik.kommune.no")
        assert ingrid is not None
        assert ingrid.roles == {Role.PROCUREMENT, Role.ADMIN}
        (event,) = uow.audit.for_entity("person", ingrid.id)
    assert (event.action, event.actor) == ("role.granted", "cli")
    assert event.after == {"roles": ["admin", "procurement"]}

    assert main(["admin", "grant", "per.olsen@fjordvik.kommune.no"]) == EXIT_REFUSED
    assert "«rolle gi per.olsen@fjordvik.kommune.no admin»" in capsys.readouterr().err
    with database() as uow:
        per = uow.people.find_by_email_or_upn("per.olsen@fjordvik.kommune.no")
        assert per is not None
        assert Role.ADMIN not in per.roles
