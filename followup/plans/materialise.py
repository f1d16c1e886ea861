"""The follow-up calendar: dated follow-ups made from checkpoints for a rolling horizon.

`materialise_calendar` is idempotent: it computes, per active checkpoint, the due dates inside
the horizon (moved off weekends and Norwegian holidays by the plan's rule), adds the follow-ups
that are missing, and removes future ones that are still unanswered but no longer wanted (the plan
changed, the checkpoint was paused or removed, the contract ended). Answered follow-ups are kept.
`refresh_plans_and_calendar` walks contracts in chunks, one transaction each, so memory stays flat
and one bad chunk does not undo the others.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from dateutil.relativedelta import relativedelta

from followup import lifecycle
from followup.calendar.cadence import occurrences
from followup.calendar.workdays import NonWorkingDayRule, WorkingCalendar, oslo_datetime, oslo_today
from followup.models import (
    Checkpoint,
    CheckpointStatus,
    Contract,
    FollowUp,
)
from followup.periods import add_months
from followup.plans.plan_file import ONCE, CalendarSettings, PlanConfig, apply_plans, follows_up
from followup.ports import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

# Unanswered states a plan change may regenerate; answered, skipped and reported ones are history.
REGENERABLE = lifecycle.REMOVABLE


@dataclass(frozen=True, slots=True)
class NoticePolicy:
    """When the first message about a follow-up is due: working days before, at a wall time."""

    working_days_before: int = 3
    at: time = time(8, 0)

    def first_action_at(self, due: date, calendar: WorkingCalendar) -> datetime:
        day = calendar.add_working_days(
            calendar.working_day_on_or_before(due), -self.working_days_before
        )
        return oslo_datetime(day, self.at)


@dataclass(slots=True)
class CalendarChanges:
    contracts: int = 0
    created: int = 0
    removed: int = 0
    kept: int = 0

    def add(self, other: CalendarChanges) -> None:
        self.contracts += other.contracts
        self.created += other.created
        self.removed += other.removed
        self.kept += other.kept


def horizon_end(today: date, settings: CalendarSettings) -> date:
    return add_months(today, settings.horizon_months)


def due_dates(
    checkpoint: Checkpoint,
    contract: Contract,
    *,
    today: date,
    until: date,
    rule: NonWorkingDayRule,
    calendar: WorkingCalendar,
) -> list[date]:
    """The due dates of `checkpoint` from `today` to `until`, on working days per `rule`.

    Recurring checkpoints stop at the contract's current end date (an option, once taken, moves
    it); one-off checkpoints (option and expiry decisions) are not cut by it.
    """
    start = max(today, contract.start_date) if contract.start_date else today
    end = until
    if checkpoint.rrule != ONCE and contract.end_date and not contract.ongoing:
        end = min(end, contract.end_date)
    if end < start:
        return []
    # Look a few days past the window: an occurrence on a Sunday just after it moves inside.
    slack = relativedelta(days=4)
    raw = occurrences(checkpoint.rrule, checkpoint.dtstart, start - slack, end + slack)
    dates = {calendar.adjust(day, rule) for day in raw}
    return sorted(d for d in dates if start <= d <= end)


def materialise_calendar(
    uow: UnitOfWork,
    contract_ids: Sequence[str],
    now: datetime,
    *,
    settings: CalendarSettings,
    calendar: WorkingCalendar,
    notice: NoticePolicy | None = None,
) -> CalendarChanges:
    """Make these contracts' follow-ups match their checkpoints for the horizon. Caller commits."""
    notice = notice or NoticePolicy()
    today = oslo_today(now)
    until = horizon_end(today, settings)
    changes = CalendarChanges()
    contracts = uow.contracts.get_many(contract_ids)
    checkpoints = uow.checkpoints.for_contracts(list(contracts))
    existing: dict[str, dict[date, FollowUp]] = {}
    for follow_up in uow.follow_ups.for_checkpoints_from([c.id for c in checkpoints], today):
        existing.setdefault(follow_up.checkpoint_id, {})[follow_up.due_date] = follow_up
    to_add: list[FollowUp] = []
    to_remove: list[str] = []
    for checkpoint in checkpoints:
        contract = contracts[checkpoint.contract_id]
        wanted: Iterable[date] = ()
        if checkpoint.status is CheckpointStatus.ACTIVE and follows_up(contract):
            wanted = due_dates(
                checkpoint,
                contract,
                today=today,
                until=until,
                rule=settings.non_working_day,
                calendar=calendar,
            )
        have = existing.get(checkpoint.id, {})
        wanted_set = set(wanted)
        for due in sorted(wanted_set - have.keys()):
            # Values computed here are trusted: not validated (hundreds of thousands of rows).
            to_add.append(
                lifecycle.planned(
                    checkpoint_id=checkpoint.id,
                    contract_id=contract.id,
                    due_date=due,
                    first_action_at=notice.first_action_at(due, calendar),
                )
            )
        for due, follow_up in have.items():
            if due in wanted_set or follow_up.state not in REGENERABLE:
                changes.kept += 1
            else:
                to_remove.append(follow_up.id)
    changes.contracts = len(contracts)
    if to_remove:
        changes.removed = uow.follow_ups.delete_unanswered(to_remove)
        changes.kept += len(to_remove) - changes.removed
    changes.created = uow.follow_ups.add_many(to_add)
    return changes


@dataclass(slots=True)
class RefreshReport:
    contracts: int = 0
    checkpoints_created: int = 0
    checkpoints_updated: int = 0
    checkpoints_retired: int = 0
    calendar: CalendarChanges = field(default_factory=CalendarChanges)


# Keeps a unit-of-work factory: a batch job over many contracts, committed chunk by chunk.
def refresh_plans_and_calendar(
    uow_factory: UnitOfWorkFactory,
    now: datetime,
    config: PlanConfig,
    *,
    calendar: WorkingCalendar,
    contract_ids: Sequence[str] | None = None,
    chunk_size: int = 500,
    actor: str = "plan",
) -> RefreshReport:
    """Apply plans and materialise the calendar for these contracts (all when None), in chunks."""
    report = RefreshReport()
    for chunk in _chunks(uow_factory, contract_ids, chunk_size):
        with uow_factory() as uow:
            plan = apply_plans(uow, chunk, config, now, actor=actor)
            changes = materialise_calendar(
                uow, chunk, now, settings=config.calendar, calendar=calendar
            )
            uow.commit()
        report.contracts += plan.contracts
        report.checkpoints_created += plan.created
        report.checkpoints_updated += plan.updated
        report.checkpoints_retired += plan.retired
        report.calendar.add(changes)
    log.info(
        "plans and calendar refreshed",
        extra={
            "contracts": report.contracts,
            "follow_ups_created": report.calendar.created,
            "follow_ups_removed": report.calendar.removed,
        },
    )
    return report


def _chunks(
    uow_factory: UnitOfWorkFactory, contract_ids: Sequence[str] | None, size: int
) -> Iterable[list[str]]:
    if contract_ids is not None:
        ids = list(contract_ids)
        for start in range(0, len(ids), size):
            yield ids[start : start + size]
        return
    after: str | None = None
    while True:
        with uow_factory() as uow:
            batch = list(uow.contracts.ids_after(after, size))
        if not batch:
            return
        yield batch
        after = batch[-1]
