"""Follow-up plans: the template file, and which checkpoints each kind of contract gets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from followup.models import (
    Category,
    ComplianceFlags,
    Contract,
    ContractStatus,
    ContractType,
    RiskLevel,
)
from followup.plans.plan_file import ONCE, PlanFileError, load_plan, plan_for

TODAY = date(2026, 11, 20)


def _contract(**changes: object) -> Contract:
    values: dict[str, object] = {
        "reference": "KOM-2026-0001",
        "title": "Kontorrekvisita",
        "contract_type": ContractType.SINGLE,
        "category": Category.GOODS,
        "start_date": date(2026, 1, 1),
        "end_date": date(2027, 12, 31),
        "value_nok": 100_000,
        "risk": RiskLevel.MEDIUM,
    }
    values.update(changes)
    return Contract.model_validate(values)


def _codes(contract: Contract) -> set[str]:
    return {p.code for p in plan_for(contract, load_plan(), TODAY)}


def test_the_default_plan_file_is_valid_and_names_every_checkpoint_in_the_domain() -> None:
    plan = load_plan()
    assert {t.code for t in plan.checkpoint} >= {
        "levering",
        "egenrapportering",
        "lonnsdokumentasjon",
        "skatteattest",
        "hms-kort",
        "laerlinger",
        "underleverandorer",
        "salgsstatistikk",
        "priskontroll",
        "statusmote",
        "opsjon",
        "utlop",
        "leverandorevaluering",
    }
    assert plan.calendar.horizon_months == 13
    assert plan.thresholds["tax_certificate"] == 500_000


def test_a_small_goods_contract_gets_delivery_checks_and_its_expiry() -> None:
    assert _codes(_contract()) == {"levering", "utlop"}


def test_a_framework_agreement_for_goods_gets_sales_statistics_and_price_checks() -> None:
    codes = _codes(_contract(contract_type=ContractType.FRAMEWORK, value_nok=3_000_000))
    assert {"salgsstatistikk", "priskontroll", "skatteattest", "statusmote"} <= codes
    assert "leverandorevaluering" in codes
    assert "egenrapportering" not in codes  # goods: no pay-and-conditions checks


def test_building_above_the_threshold_gets_every_seriousness_check() -> None:
    codes = _codes(_contract(category=Category.BUILDING, value_nok=5_000_000, risk=RiskLevel.HIGH))
    assert {
        "egenrapportering",
        "lonnsdokumentasjon",
        "hms-kort",
        "underleverandorer",
        "skatteattest",
    } <= codes


def test_a_high_risk_cleaning_contract_gets_on_site_checks_and_evaluations() -> None:
    """Issue 19's «done when»: a high-risk cleaning contract's plan includes on-site checks,
    the yearly evaluation and the evaluation at the end (a month before the final end date)."""
    cleaning = _contract(
        title="Renhold skoler",
        category=Category.SERVICES,
        value_nok=3_000_000,
        risk=RiskLevel.HIGH,
        end_date=date(2027, 12, 31),
    )
    planned = {p.code: p for p in plan_for(cleaning, load_plan(), TODAY)}
    assert {"stedlig-kontroll", "leverandorevaluering", "sluttevaluering"} <= planned.keys()
    assert planned["stedlig-kontroll"].rrule == "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1"
    final = planned["sluttevaluering"]
    assert final.rrule == ONCE
    assert final.dtstart == date(2027, 11, 30)
    assert final.evidence == ("evaluering",)
    # Below the «significant» threshold: on-site checks, but no evaluations.
    small = _codes(_contract(category=Category.SERVICES, value_nok=1_500_000, risk=RiskLevel.HIGH))
    assert "stedlig-kontroll" in small
    assert not {"leverandorevaluering", "sluttevaluering"} & small


def test_a_compliance_flag_brings_the_check_below_the_threshold() -> None:
    plain = _codes(_contract(category=Category.SERVICES, value_nok=200_000))
    flagged = _codes(
        _contract(
            category=Category.SERVICES,
            value_nok=200_000,
            compliance=ComplianceFlags(pay_and_conditions=True, apprentices=True),
        )
    )
    assert "egenrapportering" not in plain
    assert {"egenrapportering", "laerlinger"} <= flagged


def test_risk_sets_the_cadence_and_can_switch_a_checkpoint_off() -> None:
    plan = load_plan()
    high = {p.code: p for p in plan_for(_contract(risk=RiskLevel.HIGH), plan, TODAY)}
    low = {p.code: p for p in plan_for(_contract(risk=RiskLevel.LOW), plan, TODAY)}
    assert "INTERVAL=3" not in high["levering"].rrule
    assert "INTERVAL=3" in low["levering"].rrule
    services = _contract(category=Category.SERVICES, value_nok=2_000_000, risk=RiskLevel.LOW)
    assert "lonnsdokumentasjon" not in _codes(services)


def test_self_report_comes_a_month_after_signing_then_on_its_cadence() -> None:
    contract = _contract(category=Category.SERVICES, value_nok=2_000_000)
    planned = {p.code: p for p in plan_for(contract, load_plan(), TODAY)}
    assert "RDATE;VALUE=DATE:20260131" in planned["egenrapportering"].rrule
    assert planned["egenrapportering"].dtstart == date(2026, 1, 1)
    assert planned["egenrapportering"].evidence == ("egenrapportering",)


def test_options_give_one_decision_each_and_expiry_counts_from_the_last_option() -> None:
    contract = _contract(
        end_date=date(2026, 12, 31), options=[date(2027, 12, 31), date(2028, 12, 31)]
    )
    planned = {p.code: p for p in plan_for(contract, load_plan(), TODAY)}
    assert planned["opsjon-1"].dtstart == date(2026, 8, 31)  # 4 months before 31.12.2026
    assert planned["opsjon-2"].dtstart == date(2027, 8, 31)
    assert planned["utlop"].dtstart == date(2028, 6, 30)  # 6 months before 31.12.2028
    assert planned["opsjon-1"].rrule == ONCE
    assert "opsjon-3" not in planned


def test_ongoing_and_ended_contracts() -> None:
    assert "utlop" not in _codes(_contract(ongoing=True, end_date=None))
    assert _codes(_contract(status=ContractStatus.EXPIRED)) == set()
    assert _codes(_contract(status=ContractStatus.TERMINATED)) == set()
    assert "levering" in _codes(_contract(status=ContractStatus.PLANNED))


def test_a_contract_without_a_start_date_is_anchored_on_today() -> None:
    planned = plan_for(_contract(start_date=None), load_plan(), TODAY)
    assert {p.dtstart for p in planned if p.rrule != ONCE} == {TODAY}


def test_thresholds_are_configuration(tmp_path: Path) -> None:
    text = (Path(load_plan.__code__.co_filename).parent / "default_plan.toml").read_text("utf-8")
    lowered = text.replace("tax_certificate = 500_000", "tax_certificate = 50_000")
    path = tmp_path / "plan.toml"
    path.write_text(lowered, encoding="utf-8")
    contract = _contract(value_nok=100_000)
    assert "skatteattest" not in _codes(contract)
    assert "skatteattest" in {p.code for p in plan_for(contract, load_plan(path), TODAY)}


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("this is [not toml", "not valid TOML"),
        ("[calendar]\nhorizon_months = 0\n", "calendar.horizon_months"),
        ("[[checkpoint]]\ncode = 'x'\ntitle = 'X'\n", "needs a cadence"),
        ("[[checkpoint]]\ncode = 'x'\ntitle = 'X'\ncadence = 'FREQ=SOMETIMES'\n", "checkpoint.0"),
        (
            "[[checkpoint]]\ncode='x'\ntitle='X'\ncadence='årlig'\n"
            "[[checkpoint]]\ncode='x'\ntitle='Y'\ncadence='årlig'\n",
            "used twice",
        ),
        (
            "[[checkpoint]]\ncode='x'\ntitle='X'\ncadence='årlig'\napplies={min_value='nope'}\n",
            "not under [thresholds]",
        ),
        ("[calendar]\nunknown_setting = 1\n", "calendar.unknown_setting"),
    ],
)
def test_a_broken_plan_file_is_refused_with_the_reason(
    tmp_path: Path, content: str, complaint: str
) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PlanFileError, match=r"plan\.toml") as caught:
        load_plan(path)
    assert complaint in str(caught.value)


def test_a_missing_plan_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match="cannot read"):
        load_plan(tmp_path / "nope.toml")


def test_no_text_of_the_default_plan_has_an_angle_bracket_placeholder() -> None:
    """Teams and Web Chat read `<avtalenr>` as an HTML tag and show nothing (the catalogues'
    own test checks theirs; the plan's questions and titles reach the same cards)."""
    import re

    plan = load_plan()
    found = [
        (template.code, text)
        for template in plan.checkpoint
        for text in (template.title, template.question)
        if re.search(r"<[a-zæøåA-Z][\wæøå .|-]*>", text)
    ]
    assert found == []
