"""An Excel export's rows read a batch ahead in a thread (`storage.read_ahead`; PostgreSQL
only): the same rows as read at once, in whatever batches, and the database left to the unit
of work once the export is made, read to the end or not (a sheet's limit, a write that fails).
On SQLite the same tests run with the rows read at once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from bench.region_data import RegionFacts, RegionSize, populate_region
from followup.exports import ExportFormat, Written, prepare_export
from followup.portfolio import export_rows
from followup.views import ExportColumn, ExportKind, ExportQuery, ExportRow, Scope
from storage import portfolio_queries
from storage.export_store import FolderExportStore
from storage.read_ahead import read_ahead
from storage.tables import FollowUpRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
EVERYTHING = Scope.everything()


@pytest.fixture
def region(db_engine: Engine) -> RegionFacts:
    return populate_region(
        db_engine,
        RegionSize(contracts=60, follow_ups=600, people=20, suppliers=10, procurement=2),
        now=NOW,
    )


def readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "read-ahead"]


def follow_ups(uow_factory: SqlAlchemyUnitOfWorkFactory) -> int:
    """A question after the export, in the same unit of work: the connection is free again."""
    with uow_factory() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(FollowUpRow)) or 0)


def _export(
    uow_factory: SqlAlchemyUnitOfWorkFactory, query: ExportQuery, *, read_ahead: bool
) -> list[ExportRow]:
    with uow_factory() as uow:
        rows = list(export_rows(uow, query, EVERYTHING, read_ahead=read_ahead))
        assert readers() == []
        assert uow.session.scalar(select(func.count()).select_from(FollowUpRow)) == 600
    return rows


@pytest.mark.parametrize("kind", [ExportKind.OPPFOLGINGER, ExportKind.FORFALT])
def test_the_rows_read_ahead_are_those_read_at_once(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    region: RegionFacts,
    monkeypatch: pytest.MonkeyPatch,
    kind: ExportKind,
) -> None:
    query = ExportQuery(kind, region.today)
    whole = _export(uow_factory, query, read_ahead=False)
    assert len(whole) > 7 * 5
    assert _export(uow_factory, query, read_ahead=True) == whole
    monkeypatch.setattr(portfolio_queries, "FIRST_STREAM_ROWS", 3)
    monkeypatch.setattr(portfolio_queries, "STREAM_ROWS", 7)
    assert _export(uow_factory, query, read_ahead=True) == whole  # in many batches


@pytest.mark.parametrize("export_format", list(ExportFormat))
def test_postgresql_reads_ahead_for_a_workbook(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    region: RegionFacts,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    export_format: ExportFormat,
) -> None:
    started: list[int] = []

    def spy(fetch: Callable[[int], Sequence[Any]], sizes: Iterable[int]) -> Iterator[Any]:
        started.append(1)
        return read_ahead(fetch, sizes)

    monkeypatch.setattr(portfolio_queries, "read_ahead_rows", spy)
    store = FolderExportStore(tmp_path / "exports")
    query = ExportQuery(ExportKind.FORFALT, region.today)
    with uow_factory() as uow:
        postgresql = uow.session.get_bind().dialect.name == "postgresql"
        made = prepare_export(
            uow, store, query, EVERYTHING, export_format, person_id="p", conversation_id="c",
            now=NOW, lifetime=timedelta(hours=1), sheet_title="Forfalt",
        )  # fmt: skip
    assert made is not None
    assert made.rows > 0
    assert len(started) == (1 if postgresql and export_format is ExportFormat.XLSX else 0)


def test_an_export_cut_at_the_sheets_limit_leaves_the_database_to_the_unit_of_work(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    region: RegionFacts,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(portfolio_queries, "FIRST_STREAM_ROWS", 3)
    monkeypatch.setattr(portfolio_queries, "STREAM_ROWS", 5)
    store = FolderExportStore(tmp_path / "exports")
    query = ExportQuery(ExportKind.OPPFOLGINGER, region.today)
    with uow_factory() as uow:
        made = prepare_export(
            uow, store, query, EVERYTHING, ExportFormat.XLSX, person_id="p", conversation_id="c",
            now=NOW, lifetime=timedelta(hours=1), sheet_title="Oppfølginger", max_rows=10,
        )  # fmt: skip
        assert readers() == []  # before the unit of work goes on
        assert uow.session.scalar(select(func.count()).select_from(FollowUpRow)) == 600
        uow.commit()
    assert made is not None
    assert (made.rows, made.truncated) == (10, True)
    assert follow_ups(uow_factory) == 600


class FailingStore(FolderExportStore):
    """Takes a few rows, then the disk is full."""

    def write(
        self,
        export_id: str,
        export_format: ExportFormat,
        rows: Iterable[ExportRow],
        columns: Sequence[ExportColumn],
        *,
        sheet_title: str,
        max_rows: int,
    ) -> Written:
        taken = iter(rows)
        for _ in range(4):
            next(taken)
        raise OSError("no space left on device")


def test_an_export_that_fails_leaves_the_database_to_the_unit_of_work(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    region: RegionFacts,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(portfolio_queries, "FIRST_STREAM_ROWS", 2)
    monkeypatch.setattr(portfolio_queries, "STREAM_ROWS", 3)
    store = FailingStore(tmp_path / "exports")
    query = ExportQuery(ExportKind.OPPFOLGINGER, region.today)
    with uow_factory() as uow:
        # The error (and its traceback, which holds the export's frames) is still about when the
        # unit of work ends, as it is when the error goes up through a `with` block.
        with pytest.raises(OSError, match="no space") as failed:
            prepare_export(
                uow, store, query, EVERYTHING, ExportFormat.XLSX, person_id="p",
                conversation_id="c", now=NOW, lifetime=timedelta(hours=1),
                sheet_title="Oppfølginger",
            )  # fmt: skip
        assert failed.traceback  # alive
        assert readers() == []
        assert uow.session.scalar(select(func.count()).select_from(FollowUpRow)) == 600
    assert follow_ups(uow_factory) == 600
