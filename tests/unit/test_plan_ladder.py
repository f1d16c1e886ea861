"""The escalation ladder per risk level in the plan file (`[ladder]`): read and validated with
the level and the step named, a missing level falling back to the calendar's ladder, a
checkpoint's own ladder winning, plan files without the table planned exactly as before, and
`plan check` showing each level's ladder."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from bot.cli.plan import run_plan_check
from followup.models import Category, Contract, ContractType, RiskLevel
from followup.plans.plan_file import (
    DEFAULT_PLAN_FILE,
    PlanFileError,
    load_plan,
    plan_for,
)

TODAY = date(2026, 11, 20)
TEMPLATE = "[[checkpoint]]\ncode = 'levering'\ntitle = 'Levering'\ncadence = 'månedlig'\n"


def _plan(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(content, encoding="utf-8")
    return path


def _without_ladder() -> str:
    """The default plan as it was before `[ladder]`."""
    text = DEFAULT_PLAN_FILE.read_text("utf-8")
    start = text.index("\n[ladder]\n")
    end = text.index("\n[", start + 1)
    return text[:start] + text[end:]


def _contract(risk: RiskLevel) -> Contract:
    """A cleaning contract of NOK 2.5 million: most templates apply to it."""
    return Contract.model_validate(
        {
            "reference": "RA-2026-0001",
            "title": "Renhold",
            "contract_type": ContractType.FRAMEWORK,
            "category": Category.SERVICES,
            "start_date": date(2026, 1, 1),
            "end_date": date(2027, 12, 31),
            "options": [date(2028, 12, 31)],
            "value_nok": 2_500_000,
            "risk": risk,
        }
    )


def _ladders(path: Path | None, risk: RiskLevel) -> set[tuple[int, ...]]:
    return {p.escalation for p in plan_for(_contract(risk), load_plan(path), TODAY)}


def test_the_default_plan_escalates_high_risk_sooner_and_the_rest_as_before() -> None:
    plan = load_plan()
    assert set(plan.ladder) == {RiskLevel.HIGH}
    assert _ladders(None, RiskLevel.HIGH) == {(1, 3, 5)}
    assert _ladders(None, RiskLevel.MEDIUM) == {(2, 5, 10)}
    assert _ladders(None, RiskLevel.LOW) == {(2, 5, 10)}
    assert plan.warnings() == []


def test_a_plan_file_without_ladder_is_planned_exactly_as_before(tmp_path: Path) -> None:
    old = _plan(tmp_path, _without_ladder())
    with_ladder = load_plan()
    for risk in RiskLevel:
        assert _ladders(old, risk) == {(2, 5, 10)}
        before = plan_for(_contract(risk), load_plan(old), TODAY)
        now = plan_for(_contract(risk), with_ladder, TODAY)
        # Only the ladder of a high-risk contract differs; every checkpoint is the same.
        assert [p.code for p in before] == [p.code for p in now]
        if risk is not RiskLevel.HIGH:
            assert before == now


def test_a_missing_level_falls_back_to_the_calendars_ladder(tmp_path: Path) -> None:
    path = _plan(
        tmp_path,
        "[calendar]\nescalation_working_days = [3, 6, 12]\n\n[ladder]\n"
        "lav = { reminder = 5 }\n'høy' = { reminder = 1, deputy = 2, procurement = 4 }\n\n"
        + TEMPLATE,
    )
    assert _ladders(path, RiskLevel.LOW) == {(5,)}, "a ladder may stop early"
    assert _ladders(path, RiskLevel.MEDIUM) == {(3, 6, 12)}
    assert _ladders(path, RiskLevel.HIGH) == {(1, 2, 4)}


def test_a_checkpoints_own_ladder_wins_and_plan_check_says_so(tmp_path: Path) -> None:
    path = _plan(
        tmp_path,
        "[ladder]\n'høy' = { reminder = 1, deputy = 2 }\n\n"
        + TEMPLATE
        + "escalation_working_days = [4, 8]\n",
    )
    assert _ladders(path, RiskLevel.HIGH) == {(4, 8)}
    (warning,) = load_plan(path).warnings()
    assert warning.startswith("checkpoint 'levering': its own escalation_working_days")


@pytest.mark.parametrize(
    ("ladder", "complaint"),
    [
        (
            "lav = { reminder = 3, escalate = 5 }",
            "ladder.lav: Value error, unknown step 'escalate' (known: reminder, deputy, "
            "procurement)",
        ),
        (
            "'høy' = { reminder = 3, deputy = 3 }",
            "ladder.høy: Value error, offsets must increase: deputy (3) must come after "
            "reminder (3)",
        ),
        (
            "middels = { reminder = 2, deputy = 5, procurement = 4 }",
            "offsets must increase: procurement (4) must come after deputy (5)",
        ),
        (
            "middels = { reminder = 2, procurement = 10 }",
            "ladder.middels: Value error, step 'procurement' without 'deputy'",
        ),
        ("middels = { deputy = 5 }", "a ladder needs at least the step 'reminder'"),
        ("middels = {}", "a ladder needs at least the step 'reminder'"),
        ("hoy = { reminder = 1 }", "ladder.hoy.[key]: Input should be 'lav', 'middels' or 'høy'"),
        ("lav = { reminder = '2' }", "ladder.lav.reminder: Input should be a valid integer"),
        ("lav = { reminder = 200 }", "ladder.lav.reminder: Input should be less than or equal"),
        ("lav = { reminder = -1 }", "ladder.lav.reminder: Input should be greater than or equal"),
    ],
)
def test_a_broken_ladder_is_refused_with_the_level_and_the_reason(
    tmp_path: Path, ladder: str, complaint: str
) -> None:
    path = _plan(tmp_path, f"[ladder]\n{ladder}\n\n{TEMPLATE}")
    with pytest.raises(PlanFileError, match=r"plan\.toml") as caught:
        load_plan(path)
    assert complaint in str(caught.value)

    out, err = io.StringIO(), io.StringIO()
    assert run_plan_check(path, stdout=out, stderr=err) == 2
    assert complaint in err.getvalue()
    assert out.getvalue() == ""


def test_plan_check_shows_each_levels_ladder(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run_plan_check(None, stdout=out, stderr=err) == 0
    text = out.getvalue()
    assert (
        "eskaleringsstige høy: påminnelse etter 1, stedfortreder/forvalter etter 3, "
        "innkjøp etter 5 virkedager\n"
    ) in text
    assert (
        "eskaleringsstige lav: påminnelse etter 2, stedfortreder/forvalter etter 5, "
        "innkjøp etter 10 virkedager (standard)\n"
    ) in text

    out = io.StringIO()
    path = _plan(tmp_path, "[ladder]\nlav = { reminder = 4 }\n\n" + TEMPLATE)
    assert run_plan_check(path, stdout=out, stderr=err) == 0
    assert "eskaleringsstige lav: påminnelse etter 4 virkedager\n" in out.getvalue()
    assert err.getvalue() == ""
