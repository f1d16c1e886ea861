"""`kontraktsvakt plan check [FILE]` and `kontraktsvakt plan apply`: the follow-up plan from the
command line, and the hook that refreshes plans and calendars after an import.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO

from followup.calendar.workdays import WorkingCalendar
from followup.models import RiskLevel
from followup.plans.materialise import RefreshReport, refresh_plans_and_calendar
from followup.plans.plan_file import PlanConfig, PlanFileError, load_plan
from storage.db import create_db_engine, create_session_factory
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

EXIT_INVALID = 2
LADDER_WORDS = ("påminnelse", "stedfortreder/forvalter", "innkjøp")
"""What `plan check` calls the ladder's steps (`followup.plans.plan_file.LADDER_STEPS`)."""


def run_plan_check(path: Path | None, *, stdout: TextIO, stderr: TextIO) -> int:
    """Validate a plan file and summarise it."""
    try:
        plan = load_plan(path)
    except PlanFileError as exc:
        stderr.write(f"Planfilen er ikke gyldig: {exc}\n")
        return EXIT_INVALID
    stdout.write(
        f"Planen er gyldig: {len(plan.checkpoint)} kontrollpunkter, horisont "
        f"{plan.calendar.horizon_months} måneder, frister på fridager flyttes "
        f"«{plan.calendar.non_working_day.value}».\n"
    )
    for name, value in sorted(plan.thresholds.items()):
        stdout.write(f"  terskel {name}: {value:,} kr\n".replace(",", " "))
    for risk in RiskLevel:
        stdout.write(f"  eskaleringsstige {risk.value}: {_ladder_text(plan, risk)}\n")
    for template in plan.checkpoint:
        stdout.write(f"  {template.code}: {template.title}\n")
    for warning in plan.warnings():
        stdout.write(f"Advarsel: {warning}\n")
    return 0


def _ladder_text(plan: PlanConfig, risk: RiskLevel) -> str:
    """`påminnelse etter 1, stedfortreder/forvalter etter 3, innkjøp etter 5 virkedager`."""
    steps = ", ".join(
        f"{word} etter {days}"
        for word, days in zip(LADDER_WORDS, plan.ladder_for(risk), strict=False)
    )
    text = f"{steps} virkedager" if steps else "ingen påminnelse etter fristen"
    return text + ("" if risk in plan.ladder else " (standard)")


def refresh(
    database_url: str,
    plan: PlanConfig,
    now: datetime,
    *,
    contract_ids: Sequence[str] | None = None,
    actor: str = "plan",
) -> RefreshReport:
    engine = create_db_engine(database_url)
    try:
        factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
        return refresh_plans_and_calendar(
            factory, now, plan, calendar=WorkingCalendar(), contract_ids=contract_ids, actor=actor
        )
    finally:
        engine.dispose()


def describe(report: RefreshReport) -> str:
    return (
        f"Planer og kalender oppdatert for {report.contracts} kontrakter: "
        f"{report.checkpoints_created} nye kontrollpunkter, {report.checkpoints_updated} endret, "
        f"{report.checkpoints_retired} fjernet; {report.calendar.created} nye oppfølginger, "
        f"{report.calendar.removed} fjernet.\n"
    )


def run_plan_apply(database_url: str, plan: PlanConfig, now: datetime, *, stdout: TextIO) -> int:
    stdout.write(describe(refresh(database_url, plan, now)))
    return 0


def after_import(
    database_url: str, plan: PlanConfig, now: datetime, *, stdout: TextIO, actor: str
) -> Callable[[Sequence[str]], None]:
    """The import's `on_contracts_changed`: plans and calendars for the contracts it touched."""

    def run(contract_ids: Sequence[str]) -> None:
        stdout.write(
            describe(refresh(database_url, plan, now, contract_ids=contract_ids, actor=actor))
        )

    return run
