"""The follow-up calendar: dated follow-ups made from checkpoints for a rolling horizon.

`materialise_calendar` is idempotent: it computes, per active checkpoint, the due dates inside
the horizon (moved off weekends and Norwegian holidays by the plan's rule), adds the follow-ups
that are missing, and removes future ones that are still unanswered but no longer wanted (the plan
changed, the checkpoint was paused or removed, the contract ended). Answered follow-ups are kept.
`refresh_plans_and_calendar` walks contracts in chunks, one transaction each, so memory stays flat
and one bad chunk does not undo the others.

`refresh_what_changed` is the scheduler's daily refresh, with the same result as a full one but
doing only what can differ since the last refresh (whose facts it keeps, `RefreshState`): the
plans and calendars of the contracts changed since then (and of those without a start date, whose
plan is anchored on today), and the follow-ups of the days that entered the horizon. The plan, the
days off in the last horizon or an unknown last refresh force a full refresh.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Final

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
from followup.plans.plan_file import (
    MOVED_DAYS,
    ONCE,
    CalendarSettings,
    PlanConfig,
    apply_plans,
    follows_up,
)
from followup.ports import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

# Unanswered states a plan change may regenerate; answered, skipped and reported ones are history.
REGENERABLE = lifecycle.REMOVABLE
REFRESH_STATE_MARK: Final = "calendar-refresh-state"
"""The scheduler-state mark that keeps the last refresh's facts (`RefreshState`)."""
CHANGE_MARGIN: Final = timedelta(hours=1)
"""Contracts updated this long before the last refresh began count as changed too: a write that
committed while that refresh ran is not missed."""
DAYS_OFF_MARGIN: Final = timedelta(days=14)
"""Days off this far around the horizon count for the notices and the moved due dates."""
# Longer than any run of days off (Easter: Thursday to Monday), so that a date moved off a
# non-working day is found from either side of a window, whatever the window.
_SLACK: Final = timedelta(days=MOVED_DAYS)


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
    return _dates_between(checkpoint.rrule, checkpoint.dtstart, start, end, rule, calendar)


def _dates_between(
    rrule: str,
    dtstart: date,
    start: date,
    end: date,
    rule: NonWorkingDayRule,
    calendar: WorkingCalendar,
) -> list[date]:
    # Look a week past the window: an occurrence on a Sunday (or in Easter) just outside it may
    # move inside. Then the dates of a window are exactly the rule's moved dates that fall in
    # it, so that windows side by side give what one window over both gives.
    raw = occurrences(rrule, dtstart, start - _SLACK, end + _SLACK)
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
    full: str | None = None
    """Why every contract was refreshed (None: only what changed, `refresh_what_changed`)."""
    horizon_days: int = 0
    """Days that entered the horizon since the last refresh (an incremental refresh)."""


@dataclass(frozen=True, slots=True)
class RefreshState:
    """What the last refresh of the whole register was made from (a scheduler-state mark)."""

    at: datetime
    today: date
    until: date
    plan: str
    """`plan_fingerprint` of the plan applied."""
    days_off: str
    """`days_off_fingerprint` over the horizon then (with `DAYS_OFF_MARGIN` either side)."""

    def to_json(self) -> str:
        return json.dumps(
            {
                "at": self.at.isoformat(),
                "today": self.today.isoformat(),
                "until": self.until.isoformat(),
                "plan": self.plan,
                "off": self.days_off,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str | None) -> RefreshState | None:
        """None when there is no state or it cannot be read (a full refresh then)."""
        if not raw:
            return None
        try:
            data = json.loads(raw)
            at = datetime.fromisoformat(data["at"])
            if at.tzinfo is None:
                return None
            return cls(
                at=at,
                today=date.fromisoformat(data["today"]),
                until=date.fromisoformat(data["until"]),
                plan=str(data["plan"]),
                days_off=str(data["off"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


def plan_fingerprint(config: PlanConfig) -> str:
    """Changes when anything in the plan changes (templates, thresholds, calendar settings)."""
    return hashlib.sha256(config.model_dump_json().encode()).hexdigest()[:32]


def days_off_fingerprint(calendar: WorkingCalendar, start: date, end: date) -> str:
    """Changes when a holiday (or an extra day off) in [start, end] comes or goes."""
    digest = hashlib.sha256()
    day = start
    while day <= end:
        if calendar.is_holiday(day):
            digest.update(day.isoformat().encode())
        day += timedelta(days=1)
    return digest.hexdigest()[:16]


def refresh_state(
    now: datetime, config: PlanConfig, calendar: WorkingCalendar, plan: str | None = None
) -> RefreshState:
    """The facts of a refresh of the whole register at `now` (what `refresh_what_changed` keeps)."""
    today = oslo_today(now)
    until = horizon_end(today, config.calendar)
    return RefreshState(
        at=now,
        today=today,
        until=until,
        plan=plan or plan_fingerprint(config),
        days_off=days_off_fingerprint(calendar, today - DAYS_OFF_MARGIN, until + DAYS_OFF_MARGIN),
    )


def _full_refresh_reason(
    state: RefreshState | None, config: PlanConfig, calendar: WorkingCalendar, now: datetime
) -> tuple[str | None, str]:
    """Why the whole register must be refreshed (None: what changed is enough), and the plan's
    fingerprint."""
    plan = plan_fingerprint(config)
    if state is None:
        return "no earlier refresh known", plan
    if state.plan != plan:
        return "the plan changed", plan
    today = oslo_today(now)
    if today < state.today or now < state.at:
        return "the clock went back", plan
    if today > state.until:
        return "the last refresh is older than the horizon", plan
    off = days_off_fingerprint(
        calendar, state.today - DAYS_OFF_MARGIN, state.until + DAYS_OFF_MARGIN
    )
    if off != state.days_off:
        return "the days off changed", plan
    return None, plan


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
    """Apply plans and materialise the calendar for these contracts (all when None), in chunks.
    A refresh of all of them is recorded (`RefreshState`) for `refresh_what_changed`."""
    report = _refresh_contracts(uow_factory, now, config, calendar, contract_ids, chunk_size, actor)
    if contract_ids is None:
        report.full = report.full or "asked for"
        _record(uow_factory, refresh_state(now, config, calendar), now)
    return report


def _refresh_contracts(
    uow_factory: UnitOfWorkFactory,
    now: datetime,
    config: PlanConfig,
    calendar: WorkingCalendar,
    contract_ids: Sequence[str] | None,
    chunk_size: int,
    actor: str,
) -> RefreshReport:
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


# Keeps a unit-of-work factory: a batch job over many contracts, committed chunk by chunk.
def refresh_what_changed(
    uow_factory: UnitOfWorkFactory,
    now: datetime,
    config: PlanConfig,
    *,
    calendar: WorkingCalendar,
    chunk_size: int = 500,
    actor: str = "scheduler",
) -> RefreshReport:
    """The daily refresh: what `refresh_plans_and_calendar` over every contract would make, doing
    only what can differ since the last refresh (see the module docstring)."""
    with uow_factory() as uow:
        state = RefreshState.from_json(uow.scheduler.mark(REFRESH_STATE_MARK))
    reason, plan = _full_refresh_reason(state, config, calendar, now)
    if reason is not None or state is None:
        log.info("full plan and calendar refresh", extra={"reason": reason})
        report = _refresh_contracts(uow_factory, now, config, calendar, None, chunk_size, actor)
        report.full = reason
        _record(uow_factory, refresh_state(now, config, calendar, plan), now)
        return report
    with uow_factory() as uow:
        changed = sorted(uow.contracts.ids_changed_since(state.at - CHANGE_MARGIN))
    report = _refresh_contracts(uow_factory, now, config, calendar, changed, chunk_size, actor)
    today = oslo_today(now)
    until = horizon_end(today, config.calendar)
    if until > state.until:
        report.horizon_days = (until - state.until).days
        with uow_factory() as uow:
            report.calendar.add(
                _extend_horizon(
                    uow,
                    state.until + timedelta(days=1),
                    until,
                    changed,
                    settings=config.calendar,
                    calendar=calendar,
                    notice=NoticePolicy(),
                )
            )
            uow.commit()
    _record(uow_factory, refresh_state(now, config, calendar, plan), now)
    log.info(
        "plans and calendar refreshed where changed",
        extra={
            "contracts": report.contracts,
            "horizon_days": report.horizon_days,
            "follow_ups_created": report.calendar.created,
            "follow_ups_removed": report.calendar.removed,
        },
    )
    return report


def _extend_horizon(
    uow: UnitOfWork,
    start: date,
    until: date,
    skip_contract_ids: Sequence[str],
    *,
    settings: CalendarSettings,
    calendar: WorkingCalendar,
    notice: NoticePolicy,
) -> CalendarChanges:
    """The follow-ups due in [start, until] (days new to the horizon) of the contracts not
    changed: what `materialise_calendar` would add there, from one read of the followed
    checkpoints' rules and one of the follow-ups already in those days."""
    changes = CalendarChanges()
    have = uow.follow_ups.keys_due_between(start, until)
    to_add: list[FollowUp] = []
    contracts: set[str] = set()
    for schedule in uow.checkpoints.followed_schedules(skip_contract_ids, start, until):
        contracts.add(schedule.contract_id)
        first = max(start, schedule.start_date) if schedule.start_date else start
        last = until
        if schedule.rrule != ONCE and schedule.end_date and not schedule.ongoing:
            last = min(last, schedule.end_date)
        if last < first:
            continue
        for due in _dates_between(
            schedule.rrule, schedule.dtstart, first, last, settings.non_working_day, calendar
        ):
            if (schedule.checkpoint_id, due) in have:
                changes.kept += 1
                continue
            to_add.append(
                lifecycle.planned(
                    checkpoint_id=schedule.checkpoint_id,
                    contract_id=schedule.contract_id,
                    due_date=due,
                    first_action_at=notice.first_action_at(due, calendar),
                )
            )
    changes.contracts = len(contracts)
    changes.created = uow.follow_ups.add_many(to_add)
    return changes


def _record(uow_factory: UnitOfWorkFactory, state: RefreshState, now: datetime) -> None:
    with uow_factory() as uow:
        uow.scheduler.set_mark(REFRESH_STATE_MARK, state.to_json(), now)
        uow.commit()


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
