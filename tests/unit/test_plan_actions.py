"""The answers a checkpoint offers, as the plan file declares them: the default plan's own per
kind of checkpoint, unknown codes refused with the checkpoint and the code named, decisions only
on the kind of checkpoint they decide, and a warning (not a refusal) for plan files that still
answer an option or an expiry with «levert»."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli.plan import run_plan_check
from followup.answers.actions import ACTION_CODES, fit_error, fit_warning, unknown_codes
from followup.plans.edits import MANUAL_ACTIONS
from followup.plans.plan_file import PlanFileError, load_plan

DEFAULT = Path(load_plan.__code__.co_filename).with_name("default_plan.toml")


def _plan(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(content, encoding="utf-8")
    return path


def _default_with(old: str, new: str) -> str:
    text = DEFAULT.read_text("utf-8")
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_the_default_plan_gives_each_kind_of_checkpoint_its_own_answers() -> None:
    plan = load_plan()
    actions = {t.code: t.actions for t in plan.checkpoint}
    assert actions["opsjon"] == ["opsjon_utloses", "opsjon_utloses_ikke", "ikke_relevant", "utsett"]
    assert actions["utlop"] == ["ny_anskaffelse", "forlenges", "avsluttes", "utsett"]
    assert actions["priskontroll"] == ["i_samsvar", "avvik", "ikke_relevant", "utsett"]
    assert actions["statusmote"] == ["holdt", "avvik", "ikke_relevant", "utsett"]
    assert plan.template("statusmote") is not None
    assert plan.template("statusmote").evidence == ["referat"]  # type: ignore[union-attr]
    assert all(not unknown_codes(a) for a in actions.values())
    assert plan.warnings() == []
    assert not unknown_codes(list(MANUAL_ACTIONS)), "what a checkpoint added by title offers"


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (
            "[[checkpoint]]\ncode='levering'\ntitle='X'\ncadence='årlig'\n"
            "actions=['levert', 'lvert']\n",
            "checkpoint 'levering': unknown action 'lvert'",
        ),
        (
            "[[checkpoint]]\ncode='utlop'\nkind='expiry'\ntitle='X'\n"
            "actions=['opsjon_utloses', 'utsett']\n",
            "checkpoint 'utlop': the action 'opsjon_utloses' is a decision for kind = 'option'",
        ),
        (
            "[[checkpoint]]\ncode='opsjon'\nkind='option'\ntitle='X'\nactions=['forlenges']\n",
            "checkpoint 'opsjon': the action 'forlenges' is a decision for kind = 'expiry'",
        ),
        (
            "[[checkpoint]]\ncode='levering'\ntitle='X'\ncadence='årlig'\n"
            "actions=['levert', 'avsluttes']\n",
            "checkpoint 'levering': the action 'avsluttes' is a decision",
        ),
    ],
)
def test_unknown_and_misplaced_codes_are_refused_with_checkpoint_and_code(
    tmp_path: Path, content: str, complaint: str
) -> None:
    with pytest.raises(PlanFileError, match=r"plan\.toml") as caught:
        load_plan(_plan(tmp_path, content))
    assert complaint in str(caught.value)


def test_an_old_plan_file_answering_options_with_levert_loads_with_a_warning(
    tmp_path: Path,
) -> None:
    old = _default_with(
        'actions = ["opsjon_utloses", "opsjon_utloses_ikke", "ikke_relevant", "utsett"]',
        'actions = ["levert", "ikke_relevant", "utsett"]',
    )
    path = _plan(tmp_path, old)
    plan = load_plan(path)
    (warning,) = plan.warnings()
    assert warning.startswith("checkpoint 'opsjon': 'levert' answers a delivery, not a decision")
    assert "'opsjon_utloses'" in warning

    out, err = io.StringIO(), io.StringIO()
    assert run_plan_check(path, stdout=out, stderr=err) == 0
    assert "Planen er gyldig" in out.getvalue()
    assert "Advarsel: checkpoint 'opsjon'" in out.getvalue()
    assert err.getvalue() == ""

    out = io.StringIO()
    assert run_plan_check(None, stdout=out, stderr=err) == 0
    assert "Advarsel" not in out.getvalue()


def test_plan_check_names_the_checkpoint_and_the_unknown_code(tmp_path: Path) -> None:
    broken = _default_with(
        'actions = ["i_samsvar", "avvik", "ikke_relevant", "utsett"]',
        'actions = ["i_samsvar", "avvik_funnet", "utsett"]',
    )
    out, err = io.StringIO(), io.StringIO()
    assert run_plan_check(_plan(tmp_path, broken), stdout=out, stderr=err) == 2
    assert "Planfilen er ikke gyldig" in err.getvalue()
    assert "checkpoint 'priskontroll': unknown action 'avvik_funnet'" in err.getvalue()


def test_what_fits_which_kind_of_checkpoint() -> None:
    assert fit_error("option", "opsjon_utloses") is None
    assert fit_error("expiry", "avsluttes") is None
    assert fit_error("recurring", "i_samsvar") is None
    assert fit_error("recurring", "levert") is None
    assert fit_error("option", "ikke_relevant") is None
    assert fit_error("expiry", "opsjon_utloses_ikke") is not None
    assert fit_error("recurring", "ny_anskaffelse") is not None
    assert fit_warning("recurring", ["levert"]) is None
    assert fit_warning("expiry", ["ny_anskaffelse", "utsett"]) is None
    assert "offers no decision" in (fit_warning("expiry", ["ikke_relevant", "utsett"]) or "")
    assert "'delvis_levert' answers a delivery" in (fit_warning("option", ["delvis_levert"]) or "")
    assert {"levert", "dokumentasjon", "avvik", "utsett", "holdt", "i_samsvar"} <= ACTION_CODES
