"""The 10 000-row export (`eksport forfalt fra … til …`) in process, stage by stage.

The data is `bench.region_cache`'s region, made once and kept (default 20 000 contracts and
200 000 follow-ups: about 20 s to make on either store; `--contracts 100000 --follow-ups
1000000` is the region `bench/portfolio_http.py` keeps). The export is the one
`bench/portfolio_http.py` asks for: the overdue follow-ups of the whole portfolio (a procurement
member's scope) due in the period that holds the oldest 10 000 of them.

Measured in rounds, every stage once per round, so that a busy machine slows them alike (the
median and the best of `--repeat` rounds, after one warm-up round):

1. the baseline: the rows, already in memory, written as CSV (`write_csv`);
2. rows: the query and the row builders (`followup.portfolio.export_rows`, read to the end);
3. xlsx: the rows, already in memory, written as xlsx (`write_xlsx`): the writer alone;
4. export xlsx: what the bot runs (`followup.exports.prepare_export` into a folder store):
   query, rows and file, the rows read ahead in a thread while the sheet is written
   (`storage.read_ahead`);
5. export csv: the same as CSV (the rows read at once, as in stage 2).

Printed: milliseconds, each as a multiple of the baseline, rows per second; whether the xlsx
export stays under the aim of 0.7 s; the load average (other processes share the cores). On
Linux, from the measuring thread's `/proc/thread-self/schedstat`, also the median of

- *unqueued*: the milliseconds less the time the thread was ready to run but waited for a core
  (other processes on a busy machine): about what the stage takes when the cores are free;
- *waited*: the time it neither ran nor was ready to run: for the database, or for rows read
  ahead in another thread (`storage.read_ahead`).
`--explain` prints the export query's plans as the exports run it (on PostgreSQL a cursor,
`EXPLAIN ANALYZE DECLARE`, with the settings the export's transaction has); `--profile` the
functions one xlsx export spends its time in (cProfile).

Run: .venv/bin/python -m bench.export [--database sqlite|URL] [--repeat 7]
        [--contracts 20000] [--follow-ups 200000] [--cache /tmp/kv-bench] [--fresh]
        [--explain] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Final

from sqlalchemy import func, select, text

from bench.region_cache import DEFAULT_CACHE, RegionDatabase, region_database
from bench.region_data import NOW, RegionSize
from followup.exports import ExportFormat, prepare_export
from followup.portfolio import export_rows
from followup.views import ExportKind, ExportQuery, ExportRow, Scope
from storage.db import create_db_engine, create_session_factory
from storage.export_files import write_csv, write_xlsx
from storage.export_store import FolderExportStore
from storage.portfolio_queries import F, export_select, is_overdue
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

EXPORT_ROWS: Final = 10_000
AIM_S: Final = 0.7
EVERYTHING: Final = Scope.everything()


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    run: Callable[[], int]
    seconds: list[float]
    unqueued: list[float] = field(default_factory=list)
    """Seconds of each round less those the measuring thread waited for a core."""
    waited: list[float] = field(default_factory=list)
    """Seconds of each round the measuring thread neither ran nor was ready to run."""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


SCHEDSTAT: Final = Path("/proc/thread-self/schedstat")


def thread_times() -> tuple[float, float] | None:
    """This thread's seconds on a core and waiting for one (Linux), or None."""
    try:
        running, ready, _ = SCHEDSTAT.read_text().split()
    except (OSError, ValueError):
        return None
    return int(running) / 1e9, int(ready) / 1e9


def export_query(uow_factory: SqlAlchemyUnitOfWorkFactory, today: date) -> ExportQuery:
    """FORFALT from the oldest overdue follow-up's due date to the 10 000th one's."""
    overdue = is_overdue(today)
    with uow_factory() as uow:
        first = uow.session.scalar(select(func.min(F.c.due_date)).where(overdue))
        last = uow.session.scalar(
            select(F.c.due_date)
            .where(overdue)
            .order_by(F.c.due_date, F.c.id)
            .offset(EXPORT_ROWS - 1)
            .limit(1)
        ) or uow.session.scalar(select(func.max(F.c.due_date)).where(overdue))
    if first is None or last is None:
        raise SystemExit("no overdue follow-ups in this region")
    return ExportQuery(ExportKind.FORFALT, today, from_date=first, to_date=last)


def stages(
    uow_factory: SqlAlchemyUnitOfWorkFactory, query: ExportQuery, folder: Path
) -> list[Stage]:
    with uow_factory() as uow:
        in_memory: list[ExportRow] = list(export_rows(uow, query, EVERYTHING))
    store = FolderExportStore(folder)

    def rows() -> int:
        with uow_factory() as uow:
            return sum(1 for _ in export_rows(uow, query, EVERYTHING))

    def export(export_format: ExportFormat) -> Callable[[], int]:
        def run() -> int:
            with uow_factory() as uow:
                made = prepare_export(
                    uow, store, query, EVERYTHING, export_format, person_id="bench",
                    conversation_id="bench", now=NOW, lifetime=timedelta(hours=1),
                    sheet_title="Forfalt",
                )  # fmt: skip
            assert made is not None
            store.delete(made.id)
            return made.rows

        return run

    return [
        Stage("baseline: rows in memory to csv", lambda: write_csv(in_memory, query.columns,
                                                                   io.BytesIO()), []),
        Stage("rows: query and row builders", rows, []),
        Stage("xlsx: rows in memory to xlsx", lambda: write_xlsx(in_memory, query.columns,
                                                                 io.BytesIO()), []),
        Stage("export xlsx (query, rows, file)", export(ExportFormat.XLSX), []),
        Stage("export csv (query, rows, file)", export(ExportFormat.CSV), []),
    ]  # fmt: skip


def measure(all_stages: list[Stage], repeat: int) -> int:
    rows = 0
    for round_ in range(repeat + 1):
        for stage in all_stages:
            before = thread_times()
            started = time.perf_counter()
            rows = stage.run()
            seconds = time.perf_counter() - started
            after = thread_times()
            if round_:  # the first round warms up (plans, pages, imports)
                stage.seconds.append(seconds)
                if before is not None and after is not None:
                    running, queued = after[0] - before[0], after[1] - before[1]
                    stage.unqueued.append(seconds - queued)
                    stage.waited.append(max(0.0, seconds - running - queued))
    return rows


def explain(uow_factory: SqlAlchemyUnitOfWorkFactory, query: ExportQuery) -> None:
    """The export query's plans, in transactions set up as the export's (its settings): read at
    once (CSV) and read ahead (xlsx)."""
    for read_ahead, how in ((False, "read at once (csv)"), (True, "read ahead (xlsx)")):
        print(f"plan, {how}:")
        with uow_factory() as uow:
            # The export's settings (the rows are closed at once).
            next(iter(export_rows(uow, query, EVERYTHING, read_ahead=read_ahead)), None)
            statement = export_select(query, EVERYTHING)
            bind = uow.session.get_bind()
            sql = str(statement.compile(bind, compile_kwargs={"literal_binds": True}))
            if bind.dialect.name == "postgresql":
                plan = f"EXPLAIN (ANALYZE, BUFFERS) DECLARE bench_export CURSOR FOR {sql}"
            else:
                plan = f"EXPLAIN QUERY PLAN {sql}"
            for line in uow.session.execute(text(plan)):
                print(f"   {line[-1]}")


def profile(run: Callable[[], int]) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(run)
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(15)


def report(region: RegionDatabase, query: ExportQuery, rows: int, all_stages: list[Stage],
           load: tuple[float, float]) -> None:  # fmt: skip
    counts = region.facts.counts
    print(
        f"export forfalt {query.from_date} – {query.to_date} on {region.store}: {rows} rows "
        f"({counts['contracts']} contracts, {counts['follow_ups']} follow-ups); "
        f"cpus={os.cpu_count()}, load average {load[0]:.1f} → {load[1]:.1f}"
    )
    baseline = all_stages[0].median
    print(
        f"{'stage':<36}{'median ms':>11}{'best ms':>9}{'x baseline':>12}{'rows/s':>10}"
        f"{'unqueued':>10}{'waited':>8}"
    )
    for stage in all_stages:
        schedstat = ""
        if stage.waited:
            schedstat = (
                f"{statistics.median(stage.unqueued) * 1000:>10.0f}"
                f"{statistics.median(stage.waited) * 1000:>8.0f}"
            )
        print(
            f"{stage.name:<36}{stage.median * 1000:>11.0f}{min(stage.seconds) * 1000:>9.0f}"
            f"{stage.median / baseline:>12.1f}{rows / stage.median:>10,.0f}{schedstat}"
        )
    export = next(s for s in all_stages if s.name.startswith("export xlsx"))
    verdict = "met" if export.median < AIM_S else "NOT met"
    print(f"aim: the xlsx export under {AIM_S} s: {verdict} ({export.median:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL URL")
    parser.add_argument("--contracts", type=int, default=20_000)
    parser.add_argument("--follow-ups", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--fresh", action="store_true", help="generate the data again")
    parser.add_argument("--explain", action="store_true", help="print the query's plan")
    parser.add_argument("--profile", action="store_true", help="profile one xlsx export")
    args = parser.parse_args()
    size = RegionSize(contracts=args.contracts, follow_ups=args.follow_ups)
    region = region_database(args.database, size, args.cache, fresh=args.fresh)
    engine = create_db_engine(region.url)
    uow_factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    try:
        query = export_query(uow_factory, region.facts.today)
        with tempfile.TemporaryDirectory() as folder:
            all_stages = stages(uow_factory, query, Path(folder))
            before = os.getloadavg()[0]
            rows = measure(all_stages, args.repeat)
            load = (before, os.getloadavg()[0])
            report(region, query, rows, all_stages, load)
            if args.explain:
                explain(uow_factory, query)
            if args.profile:
                profile(next(s for s in all_stages if s.name.startswith("export xlsx")).run)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
