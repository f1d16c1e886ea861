"""The risk assessment's rule: scores → suggested level, and what a command must hold."""

from __future__ import annotations

import pytest

from followup.checks.models import RiskArea, RiskScore
from followup.checks.risk import (
    AssessRisk,
    RiskRefusal,
    RiskRefused,
    check_assessment,
    read_scores,
    suggested_level,
)
from followup.models import RiskLevel


def _all(consequence: int, likelihood: int) -> dict[RiskArea, tuple[int | None, int | None]]:
    return dict.fromkeys(RiskArea, (consequence, likelihood))


@pytest.mark.parametrize(
    ("consequence", "likelihood", "level"),
    [
        (1, 1, RiskLevel.LOW),
        (1, 3, RiskLevel.LOW),
        (3, 1, RiskLevel.LOW),
        (2, 2, RiskLevel.MEDIUM),
        (4, 1, RiskLevel.MEDIUM),
        (4, 2, RiskLevel.MEDIUM),
        (3, 3, RiskLevel.HIGH),
        (4, 3, RiskLevel.HIGH),
        (4, 4, RiskLevel.HIGH),
    ],
)
def test_the_worst_risk_sets_the_suggestion(
    consequence: int, likelihood: int, level: RiskLevel
) -> None:
    scores = read_scores(_all(1, 1) | {RiskArea.HEALTH_SAFETY: (consequence, likelihood)})
    assert suggested_level(scores) is level


def test_no_scores_suggest_nothing() -> None:
    assert suggested_level([]) is None
    assert read_scores({}) == []


def test_a_missing_or_off_scale_score_is_refused() -> None:
    missing = _all(2, 2)
    del missing[RiskArea.REPUTATION]
    with pytest.raises(RiskRefused) as error:
        read_scores(missing)
    assert error.value.reason is RiskRefusal.SCORE_MISSING
    assert error.value.values["area"] == RiskArea.REPUTATION.value
    with pytest.raises(RiskRefused) as error:
        read_scores(_all(2, 2) | {RiskArea.PRICE: (5, 1)})
    assert error.value.reason is RiskRefusal.SCORE_INVALID
    with pytest.raises(RiskRefused):
        read_scores(_all(2, 2) | {RiskArea.PRICE: (0, 1)})


def test_following_the_suggestion_needs_no_reason() -> None:
    scores, chosen, suggested = check_assessment(AssessRisk("p", "K-1", _all(3, 3)))
    assert (chosen, suggested) == (RiskLevel.HIGH, RiskLevel.HIGH)
    assert [s.area for s in scores] == list(RiskArea)
    assert scores[0] == RiskScore(area=RiskArea.DELIVERY, consequence=3, likelihood=3)


def test_overruling_needs_a_reason() -> None:
    with pytest.raises(RiskRefused) as error:
        check_assessment(AssessRisk("p", "K-1", _all(3, 3), chosen=RiskLevel.LOW, reason="  "))
    assert error.value.reason is RiskRefusal.REASON_MISSING
    _, chosen, suggested = check_assessment(
        AssessRisk("p", "K-1", _all(3, 3), chosen=RiskLevel.LOW, reason="Kort avtale, lav verdi")
    )
    assert (chosen, suggested) == (RiskLevel.LOW, RiskLevel.HIGH)


def test_a_level_without_scores_needs_the_level_and_a_reason() -> None:
    with pytest.raises(RiskRefused) as error:
        check_assessment(AssessRisk("p", "K-1"))
    assert error.value.reason is RiskRefusal.LEVEL_MISSING
    with pytest.raises(RiskRefused) as error:
        check_assessment(AssessRisk("p", "K-1", chosen=RiskLevel.HIGH))
    assert error.value.reason is RiskRefusal.REASON_MISSING
    _, chosen, suggested = check_assessment(
        AssessRisk("p", "K-1", chosen=RiskLevel.HIGH, reason="Mange underleverandører")
    )
    assert (chosen, suggested) == (RiskLevel.HIGH, None)


def test_too_long_a_reason_is_refused() -> None:
    with pytest.raises(RiskRefused) as error:
        check_assessment(AssessRisk("p", "K-1", chosen=RiskLevel.HIGH, reason="x" * 1_001))
    assert error.value.reason is RiskRefusal.TOO_LONG
