"""`kontraktsvakt audit verify` over a region: how long the nightly check of the audit trail takes.

Setup (not measured): a fresh migrated database (a SQLite file, or a new database on a
PostgreSQL server, dropped afterwards) is filled with a region by `bench.region_data.
populate_region` (default 100 000 contracts, 1 000 000 follow-ups with their answers,
deviations and documents). That data set writes no audit events, so `--events` (default
1 000 000) are appended through the real audit log (`storage.audit_log`, the unit of work's
commit: chained, hashed, 1 000 per transaction as a register import does), spread over the
18 months of the region's history: answers given (with comment and on whose behalf), contract
fields changed (before → after), deviations reported (a description), reminder settings, roles.
The append rate of that bulk load is printed (it is not the benchmark).

Measured, in this process, alternately `--repeats` times each:

1. the baseline: the same rows read the same way (the `seq` index, keyset batches of
   `--batch`, the same columns through the same column types), without linking or hashing;
2. `verify_audit_trail`, what `kontraktsvakt audit verify` runs: the same reading, each
   event's canonical content and SHA-256, the chain and the head.

Printed: events/s and seconds of each (the median of the repeats; and the process's CPU
seconds), the ratio of (2) to (1), and this process's RSS before and its peak while measuring
(memory stays flat: one batch at a time).

Then the cost of one append: `--appends` transactions of one audit event each through the
unit of work (the chain: hashing, the head taken under its lock, the insert, the head moved)
against the same number of one-row transactions inserting the same row into a copy of the
table without chaining (the baseline: what an append cost before the chain).

Run: .venv/bin/python -m bench.audit_verify [--database sqlite|URL] [--events 1000000]
     [--contracts 100000] [--follow-ups 1000000] [--repeats 3] [--batch 10000] [--appends 1000]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, column, func, insert, select, table, text

from bench.import_contracts import fresh_database
from bench.region_data import NOW, RegionFacts, RegionSize, populate_region
from followup.models import AuditEvent
from storage.audit_log import AU, LINK_COLUMNS, VERIFY_BATCH, verify_audit_trail
from storage.db import create_db_engine, create_session_factory
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

PER_TRANSACTION: Final = 1_000
HISTORY: Final = timedelta(days=540)
WORDS: Final = (
    "leveranse", "mangler", "timelister", "egenrapport", "lønnsslipper", "HMS-kort", "avvik",
    "oppfølging", "kontrollert", "mottatt", "purret", "underleverandør", "skatteattest", "for",
    "sent", "ikke", "i", "henhold", "til", "avtalen", "fakturert", "levert", "delvis", "og",
)  # fmt: skip


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _event(rng: random.Random, number: int, total: int, people: list[str], contracts: int) -> Any:
    """One audit event as the services write them, `number` of `total` (oldest first)."""
    at = NOW - HISTORY + HISTORY * (number / max(1, total)) + timedelta(microseconds=number % 997)
    person = rng.choice(people)
    contract = f"{3:08x}-0000-4000-8000-{rng.randrange(contracts):012x}"
    follow_up = f"{5:08x}-0000-4000-8000-{rng.randrange(contracts * 10):012x}"
    kind = rng.random()
    if kind < 0.6:
        return AuditEvent(
            at=at, actor=f"person:{person}", action="answer.given", entity="follow_up",
            entity_id=follow_up, before=None,
            after={"kind": rng.choice(("delivered", "partial", "not_delivered")),
                   "version": 1 + (number % 23 == 0), "comment": _text(rng, rng.randrange(0, 14)),
                   "on_behalf_of_id": rng.choice(people) if rng.random() < 0.1 else None,
                   "source_activity_id": f"1:{number:x}"},
        )  # fmt: skip
    if kind < 0.8:
        return AuditEvent(
            at=at, actor=f"import:register-{number // 50_000}.csv", action="contract.updated",
            entity="contract", entity_id=contract,
            before={"title": _text(rng, 4), "end_date": "2027-12-31", "value_nok": 1_250_000},
            after={"title": _text(rng, 4), "end_date": "2028-12-31", "value_nok": 1_400_000},
        )  # fmt: skip
    if kind < 0.9:
        return AuditEvent(
            at=at, actor=f"person:{person}", action="deviation.reported", entity="deviation",
            entity_id=f"{8:08x}-0000-4000-8000-{number:012x}", before=None,
            after={"category": "lønns_og_arbeidsvilkår", "severity": "høy",
                   "occurred_on": "2026-03-14", "contract_id": contract,
                   "description": _text(rng, rng.randrange(10, 40))},
        )  # fmt: skip
    if kind < 0.98:
        return AuditEvent(
            at=at, actor=f"person:{person}", action="person.reminders", entity="person",
            entity_id=person, before={"reminders_paused": False},
            after={"reminders_paused": True},
        )  # fmt: skip
    return AuditEvent(
        at=at, actor=rng.choice(people), action="role.granted", entity="person",
        entity_id=rng.choice(people), before={"roles": ["owner"]},
        after={"roles": ["owner", "procurement"]},
    )  # fmt: skip


def append_events(engine: Engine, facts: RegionFacts, size: RegionSize, count: int) -> float:
    """Append `count` events through the unit of work, a thousand per transaction; seconds."""
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    rng = random.Random(2026)
    people = facts.owner_ids + facts.procurement_ids
    started = time.perf_counter()
    for first in range(0, count, PER_TRANSACTION):
        batch = [
            _event(rng, n, count, people, size.contracts)
            for n in range(first, min(first + PER_TRANSACTION, count))
        ]
        with factory() as uow:
            uow.audit.append_many(batch)
            uow.commit()
        if (first // PER_TRANSACTION) % 100 == 99:
            _log(f"  {first + PER_TRANSACTION} audit events appended "
                 f"({time.perf_counter() - started:.0f} s)")  # fmt: skip
    return time.perf_counter() - started


# --- the measurement --------------------------------------------------------------------------


@dataclass(slots=True)
class Run:
    seconds: list[float]
    cpu: list[float]
    events: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


def _plain_rows(engine: Engine, up_to: int, batch: int) -> Iterator[Any]:
    """The baseline: the rows `read_chain` reads, the same way, and nothing done with them."""
    with engine.connect() as connection:
        after = 0
        while True:
            rows = connection.execute(
                select(*LINK_COLUMNS)
                .where(AU.c.seq > after, AU.c.seq <= up_to)
                .order_by(AU.c.seq)
                .limit(batch)
            ).all()
            yield from rows
            if len(rows) < batch:
                return
            after = rows[-1][0]


def measure(engine: Engine, repeats: int, batch: int) -> tuple[Run, Run]:
    with engine.connect() as connection:
        up_to = int(connection.execute(select(func.max(AU.c.seq))).scalar_one() or 0)
    baseline, verified = Run([], []), Run([], [])
    for _ in range(repeats):
        started, cpu = time.perf_counter(), time.process_time()
        baseline.events = sum(1 for _ in _plain_rows(engine, up_to, batch))
        baseline.seconds.append(time.perf_counter() - started)
        baseline.cpu.append(time.process_time() - cpu)
        started, cpu = time.perf_counter(), time.process_time()
        report = verify_audit_trail(engine, batch=batch)
        verified.seconds.append(time.perf_counter() - started)
        verified.cpu.append(time.process_time() - cpu)
        if not report.ok:
            raise SystemExit(f"the chain does not verify: {report.problem}")
        verified.events = report.checked
    return baseline, verified


def _memory_mb(field: str) -> float:
    """`VmRSS` or `VmHWM` (the peak since `_reset_peak`) of this process, Linux only."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    """Start `VmHWM` again from the current RSS (Linux: `clear_refs` 5)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def measure_appends(engine: Engine, count: int) -> tuple[float, float]:
    """Seconds for `count` one-event transactions: plain inserts into a copy of the table
    (no chain), then through the unit of work (the chain)."""
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_audit_plain"))
        if postgres:
            conn.execute(
                text(
                    "CREATE TABLE bench_audit_plain (LIKE audit_events INCLUDING DEFAULTS "
                    "INCLUDING CONSTRAINTS INCLUDING INDEXES)"
                )
            )
        else:
            conn.execute(
                text("CREATE TABLE bench_audit_plain AS SELECT * FROM audit_events WHERE 0")
            )
            conn.execute(text("CREATE UNIQUE INDEX bench_plain_id ON bench_audit_plain (id)"))
            conn.execute(text("CREATE UNIQUE INDEX bench_plain_seq ON bench_audit_plain (seq)"))
            conn.execute(text("CREATE INDEX bench_plain_at ON bench_audit_plain (at)"))
            conn.execute(
                text("CREATE INDEX bench_plain_entity ON bench_audit_plain (entity, entity_id)")
            )
    rng = random.Random(7)
    people = [f"p{n}" for n in range(100)]
    events = [_event(rng, n, count, people, 1000) for n in range(count)]
    plain = table("bench_audit_plain", *(column(c.name, c.type) for c in AU.c))
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    try:
        started = time.perf_counter()
        for seq, event in enumerate(events, start=1):
            row = event.model_dump() | {"seq": seq, "prev_hash": "0" * 64, "hash": "0" * 64}
            with factory() as uow:  # as an append was before the chain: one insert
                uow.session.execute(insert(plain), row)
                uow.commit()
        plain_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for event in events:
            with factory() as uow:
                uow.audit.append(event)
                uow.commit()
        chained_seconds = time.perf_counter() - started
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS bench_audit_plain"))
    return plain_seconds, chained_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL URL")
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--follow-ups", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=VERIFY_BATCH)
    parser.add_argument("--appends", type=int, default=1_000)
    args = parser.parse_args()
    size = RegionSize(contracts=args.contracts, follow_ups=args.follow_ups)
    store = "SQLite" if args.database == "sqlite" else "PostgreSQL"
    with tempfile.TemporaryDirectory() as tmp:
        database = fresh_database(args.database, Path(tmp))
        engine = create_db_engine(database.url)
        try:
            _log(f"generating {size.contracts} contracts, {size.follow_ups} follow-ups ...")
            facts = populate_region(engine, size, now=NOW, log=_log)
            with engine.connect() as conn:
                region_events = int(conn.execute(select(func.count()).select_from(AU)).scalar_one())
            _log(f"the region has {region_events} audit events; appending {args.events} ...")
            append_seconds = append_events(engine, facts, size, args.events)
            if engine.dialect.name == "postgresql":
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("VACUUM ANALYZE audit_events"))
            load_before = os.getloadavg()[0]
            _reset_peak()
            rss_before = _memory_mb("VmRSS")
            baseline, verified = measure(engine, args.repeats, args.batch)
            rss_peak = _memory_mb("VmHWM")
            load_after = os.getloadavg()[0]
            plain_seconds, chained_seconds = measure_appends(engine, args.appends)
        finally:
            engine.dispose()
            database.close()
    counts = ", ".join(f"{k} {v}" for k, v in facts.counts.items())
    print(
        f"audit verify on {store}, cpus={os.cpu_count()}, load average while measuring "
        f"{load_before:.1f} → {load_after:.1f}"
    )
    print(f"data: {counts}; audit events in the region data set: {region_events}")
    print(
        f"appended {args.events} audit events through the unit of work, {PER_TRANSACTION} per "
        f"transaction: {append_seconds:.1f} s ({args.events / append_seconds:,.0f} events/s)"
    )
    print(f"{'run':<44}{'events':>10}{'seconds':>9}{'events/s':>11}{'cpu s':>8}{'x base':>8}")
    for name, run in (
        (f"baseline: SELECT the same rows (batch {args.batch})", baseline),
        ("audit verify (hash, chain, head)", verified),
    ):
        print(
            f"{name:<44}{run.events:>10}{run.median:>9.2f}{run.events / run.median:>11,.0f}"
            f"{run.cpu_median:>8.2f}{run.median / baseline.median:>8.2f}"
        )
    print(
        f"memory while measuring: RSS {rss_before:.0f} MB before, peak {rss_peak:.0f} MB "
        f"(one batch of {args.batch} rows at a time)"
    )
    per_plain = plain_seconds / args.appends * 1000
    per_chained = chained_seconds / args.appends * 1000
    print(
        f"one audit event per transaction, {args.appends} transactions: plain insert "
        f"{per_plain:.2f} ms, through the chain {per_chained:.2f} ms "
        f"({per_chained / per_plain:.2f}x)"
    )


if __name__ == "__main__":
    main()
