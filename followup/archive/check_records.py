"""Risk assessments, on-site checks and supplier evaluations as archive records (issue 19's
structured checks, "archived like other records", in issue 17's mapping
`followup.archive.records`, which calls these builders).

Each is an internal note (*organinternt dokument*) in the contract's case, made by the person
who stored it (*korrespondansepart* IA, as the person reporting a deviation), dated the Oslo day
it was stored, whose main document is a UTF-8 text file the mapping writes (as a deviation
report's or a quarter summary's is, `followup.archive.record_text`):

=============================== ===================== ===== ===================================
fact                            record key            type  dokumenttype
=============================== ===================== ===== ===================================
a risk assessment version       ``risk:<id>``         X     ROS-ANALYSE
(chat; never the register's
unreasoned version 0)
an on-site check                ``onsite:<id>``       X/N   TILSYN; its photos and documents
                                                            attached (V): FOTO, or by evidence
a supplier evaluation version   ``evaluation:<id>``   X     RAPPORT
=============================== ===================== ===== ===================================

Why these *journalposttyper*: N (*for oppfølging*) asks the archive to track the note until
someone follows it up (a *restanse*); X (*uten oppfølging*) is a finished note. A risk
assessment and an evaluation are finished when stored: what they lead to (a re-planned
contract, a letter to the supplier) is followed up in Kontraktsvakt's plan, and a letter sent is
a record of its own. An on-site check is X too, unless it found something (HMS-kort missing,
a crew list that did not match) and no deviation was registered for it: then nobody else
tracks the finding, and it is N. A check whose findings became a deviation is X, since the
deviation report (N) carries the follow-up.

Versions are never changed, so a version's key (its stored id) is stable, and a new version is
a new record. No screening: the texts hold scores, counts, names of the municipality's own
staff and notes, as deviation reports do; what offentleglova § 13 screens (payslips, tax
certificates, employment contracts, time sheets) are documents, and such a document filed after
a check keeps its own screened record rather than joining the check's (see below).

**An on-site check's photos and documents.** People send them in the chat after the check, and
they are filed on the follow-up the check answered (`OnsiteCheck.follow_up_id`). A document on
that follow-up uploaded at or after the check was recorded, on the check's Oslo day or the next
(`ArchiveOptions.onsite_attachment_days`, 2), is an attachment (*vedlegg*, V) of the check's
record instead of a record of its own (with several checks on one follow-up, the latest before
it). So that a record's files never change once it is queued, a check with a follow-up waits
until those days are over (like a quarter summary waits for its quarter to settle): the day's
first pass, which reads every contract, queues it. Documents filed before the check was
recorded (they may already be in the archive), after those days, or screened stay records of
their own; a check that answered no follow-up has nowhere photos are filed with it and is
archived at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Final, Protocol

from followup.archive.codes import DocumentRole, DocumentType, RecordType
from followup.archive.messages import ArchiveFile, ArchiveParty, ArchiveRecord
from followup.archive.ports import ContractFacts
from followup.archive.record_text import day, moment, oslo_date, short, text_file
from followup.checks.evaluation_models import EvaluationHeading, SupplierEvaluation
from followup.checks.models import RiskArea, RiskAssessment, RiskSource
from followup.checks.onsite_models import OnsiteCheck
from followup.models import Document
from followup.views import CATEGORY_LABELS, CREW_LIST_LABELS, SEVERITY_LABELS

RISK_KEY: Final = "risk"
ONSITE_KEY: Final = "onsite"
EVALUATION_KEY: Final = "evaluation"

RISK_AREA_LABELS: Final[Mapping[RiskArea, str]] = {
    RiskArea.DELIVERY: "Leveranse og kvalitet",
    RiskArea.PRICE: "Pris og økonomi",
    RiskArea.WORKING_CONDITIONS: "Lønns- og arbeidsvilkår (sosial dumping)",
    RiskArea.HEALTH_SAFETY: "Helse, miljø og sikkerhet",
    RiskArea.SUPPLY_CHAIN: "Leverandørkjede",
    RiskArea.REPUTATION: "Omdømme",
}
"""The form's words (``bot/checks/texts.py``; the domain may not import them: a test compares)."""
CONSEQUENCE_WORDS: Final[Mapping[int, str]] = {
    1: "liten",
    2: "moderat",
    3: "alvorlig",
    4: "svært alvorlig",
}
LIKELIHOOD_WORDS: Final[Mapping[int, str]] = {
    1: "lite sannsynlig",
    2: "mulig",
    3: "sannsynlig",
    4: "svært sannsynlig",
}
RISK_RULE: Final = (
    "Foreslått nivå regnes ut fra risikoen med høyest konsekvens × sannsynlighet: 9–16 gir høy, "
    "4–8 middels og 1–3 lav."
)
HEADING_LABELS: Final[Mapping[EvaluationHeading, str]] = {
    EvaluationHeading.DELIVERY: "Leveringssikkerhet",
    EvaluationHeading.QUALITY: "Kvalitet og kompetanse",
    EvaluationHeading.COOPERATION: "Samarbeid",
    EvaluationHeading.INVOICING: "Fakturering og økonomi",
    EvaluationHeading.RESPONSIBILITY: "Samfunnsansvar",
    EvaluationHeading.OVERALL: "Samlet vurdering",
}
SCORE_WORDS: Final[Mapping[int, str]] = {
    1: "svært dårlig",
    2: "dårlig",
    3: "som avtalt",
    4: "godt",
    5: "svært godt",
}


class RecordMaker(Protocol):
    """What the builders use of `followup.archive.records`' record maker."""

    @property
    def facts(self) -> ContractFacts: ...

    @property
    def reference(self) -> str:
        """``"<avtalenr> <title>"``."""
        ...

    def name(self, person_id: str | None) -> str | None: ...
    def head(self, heading: str) -> list[str]:
        """A document's first lines: heading, contract, supplier."""
        ...

    def internal_party(self, person_id: str | None) -> tuple[ArchiveParty, ...]: ...
    def screened(self, document: Document) -> bool:
        """The document is exempt from public access (offentleglova § 13)."""
        ...

    def document_file(self, document: Document, role: DocumentRole) -> ArchiveFile: ...


def archived_assessments(facts: ContractFacts) -> list[RiskAssessment]:
    """The versions that become records: assessed by a person (never the register's level)."""
    return [
        a
        for a in facts.risk_assessments
        if a.source is not RiskSource.REGISTER and a.version >= 1 and a.assessed_at is not None
    ]


def risk_record(make: RecordMaker, assessment: RiskAssessment) -> ArchiveRecord:
    assessed_at = assessment.assessed_at
    if assessed_at is None:  # the register's level: `archived_assessments` leaves it out
        raise ValueError(f"risk assessment {assessment.id} was never assessed by a person")
    version = assessment.version
    level = assessment.chosen.value
    if assessment.suggested is None:
        how = " (satt uten vurdering per risiko)"
    elif assessment.suggested is not assessment.chosen:
        how = f" (forslaget ut fra vurderingen var {assessment.suggested.value})"
    else:
        how = " (som foreslått ut fra vurderingen)"
    who = make.name(assessment.assessed_by_id) or "ukjent"
    lines = [
        *make.head(f"Risikovurdering, versjon {version}"),
        f"Vurdert av: {who}, {moment(assessed_at)}",
        f"Risikonivå: {level}{how}",
    ]
    if assessment.previous is not None:
        same = " (uendret)" if assessment.previous is assessment.chosen else ""
        lines.append(f"Risikonivå før vurderingen: {assessment.previous.value}{same}")
    if assessment.reason:
        lines += ["", "Begrunnelse:", assessment.reason]
    if assessment.scores:
        lines += ["", "Risikoer (konsekvens × sannsynlighet, skala 1–4):"]
        for score in assessment.scores:
            lines.append(
                f"- {RISK_AREA_LABELS[score.area]}: konsekvens {score.consequence} "
                f"({CONSEQUENCE_WORDS[score.consequence]}) × sannsynlighet {score.likelihood} "
                f"({LIKELIHOOD_WORDS[score.likelihood]}) = {score.product}"
            )
        lines.append(RISK_RULE)
    if assessment.comment:
        lines += ["", "Kommentar:", assessment.comment]
    return _version_record(
        make,
        f"{RISK_KEY}:{assessment.id}",
        f"Risikovurdering versjon {version}",
        f"{level} risiko",
        lines,
        DocumentType.RISK_ASSESSMENT,
        assessed_at,
        assessment.assessed_by_id,
    )


# --- on-site checks ---------------------------------------------------------------------------


def onsite_attachments(make: RecordMaker, days: int) -> dict[str, list[Document]]:
    """By check id, the documents that join its record (see the module docstring), in the
    order they were filed."""
    by_follow_up: dict[str, list[OnsiteCheck]] = {}
    for check in make.facts.onsite_checks:
        if check.follow_up_id is not None:
            by_follow_up.setdefault(check.follow_up_id, []).append(check)
    attached: dict[str, list[Document]] = {}
    if not by_follow_up:
        return attached
    for document in sorted(make.facts.documents, key=lambda d: (d.uploaded_at, d.id)):
        checks = by_follow_up.get(document.follow_up_id or "")
        if not checks or make.screened(document):
            continue
        before = [c for c in checks if c.recorded_at <= document.uploaded_at]
        if not before:
            continue
        check = max(before, key=lambda c: (c.recorded_at, c.number))
        if oslo_date(document.uploaded_at) < _settled_on(check, days):
            attached.setdefault(check.id, []).append(document)
    return attached


def _settled_on(check: OnsiteCheck, days: int) -> date:
    """The first Oslo day no more files join the check's record."""
    return oslo_date(check.recorded_at) + timedelta(days=days)


def onsite_due(check: OnsiteCheck, today: date, days: int) -> bool:
    """The check's record may be made: it has no follow-up files join, or their days are over."""
    return check.follow_up_id is None or today >= _settled_on(check, days)


def onsite_record(
    make: RecordMaker, check: OnsiteCheck, attachments: Sequence[Document]
) -> ArchiveRecord:
    facts = make.facts
    deviation = next((d for d in facts.deviations if d.id == check.deviation_id), None)
    follow_up = next((f for f in facts.follow_ups if f.id == check.follow_up_id), None)
    checkpoint = facts.checkpoints.get(follow_up.checkpoint_id) if follow_up else None
    lines = [
        *make.head(f"Stedlig kontroll nr. {check.number}"),
        f"Dato for kontrollen: {day(check.checked_on)}",
        f"Sted: {check.place or 'ikke oppgitt'}",
        f"Deltakere: {check.participants or 'ikke oppgitt'}",
        f"Arbeidere på stedet: {check.workers}",
        f"HMS-kort kontrollert: {check.cards_checked}",
        f"Uten gyldig HMS-kort: {check.without_card}",
        f"Mannskapslisten: {CREW_LIST_LABELS[check.crew_list.value].lower()}",
        f"Registrert av: {make.name(check.recorded_by_id) or 'ukjent'}, "
        f"{moment(check.recorded_at)}",
    ]
    if deviation is not None:
        lines.append(
            f"Avvik registrert: {deviation.code or 'uten nummer'} "
            f"({CATEGORY_LABELS[deviation.category].lower()}, "
            f"{SEVERITY_LABELS[deviation.severity].lower()})"
        )
    elif check.findings:
        lines.append("Funn: kontrollen fant mangler, og det er ikke registrert avvik for dem.")
    if follow_up is not None and checkpoint is not None:
        lines.append(
            f"Besvarer oppfølgingen «{checkpoint.title}» med frist {day(follow_up.due_date)}."
        )
    if check.notes:
        lines += ["", "Notater:", check.notes]
    if attachments:
        lines += ["", "Vedlegg:"]
        lines += [f"- {d.file_name} (levert {moment(d.uploaded_at)})" for d in attachments]
    findings_open = check.findings and check.deviation_id is None
    report = text_file(
        f"Stedlig kontroll {check.number}.txt",
        f"Stedlig kontroll nr. {check.number}",
        lines,
        DocumentType.INSPECTION,
    )
    return ArchiveRecord(
        external_key=f"{ONSITE_KEY}:{check.id}",
        record_type=RecordType.INTERNAL_FOR_FOLLOW_UP
        if findings_open
        else RecordType.INTERNAL_NO_FOLLOW_UP,
        title=short(
            f"Stedlig kontroll nr. {check.number} {day(check.checked_on)} – {make.reference}"
        ),
        document_date=oslo_date(check.recorded_at),
        parties=make.internal_party(check.recorded_by_id),
        files=(
            report,
            *(make.document_file(d, DocumentRole.ATTACHMENT) for d in attachments),
        ),
    )


# --- supplier evaluations ---------------------------------------------------------------------


def evaluation_record(make: RecordMaker, evaluation: SupplierEvaluation) -> ArchiveRecord:
    version = evaluation.version
    overall = evaluation.overall
    lines = [
        *make.head(f"Leverandørevaluering, versjon {version}"),
        f"Evaluert av: {make.name(evaluation.evaluated_by_id) or 'ukjent'}, "
        f"{moment(evaluation.evaluated_at)}",
        f"Samlet karakter: {overall} av 5 ({SCORE_WORDS[overall]})",
        "Skala: " + ", ".join(f"{n} {word}" for n, word in SCORE_WORDS.items()) + ".",
        "",
    ]
    for score in evaluation.scores:
        lines.append(f"{HEADING_LABELS[score.heading]}: {score.score} ({SCORE_WORDS[score.score]})")
        if score.comment:
            lines.append(f"  Kommentar: {score.comment}")
    return _version_record(
        make,
        f"{EVALUATION_KEY}:{evaluation.id}",
        f"Leverandørevaluering versjon {version}",
        f"samlet {overall} av 5",
        lines,
        DocumentType.REPORT,
        evaluation.evaluated_at,
        evaluation.evaluated_by_id,
    )


def _version_record(
    make: RecordMaker,
    key: str,
    name: str,
    summary: str,
    lines: Sequence[str],
    kind: DocumentType,
    made_at: datetime,
    made_by: str | None,
) -> ArchiveRecord:
    """A version of a risk assessment or an evaluation: a record needing no follow-up, titled
    `name: summary – contract`, its text `lines` as the document `name.txt`, by `made_by`."""
    return ArchiveRecord(
        external_key=key,
        record_type=RecordType.INTERNAL_NO_FOLLOW_UP,
        title=short(f"{name}: {summary} – {make.reference}"),
        document_date=oslo_date(made_at),
        parties=make.internal_party(made_by),
        files=(text_file(f"{name}.txt", name, lines, kind),),
    )


__all__ = [
    "CONSEQUENCE_WORDS",
    "EVALUATION_KEY",
    "HEADING_LABELS",
    "LIKELIHOOD_WORDS",
    "ONSITE_KEY",
    "RISK_AREA_LABELS",
    "RISK_KEY",
    "SCORE_WORDS",
    "RecordMaker",
    "archived_assessments",
    "evaluation_record",
    "onsite_attachments",
    "onsite_due",
    "onsite_record",
    "risk_record",
]
