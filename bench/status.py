"""Procurement's questions at region scale: status, overdue, deviations, exports.

Fills a fresh database with `bench.region_data.populate_region` (default 100 000 contracts and
1 000 000 follow-ups, with answers, deviations and documents), then times each question in
process, through the domain functions and the SQLAlchemy unit of work exactly as the bot calls
them (a new unit of work per question, as per chat command), repeated: median and p95.

The baseline, measured in the same run: one contract read by primary key in its own unit of
work (the least a chat command costs); each question is shown as a multiple of it. The export is
also compared with writing the same number of rows, already in memory, to the same kind of file
(what the database adds to an export).

Run: .venv/bin/python -m bench.status [--contracts 100000] [--follow-ups 1000000]
     [--repeat 30] [--database sqlite|URL] [--explain] [--kept [--cache /tmp/kv-bench]]
     (a URL is a PostgreSQL server: a throwaway database is made on it and dropped afterwards;
     with --kept, the region database `bench.region_cache` keeps is used, made once and
     migrated to the current schema, as bench/portfolio_http.py uses it)
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, func, select, text

from bench.import_contracts import fresh_database
from bench.region_cache import DEFAULT_CACHE, region_database
from bench.region_data import NOW, RegionFacts, RegionSize, populate_region
from followup.access import resolve_viewer
from followup.portfolio import (
    export_rows,
    list_deviations,
    list_overdue,
    portfolio_status,
    resolve_status_target,
    status_for,
)
from followup.views import (
    ExportKind,
    ExportQuery,
    PageRequest,
    Scope,
    StatusTarget,
    StatusWindow,
    TargetKind,
)
from storage.db import create_db_engine, create_session_factory
from storage.export_files import write_csv, write_xlsx
from storage.portfolio_queries import (
    C,
    F,
    is_due,
    is_escalated,
    is_followed_up,
    is_on_time,
    is_overdue,
)
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

EXPORT_ROWS: Final = 10_000
AIM_MS: Final = 50.0
EXPORT_AIM_S: Final = 5.0


@dataclass(frozen=True, slots=True)
class Timing:
    name: str
    seconds: Sequence[float]
    rows: int

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


def _time(name: str, repeat: int, run: Callable[[], int]) -> Timing:
    run()  # warm up (plans cached, pages in memory)
    seconds = []
    rows = 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = run()
        seconds.append(time.perf_counter() - started)
    return Timing(name, seconds, rows)


def measure(engine: Engine, facts: RegionFacts, repeat: int) -> list[Timing]:
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    today = facts.today
    everything = Scope.everything()
    with factory() as uow:
        owner_scope = resolve_viewer(uow, facts.busiest_owner_id, today).scope
        typical_scope = resolve_viewer(uow, facts.typical_owner_id, today).scope
        first_page = list_overdue(uow, everything, today, PageRequest(size=10))
        sample = uow.contracts.by_reference(facts.sample_reference)
        assert sample is not None

        def contracts(*where: Any) -> int:
            return int(uow.session.scalar(select(func.count()).select_from(C).where(*where)) or 0)

        sizes = {
            "largest owner": contracts(C.c.owner_id == facts.busiest_owner_id),
            "typical owner": contracts(C.c.owner_id == facts.typical_owner_id),
            "largest supplier": contracts(C.c.supplier_id == facts.busiest_supplier_id),
            "typical supplier": contracts(C.c.supplier_id == facts.typical_supplier_id),
            "largest unit": contracts(C.c.unit == facts.busiest_unit),
        }
    supplier = StatusTarget(TargetKind.SUPPLIER, facts.busiest_supplier_id, "")
    typical_supplier = StatusTarget(TargetKind.SUPPLIER, facts.typical_supplier_id, "")
    unit = StatusTarget(TargetKind.UNIT, facts.busiest_unit, facts.busiest_unit)

    def sized(text: str, who: str) -> str:
        return f"{text} ({sizes[who]} c.)"

    contract = StatusTarget(TargetKind.CONTRACT, sample.id, sample.reference)

    def in_uow(question: Callable[[Any], int]) -> Callable[[], int]:
        def run() -> int:
            with factory() as uow:
                return question(uow)

        return run

    def export(kind: str) -> Callable[[Any], int]:
        def run(uow: Any) -> int:
            query = ExportQuery(ExportKind.FORFALT, today)
            rows = itertools.islice(export_rows(uow, query, everything), EXPORT_ROWS)
            out = io.BytesIO()
            if kind == "xlsx":
                return write_xlsx(rows, query.columns, out)
            return write_csv(rows, query.columns, out)

        return run

    with factory() as uow:
        query = ExportQuery(ExportKind.FORFALT, today)
        in_memory = list(itertools.islice(export_rows(uow, query, everything), EXPORT_ROWS))
    # (Rows to write again and again: a list is iterable any number of times.)

    def status(scope: Scope) -> Callable[[Any], int]:
        return lambda uow: portfolio_status(uow, scope, today).counts.overdue

    def status_of(target: StatusTarget) -> Callable[[Any], int]:
        return lambda uow: _overdue_of(status_for(uow, target, everything, today))

    def overdue(scope: Scope, cursor: str | None = None) -> Callable[[Any], int]:
        return lambda uow: len(list_overdue(uow, scope, today, PageRequest(cursor, 10)).items)

    def resolve(uow: Any) -> int:
        found = resolve_status_target(uow, facts.busiest_supplier_name, everything)
        return len(found.candidates) + 1

    def deviations(uow: Any) -> int:
        return len(list_deviations(uow, everything).page.items)

    def baseline(uow: Any) -> int:
        return int(uow.contracts.get(sample.id) is not None)

    few = max(3, repeat // 6)
    columns = query.columns
    questions: list[tuple[str, int, Callable[[], int]]] = [
        ("baseline: contract by key", repeat, in_uow(baseline)),
        ("status, whole portfolio", repeat, in_uow(status(everything))),
        (sized("status, largest owner", "largest owner"), repeat, in_uow(status(owner_scope))),
        (sized("status, typical owner", "typical owner"), repeat, in_uow(status(typical_scope))),
        (
            sized("status for largest supplier", "largest supplier"),
            repeat,
            in_uow(status_of(supplier)),
        ),
        (
            sized("status for typical supplier", "typical supplier"),
            repeat,
            in_uow(status_of(typical_supplier)),
        ),
        (sized("status for largest unit", "largest unit"), repeat, in_uow(status_of(unit))),
        ("status for one contract", repeat, in_uow(status_of(contract))),
        ("resolve 'status <supplier name>'", repeat, in_uow(resolve)),
        ("overdue, first page", repeat, in_uow(overdue(everything))),
        ("overdue, next page (mer)", repeat, in_uow(overdue(everything, first_page.next_cursor))),
        (sized("overdue, largest owner", "largest owner"), repeat, in_uow(overdue(owner_scope))),
        ("open deviations, first page", repeat, in_uow(deviations)),
        (
            "in memory: 10 000 rows to xlsx",
            few,
            lambda: write_xlsx(in_memory, columns, io.BytesIO()),
        ),
        ("export overdue, 10 000 rows, xlsx", few, in_uow(export("xlsx"))),
        ("in memory: 10 000 rows to csv", few, lambda: write_csv(in_memory, columns, io.BytesIO())),
        ("export overdue, 10 000 rows, csv", few, in_uow(export("csv"))),
    ]
    return [_time(name, times, run) for name, times, run in questions]


def _overdue_of(found: Any) -> int:
    status = getattr(found, "status", found)
    return int(status.counts.overdue)


def explain(engine: Engine, facts: RegionFacts) -> None:
    """PostgreSQL's plans for the main counts (EXPLAIN ANALYZE), to check the indexes."""
    if engine.dialect.name != "postgresql":
        return
    today = facts.today
    window = StatusWindow.for_today(today)
    answered = is_due(window.period_start, window.period_end)
    statements = {
        "overdue count": select(func.count()).select_from(F).where(is_overdue(today)),
        "escalated count": select(func.count()).select_from(F).where(is_escalated(today)),
        "answered on time, 90 days": select(func.count())
        .select_from(F)
        .where(answered, is_on_time()),
        "contracts followed up": select(func.count()).select_from(C).where(is_followed_up()),
        "overdue, first page": select(F.c.id, F.c.due_date)
        .where(is_overdue(today))
        .order_by(F.c.due_date, F.c.id)
        .limit(11),
    }
    with engine.connect() as conn:
        for name, statement in statements.items():
            print(f"-- {name}")
            sql = statement.compile(engine, compile_kwargs={"literal_binds": True})
            for (line,) in conn.execute(text(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}")):
                print(f"   {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--follow-ups", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL URL")
    parser.add_argument("--explain", action="store_true", help="print PostgreSQL's plans")
    parser.add_argument(
        "--kept", action="store_true", help="use the region database bench.region_cache keeps"
    )
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()
    size = RegionSize(contracts=args.contracts, follow_ups=args.follow_ups)
    if args.kept:
        kept = region_database(args.database, size, args.cache)
        facts = kept.facts
        engine = create_db_engine(kept.url)
        try:
            load_before = os.getloadavg()[0]
            timings = measure(engine, facts, args.repeat)
            load_after = os.getloadavg()[0]
            if args.explain:
                explain(engine, facts)
        finally:
            engine.dispose()
        report(args.database, facts, timings, (load_before, load_after))
        return
    with tempfile.TemporaryDirectory() as tmp:
        database = fresh_database(args.database, Path(tmp))
        engine = create_db_engine(database.url)
        try:
            print(
                f"generating {size.contracts} contracts, {size.follow_ups} follow-ups ...",
                file=sys.stderr,
            )
            facts = populate_region(engine, size, now=NOW, log=lambda m: print(m, file=sys.stderr))
            load_before = os.getloadavg()[0]
            timings = measure(engine, facts, args.repeat)
            load_after = os.getloadavg()[0]
            if args.explain:
                explain(engine, facts)
        finally:
            engine.dispose()
            database.close()
    report(args.database, facts, timings, (load_before, load_after))


def report(
    database: str, facts: RegionFacts, timings: Sequence[Timing], load: tuple[float, float]
) -> None:
    load_before, load_after = load
    store = "SQLite" if database == "sqlite" else "PostgreSQL"
    counts = ", ".join(f"{k} {v}" for k, v in facts.counts.items())
    print(
        f"portfolio questions on {store}, cpus={os.cpu_count()}, load average while measuring "
        f"{load_before:.1f} → {load_after:.1f} (other processes share the cores)"
    )
    print(f"data: {counts}; generated and analysed in {facts.seconds:.0f} s")
    print(
        f"{'question':<46}{'median ms':>11}{'p95 ms':>9}{'x baseline':>12}{'added ms':>10}"
        f"{'rows':>8}"
    )
    baseline = timings[0].median_ms
    for t in timings:
        ratio, added = t.median_ms / baseline, t.median_ms - baseline
        print(
            f"{t.name:<46}{t.median_ms:>11.1f}{t.p95_ms:>9.1f}{ratio:>12.1f}{added:>10.1f}"
            f"{t.rows:>8}"
        )
    questions = [t for t in timings[1:] if "10 000" not in t.name]
    slowest = max(questions, key=lambda t: t.median_ms)
    verdict = "met" if slowest.median_ms < AIM_MS else "NOT met"
    print(
        f"aim: every question under {AIM_MS:.0f} ms median: {verdict} "
        f"(slowest: {slowest.name}, {slowest.median_ms:.1f} ms)"
    )
    exports = [t for t in timings if t.name.startswith("export")]
    verdict = "met" if all(t.median_ms / 1000 < EXPORT_AIM_S for t in exports) else "NOT met"
    print(f"aim: a 10 000-row export in under {EXPORT_AIM_S:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
