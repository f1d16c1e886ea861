"""The cost of one scheduler tick over a region: 1 000 000 follow-ups, a few hundred of them due.

Setup (not measured): a fresh migrated database (SQLite file, or a new database on a PostgreSQL
server) is filled in bulk with a region as the calendar and the reminder planner leave it:

- ~100 000 contracts started over the last nine years (every type, category and risk; a third
  in force, the rest expired, terminated or not yet started), their checkpoints from the
  default plan (retired on contracts no longer in force), and ~1 000 000 follow-ups from 11
  months ago to the end of the 13-month horizon. Each contract is a copy of one of 2 000
  template contracts whose checkpoints and due dates come from the product's own `plan_for`
  and `due_dates`, so the region is what `plan apply` would have made (on the day before the
  tick: the tick's daily refresh then rolls the horizon one day on).
- Every follow-up stands where the reminder ladder leaves it at the tick's `now`: planned
  (`next_action_at` = its notice, in the future) or, once noticed, answered (mostly) or on the
  step the ladder has reached, `next_action_at` = the next step's time (`step_due_now`,
  `next_step`). Nothing is due at `now`.
- A few thousand people owning the contracts (skewed: median ~25, the busiest ~1.5 % of all), each
  with a personal conversation whose service URL is a local stand-in (`bench/standin.py`);
  1 % without one, 0.5 % paused, 0.5 % unreachable; 2 % away today with a deputy; two
  procurement channels. A year of past deliveries in the outbox (~1.8 KB messages).
- Then ANALYZE (PostgreSQL: VACUUM ANALYZE).

Measured, in this process, on one `ReminderJobs` wired as `bot.wiring.
build_reminder_jobs` wires it (CloudAdapter over `PooledBotFrameworkAuthentication` and a
`ConnectorPool` in local mode, `TeamsNotifier`, `ReminderCards(outbox=True)`; the sender sends
the digests the tick has just planned as they were made, `PlannedMessages`), with pacing off
(`Pacer(None)`) and a fixed clock at `NOW` (a Tuesday, 10:00 in Oslo):

1. the baseline: an empty tick, nothing due (what every tick costs just to look);
2. a tick with exactly `--due` follow-ups due: `next_action_at` of that many fresh, randomly
   chosen open follow-ups is set to the last two hours before each such tick. The tick plans
   them (one digest per person into the outbox) and sends the outbox to the stand-in; planning
   and sending are timed apart (the sender is `OutboxSender` with `send_all` timed). Between
   repeats the digests just planned are moved to the day before, so that every repeat finds its
   recipients without a digest today (otherwise later repeats would defer them);
3. the first tick of the day, which also refreshes plans and the calendar (once a day,
   `refresh_what_changed`: the region is marked as refreshed the day before, so it refreshes
   what changed since and makes the follow-ups of the day new to the horizon), timed once.
   `--refresh-follow-ups N` times it on a separate region of N follow-ups instead.

With `--serving-heap` the process's heap is settled before the ticks as `kontraktsvakt serve`
settles it at startup (`bot.app.settle_heap`: what is alive is frozen out of the collector's
scans, the young generation collected every 10 000 objects), as in the serving process the
scheduler ticks in by default; without it, as a process that does not (`kontraktsvakt
scheduler`), where a full collection scans the whole heap of modules (~225 000 objects).

Wall time and CPU time of this process (on SQLite it includes the database's work; on
PostgreSQL the server's backends are shown apart when the server runs on this machine), each
as the median and the 95th percentile (nearest rank) of the repeats, and the ratio of (2) to (1).
Finally the statements of a loaded tick are captured and explained at full size (PostgreSQL:
EXPLAIN ANALYZE, also the generic plan that a prepared statement switches to; SQLite: EXPLAIN
QUERY PLAN), each in a transaction that is rolled back, and every full scan of a table is
reported.

Run: .venv/bin/python -m bench.tick [--follow-ups 1000000] [--due 300] [--repeats 7]
     [--database sqlite|URL] [--refresh-follow-ups N] [--serving-heap] [--show-plans]
     (a URL is a PostgreSQL server: a fresh database is made on it and dropped afterwards)
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from types import TracebackType
from typing import Any, Final, cast

import orjson
from dateutil.relativedelta import relativedelta
from psycopg.sql import Literal
from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    Table,
    bindparam,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url

from bench.reminders import (
    BOT_ID,
    CONCURRENCY,
    TENANT,
    databases,
    free_port,
    http_get,
    http_post,
    local_settings,
    start_server,
    wait_up,
)
from followup.calendar.workdays import WorkingCalendar, oslo_datetime, oslo_today
from followup.models import (
    OPEN_FOLLOW_UP_STATES,
    Category,
    Checkpoint,
    CheckpointStatus,
    ComplianceFlags,
    Contract,
    ContractStatus,
    ContractType,
    ConversationKind,
    DeliveryKind,
    DeliveryState,
    FollowUp,
    FollowUpState,
    RiskLevel,
    Role,
)
from followup.orgnr import make_organisation_number
from followup.periods import add_months
from followup.plans.materialise import (
    REFRESH_STATE_MARK,
    NoticePolicy,
    due_dates,
    horizon_end,
    refresh_state,
)
from followup.plans.plan_file import PlanConfig, follows_up, load_plan, plan_for
from followup.reminders.outbox import OutboxSender, SenderSettings, SendReport
from followup.reminders.pacing import Pacer
from followup.reminders.planning import (
    OVERDUE_LOOKBACK_DAYS,
    ReminderSettings,
    Step,
    next_step,
    plan_reminders,
    step_due_now,
)
from scheduler.jobs import CALENDAR_MARK, ReminderJobs, TickReport
from storage.db import create_db_engine, create_session_factory
from storage.tables import (
    AbsenceRow,
    CheckpointRow,
    ContractRow,
    ConversationRefRow,
    DeliveryRow,
    FollowUpRow,
    PersonRow,
    SupplierRow,
)
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

NOW: Final = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
"""Tuesday 17 November 2026, 10:00 in Oslo: a working day, inside the send window, not the
weekly summary's day."""
TODAY: Final = oslo_today(NOW)
MATERIALISED_ON: Final = TODAY - timedelta(days=1)
"""The calendar in the database is the one `plan apply` made the day before."""
HISTORY_MONTHS: Final = 11
TEMPLATES: Final = 2_000
CHUNK: Final = 2_000
"""Contracts generated and written per transaction (with their checkpoints and follow-ups)."""
HOLDER: Final = "bench-tick"
EMPTY_PER_ROUND: Final = 3
PROCUREMENT_PEOPLE: Final = 20
PROCUREMENT_CHANNELS: Final = 2
PAST_WORKING_DAYS: Final = 250
TABLES: Final = frozenset(
    {
        "follow_ups", "deliveries", "contracts", "checkpoints", "people", "conversation_refs",
        "absences", "suppliers", "scheduler_state",
    }
)  # fmt: skip

STATE_AFTER: Final = {
    Step.NOTICE: FollowUpState.NOTIFIED,
    Step.DUE: FollowUpState.NOTIFIED,
    Step.REMINDER: FollowUpState.REMINDED,
    Step.ESCALATE: FollowUpState.ESCALATED,
    Step.PROCUREMENT: FollowUpState.ESCALATED,
}
"""The state a follow-up is left in after a step of the ladder (as
`followup.reminders.planning`)."""

TRADES: Final = (
    "Renhold", "Matvarer", "Kontorrekvisita", "Byggvedlikehold", "Elektro", "IT-drift",
    "Skoleskyss", "Medisinsk forbruksmateriell", "Rådgivning", "Vakthold", "Brøyting", "Vikarer",
)  # fmt: skip
UNITS: Final = tuple(
    f"{kind}, {town}"
    for town in ("Ålesund", "Molde", "Volda", "Ørsta", "Sula", "Giske", "Rauma", "Vestnes")
    for kind in ("Helse og omsorg", "Oppvekst", "Teknisk drift", "Eiendom", "Kultur", "Stab")
)
HISTORY_MESSAGE: Final = {
    "text": "Påminnelse: 1 oppfølging",
    "card": {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "Leveranse etter avtale · Fjordbygg AS. " * 42}],
    },
}
"""What a past delivery holds: about the size of a one-item digest card (1.8 KB)."""


def _id(tag: int, number: int) -> str:
    """UUID-shaped, in creation order within a table (as `followup.models.new_id`)."""
    return f"{tag:08x}-0000-4000-8000-{number:012x}"


def _percentile(values: Sequence[float], share: float) -> float:
    """Nearest rank: with few repeats the 95th percentile is the largest value."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


# --- the region ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _TemplateFollowUp:
    checkpoint: int
    """Index into the template's checkpoints."""
    due: date
    state: FollowUpState
    step: int
    next_at: datetime | None
    answered: float
    """The chance that it has been answered by now (else it is open, as above)."""


@dataclass(frozen=True, slots=True)
class _Template:
    contract: Contract
    checkpoints: list[Checkpoint]
    follow_ups: list[_TemplateFollowUp]


def _template_contract(rng: random.Random, number: int) -> Contract:
    start = TODAY + timedelta(days=rng.randint(-3200, 60))
    end = start + timedelta(days=rng.choice((365, 730, 1095, 1460)) - 1)
    options = [end + relativedelta(years=k) for k in range(1, rng.choice((1, 2)) + 1)]
    ongoing = rng.random() < 0.05
    contract = Contract(
        id=f"template-{number}",
        reference=f"MAL-{number}",
        title="Mal",
        contract_type=rng.choices(list(ContractType), (30, 50, 20))[0],
        category=rng.choices(list(Category), (35, 45, 20))[0],
        start_date=start,
        end_date=None if ongoing else end,
        options=options if not ongoing and rng.random() < 0.33 else [],
        value_nok=int(math.exp(rng.uniform(math.log(100_000), math.log(50_000_000)))),
        ongoing=ongoing,
        notice_months=3,
        risk=rng.choices(list(RiskLevel), (40, 45, 15))[0],
        compliance=ComplianceFlags(
            pay_and_conditions=rng.random() < 0.4,
            apprentices=rng.random() < 0.2,
            hms_card=rng.random() < 0.2,
            supply_chain=rng.random() < 0.2,
        ),
    )
    last = None if ongoing else max([end, *contract.options])
    if start > TODAY:
        status = ContractStatus.PLANNED
    elif last is not None and last < TODAY:
        status = ContractStatus.EXPIRED
    else:
        status = ContractStatus.TERMINATED if rng.random() < 0.03 else ContractStatus.ACTIVE
    return contract.model_copy(update={"status": status})


def _at_now(
    index: int,
    due: date,
    checkpoint: Checkpoint,
    contract: Contract,
    calendar: WorkingCalendar,
    settings: ReminderSettings,
) -> _TemplateFollowUp:
    """Where the calendar and the reminder ladder leave a follow-up due on `due`, at `NOW`."""
    noticed = NoticePolicy().first_action_at(due, calendar)
    late = (TODAY - due).days
    if contract.status is not ContractStatus.ACTIVE or checkpoint.status is not (
        CheckpointStatus.ACTIVE
    ):
        # The planner stops what is no longer followed up; history is answered or skipped.
        if noticed > NOW and late < 0:
            return _TemplateFollowUp(index, due, FollowUpState.PLANNED, 0, noticed, 0.0)
        return _TemplateFollowUp(index, due, FollowUpState.SKIPPED, 0, None, 0.97)
    if noticed > NOW:
        return _TemplateFollowUp(index, due, FollowUpState.PLANNED, 0, noticed, 0.0)
    follow_up = FollowUp.model_construct(
        checkpoint_id="",
        contract_id="",
        due_date=due,
        state=FollowUpState.NOTIFIED,
        reminder_step=int(Step.NOTICE),
    )
    taken = step_due_now(follow_up, checkpoint, NOW, calendar, settings)
    step, at = next_step(follow_up, checkpoint, taken, NOW, calendar, settings)
    answered = 0.3 if late <= 0 else 0.85 if late <= 30 else 0.97
    return _TemplateFollowUp(index, due, STATE_AFTER[taken], int(step), at, answered)


def _templates(rng: random.Random, config: PlanConfig) -> list[_Template]:
    """Contracts with their checkpoints and follow-ups from the product's plan and calendar."""
    calendar = WorkingCalendar()
    settings = ReminderSettings()
    first = add_months(MATERIALISED_ON, -HISTORY_MONTHS)
    until = horizon_end(MATERIALISED_ON, config.calendar)
    templates: list[_Template] = []
    for number in range(TEMPLATES):
        contract = _template_contract(rng, number)
        followed = follows_up(contract)
        # A contract no longer in force keeps its checkpoints, retired (status removed).
        as_followed = (
            contract if followed else contract.model_copy(update={"status": ContractStatus.ACTIVE})
        )
        checkpoints: list[Checkpoint] = []
        follow_ups: list[_TemplateFollowUp] = []
        for planned in plan_for(as_followed, config, TODAY):
            checkpoint = Checkpoint.model_construct(
                id="",
                contract_id=contract.id,
                code=planned.code,
                title=planned.title,
                question=planned.question,
                rrule=planned.rrule,
                dtstart=planned.dtstart,
                evidence=list(planned.evidence),
                actions=list(planned.actions),
                answer_window_days=planned.answer_window_days,
                escalation=list(planned.escalation),
                status=CheckpointStatus.ACTIVE if followed else CheckpointStatus.REMOVED,
            )
            days = due_dates(
                checkpoint,
                as_followed,
                today=first,
                until=until if followed else TODAY - timedelta(days=1),
                rule=config.calendar.non_working_day,
                calendar=calendar,
            )
            follow_ups.extend(
                _at_now(len(checkpoints), due, checkpoint, contract, calendar, settings)
                for due in days
            )
            checkpoints.append(checkpoint)
        templates.append(_Template(contract, checkpoints, follow_ups))
    return templates


class _Loader:
    """Rows in bulk into a migrated, empty database: SQLAlchemy Core `executemany` on SQLite,
    COPY through the raw psycopg connection on PostgreSQL. One transaction per `commit`."""

    def __init__(self, engine: Engine) -> None:
        self.postgres = engine.dialect.name == "postgresql"
        self.counts: Counter[str] = Counter()
        self._connection: Connection | None = None
        self._raw: Any = None
        if self.postgres:
            self._raw = engine.raw_connection()
            with self._raw.cursor() as cursor:
                cursor.execute("SET synchronous_commit = off")
        else:
            self._connection = engine.connect()
            # Parents are written before their rows; the checks would only slow the load.
            self._connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            self._connection.exec_driver_sql("PRAGMA synchronous = OFF")
            self._connection.exec_driver_sql("PRAGMA cache_size = -400000")

    def write(self, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self._connection is not None:
            self._connection.execute(
                insert(table), [dict(zip(columns, row, strict=True)) for row in rows]
            )
        else:
            json_columns = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
            names = ", ".join(f'"{c}"' for c in columns)
            with (
                self._raw.cursor() as cursor,
                cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
            ):
                for row in rows:
                    if json_columns:
                        values = list(row)
                        for i in json_columns:
                            values[i] = orjson.dumps(values[i]).decode()
                        copy.write_row(values)
                    else:
                        copy.write_row(row)
        self.counts[table.name] += len(rows)

    def commit(self) -> None:
        if self._connection is not None:
            self._connection.commit()
        else:
            self._raw.commit()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.exec_driver_sql("PRAGMA foreign_keys = ON")
            self._connection.close()
        else:
            self._raw.close()


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


_PEOPLE: Final = (
    "id", "display_name", "email", "upn", "roles", "locale", "deputy_person_id",
    "reminders_paused", "reminders_per_day", "unreachable", "created_at", "updated_at",
)  # fmt: skip
_REFS: Final = (
    "id", "conversation_id", "user_id", "kind", "tenant_id", "service_url", "channel_id",
    "bot_id", "bot_name", "aad_object_id", "person_id", "team_id", "team_name",
    "is_procurement_channel", "updated_at",
)  # fmt: skip
_CONTRACTS: Final = (
    "id", "reference", "case_number", "title", "contract_type", "category", "supplier_id",
    "owner_id", "manager_id", "deputy_id", "unit", "start_date", "end_date", "options",
    "value_nok", "ongoing", "notice_months", "risk", "status", "public", "pay_and_conditions",
    "apprentices", "hms_card", "supply_chain", "created_at", "updated_at",
)  # fmt: skip
_CHECKPOINTS: Final = (
    "id", "contract_id", "code", "title", "question", "rrule", "dtstart", "evidence", "actions",
    "answer_window_days", "escalation", "status", "source", "customised",
)  # fmt: skip
_FOLLOW_UPS: Final = (
    "id", "checkpoint_id", "contract_id", "due_date", "state", "next_action_at", "reminder_step",
)  # fmt: skip
_DELIVERIES: Final = (
    "id", "kind", "recipient_person_id", "conversation_ref_id", "follow_up_ids", "message",
    "state", "attempts", "last_error", "sent_activity_id", "created_at", "updated_at", "sent_at",
)  # fmt: skip


@dataclass(slots=True)
class Region:
    """What was made."""

    contracts: int = 0
    in_force: int = 0
    owned: Counter[str] = field(default_factory=Counter)
    """Contracts per owner."""
    counts: dict[str, int] = field(default_factory=dict)
    candidates: list[int] = field(default_factory=list)
    """Follow-ups (by number) open with a next action in the future, on contracts in force:
    the pool the due rows of each repeat are drawn from."""
    open_with_next: int = 0
    write_seconds: float = 0.0
    analyse_seconds: float = 0.0

    @property
    def follow_ups(self) -> int:
        return self.counts.get("follow_ups", 0)


def _people_rows(
    rng: random.Random, people: int, service_url: str
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[str]]:
    """People (the first ones procurement, the rest owners) and their conversations."""
    rows: list[tuple[Any, ...]] = []
    refs: list[tuple[Any, ...]] = []
    owners = [_id(1, n) for n in range(PROCUREMENT_PEOPLE, people)]
    updated = NOW - timedelta(days=30)
    for number in range(people):
        person_id = _id(1, number)
        procurement = number < PROCUREMENT_PEOPLE
        deputy = rng.choice(owners) if not procurement and rng.random() < 0.1 else None
        email = f"person{number}@region.kommune.no"
        rows.append(
            (person_id, f"Person {number}", email, email,
             [Role.PROCUREMENT.value if procurement else Role.OWNER.value], "nb-NO",
             deputy if deputy != person_id else None, rng.random() < 0.005, 1,
             rng.random() < 0.005, NOW - timedelta(days=400), updated)
        )  # fmt: skip
        if rng.random() < 0.01:
            continue  # never installed the app
        refs.append(
            (_id(6, number), f"a:kv-person-{number:06d}", f"29:kv-user-{number:06d}",
             ConversationKind.PERSONAL.value, TENANT, service_url, "msteams", BOT_ID,
             "Kontraktsvakt", str(uuid.UUID(int=number + 1)), person_id, None, None, False,
             updated)
        )  # fmt: skip
    for channel in range(PROCUREMENT_CHANNELS):
        refs.append(
            (_id(6, people + channel), f"19:kv-innkjop-{channel}@thread.tacv2", "",
             ConversationKind.CHANNEL.value, TENANT, service_url, "msteams", BOT_ID,
             "Kontraktsvakt", None, None, f"19:kv-team-{channel}@thread.tacv2", "Innkjøp", True,
             updated)
        )  # fmt: skip
    return rows, refs, owners


def _supplier_rows(count: int) -> list[tuple[str, str, str]]:
    rows = []
    prefix = 81_000_000
    for number in range(count):
        while True:
            prefix += 1
            orgnr = make_organisation_number(str(prefix))
            if orgnr:
                break
        rows.append((_id(2, number), f"Leverandør {number} AS", orgnr))
    return rows


def populate(
    engine: Engine,
    follow_ups: int,
    service_url: str,
    *,
    deliveries: int,
    seed: int = 2026,
    log: Callable[[str], None] | None = None,
) -> Region:
    """Fill an empty, migrated database with a region of about `follow_ups` follow-ups."""
    started = time.perf_counter()
    rng = random.Random(seed)
    config = load_plan()
    templates = _templates(rng, config)
    per_contract = sum(len(t.follow_ups) for t in templates) / len(templates)
    contracts = max(1, round(follow_ups / per_contract))
    people = max(PROCUREMENT_PEOPLE + 30, contracts * 3 // 100)
    region = Region(contracts=contracts)
    loader = _Loader(engine)
    try:
        person_rows, ref_rows, owners = _people_rows(rng, people, service_url)
        loader.write(_table(PersonRow), _PEOPLE, person_rows)
        loader.write(_table(ConversationRefRow), _REFS, ref_rows)
        supplier_rows = _supplier_rows(max(50, contracts // 20))
        loader.write(_table(SupplierRow), ("id", "name", "organisation_number"), supplier_rows)
        suppliers = [row[0] for row in supplier_rows]
        away = rng.sample(owners, max(1, len(owners) // 50))
        loader.write(
            _table(AbsenceRow),
            ("id", "person_id", "start", "end", "deputy_person_id"),
            [
                (_id(8, n), person, TODAY - timedelta(days=rng.randint(0, 10)),
                 TODAY + timedelta(days=rng.randint(0, 10)),
                 next(o for o in (rng.choice(owners), owners[0], owners[1]) if o != person))
                for n, person in enumerate(away)
            ],
        )  # fmt: skip
        loader.commit()
        # Skewed, as in a real region: a few owners and suppliers have far more contracts.
        owner_weights = list(itertools.accumulate(1 / (1 + i) ** 0.6 for i in range(len(owners))))
        supplier_weights = list(
            itertools.accumulate(1 / (1 + i) ** 0.8 for i in range(len(suppliers)))
        )
        checkpoint_number = follow_up_number = 0
        for first in range(0, contracts, CHUNK):
            contract_rows: list[tuple[Any, ...]] = []
            checkpoint_rows: list[tuple[Any, ...]] = []
            follow_up_rows: list[tuple[Any, ...]] = []
            for number in range(first, min(first + CHUNK, contracts)):
                template = templates[number % len(templates)]
                c = template.contract
                contract_id = _id(3, number)
                owner = owners[bisect.bisect(owner_weights, rng.random() * owner_weights[-1])]
                region.owned[owner] += 1
                manager = rng.choice(owners) if rng.random() < 0.5 else None
                deputy = rng.choice(owners) if rng.random() < 0.3 else None
                supplier = suppliers[
                    bisect.bisect(supplier_weights, rng.random() * supplier_weights[-1])
                ]
                unit = rng.choice(UNITS)
                contract_rows.append(
                    (contract_id, f"REG-{number:07d}", f"{number % 100:02d}/{number:06d}",
                     f"{TRADES[number % len(TRADES)]} til {unit.split(', ')[1]}",
                     c.contract_type.value, c.category.value, supplier, owner,
                     manager if manager != owner else None, deputy if deputy != owner else None,
                     unit, c.start_date, c.end_date, [d.isoformat() for d in c.options],
                     c.value_nok, c.ongoing, c.notice_months, c.risk.value, c.status.value, True,
                     c.compliance.pay_and_conditions, c.compliance.apprentices,
                     c.compliance.hms_card, c.compliance.supply_chain, NOW - timedelta(days=400),
                     NOW - timedelta(days=30))
                )  # fmt: skip
                checkpoint_ids = []
                for cp in template.checkpoints:
                    checkpoint_ids.append(_id(4, checkpoint_number))
                    checkpoint_rows.append(
                        (checkpoint_ids[-1], contract_id, cp.code, cp.title, cp.question,
                         cp.rrule, cp.dtstart, cp.evidence, cp.actions, cp.answer_window_days,
                         cp.escalation, cp.status.value, "template", False)
                    )  # fmt: skip
                    checkpoint_number += 1
                in_force = c.status is ContractStatus.ACTIVE
                region.in_force += in_force
                for f in template.follow_ups:
                    draw = rng.random()
                    state, next_at = f.state, f.next_at
                    if draw < f.answered:
                        state = (
                            FollowUpState.ANSWERED
                            if draw < f.answered * 0.92
                            else FollowUpState.DEVIATION_REPORTED
                            if draw < f.answered * 0.97
                            else FollowUpState.SKIPPED
                        )
                        next_at = None
                    elif next_at is not None:
                        region.open_with_next += 1
                        if in_force:
                            region.candidates.append(follow_up_number)
                    follow_up_rows.append(
                        (_id(5, follow_up_number), checkpoint_ids[f.checkpoint], contract_id,
                         f.due, state.value, next_at, f.step)
                    )  # fmt: skip
                    follow_up_number += 1
            loader.write(_table(ContractRow), _CONTRACTS, contract_rows)
            loader.write(_table(CheckpointRow), _CHECKPOINTS, checkpoint_rows)
            loader.write(_table(FollowUpRow), _FOLLOW_UPS, follow_up_rows)
            loader.commit()
            if log is not None and (first // CHUNK) % 10 == 9:
                log(
                    f"  {first + CHUNK} contracts, {follow_up_number} follow-ups "
                    f"({time.perf_counter() - started:.0f} s)"
                )
        _write_history(loader, rng, deliveries, ref_rows, follow_up_number)
        region.counts = dict(loader.counts)
    finally:
        loader.close()
    region.write_seconds = time.perf_counter() - started
    started = time.perf_counter()
    analyse(engine)
    region.analyse_seconds = time.perf_counter() - started
    return region


def _write_history(
    loader: _Loader,
    rng: random.Random,
    count: int,
    refs: Sequence[tuple[Any, ...]],
    follow_ups: int,
) -> None:
    """A year of deliveries already sent: about `count` / 250 digests a working day."""
    calendar = WorkingCalendar()
    days: list[date] = []
    day = TODAY
    while len(days) < PAST_WORKING_DAYS:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            days.append(day)
    days.reverse()
    personal = [r for r in refs if r[10] is not None]
    rows: list[tuple[Any, ...]] = []
    for number in range(count):
        ref = rng.choice(personal)
        created = oslo_datetime(days[number * len(days) // max(1, count)], clock_time(8)) + (
            timedelta(seconds=rng.randint(0, 7200))
        )
        draw = rng.random()
        state = (
            DeliveryState.SENT
            if draw < 0.97
            else DeliveryState.FAILED
            if draw < 0.98
            else DeliveryState.UNREACHABLE
            if draw < 0.99
            else DeliveryState.SKIPPED
        )
        sent = state is DeliveryState.SENT
        rows.append(
            (_id(7, number), DeliveryKind.DIGEST.value, ref[10], ref[0],
             [_id(5, rng.randrange(max(1, follow_ups))) for _ in range(rng.randint(1, 3))],
             HISTORY_MESSAGE, state.value, 1, None if sent else "bench", f"1:{number}" if sent
             else None, created, created + timedelta(seconds=2),
             created + timedelta(seconds=2) if sent else None)
        )  # fmt: skip
        if len(rows) >= 20_000:
            loader.write(_table(DeliveryRow), _DELIVERIES, rows)
            loader.commit()
            rows = []
    loader.write(_table(DeliveryRow), _DELIVERIES, rows)
    loader.commit()


def analyse(engine: Engine) -> None:
    """The planner's statistics after a bulk load (PostgreSQL: and the visibility map)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.exec_driver_sql("ANALYZE")
            conn.commit()


# --- the tick ------------------------------------------------------------------------------------


def clock() -> datetime:
    return NOW


class TimedSender(OutboxSender):
    """The product's sender; `send_all` is timed (wall and CPU seconds, and when it started)."""

    started: float = 0.0
    last: tuple[float, float] = (0.0, 0.0)

    async def send_all(self, stop: asyncio.Event | None = None) -> SendReport:
        self.started = time.perf_counter()
        cpu = time.process_time()
        try:
            return await super().send_all(stop)
        finally:
            self.last = (time.perf_counter() - self.started, time.process_time() - cpu)


def build_jobs(
    settings: Any, factory: SqlAlchemyUnitOfWorkFactory, adapter: Any
) -> tuple[ReminderJobs, TimedSender]:
    """What `bot.wiring.build_reminder_jobs` builds, with pacing off (as
    SEND_RATE_PER_TENANT=0 gives) and the sender timed."""
    from bot.reminders.cards import ReminderCards
    from bot.settings import reminder_settings
    from bot.teams.notifier import TeamsNotifier
    from bot.wiring import DEV_BOT_APP_ID

    renderer = ReminderCards(outbox=True)
    sender = TimedSender(
        factory,
        TeamsNotifier(adapter, settings.microsoft_app_id or DEV_BOT_APP_ID),
        renderer,
        clock,
        Pacer(None),
        holder=HOLDER,
        settings=SenderSettings(concurrency=settings.send_concurrency),
    )
    jobs = ReminderJobs(
        factory,
        sender,
        renderer,
        clock,
        holder=HOLDER,
        plan=settings.plan(),
        calendar=WorkingCalendar(),
        settings=reminder_settings(settings),
    )
    return jobs, sender


class ServerCpu:
    """CPU seconds used by this database's client backends (PostgreSQL on this machine),
    read from /proc through a connection of its own."""

    def __init__(self, url: str) -> None:
        self._engine = create_db_engine(url, pool_size=1)
        self._ticks = os.sysconf("SC_CLK_TCK")

    @classmethod
    def available(cls, url: str) -> ServerCpu | None:
        if make_url(url).get_backend_name() != "postgresql":
            return None
        probe = cls(url)
        with probe._engine.connect() as conn:
            pid = int(conn.execute(select(func.pg_backend_pid())).scalar_one())
        if probe._cpu(pid) is None:
            probe.close()
            return None
        return probe

    def close(self) -> None:
        self._engine.dispose()

    def _cpu(self, pid: int) -> float | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / self._ticks

    def snapshot(self) -> dict[int, float]:
        with self._engine.connect() as conn:
            pids = conn.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                )
            ).scalars()
            found = {int(pid): self._cpu(int(pid)) for pid in pids}
        return {pid: cpu for pid, cpu in found.items() if cpu is not None}

    def since(self, before: dict[int, float]) -> float:
        after = self.snapshot()
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


@dataclass(frozen=True, slots=True)
class Sample:
    wall: float
    cpu: float
    server_cpu: float | None
    plan_wall: float
    plan_cpu: float
    send_wall: float
    send_cpu: float
    report: TickReport
    received: int


async def timed_tick(
    jobs: ReminderJobs, sender: TimedSender, server: ServerCpu | None, standin: str
) -> Sample:
    await asyncio.to_thread(http_post, standin + "_reset")
    before = await asyncio.to_thread(server.snapshot) if server else {}
    sender.last = (0.0, 0.0)
    wall, cpu = time.perf_counter(), time.process_time()
    report = await jobs.tick()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    server_cpu = await asyncio.to_thread(server.since, before) if server else None
    stats = await asyncio.to_thread(http_get, standin + "_stats")
    send_wall, send_cpu = sender.last
    return Sample(
        wall=wall,
        cpu=cpu,
        server_cpu=server_cpu,
        plan_wall=wall - send_wall,
        plan_cpu=cpu - send_cpu,
        send_wall=send_wall,
        send_cpu=send_cpu,
        report=report,
        received=int(stats["activities"]),
    )


class DuePicker:
    """Makes exactly `count` fresh follow-ups due at `NOW` (never the same one twice)."""

    def __init__(self, engine: Engine, candidates: list[int], count: int, seed: int) -> None:
        self._engine = engine
        self._rng = random.Random(seed)
        self._pool = list(candidates)
        self._rng.shuffle(self._pool)
        self._count = count

    def make_due(self) -> None:
        if len(self._pool) < self._count:
            raise RuntimeError("no fresh follow-ups left to make due; use fewer repeats")
        picked = [self._pool.pop() for _ in range(self._count)]
        table = _table(FollowUpRow)
        rows = [
            {"b_id": _id(5, n), "b_at": NOW - timedelta(minutes=self._rng.randint(1, 120))}
            for n in picked
        ]
        open_states = [s.value for s in OPEN_FOLLOW_UP_STATES]
        with self._engine.begin() as conn:
            conn.execute(
                update(table)
                .where(table.c.id == bindparam("b_id"))
                .values(next_action_at=bindparam("b_at")),
                rows,
            )
            due = conn.execute(
                select(func.count())
                .select_from(table)
                .where(table.c.next_action_at <= NOW, table.c.state.in_(open_states))
            ).scalar_one()
        if due != self._count:
            raise RuntimeError(f"{due} follow-ups due, expected {self._count}")


def age_deliveries(engine: Engine) -> None:
    """Move today's deliveries to yesterday: the next repeat's recipients have had none today
    (`counted_today`), as the first repeat's had not."""
    table = _table(DeliveryRow)
    midnight = oslo_datetime(TODAY, clock_time(0))
    with engine.begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.created_at >= midnight)
            .values(created_at=midnight - timedelta(hours=10))
        )


@dataclass(frozen=True, slots=True)
class Recipients:
    """What the planner reads for a tick's digest recipients (`_Planner._load_overdue`): every
    contract they own, its checkpoints, and its follow-ups due in the look-back window."""

    people: int
    contracts: int
    checkpoints: int
    follow_ups: int
    open_follow_ups: int


def recipients_of_today(engine: Engine) -> Recipients:
    deliveries, contracts = _table(DeliveryRow), _table(ContractRow)
    checkpoints, follow_ups = _table(CheckpointRow), _table(FollowUpRow)
    people = (
        select(deliveries.c.recipient_person_id)
        .where(
            deliveries.c.created_at >= oslo_datetime(TODAY, clock_time(0)),
            deliveries.c.kind == DeliveryKind.DIGEST.value,
            deliveries.c.recipient_person_id.is_not(None),
        )
        .distinct()
    )
    owned = select(contracts.c.id).where(contracts.c.owner_id.in_(people))
    window = (
        follow_ups.c.contract_id.in_(owned),
        follow_ups.c.due_date >= TODAY - timedelta(days=OVERDUE_LOOKBACK_DAYS),
        follow_ups.c.due_date <= TODAY,
    )
    open_states = [s.value for s in OPEN_FOLLOW_UP_STATES]

    def count(query: Any) -> int:
        with engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    return Recipients(
        people=count(select(func.count()).select_from(people.subquery())),
        contracts=count(select(func.count()).select_from(owned.subquery())),
        checkpoints=count(select(func.count()).where(checkpoints.c.contract_id.in_(owned))),
        follow_ups=count(select(func.count()).where(*window)),
        open_follow_ups=count(
            select(func.count()).where(*window, follow_ups.c.state.in_(open_states))
        ),
    )


def mark_refreshed_the_day_before(factory: SqlAlchemyUnitOfWorkFactory, plan: PlanConfig) -> None:
    """As `plan apply` the day before left the region: the first tick's daily refresh
    (`refresh_what_changed`) then does only what changed since (the day new to the horizon)."""
    yesterday = NOW - timedelta(days=1)
    state = refresh_state(yesterday, plan, WorkingCalendar())
    with factory() as uow:
        uow.scheduler.set_mark(REFRESH_STATE_MARK, state.to_json(), yesterday)
        uow.commit()


def set_calendar_mark(factory: SqlAlchemyUnitOfWorkFactory) -> None:
    """As if today's first tick had refreshed the calendar already."""
    with factory() as uow:
        uow.scheduler.set_mark(CALENDAR_MARK, TODAY.isoformat(), NOW)
        uow.commit()


def count_follow_ups(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(FollowUpRow)).scalar_one())


# --- query plans ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Captured:
    sql: str
    parameters: Any
    at: float


class StatementLog:
    """The statements an engine runs while this is open (the first parameter set of an
    `executemany`)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.captured: list[Captured] = []

    def __enter__(self) -> StatementLog:
        event.listen(self._engine, "before_cursor_execute", self._record)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        event.remove(self._engine, "before_cursor_execute", self._record)

    def _record(
        self,
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        if executemany:
            parameters = parameters[0] if parameters else ()
        self.captured.append(Captured(statement, parameters, time.perf_counter()))

    def distinct(self) -> list[Captured]:
        """One of each statement, inserts left out; of a statement with an IN list, the run
        with the longest list (a full chunk of ids)."""
        found: dict[str, Captured] = {}
        for captured in self.captured:
            flat = _flat(captured.sql)
            if flat.startswith(("INSERT", "SAVEPOINT", "RELEASE", "ROLLBACK")):
                continue
            key = _IN_LIST.sub("(…)", flat)
            if key not in found or len(captured.parameters) > len(found[key].parameters):
                found[key] = captured
        return sorted(found.values(), key=lambda c: c.at)


_IN_LIST: Final = re.compile(r"\((?:\s*(?:\?|%\(\w+\)s(?:::[A-Z ]+)?)\s*,?)+\)")
_WHERE_COLUMN: Final = re.compile(r"\b(\w+)\.(\w+) (<=|>=|!=|<|>|=|NOT IN|IN|IS)(?=[\s(])")


def _flat(sql: str) -> str:
    return " ".join(sql.split())


def describe(sql: str) -> str:
    """`SELECT follow_ups: next_action_at <=, state IN`: what a statement asks, in short."""
    flat = _flat(sql)
    body = flat
    main = re.search(r"\)\s+(UPDATE|SELECT|DELETE)\s", flat) if flat.startswith("WITH") else None
    if main:
        body = flat[main.start(1) :]
    verb = body.split(" ", 1)[0]
    table = re.search(r"\b(?:UPDATE|FROM|INTO|DELETE FROM)\s+(\w+)", body)
    where = flat[flat.index(" WHERE ") :] if " WHERE " in flat else ""
    columns: list[str] = []
    for _, column, op in _WHERE_COLUMN.findall(where):
        name = f"{column} {op}"
        if name not in columns:
            columns.append(name)
    extra = " +CTE" if flat.startswith("WITH") else ""
    extra += " count" if "count(*)" in flat else ""
    return f"{verb} {table.group(1) if table else '?'}{extra}: {', '.join(columns)}"


@dataclass(frozen=True, slots=True)
class QueryPlan:
    description: str
    phase: str
    ms: float
    rows: int | None
    access: str
    full_scans: list[str]
    plan: str
    generic_access: str | None = None
    generic_full_scans: list[str] = field(default_factory=list)
    generic_plan: str | None = None


def _pg_access(plan: str) -> tuple[str, list[str]]:
    """The tables and indexes a plan reads, and the tables it reads whole: a Seq Scan, or an
    Index Scan without an Index Cond (every entry, in the index's order)."""
    used: list[str] = []
    full: list[str] = []
    nodes: list[list[str]] = []
    for line in plan.splitlines():
        if not nodes or "->" in line:
            nodes.append([line])
        else:
            nodes[-1].append(line)
    for header, *details in nodes:
        seq = re.search(r"Seq Scan on (\w+)", header)
        index = re.search(r"Index (?:Only )?Scan(?: Backward)? using (\w+) on (\w+)", header)
        bitmap = re.search(r"Bitmap Index Scan on (\w+)", header)
        if seq and seq.group(1) in TABLES:
            used.append(f"{seq.group(1)} SEQ SCAN")
            full.append(seq.group(1))
        elif index and not any("Index Cond:" in line for line in details):
            used.append(f"{index.group(2)} {index.group(1)} WHOLE INDEX")
            full.append(index.group(2))
        elif index:
            used.append(f"{index.group(2)} {index.group(1)}")
        elif bitmap:
            used.append(f"bitmap {bitmap.group(1)}")
    return "; ".join(dict.fromkeys(used)), sorted(set(full))


def _sqlite_access(plan: str) -> tuple[str, list[str]]:
    used: list[str] = []
    full: list[str] = []
    for line in plan.splitlines():
        found = re.search(r"\b(SCAN|SEARCH) (\w+)(?: AS \w+)?(.*)", line)
        if not found or found.group(2) not in TABLES:
            continue
        how, table, rest = found.groups()
        index = re.search(r"USING (?:COVERING )?INDEX (\w+)", rest)
        if index and how == "SCAN":  # every entry of the index: as costly as the table
            used.append(f"{table} {index.group(1)} WHOLE INDEX")
            full.append(table)
        elif index:
            used.append(f"{table} {index.group(1)}")
        elif "PRIMARY KEY" in rest:
            used.append(f"{table} primary key")
        elif how == "SCAN":
            used.append(f"{table} FULL SCAN")
            full.append(table)
    return "; ".join(dict.fromkeys(used)), sorted(set(full))


def _explain_postgres(conn: Connection, captured: Captured, phase: str) -> QueryPlan:
    params = captured.parameters or {}
    lines = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + captured.sql, params).scalars()
    plan = "\n".join(str(line) for line in lines)
    timing = re.search(r"Execution Time: ([\d.]+) ms", plan)
    # An UPDATE's own node returns no rows: the rows are those of the node under it.
    counted = re.findall(r"actual time=[\d.]+\.\.[\d.]+ rows=(\d+)", plan)
    rows = (
        counted[1] if plan.startswith("Update") and len(counted) > 1 else next(iter(counted), None)
    )
    access, full = _pg_access(plan)
    generic: str | None = None
    if params:
        # A statement run often enough is prepared by psycopg (5 runs) and PostgreSQL may then
        # use one generic plan for every parameter value: that is the plan the tick really gets.
        names: dict[str, int] = {}

        def number(match: re.Match[str]) -> str:
            return f"${names.setdefault(match.group(1), len(names) + 1)}"

        body = re.sub(r"%\((\w+)\)s", number, captured.sql)
        conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
        conn.exec_driver_sql(f"PREPARE kv_bench_tick AS {body}")
        types = conn.exec_driver_sql(
            "SELECT parameter_types::text[] FROM pg_prepared_statements "
            "WHERE name = 'kv_bench_tick'"
        ).scalar_one()
        # EXPLAIN EXECUTE takes no bound parameters: the values go in as literals.
        raw = conn.connection.driver_connection
        arguments = ", ".join(
            f"{Literal(params[name]).as_string(raw)}::{kind}"
            for name, kind in zip(names, types, strict=True)
        )
        generic = "\n".join(
            str(line)
            for line in conn.exec_driver_sql(
                f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE kv_bench_tick({arguments})"
            ).scalars()
        )
        conn.exec_driver_sql("DEALLOCATE kv_bench_tick")
        conn.exec_driver_sql("SET LOCAL plan_cache_mode = auto")
    generic_access, generic_full = _pg_access(generic) if generic else (None, [])
    return QueryPlan(
        description=describe(captured.sql),
        phase=phase,
        ms=float(timing.group(1)) if timing else float("nan"),
        rows=int(rows) if rows is not None else None,
        access=access,
        full_scans=full,
        plan=plan,
        generic_access=generic_access,
        generic_full_scans=generic_full,
        generic_plan=generic,
    )


def _explain_sqlite(conn: Connection, captured: Captured, phase: str) -> QueryPlan:
    params = captured.parameters or ()
    depth: dict[int, int] = {0: 0}
    lines = []
    for node, parent, _, detail in conn.exec_driver_sql(
        "EXPLAIN QUERY PLAN " + captured.sql, params
    ):
        depth[node] = depth.get(parent, 0) + 1
        lines.append("  " * (depth[node] - 1) + str(detail))
    plan = "\n".join(lines)
    started = time.perf_counter()
    result = conn.exec_driver_sql(captured.sql, params)
    rows = len(result.all()) if result.returns_rows else None
    ms = (time.perf_counter() - started) * 1000
    access, full = _sqlite_access(plan)
    return QueryPlan(describe(captured.sql), phase, ms, rows, access, full, plan)


def explain(engine: Engine, statements: Sequence[Captured], phase: str) -> list[QueryPlan]:
    """The statements explained (and run), in the order the tick ran them, in one transaction
    that is rolled back (so the claim's read-back finds what the claim claimed)."""
    plans = []
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            for captured in statements:
                if engine.dialect.name == "postgresql":
                    plans.append(_explain_postgres(conn, captured, phase))
                else:
                    plans.append(_explain_sqlite(conn, captured, phase))
        finally:
            transaction.rollback()
    return plans


# --- the run -------------------------------------------------------------------------------------


@dataclass(slots=True)
class Results:
    empty: list[Sample] = field(default_factory=list)
    loaded: list[Sample] = field(default_factory=list)
    recipients: list[Recipients] = field(default_factory=list)
    first: Sample | None = None
    refresh_created: int = 0
    plans: list[QueryPlan] = field(default_factory=list)
    backend: str = ""


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _check(sample: Sample, due: int) -> None:
    plan, send = sample.report.plan, sample.report.send
    if plan.follow_ups != due or send.sent != sample.received or send.failed or send.requeued:
        raise RuntimeError(f"unexpected tick: {sample.report} (received {sample.received})")


async def _first_tick(url: str, adapter: Any, standin: str) -> tuple[Sample, int]:
    """The first tick of the day on the region at `url`: it also refreshes the calendar."""
    settings = local_settings(url)
    engine = create_db_engine(url)
    try:
        factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
        jobs, sender = build_jobs(settings, factory, adapter)
        mark_refreshed_the_day_before(factory, settings.plan())
        before = count_follow_ups(engine)
        server = ServerCpu.available(url)
        try:
            sample = await timed_tick(jobs, sender, server, standin)
        finally:
            if server is not None:
                server.close()
        if not sample.report.calendar_refreshed:
            raise RuntimeError("the first tick did not refresh the calendar")
        return sample, count_follow_ups(engine) - before
    finally:
        engine.dispose()


async def measure(
    args: argparse.Namespace, url: str, refresh_url: str | None, region: Region, standin: str
) -> Results:
    from botbuilder.integration.aiohttp import CloudAdapter

    from bot.reminders.cards import ReminderCards
    from bot.settings import reminder_settings
    from bot.teams.auth import PooledBotFrameworkAuthentication
    from bot.teams.connector import ConnectorPool

    settings = local_settings(url)
    pool = ConnectorPool(settings.effective_service_url_hosts, connection_limit=CONCURRENCY)
    adapter = CloudAdapter(PooledBotFrameworkAuthentication(settings, pool))
    engine = create_db_engine(url)
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    jobs, sender = build_jobs(settings, factory, adapter)
    server = ServerCpu.available(url)
    picker = DuePicker(engine, region.candidates, args.due, args.seed)
    results = Results()
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                version = conn.exec_driver_sql("SHOW server_version").scalar_one()
                buffers = conn.exec_driver_sql("SHOW shared_buffers").scalar_one()
                results.backend = f"PostgreSQL {version} (shared_buffers {buffers})"
            else:
                version = conn.exec_driver_sql("SELECT sqlite_version()").scalar_one()
                results.backend = f"SQLite {version}"
        if refresh_url is not None:
            _progress("first tick of the day (calendar refresh) …")
            results.first, results.refresh_created = await _first_tick(
                refresh_url, adapter, standin
            )
        if refresh_url != url:
            set_calendar_mark(factory)
        if args.serving_heap:
            from aiohttp import web

            from bot.app import settle_heap

            await settle_heap(web.Application())
        _progress("warming up …")
        for _ in range(2):
            await timed_tick(jobs, sender, server, standin)
        picker.make_due()
        with StatementLog(engine) as log:
            _check(await timed_tick(jobs, sender, server, standin), args.due)
        send_started = sender.started
        age_deliveries(engine)
        for round_number in range(args.repeats):
            for _ in range(EMPTY_PER_ROUND):
                results.empty.append(await timed_tick(jobs, sender, server, standin))
            picker.make_due()
            sample = await timed_tick(jobs, sender, server, standin)
            _check(sample, args.due)
            results.loaded.append(sample)
            results.recipients.append(recipients_of_today(engine))
            age_deliveries(engine)
            _progress(
                f"round {round_number + 1}/{args.repeats}: empty tick "
                f"{results.empty[-1].wall * 1000:.1f} ms, tick with {args.due} due "
                f"{sample.wall * 1000:.0f} ms"
            )
        _progress("explaining the tick's statements …")
        statements = log.distinct()
        picker.make_due()
        results.plans = explain(engine, [s for s in statements if s.at < send_started], "plan")
        await asyncio.to_thread(
            plan_reminders,
            factory,
            NOW,
            holder=HOLDER,
            calendar=WorkingCalendar(),
            renderer=ReminderCards(outbox=True),
            settings=reminder_settings(settings),
        )
        results.plans += explain(engine, [s for s in statements if s.at >= send_started], "send")
        await sender.send_all()
        age_deliveries(engine)
    finally:
        await pool.close()
        engine.dispose()
        if server is not None:
            server.close()
    return results


def _ms(values: Sequence[float]) -> tuple[float, float]:
    return statistics.median(values) * 1000, _percentile(values, 0.95) * 1000


def _spread(values: Sequence[int]) -> str:
    low, high = min(values), max(values)
    return f"{low}" if low == high else f"{low}–{high}"


def report(args: argparse.Namespace, region: Region, results: Results, refresh: str) -> None:
    counts = region.counts
    rows = sum(counts.values())
    print(
        f"\nOne scheduler tick on {results.backend}, {os.cpu_count()} cpus; clock "
        f"{NOW:%Y-%m-%d %H:%M} UTC (a Tuesday, 10:00 in Oslo)"
        + ("; the heap settled as `kontraktsvakt serve` settles it" if args.serving_heap else "")
    )
    print(
        f"region: {counts.get('contracts', 0):,} contracts, {counts.get('checkpoints', 0):,} "
        f"checkpoints, {region.follow_ups:,} follow-ups ({region.open_with_next:,} open with a "
        f"next action, none due), {counts.get('people', 0):,} people, "
        f"{counts.get('deliveries', 0):,} past deliveries"
    )
    owned = sorted(region.owned.values())
    print(
        f"{region.in_force / region.contracts:.0%} of the contracts in force; contracts per "
        f"owner: median {statistics.median(owned):.0f}, busiest {owned[-1]:,}"
    )
    print(
        f"generated in {region.write_seconds:.1f} s ({rows / region.write_seconds:,.0f} rows/s), "
        f"then ANALYZE in {region.analyse_seconds:.1f} s"
    )
    empty_wall, _ = _ms([s.wall for s in results.empty])
    empty_cpu = statistics.median(s.cpu for s in results.empty) * 1000
    server = results.empty[0].server_cpu is not None
    print(
        f"\n{'':<46}{'runs':>5}{'median ms':>11}{'p95 ms':>10}{'CPU ms':>9}"
        f"{'server CPU':>11}{'× empty':>9}"
    )

    def line(name: str, samples: Sequence[Sample], wall: Callable[[Sample], float],
             cpu: Callable[[Sample], float], server_cpu: bool) -> None:  # fmt: skip
        median, p95 = _ms([wall(s) for s in samples])
        cpu_ms = statistics.median(cpu(s) for s in samples) * 1000
        db = (
            f"{statistics.median(s.server_cpu or 0.0 for s in samples) * 1000:>11.1f}"
            if server and server_cpu
            else f"{'':>11}"
        )
        print(
            f"{name:<46}{len(samples):>5}{median:>11.1f}{p95:>10.1f}{cpu_ms:>9.1f}{db}"
            f"{median / empty_wall:>9.1f}"
        )

    line("empty tick (nothing due: the baseline)", results.empty, lambda s: s.wall,
         lambda s: s.cpu, True)  # fmt: skip
    loaded = results.loaded
    plans = [s.report.plan for s in loaded]
    line(f"tick with {args.due} due", loaded, lambda s: s.wall, lambda s: s.cpu, True)
    line(f"  planning ({_spread([p.digests for p in plans])} digests)", loaded,
         lambda s: s.plan_wall, lambda s: s.plan_cpu, False)  # fmt: skip
    line(f"  sending ({_spread([s.report.send.sent for s in loaded])} messages)", loaded,
         lambda s: s.send_wall, lambda s: s.send_cpu, False)  # fmt: skip
    if results.first is not None:
        first = results.first
        db = f"{(first.server_cpu or 0.0) * 1000:>11.0f}" if first.server_cpu is not None else ""
        print(
            f"{'first tick of the day (calendar refresh)':<46}{1:>5}{first.wall * 1000:>11.0f}"
            f"{'':>10}{first.cpu * 1000:>9.0f}{db:>11}{first.wall * 1000 / empty_wall:>9.0f}"
        )
    median_loaded = statistics.median(s.wall for s in loaded) * 1000
    median_cpu = statistics.median(s.cpu for s in loaded) * 1000
    print(
        f"\ntick with {args.due} due / empty tick: {median_loaded / empty_wall:.0f}× wall, "
        f"{median_cpu / empty_cpu:.0f}× CPU; {(median_loaded - empty_wall) / args.due:.2f} ms "
        f"wall and {(median_cpu - empty_cpu) / args.due:.2f} ms CPU per due follow-up"
    )
    print(
        f"each loaded tick: {_spread([p.follow_ups for p in plans])} follow-ups planned into "
        f"{_spread([p.digests for p in plans])} digests, "
        f"{_spread([p.unreachable for p in plans])} unreachable, "
        f"{_spread([p.procurement for p in plans])} to procurement, "
        f"{_spread([p.skipped_paused for p in plans])} paused, "
        f"{_spread([p.deferred for p in plans])} deferred; the stand-in received "
        f"{_spread([s.received for s in loaded])}"
    )
    facts = results.recipients

    def median(values: Sequence[int]) -> str:
        return f"{statistics.median(values):,.0f}"

    print(
        f"what the planner reads for the other overdue items of those digests (median): the "
        f"{median([r.people for r in facts])} recipients' {median([r.contracts for r in facts])} "
        f"contracts, {median([r.checkpoints for r in facts])} checkpoints and "
        f"{median([r.follow_ups for r in facts])} follow-ups due in the last "
        f"{OVERDUE_LOOKBACK_DAYS} days ({median([r.open_follow_ups for r in facts])} of them open)"
    )
    if results.first is not None:
        print(
            f"first tick of the day: {refresh}; it made {results.refresh_created:,} new "
            "follow-ups (the horizon moved one day on)"
        )
    if server:
        print(
            "server CPU: the PostgreSQL backends of this database (outside this process; "
            "/proc counts in 10 ms steps)"
        )
    _report_plans(args, region, results)


def _report_plans(args: argparse.Namespace, region: Region, results: Results) -> None:
    postgres = results.backend.startswith("PostgreSQL")
    how = (
        "EXPLAIN (ANALYZE, BUFFERS): custom plan, then the generic plan"
        if postgres
        else ("EXPLAIN QUERY PLAN; ms: the statement run on its own")
    )
    print(
        f"\nthe tick's statements at {region.follow_ups:,} follow-ups and "
        f"{region.counts.get('deliveries', 0):,} past deliveries ({how}; each rolled back)"
    )
    print(f"{'phase':<6}{'statement':<64}{'rows':>7}{'ms':>9}  access")
    for plan in results.plans:
        rows = "" if plan.rows is None else str(plan.rows)
        print(f"{plan.phase:<6}{plan.description[:63]:<64}{rows:>7}{plan.ms:>9.2f}  {plan.access}")
        if plan.generic_access is not None and plan.generic_access != plan.access:
            print(f"{'':<86}generic: {plan.generic_access}")
    flagged = [
        (plan, table, kind)
        for plan in results.plans
        for kind, tables in (("", plan.full_scans), ("generic plan: ", plan.generic_full_scans))
        for table in tables
        if table in ("follow_ups", "deliveries")
    ]
    if flagged:
        for plan, table, kind in flagged:
            print(f"FULL SCAN of {table}: {kind}{plan.description}")
    else:
        print("no full scan of follow_ups or deliveries")
    other = sorted({t for p in results.plans for t in p.full_scans + p.generic_full_scans})
    if other:
        print(f"full scans of other tables: {', '.join(other)}")
    if args.show_plans:
        for plan in results.plans:
            print(f"\n--- {plan.phase}: {plan.description}\n{plan.plan}")
            if plan.generic_plan is not None:
                print(f"--- generic plan:\n{plan.generic_plan}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--follow-ups", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=300, help="follow-ups due in a loaded tick")
    parser.add_argument("--repeats", type=int, default=7, help="loaded ticks measured")
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL URL")
    parser.add_argument(
        "--history-deliveries",
        type=int,
        default=None,
        help="past deliveries in the outbox (default: a fifth of --follow-ups)",
    )
    parser.add_argument(
        "--refresh-follow-ups",
        type=int,
        default=None,
        help="time the first tick of the day (calendar refresh) on a separate region of this "
        "many follow-ups (default: on the measured region; 0: not at all)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--serving-heap",
        action="store_true",
        help="settle the heap first, as `kontraktsvakt serve` does (bot.app.settle_heap)",
    )
    parser.add_argument("--show-plans", action="store_true", help="print every query plan")
    args = parser.parse_args()
    separate = args.refresh_follow_ups not in (None, args.follow_ups) and args.refresh_follow_ups
    port = free_port()
    standin_process = start_server("bench.standin", str(port))
    standin = f"http://127.0.0.1:{port}/"
    try:
        wait_up(standin, standin_process)
        with (
            tempfile.TemporaryDirectory() as tmp,
            databases(
                args.database, Path(tmp), ["tick", "refresh"] if separate else ["tick"]
            ) as urls,
        ):
            engine = create_db_engine(urls["tick"])
            _progress(f"generating a region of {args.follow_ups:,} follow-ups …")
            history = args.history_deliveries
            region = populate(
                engine,
                args.follow_ups,
                standin,
                deliveries=args.follow_ups // 5 if history is None else history,
                seed=args.seed,
                log=_progress,
            )
            engine.dispose()
            _progress(f"  done in {region.write_seconds:.1f} s + {region.analyse_seconds:.1f} s")
            refresh_url: str | None = urls["tick"]
            refresh = "on the measured region"
            if separate:
                engine = create_db_engine(urls["refresh"])
                small = populate(
                    engine,
                    args.refresh_follow_ups,
                    standin,
                    deliveries=args.refresh_follow_ups // 5,
                    seed=args.seed,
                )
                engine.dispose()
                refresh_url = urls["refresh"]
                refresh = (
                    f"timed on a separate region of {small.follow_ups:,} follow-ups "
                    f"({small.contracts:,} contracts)"
                )
            elif args.refresh_follow_ups == 0:
                refresh_url = None
            results = asyncio.run(measure(args, urls["tick"], refresh_url, region, standin))
        report(args, region, results, refresh)
    finally:
        standin_process.terminate()
        standin_process.wait(10)


if __name__ == "__main__":
    main()
