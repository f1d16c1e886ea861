"""Migration 0010 on SQLite and PostgreSQL: answers get `decided_by` and `decided_on`, and
checkpoints made from the default plan and never edited get their kind's own answers at once
(an option's decision instead of «Levert», …), while edited checkpoints and a plan file's own
actions are left alone. Down again: the columns go, the old actions come back, and answers of
the new kinds become «delivered» with the decision kept in their comment."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from alembic import command
from sqlalchemy import Engine, insert, inspect, select, update

from storage.db import alembic_config, create_db_engine, upgrade_database
from storage.tables import (
    AnswerRow,
    CheckpointRow,
    ContractRow,
    FollowUpRow,
    PersonRow,
    table_of,
)

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
OLD_OPTION = ["levert", "ikke_relevant", "utsett"]
OLD_PRICE = ["levert", "avvik", "ikke_relevant", "utsett"]
OLD_MEETING = ["dokumentasjon", "avvik", "ikke_relevant", "utsett"]
NEW_OPTION = ["opsjon_utloses", "opsjon_utloses_ikke", "ikke_relevant", "utsett"]
NEW_EXPIRY = ["ny_anskaffelse", "forlenges", "avsluttes", "utsett"]
NEW_PRICE = ["i_samsvar", "avvik", "ikke_relevant", "utsett"]
NEW_MEETING = ["holdt", "avvik", "ikke_relevant", "utsett"]


def checkpoint(checkpoint_id: str, code: str, actions: list[str], **values: Any) -> dict[str, Any]:
    return {
        "id": checkpoint_id,
        "contract_id": "c1",
        "code": code,
        "title": code,
        "rrule": "FREQ=DAILY;COUNT=1",
        "dtstart": date(2026, 12, 1),
        "actions": actions,
        "source": "template",
        "customised": False,
        **values,
    }


def fill(engine: Engine) -> None:
    """At 0009: one contract, its checkpoints as an older default plan made them, and one
    answer."""
    with engine.begin() as conn:
        conn.execute(
            insert(table_of(PersonRow)).values(
                id="p1", display_name="Kari Nordmann", created_at=T0, updated_at=T0
            )
        )
        conn.execute(
            insert(table_of(ContractRow)).values(
                id="c1", reference="KOM-1", title="Renhold", contract_type="enkeltkontrakt",
                category="tjenester", owner_id="p1", risk="middels", status="aktiv",
                created_at=T0, updated_at=T0,
            )
        )  # fmt: skip
        rows = [
            checkpoint("opt1", "opsjon-1", OLD_OPTION),
            checkpoint("opt2", "opsjon-2", OLD_OPTION),
            checkpoint("exp", "utlop", OLD_OPTION),
            checkpoint("price", "priskontroll", OLD_PRICE),
            checkpoint("meet", "statusmote", OLD_MEETING),
            # Left alone: edited by procurement, added by hand, a plan file's own actions,
            # another checkpoint.
            checkpoint("edited", "opsjon-3", OLD_OPTION, customised=True),
            checkpoint("manual", "opsjon-4", OLD_OPTION, source="manual"),
            checkpoint("own", "opsjon-5", ["levert", "utsett"]),
            checkpoint("deliv", "levering", ["levert", "delvis_levert", "ikke_levert"]),
        ]
        for row in rows:
            conn.execute(insert(table_of(CheckpointRow)).values(**row))
        conn.execute(
            insert(table_of(FollowUpRow)).values(
                id="f1", checkpoint_id="opt1", contract_id="c1", due_date=date(2026, 11, 20),
                state="answered", reminder_step=1,
            )
        )  # fmt: skip
        conn.execute(
            insert(table_of(AnswerRow)).values(
                id="a1", follow_up_id="f1", version=1, kind="delivered", answered_by_id="p1",
                answered_at=T0, text="Opsjonen utløses", channel="msteams",
            )
        )  # fmt: skip


def actions(engine: Engine) -> dict[str, list[str]]:
    with engine.connect() as conn:
        rows = conn.execute(select(CheckpointRow.id, CheckpointRow.actions)).all()
    return {r.id: list(r.actions) for r in rows}


def answer_columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("answers")}


def test_0010_adds_the_decision_and_gives_template_checkpoints_their_answers(
    empty_url: str,
) -> None:
    upgrade_database(empty_url, "0009")
    engine = create_db_engine(empty_url)
    try:
        fill(engine)
        assert "decided_by" not in answer_columns(engine)

        upgrade_database(empty_url, "0010")
        engine.dispose()

        assert {"decided_by", "decided_on"} <= answer_columns(engine)
        assert actions(engine) == {
            "opt1": NEW_OPTION,
            "opt2": NEW_OPTION,
            "exp": NEW_EXPIRY,
            "price": NEW_PRICE,
            "meet": NEW_MEETING,
            "edited": OLD_OPTION,
            "manual": OLD_OPTION,
            "own": ["levert", "utsett"],
            "deliv": ["levert", "delvis_levert", "ikke_levert"],
        }
        with engine.begin() as conn:
            old = conn.execute(select(AnswerRow.decided_by, AnswerRow.decided_on)).one()
            assert tuple(old) == (None, None), "an answer from before decides nothing"
            conn.execute(
                update(table_of(AnswerRow))
                .where(AnswerRow.id == "a1")
                .values(
                    kind="option_exercised",
                    text="Meldt leverandøren",
                    decided_by="Per Olsen",
                    decided_on=date(2026, 11, 3),
                )
            )

        # Down: what the old code can read, nothing said lost.
        command.downgrade(alembic_config(empty_url), "0009")
        engine.dispose()
        assert not {"decided_by", "decided_on"} & answer_columns(engine)
        with engine.connect() as conn:
            kind, text = conn.execute(select(AnswerRow.kind, AnswerRow.text)).one()
        assert kind == "delivered"
        assert text == "Opsjonen utløses – besluttet av Per Olsen 3.11.2026. Meldt leverandøren"
        restored = actions(engine)
        assert restored["opt1"] == OLD_OPTION
        assert restored["exp"] == OLD_OPTION
        assert restored["price"] == OLD_PRICE
        assert restored["meet"] == OLD_MEETING
        assert restored["own"] == ["levert", "utsett"]

        # And up again.
        upgrade_database(empty_url, "0010")
        engine.dispose()
        assert actions(engine)["exp"] == NEW_EXPIRY
        assert {"decided_by", "decided_on"} <= answer_columns(engine)
    finally:
        engine.dispose()


def test_0010_on_an_empty_database(empty_url: str) -> None:
    upgrade_database(empty_url, "0010")
    engine = create_db_engine(empty_url)
    try:
        assert actions(engine) == {}
        assert {"decided_by", "decided_on"} <= answer_columns(engine)
    finally:
        engine.dispose()
