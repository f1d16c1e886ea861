"""The archive hand-off's queueing at region scale (issue 17): what the scheduler's hourly pass
costs.

On a region (`bench.region_cache`: default 20 000 contracts and 200 000 follow-ups with
answers, deviations and documents; the SQLite file is copied first, a PostgreSQL database's
`archive_messages` are emptied before and after), with issue 19's structured checks added for
`--checks-share` of the contracts (a risk assessment, an on-site check on one of its follow-ups
and a supplier evaluation each; removed again afterwards), in process:

1. the baseline: each contract's stored facts read one contract at a time (`facts`: what
   building its records needs, as the first version of the pass read it), in one unit of work;
2. the day's first pass: `queue_archive_messages` over every contract (facts, the mapping,
   the outbox's insert-once), once, into an empty outbox;
3. an hourly pass with nothing stored since (`changed_since`): the change query alone;
4. an hourly pass after 1 % of the contracts got a new answer: those contracts only;
5. an hourly pass after 1 % of the contracts got a new risk assessment (issue 19).

Printed: seconds, per contract, and each as a multiple of the baseline; the load average.

Run: .venv/bin/python -m bench.archive [--database sqlite|URL] [--contracts 20000]
        [--follow-ups 200000] [--cache /tmp/kv-bench] [--checks-share 0.1]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from bench.region_cache import DEFAULT_CACHE, region_database
from bench.region_data import NOW, RegionSize
from followup.archive.records import ArchiveOptions
from followup.archive.services import queue_archive_messages
from followup.checks.evaluation_models import EvaluationHeading, HeadingScore, SupplierEvaluation
from followup.checks.models import RiskArea, RiskAssessment, RiskScore
from followup.checks.onsite_models import CrewList, OnsiteCheck
from followup.models import RiskLevel
from storage.db import create_db_engine, create_session_factory
from storage.mappings import (
    onsite_check_values,
    risk_assessment_values,
    supplier_evaluation_values,
)
from storage.tables import (
    AnswerRow,
    ArchiveMessageRow,
    ContractRow,
    FollowUpRow,
    OnsiteCheckRow,
    RiskAssessmentRow,
    SupplierEvaluationRow,
    table_of,
)
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

OPTIONS = ArchiveOptions(organisation_number="974600951")


def _timed(work: object) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()  # type: ignore[operator]
    return time.perf_counter() - started, result


def _risk(contract_id: str, owner_id: str, version: int, at: datetime) -> dict[str, Any]:
    return risk_assessment_values(
        RiskAssessment(
            contract_id=contract_id,
            version=version,
            assessed_by_id=owner_id,
            assessed_at=at,
            scores=[RiskScore(area=area, consequence=2, likelihood=2) for area in RiskArea],
            suggested=RiskLevel.MEDIUM,
            chosen=RiskLevel.MEDIUM,
            previous=RiskLevel.MEDIUM,
            comment="Vurdert i benken.",
        )
    )


def _add_checks(conn: Connection, picked: Sequence[Any]) -> dict[str, list[str]]:
    """A risk assessment, an on-site check and an evaluation for each picked contract (id,
    owner, supplier, a follow-up); the ids added, by table."""
    at = NOW - timedelta(days=10)
    risks = [_risk(c, owner, 1, at) for c, owner, _, _ in picked]
    checks = [
        onsite_check_values(
            OnsiteCheck(
                contract_id=c,
                number=1,
                checked_on=date(2026, 11, 13),
                place="Byggeplassen",
                workers=12,
                cards_checked=12,
                without_card=1,
                crew_list=CrewList.MATCHES,
                notes="Én uten gyldig HMS-kort.",
                recorded_by_id=owner,
                recorded_at=at,
                follow_up_id=follow_up,
            )
        )
        for c, owner, _, follow_up in picked
    ]
    evaluations = [
        supplier_evaluation_values(
            SupplierEvaluation(
                contract_id=c,
                supplier_id=supplier,
                version=1,
                evaluated_by_id=owner,
                evaluated_at=at,
                scores=[HeadingScore(heading=h, score=4) for h in EvaluationHeading],
            )
        )
        for c, owner, supplier, _ in picked
    ]
    added: dict[str, list[str]] = {}
    for row, values in (
        (RiskAssessmentRow, risks),
        (OnsiteCheckRow, checks),
        (SupplierEvaluationRow, evaluations),
    ):
        if values:
            conn.execute(insert(table_of(row)), values)
        added[table_of(row).name] = [v["id"] for v in values]
    return added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--contracts", type=int, default=20_000)
    parser.add_argument("--follow-ups", type=int, default=200_000)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--checks-share", type=float, default=0.1)
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
    contracts = table_of(ContractRow)
    moved: dict[str, object] = {}
    added: dict[str, list[str]] = {}
    try:
        with engine.begin() as conn:
            conn.execute(delete(messages))
            owned = conn.execute(
                select(
                    contracts.c.id,
                    contracts.c.owner_id,
                    contracts.c.supplier_id,
                    func.min(follow_ups.c.id),
                )
                .join(follow_ups, follow_ups.c.contract_id == contracts.c.id)
                .where(contracts.c.owner_id.is_not(None))
                .group_by(contracts.c.id, contracts.c.owner_id, contracts.c.supplier_id)
                .order_by(contracts.c.id)
            ).all()
            with_checks = random.Random(19).sample(owned, int(len(owned) * args.checks_share))
            added = _add_checks(conn, with_checks)
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
        later = after + timedelta(hours=1)
        assessed = random.Random(23).sample(owned, max(1, len(ids) // 100))
        with engine.begin() as conn:
            values = [
                _risk(c, owner, 2, later + timedelta(minutes=5)) for c, owner, _, _ in assessed
            ]
            conn.execute(insert(table_of(RiskAssessmentRow)), values)
        added.setdefault(table_of(RiskAssessmentRow).name, []).extend(v["id"] for v in values)
        new_risks, _ = _timed(lambda: queue(later))
        n = len(ids)
        print(
            f"archive queueing on {engine.dialect.name}: {n} contracts ({len(with_checks)} with "
            f"a risk assessment, an on-site check and an evaluation), {queued} records queued; "
            f"cpus={os.cpu_count()}, load {load[0]:.2f} → {os.getloadavg()[0]:.2f}"
        )
        print(f"{'pass':46} {'seconds':>8} {'ms/contract':>12} {'x baseline':>11}")
        for name, seconds in (
            ("baseline: facts read one contract at a time", baseline),
            ("the day's first pass: every contract queued", full),
            ("hourly, nothing stored since", quiet),
            (f"hourly, {len(picked)} contracts with a new answer", some),
            (f"hourly, {len(assessed)} contracts with a new risk assessment", new_risks),
        ):
            print(f"{name:46} {seconds:8.2f} {seconds * 1000 / n:12.3f} {seconds / baseline:11.2f}")
    finally:
        with engine.begin() as conn:
            conn.execute(delete(messages))
            for name, row in (
                ("supplier_evaluations", SupplierEvaluationRow),
                ("onsite_checks", OnsiteCheckRow),
                ("risk_assessments", RiskAssessmentRow),
            ):
                table = table_of(row)
                for start in range(0, len(added.get(name, [])), 500):
                    batch = added[name][start : start + 500]
                    conn.execute(delete(table).where(table.c.id.in_(batch)))
            for answer_id, answered_at in moved.items():  # a kept region stays as it was
                conn.execute(
                    update(answers).where(answers.c.id == answer_id).values(answered_at=answered_at)
                )
        engine.dispose()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
