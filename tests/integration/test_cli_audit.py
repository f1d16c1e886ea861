"""`kontraktsvakt audit verify`: exit 0 with the count and the head when every audit event
matches, 1 naming the first that does not, 2 for a malformed `--known-head`; on both stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from bot.cli.audit import EXIT_BROKEN, EXIT_OK, EXIT_USAGE
from bot.cli.main import main
from followup.models import Person
from followup.reminders.controls import set_reminders_paused
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_person

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def audited(
    db_url: str, uow_factory: SqlAlchemyUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> Person:
    """Five audited changes of Kari's reminders; the CLI reads the same database."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("MicrosoftAppId", "")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    with uow_factory() as uow:
        kari = add_person(uow, "Kari Nordmann", NOW)
        uow.commit()
    for n in range(5):
        with uow_factory() as uow:
            person = uow.people.get(kari.id)
            assert person is not None
            set_reminders_paused(uow, person, n % 2 == 0, NOW + timedelta(minutes=n))
            uow.commit()
    return kari


def event_at(engine: Engine, seq: int) -> tuple[str, str]:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT id, hash FROM audit_events WHERE seq = :seq"), {"seq": seq}
        ).one()
    return str(row[0]), str(row[1])


def without_triggers(engine: Engine, statement: str) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            conn.execute(text(statement))
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
            return
        found = conn.execute(
            text("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'audit_events' "
                 "AND type = 'trigger'")
        ).all()  # fmt: skip
        for name, _ in found:
            conn.execute(text(f'DROP TRIGGER "{name}"'))
        conn.execute(text(statement))
        for _, sql in found:
            conn.execute(text(sql))


def test_an_intact_trail_exits_0_with_the_count_and_the_head(
    audited: Person, db_engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify", "--batch", "2"]) == EXIT_OK
    out = capsys.readouterr().out
    _, last_hash = event_at(db_engine, 5)
    assert "Revisjonssporet er i orden: 5 hendelser kontrollert" in out
    assert f"Kjedehode: 5:{last_hash}" in out
    assert main(["audit", "verify", "--known-head", f"5:{last_hash}"]) == EXIT_OK


def test_a_changed_event_exits_1_naming_it(
    audited: Person, db_engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    event_id, _ = event_at(db_engine, 3)
    without_triggers(db_engine, "UPDATE audit_events SET actor = 'cli' WHERE seq = 3")
    assert main(["audit", "verify"]) == EXIT_BROKEN
    err = capsys.readouterr().err
    assert "[content-changed]" in err
    assert f"hendelse {event_id} (sekvens 3) er endret" in err
    assert "2 hendelser før den stemmer" in err


def test_a_deleted_event_exits_1_naming_the_gap(
    audited: Person, db_engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    after_gap, _ = event_at(db_engine, 4)
    without_triggers(db_engine, "DELETE FROM audit_events WHERE seq = 3")
    assert main(["audit", "verify"]) == EXIT_BROKEN
    err = capsys.readouterr().err
    assert "[missing]" in err
    assert f"hendelse {after_gap} (sekvens 4): hendelse 3–3 mangler foran den" in err


def test_a_head_noted_earlier_that_the_chain_no_longer_passes_exits_1(
    audited: Person, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify", "--known-head", f"4:{'0' * 64}"]) == EXIT_BROKEN
    assert "[head-mismatch]" in capsys.readouterr().err
    assert main(["audit", "verify", "--known-head", f"9:{'0' * 64}"]) == EXIT_BROKEN
    assert "hendelse 6–9 mangler på slutten" in capsys.readouterr().err


def test_a_malformed_known_head_exits_2(
    audited: Person, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify", "--known-head", "abc"]) == EXIT_USAGE
    assert "SEKVENS:HASH" in capsys.readouterr().err
