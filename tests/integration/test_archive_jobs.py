"""Issue 17 on the scheduler's ticks, on both stores: the hourly queue, sending through the
stand-in archive, failures told to the procurement channels once, and what `status
<avtalenr>` and the contracts export show of the archive afterwards; issue 19's checks picked
up by the hourly pass (an on-site check once the days for its photos are over)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.archive.cards import ArchiveCards, status_card
from bot.portfolio.cards import overview_card
from followup.archive.alerts import ALERTED_MARK, queue_failure_alerts
from followup.archive.naming import sha256_of
from followup.archive.ports import ArchiveState, ArchiveTransport
from followup.archive.services import (
    archive_status,
    queue_archive_messages,
    send_archive_messages,
)
from followup.models import DeliveryKind, Document
from followup.portfolio import ContractOverview, status_for
from followup.views import ExportKind, ExportQuery, Scope, StatusTarget, TargetKind
from scheduler.archive_jobs import ArchiveJobs
from storage.archive.transports import FolderDrop
from storage.tables import ArchiveMessageRow, DeliveryRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.archive_outbox_world import (
    CHECK_RECORD_COUNT,
    NOW,
    OPTIONS,
    RECORD_COUNT,
    ArchiveWorld,
    Refusing,
    assess,
    build_archive_world,
    check_onsite,
    evaluate,
    stand_in,
)
from tests.archive_world import archive_schema
from tests.card_schema import assert_valid


@pytest.fixture
def aworld(uow_factory: SqlAlchemyUnitOfWorkFactory, tmp_path: Path) -> ArchiveWorld:
    return build_archive_world(uow_factory, tmp_path / "documents")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _jobs(aworld: ArchiveWorld, transport: ArchiveTransport, clock: Clock) -> ArchiveJobs:
    return ArchiveJobs(
        aworld.uow_factory,
        transport,
        clock,
        holder="test",
        options=OPTIONS,
        documents=aworld.store,
        renderer=ArchiveCards(),
    )


def _alerts(aworld: ArchiveWorld) -> list[Any]:
    with aworld.uow_factory() as uow:
        return list(
            uow.session.scalars(
                select(DeliveryRow).where(DeliveryRow.kind == DeliveryKind.ARCHIVE.value)
            )
        )


async def test_a_tick_queues_once_an_hour_and_sends_through_the_stand_in(
    aworld: ArchiveWorld, tmp_path: Path
) -> None:
    clock = Clock(NOW)
    jobs = _jobs(aworld, stand_in(tmp_path / "standin.json"), clock)

    first = await jobs.tick()
    assert first.queued is not None
    assert first.queued.queued == RECORD_COUNT
    assert (first.send.confirmed, first.send.failed, first.alerts) == (RECORD_COUNT, 0, 0)

    clock.now = NOW + timedelta(minutes=10)  # the same hour: nothing is queued again
    again = await jobs.tick()
    assert again.queued is None
    assert again.send.claimed == 0

    clock.now = NOW + timedelta(days=1)  # the next day's full pass: queued again, nothing new
    later = await jobs.tick()
    assert later.queued is not None
    assert (later.queued.queued, later.queued.known) == (0, RECORD_COUNT)
    with aworld.uow_factory() as uow:
        assert archive_status(uow).counts[ArchiveState.CONFIRMED] == RECORD_COUNT


async def test_between_daily_passes_only_contracts_that_changed_are_looked_at(
    aworld: ArchiveWorld, tmp_path: Path
) -> None:
    clock = Clock(NOW)
    jobs = _jobs(aworld, stand_in(tmp_path / "standin.json"), clock)
    first = await jobs.tick()  # the day's first pass: every contract
    assert first.queued is not None
    assert first.queued.contracts == 1
    clock.now = NOW + timedelta(hours=1)
    quiet = await jobs.tick()  # nothing stored since: no contract is read
    assert quiet.queued is not None
    assert quiet.queued.contracts == 0

    follow_up_id = next(iter(aworld.documents.values())).follow_up_id
    assert follow_up_id is not None
    data = b"%PDF-1.7 egenrapportering oktober"
    with aworld.uow_factory() as uow:
        uow.documents.add(
            Document(
                follow_up_id=follow_up_id,
                file_name="Egenrapportering oktober.pdf",
                media_type="application/pdf",
                size_bytes=len(data),
                sha256=sha256_of(data),
                storage_key=f"ar/ch/{sha256_of(data)[:32]}.pdf",
                evidence="egenrapportering",
                uploaded_by_id=aworld.world.owner.id,
                uploaded_at=clock.now + timedelta(minutes=30),
            )
        )
        uow.commit()
    aworld.store.put(f"ar/ch/{sha256_of(data)[:32]}.pdf", data)
    clock.now = NOW + timedelta(hours=2)
    changed = await jobs.tick()
    assert changed.queued is not None
    assert (changed.queued.contracts, changed.queued.queued) == (1, 1)
    assert changed.send.confirmed == 1

    clock.now = NOW + timedelta(days=1)  # the next day's first pass reads every contract
    daily = await jobs.tick()
    assert daily.queued is not None
    assert (daily.queued.contracts, daily.queued.queued) == (1, 0)


async def test_the_hourly_pass_picks_up_new_checks(aworld: ArchiveWorld, tmp_path: Path) -> None:
    clock = Clock(NOW)
    transport = stand_in(tmp_path / "standin.json")
    jobs = _jobs(aworld, transport, clock)
    await jobs.tick()  # the day's first pass
    clock.now = NOW + timedelta(hours=1)
    quiet = await jobs.tick()
    assert quiet.queued is not None
    assert quiet.queued.contracts == 0

    risk = assess(aworld, clock.now + timedelta(minutes=10))
    clock.now = NOW + timedelta(hours=2)
    assessed = await jobs.tick()
    assert assessed.queued is not None
    assert (assessed.queued.contracts, dict(assessed.queued.by_kind)) == (1, {"risk": 1})
    assert assessed.send.confirmed == 1

    evaluate(aworld, clock.now + timedelta(minutes=10))
    clock.now = NOW + timedelta(hours=3)
    evaluated = await jobs.tick()
    assert evaluated.queued is not None
    assert (evaluated.queued.contracts, dict(evaluated.queued.by_kind)) == (1, {"evaluation": 1})

    check, photo = check_onsite(aworld, clock.now + timedelta(minutes=10))  # photo an hour on
    clock.now = NOW + timedelta(hours=5)
    checked = await jobs.tick()  # read, but the check waits for photos still to come
    assert checked.queued is not None
    assert (checked.queued.contracts, checked.queued.queued) == (1, 0)
    clock.now = NOW + timedelta(days=1)  # the next day: its photos may still come
    next_day = await jobs.tick()
    assert next_day.queued is not None
    assert next_day.queued.queued == 0
    clock.now = NOW + timedelta(days=2)  # the day after: the day's first pass queues it
    settled = await jobs.tick()
    assert settled.queued is not None
    assert dict(settled.queued.by_kind) == {"onsite": 1}  # the photo is no record of its own
    assert settled.send.confirmed == 1
    clock.now = NOW + timedelta(days=2, hours=1)
    assert (await jobs.tick()).queued is not None
    with aworld.uow_factory() as uow:
        assert archive_status(uow).counts[ArchiveState.CONFIRMED] == (
            RECORD_COUNT + CHECK_RECORD_COUNT
        )
        rows = {row.record_key: row for row in uow.session.scalars(select(ArchiveMessageRow)).all()}
    assert f"document:{photo.id}" not in rows
    assert rows[f"onsite:{check.id}"].state == ArchiveState.CONFIRMED.value
    assert rows[f"risk:{risk.id}"].state == ArchiveState.CONFIRMED.value
    assert transport.archive.record_count == RECORD_COUNT + CHECK_RECORD_COUNT


async def test_failures_are_told_to_the_procurement_channels_once(
    aworld: ArchiveWorld,
) -> None:
    clock = Clock(NOW)
    jobs = _jobs(aworld, Refusing(), clock)

    report = await jobs.tick()
    assert report.send.failed == RECORD_COUNT
    assert report.alerts == len(aworld.world.channels) == 1
    [alert] = _alerts(aworld)
    card = alert.message["card"]
    assert_valid(card)
    said = json.dumps(card, ensure_ascii=False)
    assert f"Arkivet tok ikke imot {RECORD_COUNT} meldinger" in said
    assert aworld.world.contract.reference in said
    assert "arkivet avviste meldingen" in said
    # Marked with the contract: a channel gets it only where every member may see it.
    assert aworld.world.contract.id in json.dumps(alert.message)

    clock.now = NOW + timedelta(minutes=5)
    assert (await jobs.tick()).alerts == 0  # each failure is told once
    assert len(_alerts(aworld)) == 1
    with aworld.uow_factory() as uow:
        assert uow.scheduler.mark(ALERTED_MARK) is not None
        assert queue_failure_alerts(uow, clock.now, ArchiveCards()) == 0


async def test_status_and_the_contracts_export_show_the_archives_numbers(
    aworld: ArchiveWorld, tmp_path: Path
) -> None:
    contract = aworld.world.contract
    target = StatusTarget(TargetKind.CONTRACT, contract.id, contract.reference)
    with aworld.uow_factory() as uow:
        before = status_for(uow, target, Scope.everything(), NOW.date())
    assert isinstance(before, ContractOverview)
    assert before.archived is None

    await _jobs(aworld, stand_in(tmp_path / "standin.json"), Clock(NOW)).tick()

    with aworld.uow_factory() as uow:
        after = status_for(uow, target, Scope.everything(), NOW.date())
        rows = list(
            uow.portfolio.export_rows(
                ExportQuery(ExportKind.KONTRAKTER, today=NOW.date()), Scope.everything()
            )
        )
    assert isinstance(after, ContractOverview)
    archived = after.archived
    assert archived is not None
    assert archived.records == RECORD_COUNT
    assert archived.case_number is not None
    assert archived.latest_journal_number is not None
    [row] = rows
    assert row[-2:] == (archived.case_number, RECORD_COUNT)
    card = overview_card(after, "nb-NO")
    assert_valid(card)
    said = card["fallbackText"]
    assert f"Saksnummer: {archived.case_number}" in said
    assert f"I arkivet: sak {archived.case_number}: {RECORD_COUNT} journalposter" in said


def test_the_status_card_counts_each_state_and_says_what_to_do(aworld: ArchiveWorld) -> None:
    with aworld.uow_factory() as uow:
        empty = status_card(archive_status(uow), "nb-NO")
    assert_valid(empty)
    assert "Ingenting er lagt i kø" in empty["fallbackText"]


def test_messages_waiting_a_day_for_their_receipt_are_pointed_out(
    aworld: ArchiveWorld, tmp_path: Path
) -> None:
    drop = FolderDrop.in_folder(tmp_path / "arkiv", archive_schema())
    with aworld.uow_factory() as uow:
        queue_archive_messages(uow, NOW, OPTIONS)
        uow.commit()
    report = send_archive_messages(
        aworld.uow_factory, drop, NOW, 50, options=OPTIONS, documents=aworld.store
    )
    assert report.sent == RECORD_COUNT
    with aworld.uow_factory() as uow:
        soon = archive_status(uow, NOW + timedelta(hours=23))
        late = archive_status(uow, NOW + timedelta(hours=25))
    assert (soon.waiting_long, late.waiting_long) == (0, RECORD_COUNT)
    card = status_card(late, "nb-NO")
    assert_valid(card)
    assert f"{RECORD_COUNT} meldinger har ventet over et døgn" in card["fallbackText"]
