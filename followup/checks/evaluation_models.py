"""A supplier evaluation: what is stored (`followup.checks.evaluation` records it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from pydantic import Field

from followup.models import DomainModel, new_id

EVALUATION_SCALE: Final = (1, 2, 3, 4, 5)
"""Each heading is scored 1–5: 1 svært dårlig, 2 dårlig, 3 som avtalt, 4 godt, 5 svært godt.
Unlike the risk assessment's even scale, an evaluation needs a middle: «as agreed» is the
expected, fair answer for a supplier that delivered what the contract says, and the letter to
the supplier must be able to say so. Five steps fit a compact choice on a phone-sized card,
and 1–2 (below what was agreed) need a comment the supplier can answer."""


class EvaluationHeading(StrEnum):
    """DFØ's headings for evaluating a supplier, in the letter's order."""

    DELIVERY = "leveringssikkerhet"
    QUALITY = "kvalitet"
    """Quality and competence."""
    COOPERATION = "samarbeid"
    INVOICING = "fakturering"
    """Invoicing and economy."""
    RESPONSIBILITY = "samfunnsansvar"
    """Social responsibility: pay and working conditions, environment, human rights."""
    OVERALL = "samlet"
    """The overall assessment: its score is the evaluation's."""


class HeadingScore(DomainModel):
    heading: EvaluationHeading
    score: int = Field(ge=1, le=5)
    comment: str | None = None


class SupplierEvaluation(DomainModel):
    """One version of a contract's supplier evaluation. Versions are numbered from 1 per
    contract and never changed."""

    id: str = Field(default_factory=new_id)
    contract_id: str
    supplier_id: str | None = None
    """The contract's supplier when evaluated."""
    version: int = Field(ge=1)
    evaluated_by_id: str
    evaluated_at: datetime
    scores: list[HeadingScore]

    @property
    def overall(self) -> int:
        return self.score_of(EvaluationHeading.OVERALL).score

    def score_of(self, heading: EvaluationHeading) -> HeadingScore:
        for score in self.scores:
            if score.heading is heading:
                return score
        raise KeyError(heading)


@dataclass(frozen=True, slots=True)
class EvaluationLine:
    """A stored evaluation as listed (a supplier's status, a reminder): when, which contract,
    the overall score; the contract's people, for the viewer's scope."""

    contract_id: str
    reference: str
    title: str
    version: int
    evaluated_at: datetime
    overall: int
    owner_id: str | None = None
    deputy_id: str | None = None
    manager_id: str | None = None


@dataclass(frozen=True, slots=True)
class EvaluationLetter:
    """An evaluation as a letter to the supplier, its words ready (the writer lays them out):
    lines above the table, the table (heading, score, our comment, and an empty column for the
    supplier's comment), lines below."""

    sheet_title: str
    file_name: str
    opening: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[tuple[str, str, str], ...]
    closing: tuple[str, ...]
