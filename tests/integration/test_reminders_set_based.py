"""The scheduler's tick reads in sets, on real SQLite and PostgreSQL: planning reminders for a
varied world (owners away with a deputy, paused, unreachable, without the app; follow-ups on
every step of the ladder, escalated to a deputy or a manager, or to procurement) makes the same
deliveries whatever the size of the batch, and the number of SQL statements of a tick does not
grow with the number of due follow-ups.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from followup.lifecycle import schedule_change
from followup.models import (
    Absence,
    Checkpoint,
    ConversationRef,
    FollowUp,
    FollowUpState,
    Person,
    Role,
)
from followup.reminders.planning import (
    ReminderSettings,
    Step,
    next_step,
    plan_reminders,
    step_due_now,
)
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier
from tests.worlds import (
    CALENDAR,
    NOW,
    RecordingCards,
    all_deliveries,
    personal_ref,
    procurement_channel,
)

TODAY = date(2026, 11, 23)
# The ladder's steps by how long ago the due date was (working days: 2, 5 and 10 after it).
DUE_DATES = {
    Step.NOTICE: date(2026, 11, 25),
    Step.DUE: date(2026, 11, 23),
    Step.REMINDER: date(2026, 11, 18),
    Step.ESCALATE: date(2026, 11, 13),
    Step.PROCUREMENT: date(2026, 11, 2),
}


@dataclass(frozen=True, slots=True)
class Made:
    follow_ups: list[str]
    people: list[Person]


def _people(uow: Any, count: int, tag: str) -> list[Person]:
    return [add_person(uow, f"Person {tag}{i}", NOW) for i in range(count)]


def _world(uow_factory: SqlAlchemyUnitOfWorkFactory, due: int, tag: str = "") -> Made:
    """`due` follow-ups due now, on `due // 2` owners' contracts: every fifth owner away (with a
    deputy), one in five paused, one in five unreachable, one in seven without the app;
    every third contract has a manager; steps cycle through the ladder."""
    owners_count = max(1, (due + 1) // 2)
    follow_up_ids: list[str] = []
    with uow_factory() as uow:
        supplier = add_supplier(uow, f"Fjordbygg {tag} AS", seed=ord(tag[0]) if tag else 1)
        owners = _people(uow, owners_count, f"eier{tag}")
        deputies = _people(uow, max(1, owners_count // 3), f"stedfortreder{tag}")
        managers = _people(uow, 3, f"leder{tag}")
        add_person(uow, f"Innkjøper{tag}", NOW, roles={Role.PROCUREMENT})
        for number, owner in enumerate(owners):
            changed = owner.model_copy(
                update={
                    "reminders_paused": number % 5 == 3,
                    "unreachable": number % 5 == 4,
                    "deputy_person_id": deputies[number % len(deputies)].id
                    if number % 4 == 1
                    else None,
                }
            )
            uow.people.update(changed, NOW)
            owners[number] = changed
            if number % 5 == 2:
                uow.absences.add(
                    Absence(
                        person_id=owner.id,
                        start=TODAY - timedelta(days=2),
                        end=TODAY + timedelta(days=5),
                        deputy_person_id=deputies[number % len(deputies)].id,
                    )
                )
        contracts = [
            add_contract(
                uow,
                NOW,
                owner=owner,
                supplier=supplier,
                reference=f"KOM-{tag or 'A'}-{number:05d}",
                manager_id=managers[number % 3].id if number % 3 == 0 else None,
            )
            for number, owner in enumerate(owners)
        ]
        uow.commit()
    with uow_factory() as uow:
        checkpoints = []
        for contract in contracts:
            for code in ("levering", "rapport"):
                checkpoint = Checkpoint(
                    contract_id=contract.id,
                    code=code,
                    title=f"{code.capitalize()} etter avtalen",
                    rrule="FREQ=MONTHLY",
                    dtstart=date(2026, 1, 1),
                )
                uow.checkpoints.add(checkpoint)
                checkpoints.append(checkpoint)
        refs: list[ConversationRef] = [
            personal_ref(person, f"a:{person.id}")
            for number, person in enumerate([*owners, *deputies, *managers])
            if number % 7 != 1
        ]
        refs.append(procurement_channel(f"19:innkjop{tag}"))
        for ref in refs:
            uow.conversations.save(ref)
        steps = list(DUE_DATES)
        follow_ups = []
        for number in range(due):
            step = steps[number % len(steps)]
            checkpoint = checkpoints[number]
            follow_ups.append(
                FollowUp(
                    checkpoint_id=checkpoint.id,
                    contract_id=checkpoint.contract_id,
                    due_date=DUE_DATES[step],
                    reminder_step=max(0, int(step) - 1),
                    next_action_at=NOW - timedelta(minutes=30 + number),
                )
            )
        # Older overdue follow-ups, not due for a message now, that the digests list too: a few
        # for every third owner, more than a card lists for the first; answered ones are not.
        for number, checkpoint in enumerate(checkpoints[::2]):
            others = 60 if number == 0 else (3 if number % 3 == 0 else 0)
            for day in range(others):
                follow_ups.append(
                    FollowUp(
                        checkpoint_id=checkpoint.id,
                        contract_id=checkpoint.contract_id,
                        due_date=date(2026, 10, 30) - timedelta(days=7 * day),
                        state=FollowUpState.ANSWERED if day % 4 == 3 else FollowUpState.PLANNED,
                        reminder_step=int(Step.DONE) if day % 4 == 3 else int(Step.REMINDER),
                        next_action_at=None if day % 4 == 3 else NOW + timedelta(days=1),
                    )
                )
        uow.follow_ups.add_many(follow_ups)
        follow_up_ids = [f.id for f in follow_ups]
        uow.commit()
    return Made(follow_up_ids, [*owners, *deputies, *managers])


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _plan(uow_factory: SqlAlchemyUnitOfWorkFactory, *, cards: RecordingCards | None = None) -> Any:
    return plan_reminders(
        uow_factory,
        NOW,
        holder="planner-1",
        calendar=CALENDAR,
        renderer=cards or RecordingCards(),
        # No weekly summary (Thursdays): only the follow-ups' work is counted.
        settings=ReminderSettings(weekly_weekday=3),
    )


def test_the_statements_of_a_tick_do_not_grow_with_the_due_follow_ups(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory
) -> None:
    counts = {}
    for due, tag in ((10, "s"), (100, "l")):
        made = _world(uow_factory, due, tag)
        with _statements(db_engine) as seen:
            report = _plan(uow_factory)
        assert report.follow_ups == due
        assert report.digests > 0
        assert report.procurement > 0
        assert report.unreachable > 0
        assert report.skipped_paused > 0
        counts[due] = len(seen)
        assert made.follow_ups
    assert counts[100] <= counts[10] + 2, counts


GOLDEN = Path(__file__).parent.parent / "data" / "set_based_tick_deliveries.json"


def _canonical(
    uow_factory: SqlAlchemyUnitOfWorkFactory, made: Made, cards: RecordingCards
) -> list[str]:
    """What the planner decided, ids replaced by what they name (people by name, follow-ups by
    contract, checkpoint and due date), sorted, comparable across runs: every delivery (kind,
    state, to whom, which follow-ups, why not sent) and what each message was made from (each
    digest's items with their role and whether new, what was left out; each escalation's and
    notice's items). The wording of the cards is not part of it."""
    names: dict[str, str] = {p.id: p.display_name for p in made.people}
    with uow_factory() as uow:
        follow_ups = uow.follow_ups.get_many(made.follow_ups)
        contracts = uow.contracts.get_many({f.contract_id for f in follow_ups.values()})
        checkpoints = uow.checkpoints.for_contracts(list(contracts))
        channels = uow.conversations.procurement_channels()
    names.update({c.id: c.reference for c in contracts.values()})
    names.update({k.id: f"{names[k.contract_id]}/{k.code}" for k in checkpoints})
    names.update({f.id: f"{names[f.checkpoint_id]}@{f.due_date}" for f in follow_ups.values()})
    names.update({c.id: c.conversation_id for c in channels})

    def name(value: str | None) -> str | None:
        return names.get(value, value) if value else value

    found = [
        json.dumps(
            [
                "delivery",
                d.kind.value,
                d.state.value,
                name(d.recipient_person_id),
                name(d.conversation_ref_id) if d.recipient_person_id is None else None,
                sorted(str(name(f)) for f in d.follow_up_ids),
                d.last_error,
            ],
            ensure_ascii=False,
        )
        for d in all_deliveries(uow_factory)
    ]
    found += [
        json.dumps(
            [
                "digest",
                name(digest.recipient.id),
                [
                    [name(i.follow_up.id), i.role.value, i.new, i.days_overdue, name(i.owner.id)]
                    if i.owner
                    else [name(i.follow_up.id), i.role.value, i.new, i.days_overdue, None]
                    for i in digest.items
                ],
                digest.more,
            ],
            ensure_ascii=False,
        )
        for digest in cards.digests
    ]
    found += [
        json.dumps(
            [
                kind,
                name(person_id),
                reason,
                sorted(
                    [
                        str(name(i.follow_up.id)),
                        str(name(i.responsible.id if i.responsible else None)),
                        i.days_overdue,
                    ]
                    for i in items
                ),
            ],
            ensure_ascii=False,
        )
        for kind, person_id, reason, items in [
            *(("escalation", None, None, e.items) for e in cards.escalations),
            *(
                ("unreachable", n.person.id if n.person else None, n.reason, n.items)
                for n in cards.notices
            ),
        ]
    ]
    return sorted(found)


def test_the_same_deliveries_as_before_for_a_varied_world(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    """What the planner decided for this world before its reads were made set-based (kept in
    tests/data; KV_WRITE_GOLDEN=1 writes it again)."""
    made = _world(uow_factory, 60, "g")
    cards = RecordingCards()
    report = _plan(uow_factory, cards=cards)
    assert report.follow_ups == 60
    found = _canonical(uow_factory, made, cards)
    assert any(json.loads(f)[0] == "digest" and json.loads(f)[3] > 0 for f in found)
    if os.environ.get("KV_WRITE_GOLDEN"):
        GOLDEN.write_text(json.dumps(found, ensure_ascii=False, indent=1) + "\n")
    assert found == json.loads(GOLDEN.read_text())


def test_each_follow_up_takes_the_step_the_ladder_gives_it(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    """The planner works the ladder out once per due date and checkpoint ladder in a batch: each
    follow-up still moves to the step and time `step_due_now` and `next_step` give it alone (a
    snoozed one from today, as the ladder then counts)."""
    made = _world(uow_factory, 60, "t")
    with uow_factory() as uow:
        before = dict(uow.follow_ups.get_many(made.follow_ups))
        checkpoints = uow.checkpoints.get_many({f.checkpoint_id for f in before.values()})
    due = [f for f in before.values() if f.next_action_at is not None and f.next_action_at <= NOW]
    settings = ReminderSettings(weekly_weekday=3)
    late = [f for f in due if f.due_date < TODAY and f.reminder_step >= Step.DUE]
    snoozed = late[0].model_copy(update={"state": FollowUpState.SNOOZED})
    with uow_factory() as uow:
        uow.follow_ups.reschedule([schedule_change(snoozed)])
        uow.commit()
    before[snoozed.id] = snoozed

    assert _plan(uow_factory).follow_ups == len(due) == 60

    with uow_factory() as uow:
        after = uow.follow_ups.get_many([f.id for f in due])
    moved = set()
    for one in due:
        old = before[one.id]
        checkpoint = checkpoints[old.checkpoint_id]
        taken = step_due_now(old, checkpoint, NOW, CALENDAR, settings)
        ladder = old
        if old.state is FollowUpState.SNOOZED and old.due_date < TODAY:
            ladder = old.model_copy(update={"due_date": TODAY})
        step, at = next_step(ladder, checkpoint, taken, NOW, CALENDAR, settings)
        new = after[old.id]
        if new.next_action_at == old.next_action_at:
            continue  # deferred to tomorrow (the owner had today's digest) or stopped
        moved.add(old.id)
        assert (new.reminder_step, new.next_action_at) == (int(step), at), old
    assert len(moved) > 30
    assert snoozed.id in moved
