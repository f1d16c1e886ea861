"""The archive hand-off's queueing at region scale (issue 17): what the scheduler's hourly pass
costs.

On a region (`bench.region_cache`: default 20 000 contracts and 200 000 follow-ups with
answers, deviations and documents; the SQLite file is copied first, a PostgreSQL database's
`archive_messages` are emptied before and after), in process:

1. the baseline: each contract's stored facts read one contract at a time (`facts`: what
   building its records needs, as the first version of the pass read it), in one unit of work;
2. the day's first pass: `queue_archive_messages` over every contract (facts, the mapping,
   the outbox's insert-once), once, into an empty outbox;
3. an hourly pass with nothing stored since (`changed_since`): the change query alone;
4. an hourly pass after 1 % of the contracts got a new answer: those contracts only.

Printed: seconds, per contract, and each as a multiple of the baseline; the load average.

Run: .venv/bin/python -m bench.archive [--database sqlite|URL] [--contracts 20000]
        [--follow-ups 200000] [--cache /tmp/kv-bench]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, func, select, update

from bench.region_cache import DEFAULT_CACHE, region_database
from bench.region_data import NOW, RegionSize
from followup.archive.records import ArchiveOptions
from followup.archive.services import queue_archive_messages
from storage.db import create_db_engine, create_session_factory
from storage.tables import AnswerRow, ArchiveMessageRow, FollowUpRow, table_of
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

OPTIONS = ArchiveOptions(organisation_number="974600951")


def _timed(work: object) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()  # type: ignore[operator]
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--contracts", type=int, default=20_000)
    parser.add_argument("--follow-ups", type=int, default=200_000)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()
    region = region_database(
        args.database, RegionSize(contracts=args.contracts, follow_ups=args.follow_ups), args.cache
    )
    scratch = None
    url = region.url
    if args.database == "sqlite":
        scratch = Path(tempfile.mkdtemp(prefix="kv-archive-bench-"))
        copy = scratch / "region.db"
        shutil.copy(url.removeprefix("sqlite:///"), copy)
        url = f"sqlite:///{copy.as_posix()}"
    engine = create_db_engine(url)
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    messages = table_of(ArchiveMessageRow)
    answers, follow_ups = table_of(AnswerRow), table_of(FollowUpRow)
    moved: dict[str, object] = {}
    try:
        with engine.begin() as conn:
            conn.execute(delete(messages))
        with factory() as uow:
            ids = uow.archive.contract_ids(None)
        load = os.getloadavg()

        def read_facts() -> int:
            with factory() as uow:
                return sum(uow.archive.facts(i) is not None for i in ids)

        def queue(since: object = None) -> int:
            with factory() as uow:
                counts = queue_archive_messages(uow, NOW, OPTIONS, changed_since=since)  # type: ignore[arg-type]
                uow.commit()
            return counts.queued

        baseline, _ = _timed(read_facts)
        full, queued = _timed(queue)
        after = NOW + timedelta(hours=2)
        quiet, _ = _timed(lambda: queue(after))
        # 1 % of the contracts get an answer stored now (one of theirs moved to `after`).
        with engine.begin() as conn:
            rows = conn.execute(
                select(follow_ups.c.contract_id, func.min(answers.c.id))
                .join(answers, answers.c.follow_up_id == follow_ups.c.id)
                .group_by(follow_ups.c.contract_id)
            ).all()
            picked = random.Random(17).sample(rows, max(1, len(ids) // 100))
            moved = dict(
                conn.execute(
                    select(answers.c.id, answers.c.answered_at).where(
                        answers.c.id.in_([answer_id for _, answer_id in picked])
                    )
                ).all()
            )
            for _, answer_id in picked:
                conn.execute(
                    update(answers)
                    .where(answers.c.id == answer_id)
                    .values(answered_at=after + timedelta(minutes=5))
                )
        some, _ = _timed(lambda: queue(after))
        n = len(ids)
        print(
            f"archive queueing on {engine.dialect.name}: {n} contracts, {queued} records queued; "
            f"cpus={os.cpu_count()}, load {load[0]:.2f} → {os.getloadavg()[0]:.2f}"
        )
        print(f"{'pass':46} {'seconds':>8} {'ms/contract':>12} {'x baseline':>11}")
        for name, seconds in (
            ("baseline: facts read one contract at a time", baseline),
            ("the day's first pass: every contract queued", full),
            ("hourly, nothing stored since", quiet),
            (f"hourly, {len(picked)} contracts with a new answer", some),
        ):
            print(f"{name:46} {seconds:8.2f} {seconds * 1000 / n:12.3f} {seconds / baseline:11.2f}")
    finally:
        with engine.begin() as conn:
            conn.execute(delete(messages))
            for answer_id, answered_at in moved.items():  # a kept region stays as it was
                conn.execute(
                    update(answers).where(answers.c.id == answer_id).values(answered_at=answered_at)
                )
        engine.dispose()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
