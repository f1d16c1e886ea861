"""How many SQL statements, transactions and connection checkouts each common chat turn costs,
through the real HTTP endpoint, on SQLite and PostgreSQL, pinned exactly.

Not a timed test: it counts. A change that adds a query to every turn (a second read of the same
person, a write that changes nothing, dialog state read with no dialog) fails here, not in a
benchmark nobody ran (issue 15). The counts are taken with SQLAlchemy's engine events on the
bot's own engine while one activity is posted and answered; the warm-up turns before them leave
no first-turn work (the welcome, the person's Teams ids) in the counts.

When a count changes, read the statements the failure prints. Fewer: pin the new, lower count.
More: make sure the turn really needs the new statement (could it be read once per turn, or
only when needed?); if it does, pin the new count and say why in the commit.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot.app import ENGINE, FINISHES
from bot.conversation.answer_actions import ANSWER_VERB
from followup.models import AnswerKind
from tests.e2e.reminder_harness import (
    INGRID,
    KARI,
    MONDAY_10_OSLO,
    Reminders,
    due_follow_up,
    people,
)


@dataclass(frozen=True)
class Cost:
    """What one turn cost the database. `round_trips` is what PostgreSQL sees: every
    statement, every BEGIN, COMMIT and ROLLBACK, and the pre-ping of every checkout."""

    statements: int
    transactions: int
    checkouts: int


PINNED: dict[str, dict[str, Cost]] = {
    "sqlite": {
        "hjelp": Cost(statements=5, transactions=3, checkouts=3),
        "mine oppgaver": Cost(statements=13, transactions=3, checkouts=3),
        # Issue 15, answers: the version is taken in the answer's INSERT and a first answer
        # has no earlier version to read (-2 each); a click draws the answered follow-up from
        # what the answer read and wrote (-7).
        "levert (typed)": Cost(statements=16, transactions=3, checkouts=3),
        "answer (card click)": Cost(statements=15, transactions=3, checkouts=3),
        "status": Cost(statements=11, transactions=3, checkouts=3),
        # +1 since issue 17: what the archive has confirmed of the contract; +1 since issue 19:
        # the latest risk assessment; +1 since issue 19, item 2: the latest on-site check.
        "status <avtalenr>": Cost(statements=36, transactions=3, checkouts=3),
    },
    "postgresql": {
        "hjelp": Cost(statements=5, transactions=3, checkouts=3),
        "mine oppgaver": Cost(statements=13, transactions=3, checkouts=3),
        "levert (typed)": Cost(statements=15, transactions=3, checkouts=3),
        "answer (card click)": Cost(statements=14, transactions=3, checkouts=3),
        "status": Cost(statements=12, transactions=3, checkouts=3),
        # +1 since issue 19, item 2: the latest on-site check (as on SQLite).
        "status <avtalenr>": Cost(statements=37, transactions=3, checkouts=3),
    },
}


@dataclass
class Recorder:
    """Everything the engine did while `counting`: statements and transaction events, in order."""

    log: list[str] = field(default_factory=list)
    statements: int = 0
    begins: int = 0
    ends: int = 0
    checkouts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def statement(self, conn: Any, cursor: Any, sql: str, *rest: Any) -> None:
        with self.lock:
            self.statements += 1
            self.log.append(" ".join(sql.split())[:300])

    def begin(self, conn: Any) -> None:
        with self.lock:
            self.begins += 1
            self.log.append("-- BEGIN")

    def commit(self, conn: Any) -> None:
        with self.lock:
            self.ends += 1
            self.log.append("-- COMMIT")

    def rollback(self, conn: Any) -> None:
        with self.lock:
            self.ends += 1
            self.log.append("-- ROLLBACK")

    def checkout(self, *args: Any) -> None:
        with self.lock:
            self.checkouts += 1
            self.log.append("-- checkout")

    def cost(self) -> Cost:
        return Cost(self.statements, self.begins, self.checkouts)

    def round_trips(self) -> int:
        return self.statements + self.begins + self.ends + self.checkouts


@contextmanager
def counting(engine: Engine) -> Iterator[Recorder]:
    recorder = Recorder()
    hooks: list[tuple[Any, str, Any]] = [
        (engine, "before_cursor_execute", recorder.statement),
        (engine, "begin", recorder.begin),
        (engine, "commit", recorder.commit),
        (engine, "rollback", recorder.rollback),
        (engine.pool, "checkout", recorder.checkout),
    ]
    for target, name, fn in hooks:
        event.listen(target, name, fn)
    try:
        yield recorder
    finally:
        for target, name, fn in hooks:
            event.remove(target, name, fn)


async def _world(reminders: Reminders) -> tuple[str, str]:
    """Kari owns two contracts with a delivery due; Ingrid is procurement. Both have installed
    the app and said `hjelp` once (the first turn's work is not what is counted)."""
    kari = people(reminders.uow_factory, KARI)[KARI]
    typed = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0301", seed=1)
    clicked = due_follow_up(reminders.uow_factory, kari, "KOM-2026-0302", seed=2)
    reminders.procurement_member()
    await reminders.install(KARI)
    await reminders.install(INGRID)
    await reminders.say(KARI, "hjelp")
    await reminders.say(INGRID, "hjelp")
    return typed.contract_reference, clicked.follow_up_id


async def test_each_common_turn_makes_the_pinned_number_of_statements(
    reminders: Reminders,
) -> None:
    typed_reference, clicked_follow_up = await _world(reminders)
    engine = reminders.server.app[ENGINE]
    store = engine.dialect.name

    async def click() -> str:
        activity = reminders._as(
            KARI,
            reminders.server.payload("invoke_adaptiveCard_action_execute_confirm_delivery.json"),
        )
        activity["value"] = {
            "action": {
                "type": "Action.Execute",
                "verb": ANSWER_VERB,
                "data": {"followUpId": clicked_follow_up, "kind": AnswerKind.DELIVERED.value},
            },
            "trigger": "manual",
        }
        status, body = await reminders.server.post(activity)
        assert status == 200, body
        return json.dumps(body, ensure_ascii=False)

    turns: list[tuple[str, Any, str]] = [
        ("hjelp", lambda: reminders.say(KARI, "hjelp"), ""),
        ("mine oppgaver", lambda: reminders.say(KARI, "mine oppgaver"), "KOM-2026-030"),
        ("levert (typed)", lambda: reminders.say(KARI, f"levert {typed_reference}"), ""),
        ("answer (card click)", click, "Levert"),
        ("status", lambda: reminders.say(INGRID, "status"), ""),
        ("status <avtalenr>", lambda: reminders.say(INGRID, f"status {typed_reference}"), ""),
    ]
    measured: dict[str, Cost] = {}
    logs: dict[str, list[str]] = {}
    trips: dict[str, int] = {}
    for name, turn, expect in turns:
        await reminders.server.app[FINISHES].drain()  # the turn before is not counted here
        with counting(engine) as recorder:
            said = await turn()
            # The turn's done mark is written just after its response (a group commit,
            # `bot.teams.endpoint.FinishMarks`): it is counted with its turn.
            await reminders.server.app[FINISHES].drain()
        assert expect in said, (name, said)
        measured[name] = recorder.cost()
        logs[name] = recorder.log
        trips[name] = recorder.round_trips()

    pinned = PINNED[store]
    changed = [name for name in pinned if measured.get(name) != pinned[name]]
    report = "\n".join(
        f"\n=== {name} on {store}: {measured[name]} (pinned {pinned[name]}), "
        f"round trips {trips[name]}\n" + "\n".join(logs[name])
        for name in changed
    )
    assert not changed, (
        f"Turns {changed} no longer make the pinned number of statements on {store}. Read the "
        "statements below: if a turn now does less, pin the new count in PINNED; if it does "
        "more, make sure every turn needs the new statement before you pin it (see the module's "
        f"docstring).{report}"
    )


@pytest.mark.parametrize("said", ["hjelp", "mine oppgaver", "tull og tøys"])
async def test_someone_unreachable_who_writes_again_is_reachable_after_the_turn(
    reminders: Reminders, said: str
) -> None:
    """The turn that reads its sender (`hjelp`, a command) or does not (an unknown word) marks
    someone the bot could not reach (403/404) reachable again; the common turn, whose sender is
    reachable, does not read them a second time for it."""
    await _world(reminders)
    with reminders.uow_factory() as uow:
        kari = reminders.person(KARI)
        kari.unreachable = True
        uow.people.update(kari, MONDAY_10_OSLO)
        uow.commit()
    assert reminders.person(KARI).unreachable

    await reminders.say(KARI, said)

    assert reminders.person(KARI).unreachable is False


async def test_a_turns_storage_calls_run_on_the_loop_for_sqlite_and_in_threads_for_postgresql(
    reminders: Reminders,
) -> None:
    """`bot.teams.store_calls`: on SQLite a turn's statements run on the event loop's thread
    (a hand-off to a thread cost more than the call); on PostgreSQL every one of them runs in
    a worker thread (a network round trip must not hold up the loop)."""
    typed_reference, _ = await _world(reminders)
    engine = reminders.server.app[ENGINE]
    loop_thread = threading.get_ident()
    threads: list[int] = []

    def record(*_: Any) -> None:
        threads.append(threading.get_ident())

    event.listen(engine, "before_cursor_execute", record)
    try:
        await reminders.say(KARI, "hjelp")
        await reminders.say(KARI, f"levert {typed_reference}")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(threads) >= 20
    on_loop = [t == loop_thread for t in threads]
    if engine.dialect.name == "sqlite":
        assert all(on_loop)
    else:
        assert not any(on_loop)
