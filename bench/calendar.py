"""Materialising the follow-up calendar for a large register.

Builds N contracts (default 100 000; 2 000 owners, 5 000 suppliers, every type, category and
risk, a third with options) in a fresh migrated database, then times
`refresh_plans_and_calendar` for all of them (checkpoints from the default plan, follow-ups for
13 months), and a second, idempotent run that changes nothing (the full refresh, as the daily
refresh did before it refreshed only what changed). Then the scheduler's daily refresh,
`refresh_what_changed`, on the next day with `--changed` contracts edited since (their
`updated_at` moved): it refreshes those and makes the follow-ups of the day that entered the
horizon; it is checked against a full refresh of a copy of the result (the same follow-ups).
The baseline, measured in the same run on the same database, is the raw cost of writing the same
number of follow-up rows with one Core `executemany` per 10 000 rows and nothing else: the ratio
says how close the whole plan and calendar computation comes to the speed of merely storing its
result.

Run: .venv/bin/python -m bench.calendar [--contracts 100000] [--changed 100] [--database URL]
     (a URL is a PostgreSQL server: a fresh database is made on it and dropped afterwards)
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, insert, select, update

from bench.reminders import databases
from followup.calendar.workdays import WorkingCalendar
from followup.models import Category, ContractStatus, ContractType, RiskLevel
from followup.plans.materialise import refresh_plans_and_calendar, refresh_what_changed
from followup.plans.plan_file import load_plan
from storage.db import create_db_engine, create_session_factory
from storage.tables import ContractRow, FollowUpRow, PersonRow, SupplierRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
WRITTEN = NOW - timedelta(days=1)
"""When the register was written: the day before the first refresh."""
BATCH = 10_000


def _populate(engine: Engine, contracts: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    owners = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(2000)]
    suppliers = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(5000)]
    with engine.begin() as conn:
        conn.execute(
            insert(PersonRow),
            [
                {
                    "id": pid,
                    "display_name": f"Eier {i}",
                    "email": f"eier{i}@example.kommune.no",
                    "roles": ["owner"],
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for i, pid in enumerate(owners)
            ],
        )
        conn.execute(
            insert(SupplierRow),
            [
                {"id": sid, "name": f"Leverandør {i}", "organisation_number": f"{900000000 + i}"}
                for i, sid in enumerate(suppliers)
            ],
        )
        rows = []
        for i in range(contracts):
            start = date(2023, 1, 1) + timedelta(days=rng.randrange(0, 1400))
            end = start + timedelta(days=rng.choice((365, 730, 1095, 1460)) - 1)
            options = (
                [(end + timedelta(days=365 * k)).isoformat() for k in (1, 2)]
                if rng.random() < 0.33
                else []
            )
            rows.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "reference": f"KOM-{2023 + i % 4}-{i:06d}",
                    "title": f"Kontrakt {i}",
                    "contract_type": rng.choice(list(ContractType)).value,
                    "category": rng.choice(list(Category)).value,
                    "supplier_id": rng.choice(suppliers),
                    "owner_id": rng.choice(owners),
                    "start_date": start,
                    "end_date": end,
                    "options": options,
                    "value_nok": int(10 ** rng.uniform(4.5, 7.5)),
                    "risk": rng.choices(list(RiskLevel), weights=(60, 30, 10))[0].value,
                    "status": ContractStatus.ACTIVE.value,
                    "public": True,
                    "ongoing": False,
                    "pay_and_conditions": rng.random() < 0.2,
                    "apprentices": rng.random() < 0.1,
                    "hms_card": rng.random() < 0.1,
                    "supply_chain": rng.random() < 0.1,
                    "created_at": WRITTEN,
                    "updated_at": WRITTEN,
                }
            )
            if len(rows) == BATCH:
                conn.execute(insert(ContractRow), rows)
                rows = []
        if rows:
            conn.execute(insert(ContractRow), rows)


def _follow_up_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(FollowUpRow)) or 0)


def _baseline(engine: Engine, template: list[dict[str, object]]) -> float:
    """Seconds to insert as many follow-up rows as materialising made (dated far ahead)."""
    rows = [dict(r, id=str(uuid.uuid4())) for r in template]
    started = time.perf_counter()
    with engine.begin() as conn:
        for offset in range(0, len(rows), BATCH):
            conn.execute(insert(FollowUpRow), rows[offset : offset + BATCH])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument(
        "--database",
        help="sqlite (the default: a fresh file), or a PostgreSQL server URL (a fresh database "
        "is made on it and dropped afterwards)",
    )
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument(
        "--changed", type=int, default=100, help="contracts edited before the next day's refresh"
    )
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        databases(args.database or "sqlite", Path(tmp), ["calendar"]) as urls,
    ):
        engine = create_db_engine(urls["calendar"])
        try:
            _run(engine, args.contracts, args.chunk, args.changed)
        finally:
            engine.dispose()


def _follow_up_keys(engine: Engine) -> set[tuple[str, object, str]]:
    with engine.connect() as conn:
        return {
            (r.checkpoint_id, r.due_date, r.state)
            for r in conn.execute(
                select(FollowUpRow.checkpoint_id, FollowUpRow.due_date, FollowUpRow.state)
            )
        }


def _touch(engine: Engine, count: int, at: datetime, seed: int = 11) -> None:
    """Edit `count` contracts at `at`: a later end date (their calendars change)."""
    with engine.begin() as conn:
        ends = {
            r.id: r.end_date for r in conn.execute(select(ContractRow.id, ContractRow.end_date))
        }
        for contract_id in random.Random(seed).sample(sorted(ends), min(count, len(ends))):
            end = ends[contract_id]
            conn.execute(
                update(ContractRow)
                .where(ContractRow.id == contract_id)
                .values(end_date=end + timedelta(days=200) if end else None, updated_at=at)
            )


def _run(engine: Engine, contracts: int, chunk: int, changed: int = 100) -> None:
    started = time.perf_counter()
    _populate(engine, contracts)
    print(f"register of {contracts} contracts written in {time.perf_counter() - started:.1f} s")
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    plan = load_plan()
    calendar = WorkingCalendar()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    started = time.perf_counter()
    report = refresh_plans_and_calendar(factory, NOW, plan, calendar=calendar, chunk_size=chunk)
    first = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    started = time.perf_counter()
    again = refresh_plans_and_calendar(factory, NOW, plan, calendar=calendar, chunk_size=chunk)
    second = time.perf_counter() - started

    # The next day: a few contracts edited, then the scheduler's daily refresh.
    tomorrow = NOW + timedelta(days=1)
    _touch(engine, changed, tomorrow - timedelta(hours=6))
    started = time.perf_counter()
    daily = refresh_what_changed(factory, tomorrow, plan, calendar=calendar, chunk_size=chunk)
    incremental = time.perf_counter() - started
    after_incremental = _follow_up_count(engine)
    keys = _follow_up_keys(engine)
    started = time.perf_counter()
    check = refresh_plans_and_calendar(factory, tomorrow, plan, calendar=calendar, chunk_size=chunk)
    full_next_day = time.perf_counter() - started
    same = (
        check.calendar.created == 0
        and check.calendar.removed == 0
        and _follow_up_keys(engine) == keys
    )

    made = _follow_up_count(engine)
    with engine.connect() as conn:
        template = [
            {
                "checkpoint_id": r.checkpoint_id,
                "contract_id": r.contract_id,
                "due_date": r.due_date + timedelta(days=4000),
                "state": r.state,
                "next_action_at": r.next_action_at,
                "reminder_step": 0,
            }
            for r in conn.execute(select(FollowUpRow))
        ]
    baseline = _baseline(engine, template)

    print(f"database: {engine.url.get_backend_name()}, chunk {chunk} contracts")
    print(f"{'run':<34}{'seconds':>9}{'contracts/s':>13}{'follow-ups/s':>14}{'of baseline':>13}")
    print(
        f"{'raw insert of the rows (baseline)':<34}{baseline:>9.1f}{'':>13}"
        f"{made / baseline:>14,.0f}{'100 %':>13}"
    )
    print(
        f"{'plans + calendar, first run':<34}{first:>9.1f}{contracts / first:>13,.0f}"
        f"{report.calendar.created / first:>14,.0f}{100 * baseline / first:>11.0f} %"
    )
    print(
        f"{'again, nothing to change':<34}{second:>9.1f}{contracts / second:>13,.0f}"
        f"{'':>14}{100 * baseline / second:>11.0f} %"
    )
    print(
        f"{'next day, full refresh':<34}{full_next_day:>9.1f}{contracts / full_next_day:>13,.0f}"
        f"{'':>14}{100 * baseline / full_next_day:>11.0f} %"
    )
    print(
        f"{'next day, only what changed':<34}{incremental:>9.1f}"
        f"{contracts / incremental:>13,.0f}{'':>14}{100 * baseline / incremental:>11.0f} %"
    )
    print(
        f"the daily refresh after {changed} contracts changed: {daily.contracts} contracts "
        f"refreshed, {daily.horizon_days} day(s) new to the horizon, "
        f"{daily.calendar.created} follow-ups created, {daily.calendar.removed} removed "
        f"({after_incremental:,} in all); a full refresh after it created "
        f"{check.calendar.created} and removed {check.calendar.removed}: "
        f"{'the same follow-ups' if same else 'DIFFERENT follow-ups'}"
    )
    print(
        f"checkpoints: {report.checkpoints_created}, follow-ups: {report.calendar.created} "
        f"(second run created {again.calendar.created}, removed {again.calendar.removed}); "
        f"peak RSS grew {(rss_after - rss_before) / 1024:.0f} MB during the first run"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
