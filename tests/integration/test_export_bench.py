"""bench/export.py on a small region (SQLite and PostgreSQL): it picks the period of the oldest
overdue follow-ups, every stage reads or writes exactly the export's rows, and the report and
the plan print. Timings are not checked, only that the benchmark measures the right thing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bench.export import Stage, explain, export_query, measure, report, stages
from bench.region_cache import RegionDatabase
from bench.region_data import RegionSize, populate_region
from followup.portfolio import export_rows, list_overdue
from followup.views import ExportKind, PageRequest, Scope
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_the_export_benchmark_measures_the_oldest_overdue_rows(
    db_engine: Engine,
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    facts = populate_region(
        db_engine,
        RegionSize(contracts=120, follow_ups=1_200, people=40, suppliers=20, procurement=2),
        now=NOW,
    )
    query = export_query(uow_factory, facts.today)
    assert query.kind is ExportKind.FORFALT
    with uow_factory() as uow:
        overdue = list_overdue(uow, Scope.everything(), facts.today, PageRequest(size=1))
        expected = list(export_rows(uow, query, Scope.everything()))
    # Fewer than 10 000 overdue here: the period holds all of them, oldest first.
    assert overdue.total is not None
    assert len(expected) == overdue.total > 0
    assert query.from_date == expected[0][5]
    assert query.to_date == expected[-1][5]

    folder = tmp_path / "exports"
    measured: list[Stage] = stages(uow_factory, query, folder)
    rows = measure(measured, repeat=1)
    assert rows == len(expected)
    assert [len(stage.seconds) for stage in measured] == [1] * 5
    assert [p.name for p in folder.iterdir()] == ["links"]  # each export removed again

    region = RegionDatabase(str(db_engine.url), facts, reused=True)
    report(region, query, rows, measured, (0.0, 0.0))
    explain(uow_factory, query)
    printed = capsys.readouterr().out
    assert f"{len(expected)} rows" in printed
    assert "aim: the xlsx export under 0.7 s" in printed
    assert "follow_ups" in printed  # the plan
