"""Migration 0008 on SQLite and PostgreSQL: one registration per channel.

Before it, every @mention in a new thread of a channel stored the channel again under the
thread's id (`19:…@thread.tacv2;messageid=…`), each a procurement channel, and every alert was
posted once per row. The migration keeps one row per channel, under the channel's id, a
procurement channel when any of its rows was; what was sent through the others is kept on it,
and a queued message that the kept row also has queued is not sent twice. Registrations made
automatically (every channel the bot met) are kept: there is no record of who made them, and a
municipality relying on one would lose its alerts (README, Reminders).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import command
from sqlalchemy import Engine, insert, select

from storage.db import alembic_config, create_db_engine, upgrade_database
from storage.tables import ConversationRefRow, DeliveryRow

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
A = "19:a@thread.tacv2"
B = "19:b@thread.tacv2"
C = "19:c@thread.tacv2"


def ref(ref_id: str, conversation_id: str, registered: bool, minutes: int) -> dict[str, Any]:
    return {
        "id": ref_id,
        "conversation_id": conversation_id,
        "user_id": "",
        "kind": "channel",
        "tenant_id": "t",
        "service_url": "https://smba.trafficmanager.net/emea/",
        "channel_id": "msteams",
        "bot_id": "28:bot",
        "team_name": "Innkjøp",
        "is_procurement_channel": registered,
        "updated_at": T0 + timedelta(minutes=minutes),
    }


def delivery(
    delivery_id: str, ref_id: str, state: str, text_: str = "Kritisk avvik på KOM-1"
) -> dict[str, Any]:
    return {
        "id": delivery_id,
        "kind": "deviation",
        "conversation_ref_id": ref_id,
        "follow_up_ids": [],
        "message": {"text": text_, "card": None},
        "state": state,
        "attempts": 0,
        "dedupe_key": f"deviation:d1:{ref_id}" if text_.endswith("KOM-1") else None,
        "created_at": T0,
        "updated_at": T0,
    }


def fill(engine: Engine) -> None:
    refs = [
        ref("a-base", A, True, 0),  # added to the team: registered automatically
        ref("a-1", f"{A};messageid=1", True, 5),  # @mentions in threads
        ref("a-2", f"{A};messageid=2", True, 9),
        ref("b-5", f"{B};messageid=5", True, 1),  # only ever met in threads
        ref("b-6", f"{B};messageid=6", False, 7),
        ref("c-base", C, True, 0),  # «Alle ansatte»: registered automatically, alone
        {**ref("kari", "a:kari", False, 0), "kind": "personal", "user_id": "29:kari"},
    ]
    deliveries = [
        delivery("sent-a1", "a-1", "sent"),
        delivery("queued-a-base", "a-base", "queued", "Forfalt uten svar: 1"),
        delivery("queued-a2-same", "a-2", "queued", "Forfalt uten svar: 1"),
        delivery("queued-b6", "b-6", "queued", "Forfalt uten svar: 2"),
    ]
    with engine.begin() as conn:
        for values in refs:
            conn.execute(insert(ConversationRefRow.__table__).values(**values))
        for values in deliveries:
            conn.execute(insert(DeliveryRow.__table__).values(**values))


def channels(engine: Engine) -> dict[str, tuple[str, bool]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                ConversationRefRow.id,
                ConversationRefRow.conversation_id,
                ConversationRefRow.is_procurement_channel,
            )
        ).all()
    return {r.id: (r.conversation_id, bool(r.is_procurement_channel)) for r in rows}


def outbox(engine: Engine) -> dict[str, tuple[str | None, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(DeliveryRow.id, DeliveryRow.conversation_ref_id, DeliveryRow.state)
        ).all()
    return {r.id: (r.conversation_ref_id, r.state) for r in rows}


def test_0008_keeps_one_registration_per_channel(empty_url: str) -> None:
    upgrade_database(empty_url, "0007")
    engine = create_db_engine(empty_url)
    try:
        fill(engine)

        upgrade_database(empty_url, "0008")

        assert channels(engine) == {
            "a-base": (A, True),
            "b-6": (B, True),  # the latest row of B, a procurement channel as B-5 was
            "c-base": (C, True),  # kept: registered automatically, and nothing says otherwise
            "kari": ("a:kari", False),
        }
        assert outbox(engine) == {
            "sent-a1": ("a-base", "sent"),  # what was sent through a thread stays on record
            "queued-a-base": ("a-base", "queued"),
            "queued-a2-same": ("a-base", "skipped"),  # would have been posted twice
            "queued-b6": ("b-6", "queued"),
        }

        # Down again: nothing to undo (rows merged stay merged, registrations stay).
        command.downgrade(alembic_config(empty_url), "0007")
        assert set(channels(engine)) == {"a-base", "b-6", "c-base", "kari"}
        upgrade_database(empty_url)
    finally:
        engine.dispose()


def test_0008_on_an_empty_database(empty_url: str) -> None:
    upgrade_database(empty_url, "0008")
    engine = create_db_engine(empty_url)
    try:
        assert channels(engine) == {}
    finally:
        engine.dispose()
