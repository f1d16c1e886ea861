"""Procurement's questions on SQLite and PostgreSQL: what each number means (a small world with
known answers), that every number equals the length of its export (generated data), pages,
finding what `status <text>` means, one contract's overview, and the derived columns the
database keeps (first answer date in Oslo, contracts with follow-ups)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, delete, insert, select

from bench.region_data import RegionFacts, RegionSize, populate_region
from followup.access import person_scope
from followup.calendar.workdays import oslo_today
from followup.errors import InvalidInput, NotAllowed
from followup.models import (
    DeviationStatus,
    Severity,
)
from followup.portfolio import (
    ContractOverview,
    PortfolioRefusal,
    PortfolioStatus,
    ResolutionKind,
    StatusCount,
    export_rows,
    list_deviations,
    list_overdue,
    portfolio_status,
    resolve_status_target,
    status_for,
)
from followup.views import (
    EXPORT_COLUMNS,
    ExportKind,
    ExportQuery,
    OverdueItem,
    PageRequest,
    Scope,
    StatusTarget,
    Subset,
    TargetKind,
)
from storage.tables import AnswerRow, ContractRow, DocumentRow, FollowUpRow
from storage.unit_of_work import SqlAlchemyUnitOfWork, SqlAlchemyUnitOfWorkFactory
from tests.portfolio_world import EVERYTHING, NOW, TODAY, World, add_answer, build_world


@pytest.fixture
def world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> World:
    return build_world(uow_factory)


def status(
    uow_factory: SqlAlchemyUnitOfWorkFactory, scope: Scope, subset: Subset | None = None
) -> PortfolioStatus:
    with uow_factory() as uow:
        return portfolio_status(uow, scope, TODAY, subset=subset or Subset())


def test_the_whole_portfolio_counts_what_each_number_says(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World
) -> None:
    found = status(uow_factory, EVERYTHING)
    c = found.counts
    # KOM-1, KOM-2, KOM-5; not the expired KOM-3 nor KOM-4 without follow-ups.
    assert c.contracts_followed_up == 3
    assert c.due_this_week == 2  # f3 on Tuesday, f9 on Sunday; not f12 next Monday
    assert c.due_in_period == 8  # not f6 (skipped), f7 (before the period), f3 (after today)
    assert c.answered == 4  # f4, f5, f10, f11
    assert c.answered_on_time == 2  # f4 at 23:59 Oslo, f10 at 23:59 Oslo (summer time)
    assert c.overdue == 4  # f1, f2, f8 and f13 (of an expired contract: still overdue)
    assert c.escalated == 2  # f2 (escalated), f8 (snoozed at the procurement step)
    assert c.open_deviations == {
        Severity.LOW: 0,
        Severity.MEDIUM: 0,
        Severity.HIGH: 2,
        Severity.CRITICAL: 1,
    }
    assert c.unreachable_owners == 1
    assert [p.display_name for p in found.unreachable] == ["Ola Dahl"]
    assert found.window.week_start == date(2026, 11, 23)
    assert found.window.week_end == date(2026, 11, 29)
    assert found.window.period_start == date(2026, 8, 26)
    assert found.answered_on_time_share == pytest.approx(2 / 8)


def test_a_scope_counts_only_the_contracts_it_sees(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World
) -> None:
    kari = status(uow_factory, person_scope(world.kari.id)).counts
    assert (kari.contracts_followed_up, kari.overdue, kari.escalated) == (1, 3, 1)
    assert kari.due_this_week == 1
    assert kari.open_deviations[Severity.HIGH] == 1
    assert kari.open_deviations[Severity.CRITICAL] == 0
    assert kari.unreachable_owners == 0
    # Liv manages KOM-2 only.
    liv = status(uow_factory, person_scope(world.liv.id)).counts
    assert (liv.contracts_followed_up, liv.overdue, liv.escalated) == (1, 1, 1)
    # Kari covering for Per sees Per's contracts too.
    covering = status(uow_factory, person_scope(world.kari.id, [world.per.id])).counts
    assert covering.overdue == 4
    # Two members who share no contract see nothing together.
    both = person_scope(world.kari.id) & person_scope(world.liv.id)
    assert status(uow_factory, both).counts.overdue == 0
    assert status(uow_factory, Scope.nothing()).counts.contracts_followed_up == 0


def test_a_supplier_unit_or_owner_is_counted_on_its_own(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World
) -> None:
    renhold = Subset(supplier_id=world.supplier_ids["Sunnfjord Renhold AS"])
    counts = status(uow_factory, EVERYTHING, renhold).counts
    assert (counts.contracts_followed_up, counts.overdue, counts.escalated) == (2, 1, 1)
    assert (counts.answered, counts.answered_on_time, counts.unreachable_owners) == (2, 1, 1)
    unit = status(uow_factory, EVERYTHING, Subset(unit="Oppvekst")).counts
    assert (unit.contracts_followed_up, unit.overdue, unit.due_in_period) == (1, 2, 4)
    owner = status(uow_factory, EVERYTHING, Subset(owner_id=world.kari.id)).counts
    assert owner.overdue == 3
    # A subset inside a scope: the scope still applies.
    seen = status(uow_factory, person_scope(world.liv.id), Subset(owner_id=world.kari.id))
    assert seen.counts.overdue == 0


def test_each_number_is_the_length_of_its_export_in_the_small_world(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World
) -> None:
    found = status(uow_factory, EVERYTHING)
    with uow_factory() as uow:
        for which in StatusCount:
            rows = list(export_rows(uow, found.export_query(which), EVERYTHING))
            assert len(rows) == found.count(which), which
        overdue = list(export_rows(uow, found.export_query(StatusCount.OVERDUE), EVERYTHING))
    # Oldest first, with days overdue, state and whether escalated.
    assert [(r[0], r[5], r[6], r[7], r[9]) for r in overdue] == [
        ("KOM-1", date(2026, 11, 2), 21, "eskalert", True),
        ("KOM-3", date(2026, 11, 5), 18, "varslet", False),
        ("KOM-1", date(2026, 11, 10), 13, "purret", False),
        ("KOM-2", date(2026, 11, 20), 3, "utsatt", True),
    ]


def test_the_answers_export_shows_first_and_latest_answer(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World
) -> None:
    query = ExportQuery(ExportKind.SVAR, TODAY, date(2026, 11, 1), date(2026, 11, 30))
    with uow_factory() as uow:
        rows = list(export_rows(uow, query, EVERYTHING))
        late = list(export_rows(uow, query.replace(on_time=False), EVERYTHING))
    columns = [c.header for c in EXPORT_COLUMNS[ExportKind.SVAR]]
    by_due = {r[5]: dict(zip(columns, r, strict=True)) for r in rows}
    assert set(by_due) == {date(2026, 11, 16), date(2026, 11, 17)}
    f4 = by_due[date(2026, 11, 16)]
    assert f4["Første svar"] == date(2026, 11, 16)
    assert f4["Besvart i tide"] is True
    assert f4["Versjoner"] == 2
    assert f4["Kommentar"] == "svar 2"
    assert f4["Svar"] == "levert"
    assert f4["Svart av"] == "Kari Nordmann"
    assert f4["Siste svar"] == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    f5 = by_due[date(2026, 11, 17)]
    assert (f5["Første svar"], f5["Besvart i tide"]) == (date(2026, 11, 18), False)
    assert [r[5] for r in late] == [date(2026, 11, 17)]


def test_an_export_period_must_not_end_before_it_starts(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    query = ExportQuery(ExportKind.AVVIK, TODAY, date(2026, 11, 2), date(2026, 11, 1))
    with uow_factory() as uow, pytest.raises(InvalidInput) as refused:
        export_rows(uow, query, EVERYTHING)
    assert refused.value.code == PortfolioRefusal.BAD_PERIOD


# --- pages -----------------------------------------------------------------------------------


def test_overdue_pages_run_oldest_first_without_gaps(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World
) -> None:
    seen: list[OverdueItem] = []
    cursor = None
    with uow_factory() as uow:
        while True:
            page = list_overdue(uow, EVERYTHING, TODAY, PageRequest(cursor, size=3))
            assert page.total == 4
            seen.extend(page.items)
            cursor = page.next_cursor
            if cursor is None:
                break
    assert [i.follow_up_id for i in seen] == [
        world.follow_ups[n] for n in ("f2", "f13", "f1", "f8")
    ]
    first = seen[0]
    assert (first.contract_reference, first.days_overdue, first.escalated) == ("KOM-1", 21, True)
    assert (first.owner_name, first.supplier_name) == ("Kari Nordmann", "Fjordbygg AS")
    assert first.checkpoint_title == "Bekreft levering KOM-1"


def test_a_bad_cursor_is_refused(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        for cursor in ("rubbish", "d~0~0~2026-01-01~x", "o~not-a-date~x"):
            with pytest.raises(InvalidInput) as refused:
                list_overdue(uow, EVERYTHING, TODAY, PageRequest(cursor))
            assert refused.value.code == PortfolioRefusal.BAD_CURSOR


def test_deviations_most_severe_first_with_counts_for_the_filters(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World
) -> None:
    with uow_factory() as uow:
        open_ones = list_deviations(uow, EVERYTHING, page=PageRequest(size=2))
        rest = list_deviations(uow, EVERYTHING, page=PageRequest(open_ones.page.next_cursor, 2))
        everything = list_deviations(uow, EVERYTHING, open_only=False)
        high = list_deviations(uow, EVERYTHING, severity=Severity.HIGH)
        defects = list_deviations(uow, EVERYTHING, category="mangel")
        karis = list_deviations(uow, person_scope(world.kari.id), open_only=False)
    items = [*open_ones.page.items, *rest.page.items]
    assert [(d.severity, d.occurred_on) for d in items] == [
        (Severity.CRITICAL, date(2026, 10, 1)),
        (Severity.HIGH, date(2026, 11, 2)),
        (Severity.HIGH, date(2026, 11, 1)),
    ]
    assert rest.page.next_cursor is None
    assert open_ones.page.total == 3
    assert open_ones.by_severity[Severity.HIGH] == 2
    assert open_ones.by_category == {"forsinkelse": 2, "mangel": 1}
    assert [d.status for d in everything.page.items][-1] is DeviationStatus.CLOSED
    assert everything.page.total == 4
    assert high.page.total == 2
    assert high.by_severity[Severity.CRITICAL] == 1  # the buttons ignore the chosen filter
    assert [d.category for d in defects.page.items] == ["mangel"]
    assert {d.contract_reference for d in karis.page.items} == {"KOM-1"}


# --- status <text> ---------------------------------------------------------------------------


def test_status_text_finds_contracts_suppliers_units_and_owners(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World
) -> None:
    with uow_factory() as uow:

        def find(text: str, scope: Scope = EVERYTHING) -> tuple[ResolutionKind, list[str]]:
            found = resolve_status_target(uow, text, scope)
            targets = [found.target] if found.target else list(found.candidates)
            return found.kind, [f"{t.kind.value}:{t.name}" for t in targets]

        assert find("kom-2") == (ResolutionKind.FOUND, ["contract:KOM-2"])
        assert find("KOM-3") == (ResolutionKind.FOUND, ["contract:KOM-3"])
        orgnr = uow.suppliers.get_many([world.supplier_ids["Fjordbygg AS"]])
        number = next(iter(orgnr.values())).organisation_number
        spaced = f"NO {number[:3]} {number[3:6]} {number[6:]} MVA"
        assert find(spaced) == (ResolutionKind.FOUND, ["supplier:Fjordbygg AS"])
        assert find("renhold") == (ResolutionKind.FOUND, ["supplier:Sunnfjord Renhold AS"])
        assert find("oppvekst") == (ResolutionKind.FOUND, ["unit:Oppvekst"])
        assert find("kari") == (ResolutionKind.FOUND, ["owner:Kari Nordmann"])
        assert find(world.kari.email or "") == (ResolutionKind.FOUND, ["owner:Kari Nordmann"])
        kind, candidates = find("AS")
        assert kind is ResolutionKind.AMBIGUOUS
        assert candidates == ["supplier:Fjordbygg AS", "supplier:Sunnfjord Renhold AS"]
        assert find("x") == (ResolutionKind.NONE, [])
        assert find("KOM-999") == (ResolutionKind.NONE, [])
        # What the asker may not see is not found either.
        assert find("KOM-2", person_scope(world.kari.id)) == (ResolutionKind.NONE, [])
        assert find("renhold", person_scope(world.kari.id)) == (ResolutionKind.NONE, [])
        assert find("per", person_scope(world.liv.id)) == (
            ResolutionKind.FOUND,
            ["owner:Per Hansen"],
        )


def test_status_for_a_contract_shows_plan_history_documents_and_deviations(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World
) -> None:
    target = StatusTarget(TargetKind.CONTRACT, world.contracts["KOM-1"], "KOM-1")
    with uow_factory() as uow:
        uow.session.execute(
            insert(DocumentRow),
            {
                "id": "doc-1",
                "follow_up_id": world.follow_ups["f4"],
                "file_name": "levering.pdf",
                "media_type": "application/pdf",
                "size_bytes": 1000,
                "sha256": "0" * 64,
                "storage_key": "k/1",
                "uploaded_at": NOW,
            },
        )
        uow.commit()
    with uow_factory() as uow:
        found = status_for(uow, target, EVERYTHING, TODAY, history=PageRequest(size=3))
        assert isinstance(found, ContractOverview)
        more = uow.portfolio.contract_history(
            world.contracts["KOM-1"], TODAY, PageRequest(found.history.next_cursor, 10)
        )
    assert found.contract.reference == "KOM-1"
    assert found.owner is not None
    assert found.owner.display_name == "Kari Nordmann"
    assert [c.title for c in found.checkpoints] == ["Bekreft levering KOM-1"]
    dues = [i.follow_up.due_date for i in [*found.history.items, *more.items]]
    assert dues == sorted(dues, reverse=True)
    assert found.history.total == 6 == len(dues)  # due on or before today
    f4 = next(i for i in found.history.items if i.follow_up.id == world.follow_ups["f4"])
    assert f4.latest_answer is not None
    assert (f4.versions, f4.latest_answer.text, f4.answered_on_time) == (2, "svar 2", True)
    assert (f4.answered_by_name, f4.documents) == ("Kari Nordmann", 1)
    assert [i.follow_up.due_date for i in found.upcoming] == [date(2026, 11, 24)]
    assert [d.file_name for d in found.documents] == ["levering.pdf"]
    assert [(d.severity, d.status) for d in found.deviations] == [
        (Severity.HIGH, DeviationStatus.OPEN),
        (Severity.LOW, DeviationStatus.CLOSED),
    ]
    assert found.status.counts.overdue == 2


def test_status_for_a_contract_outside_the_scope_is_refused(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World
) -> None:
    target = StatusTarget(TargetKind.CONTRACT, world.contracts["KOM-2"], "KOM-2")
    with uow_factory() as uow, pytest.raises(NotAllowed) as refused:
        status_for(uow, target, person_scope(world.kari.id), TODAY)
    assert refused.value.code == PortfolioRefusal.NOT_VISIBLE


def test_status_for_a_supplier_is_the_status_of_its_contracts(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World
) -> None:
    supplier = world.supplier_ids["Fjordbygg AS"]
    target = StatusTarget(TargetKind.SUPPLIER, supplier, "Fjordbygg AS")
    with uow_factory() as uow:
        found = status_for(uow, target, EVERYTHING, TODAY)
    assert isinstance(found, PortfolioStatus)
    assert found.target == target
    assert found.subset == Subset(supplier_id=supplier)
    assert (found.counts.contracts_followed_up, found.counts.overdue) == (1, 3)


# --- what the database keeps -----------------------------------------------------------------


def test_the_first_answer_date_is_the_oslo_date_of_the_earliest_answer(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World
) -> None:
    with uow_factory() as uow:
        rows = dict(
            uow.session.execute(select(FollowUpRow.id, FollowUpRow.first_answered_on)).all()
        )
        assert rows[world.follow_ups["f4"]] == date(2026, 11, 16)
        assert rows[world.follow_ups["f5"]] == date(2026, 11, 18)
        assert rows[world.follow_ups["f10"]] == date(2026, 9, 15)
        assert rows[world.follow_ups["f11"]] == date(2026, 9, 17)
        assert rows[world.follow_ups["f1"]] is None
        # Around the changes of summer time: 29 March 2026 01:00 UTC and 25 October 01:00 UTC.
        f1 = world.follow_ups["f1"]
        add_answer(uow, f1, world.kari.id, datetime(2026, 10, 24, 22, 30, tzinfo=UTC), 1)
        uow.session.flush()
        first = uow.session.scalar(
            select(FollowUpRow.first_answered_on).where(FollowUpRow.id == f1)
        )
        assert first == date(2026, 10, 25)  # 00:30 in Oslo (still summer time)
        add_answer(uow, f1, world.kari.id, datetime(2026, 3, 28, 23, 30, tzinfo=UTC), 2)
        uow.session.flush()
        first = uow.session.scalar(
            select(FollowUpRow.first_answered_on).where(FollowUpRow.id == f1)
        )
        assert first == date(2026, 3, 29)  # 00:30 in Oslo (winter time); an earlier answer wins


def test_contracts_know_whether_they_have_follow_ups(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World
) -> None:
    def flags() -> dict[str, bool]:
        with uow_factory() as uow:
            rows = uow.session.execute(select(ContractRow.reference, ContractRow.has_follow_ups))
            return {reference: bool(flag) for reference, flag in rows}

    assert flags() == {"KOM-1": True, "KOM-2": True, "KOM-3": True, "KOM-4": False, "KOM-5": True}
    with uow_factory() as uow:
        uow.session.execute(delete(FollowUpRow).where(FollowUpRow.id == world.follow_ups["f14"]))
        uow.commit()
    assert flags()["KOM-5"] is False
    with uow_factory() as uow:
        removed = uow.follow_ups.delete_unanswered(
            [world.follow_ups[n] for n in ("f9", "f12", "f8")]
        )
        uow.commit()
    assert removed == 3
    assert flags()["KOM-2"] is True  # answered follow-ups remain


# --- the numbers agree with the exports, on generated data -----------------------------------


@pytest.fixture
def region(db_engine: Engine) -> RegionFacts:
    return populate_region(
        db_engine,
        RegionSize(contracts=400, follow_ups=4_000, people=120, suppliers=60, procurement=5),
        now=NOW,
    )


def test_generated_data_carries_what_the_triggers_would_keep(
    uow_factory: SqlAlchemyUnitOfWorkFactory, region: RegionFacts
) -> None:
    """The generator loads with the triggers off and fills the derived columns itself."""
    with uow_factory() as uow:
        first: dict[str, date] = {}
        for follow_up_id, at in uow.session.execute(
            select(AnswerRow.follow_up_id, AnswerRow.answered_at)
        ):
            day = oslo_today(at)
            first[follow_up_id] = min(first.get(follow_up_id, day), day)
        stored = dict(
            uow.session.execute(select(FollowUpRow.id, FollowUpRow.first_answered_on)).all()
        )
        followed = {c for (c,) in uow.session.execute(select(FollowUpRow.contract_id).distinct())}
        flags = dict(uow.session.execute(select(ContractRow.id, ContractRow.has_follow_ups)).all())
        triggers_work = uow.session.scalar(
            select(FollowUpRow.id).where(FollowUpRow.first_answered_on.is_(None)).limit(1)
        )
        assert triggers_work is not None
        add_answer(uow, triggers_work, region.owner_ids[0], NOW)
        uow.session.flush()
        after = uow.session.scalar(
            select(FollowUpRow.first_answered_on).where(FollowUpRow.id == triggers_work)
        )
    assert len(first) > 1000
    assert {k: v for k, v in stored.items() if v is not None} == first
    assert {k for k, v in flags.items() if v} == followed
    assert after == TODAY  # the triggers are on again after loading


def _all_overdue(uow: SqlAlchemyUnitOfWork, scope: Scope, subset: Subset) -> Iterator[str]:
    cursor = None
    while True:
        page = list_overdue(uow, scope, TODAY, PageRequest(cursor, 50), subset=subset)
        yield from (i.contract_reference for i in page.items)
        cursor = page.next_cursor
        if cursor is None:
            return


def test_every_count_equals_its_export_on_generated_data(
    uow_factory: SqlAlchemyUnitOfWorkFactory, region: RegionFacts
) -> None:
    with uow_factory() as uow:
        owner_scope = person_scope(region.busiest_owner_id)
        cases = [
            (EVERYTHING, Subset()),
            (owner_scope, Subset()),
            (EVERYTHING, Subset(supplier_id=region.busiest_supplier_id)),
            (EVERYTHING, Subset(unit=region.busiest_unit)),
            (person_scope(region.owner_ids[3]) & person_scope(region.owner_ids[5]), Subset()),
        ]
        for scope, subset in cases:
            found = portfolio_status(uow, scope, TODAY, subset=subset)
            for which in StatusCount:
                rows = list(export_rows(uow, found.export_query(which), scope))
                assert len(rows) == found.count(which), (which, scope, subset)
            for severity in Severity:
                query = found.export_query(StatusCount.OPEN_DEVIATIONS, severity)
                rows = list(export_rows(uow, query, scope))
                assert len(rows) == found.counts.open_deviations[severity], severity
            # The pages walk the same rows as the export, in the same order.
            query = found.export_query(StatusCount.OVERDUE)
            exported = [r[0] for r in export_rows(uow, query, scope)]
            assert list(_all_overdue(uow, scope, subset)) == exported
            deviations = list_deviations(uow, scope, subset=subset)
            assert deviations.page.total == found.counts.open_deviations_total
            assert dict(deviations.by_severity) == dict(found.counts.open_deviations)
        whole = portfolio_status(uow, EVERYTHING, TODAY).counts
    # Generated data exercises every number.
    assert whole.overdue > 100
    assert 0 < whole.escalated < whole.overdue
    assert 0 < whole.answered_on_time < whole.answered < whole.due_in_period
    assert whole.due_this_week > 0
    assert 0 < whole.contracts_followed_up < 400
    assert whole.open_deviations_total > 0
