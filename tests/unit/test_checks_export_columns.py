"""The columns of `eksport risiko` and `eksport evalueringer` (issue 19): the areas and
headings in the forms' order, a header for each part, labels for the stored codes, the sheets'
titles and the words for both kinds in both catalogues."""

from __future__ import annotations

from bot.conversation.texts import text
from bot.exports.commands import KIND_WORDS, SHEET_TITLES
from followup.checks.evaluation_models import EvaluationHeading
from followup.checks.models import RiskArea, RiskSource
from followup.models import RiskLevel
from followup.views import (
    EVALUATION_HEADING_HEADERS,
    EXPORT_COLUMNS,
    RISK_AREA_HEADERS,
    RISK_LEVEL_LABELS,
    RISK_SOURCE_LABELS,
    ColumnType,
    ExportKind,
)

CONTRACT_HEADERS = ["Avtalenr", "Kontrakt", "Leverandør", "Enhet"]


def _headers(kind: ExportKind) -> list[str]:
    return [c.header for c in EXPORT_COLUMNS[kind]]


def test_the_areas_and_headings_are_the_forms() -> None:
    assert [code for code, _ in RISK_AREA_HEADERS] == [a.value for a in RiskArea]
    assert [code for code, _ in EVALUATION_HEADING_HEADERS] == [h.value for h in EvaluationHeading]
    assert set(RISK_SOURCE_LABELS) == {s.value for s in RiskSource}
    assert set(RISK_LEVEL_LABELS) == set(RiskLevel)


def test_risk_columns_two_numbers_an_area() -> None:
    headers = _headers(ExportKind.RISIKO)
    assert len(headers) == len(set(headers))
    assert headers[:8] == [*CONTRACT_HEADERS, "Versjon", "Vurdert", "Vurdert av", "Kilde"]
    scores = EXPORT_COLUMNS[ExportKind.RISIKO][8:20]
    assert [c.header for c in scores[:2]] == [
        "Leveranse og kvalitet: konsekvens",
        "Leveranse og kvalitet: sannsynlighet",
    ]
    assert all(c.type is ColumnType.INTEGER for c in scores)
    assert headers[20:] == [
        "Foreslått nivå",
        "Valgt nivå",
        "Forrige nivå",
        "Begrunnelse for valgt nivå",
        "Kommentar",
    ]
    assert EXPORT_COLUMNS[ExportKind.RISIKO][21].labels == {
        "lav": "Lav",
        "middels": "Middels",
        "høy": "Høy",
    }


def test_evaluation_columns_a_score_and_a_comment_a_heading() -> None:
    headers = _headers(ExportKind.EVALUERINGER)
    assert len(headers) == len(set(headers))
    assert headers[:8] == [
        *CONTRACT_HEADERS, "Org.nr", "Versjon", "Evaluert", "Evaluert av",
    ]  # fmt: skip
    assert headers[8:10] == ["Leveringssikkerhet", "Leveringssikkerhet: kommentar"]
    assert headers[-2:] == ["Samlet vurdering", "Samlet vurdering: kommentar"]
    assert len(headers) == 8 + 2 * len(EvaluationHeading)


def test_the_contracts_export_has_the_latest_assessment_and_evaluation() -> None:
    headers = _headers(ExportKind.KONTRAKTER)
    assert headers[headers.index("Risiko") + 1] == "Risikovurdert"
    assert headers[-5:] == [
        "Åpne avvik", "Evaluert", "Samlet vurdering", "Arkivsak", "Arkiverte journalposter",
    ]  # fmt: skip


def test_the_kinds_are_named_in_both_languages() -> None:
    for word in ("risiko", "risikovurderinger", "risk"):
        assert KIND_WORDS[word] is ExportKind.RISIKO
    for word in ("evalueringer", "evaluering", "evaluations"):
        assert KIND_WORDS[word] is ExportKind.EVALUERINGER
    assert SHEET_TITLES[ExportKind.RISIKO] == "Risikovurderinger"
    assert SHEET_TITLES[ExportKind.EVALUERINGER] == "Evalueringer"
    assert text("export.kind.risiko", "nb-NO") == "risikovurderinger"
    assert text("export.kind.risiko", "en-US") == "risk assessments"
    assert text("export.kind.evalueringer", "nb-NO") == "leverandørevalueringer"
    assert text("export.kind.evalueringer", "en-US") == "supplier evaluations"
    for locale, words in (("nb-NO", ("eksport risiko", "eksport evalueringer")),
                          ("en-US", ("export risk", "export evaluations"))):  # fmt: skip
        usage = text("export.usage", locale)
        assert all(w in usage for w in words), usage
