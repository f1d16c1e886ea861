"""Which stored facts of a contract become archive records, and how (issue 17's mapping).

`archive_messages(facts, options, today, read_document)` gives one `ArchiveMessage` per
archive-worthy fact of the contract in `facts`; pure: the same facts give the same messages,
keys, ids and bytes. Every record's external key is STABLE (made from stored ids and dates
only), so queueing again never makes a second record:

=============================== ===================================== ===== ===================
fact                            record key                            type  dokumenttype
=============================== ===================================== ===== ===================
a document delivered for a      ``document:<document id>``            I     by its evidence
follow-up (from the supplier)                                               (`DOCUMENT_TYPES`)
a deviation report              ``deviation:<deviation id>``          N     RAPPORT
a decision on a deviation       ``deviation-decision:<id>:<n>``       N/X   VEDTAK (sanction)
(status, sanction, note)        (n = 1, 2 … in the audit trail)             or NOTAT
an option decision              ``option:<contract>:<due date>``      X     VEDTAK
an expiry decision              ``expiry:<contract>:<due date>``      X     VEDTAK
a quarter's follow-up summary   ``summary:<contract>:<YYYY>-Q<n>``    X     RAPPORT
a risk assessment version       ``risk:<assessment id>``              X     ROS-ANALYSE
an on-site check (its photos    ``onsite:<check id>``                 X/N   TILSYN (photos
and documents attached, V)                                                  FOTO …)
a supplier evaluation version   ``evaluation:<evaluation id>``        X     RAPPORT
=============================== ===================================== ===== ===================

- The case (*saksmappe*) is the contract: key = the contract's id, title ``"<avtalenr>
  <title>"``, tied to the archive's existing case when the register has a *saksnummer*.
- Documents are incoming (I): the supplier is the sender (*korrespondansepart* EA) with its
  organisation number; the file goes as it was stored, with its SHA-256. Payslips, tax
  certificates, employment contracts and time sheets (`SCREENED_EVIDENCE`: personal details,
  offentleglova § 13 with fvl. § 13) are screened, record and document, with a public title.
- Deviations, their decisions and the decisions on options and expiry are internal notes; a
  decision that closes a deviation is X (nothing more to follow up), the others N. Their text
  travels as a small UTF-8 text file the mapping writes (``text/plain``).
- A corrected option or expiry decision (a later answer version) is a record of its own:
  ``…:v2``. A summary is made once its quarter has been over `summary_after_days`.
- Risk assessments, on-site checks and supplier evaluations (issue 19) are internal notes
  too; why X or N, and which photos and documents join an on-site check's record (and then are
  no records of their own), is in `followup.archive.check_records`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Final, TypeVar

from followup.answers.actions import DECISION_KINDS, EXPIRY_KINDS
from followup.archive.check_records import (
    EVALUATION_KEY,
    ONSITE_KEY,
    RISK_KEY,
    archived_assessments,
    evaluation_record,
    onsite_attachments,
    onsite_due,
    onsite_record,
    risk_record,
)
from followup.archive.codes import CorrespondenceRole, DocumentRole, DocumentType, RecordType
from followup.archive.messages import (
    DEFAULT_SYSTEM,
    ArchiveCase,
    ArchiveFile,
    ArchiveMessage,
    ArchiveParty,
    ArchiveRecord,
    ArchiveScreening,
)
from followup.archive.naming import parse_case_number
from followup.archive.ports import ContractFacts
from followup.archive.record_text import day as _day
from followup.archive.record_text import moment as _moment
from followup.archive.record_text import oslo_date as _oslo_date
from followup.archive.record_text import short as _short
from followup.archive.record_text import text_file as _text_file
from followup.evidence import guess_evidence
from followup.models import (
    Answer,
    AuditEvent,
    Deviation,
    DeviationStatus,
    Document,
    FollowUp,
    Remedy,
)
from followup.orgnr import is_valid_organisation_number
from followup.periods import add_months
from followup.views import (
    ANSWER_KIND_LABELS,
    CATEGORY_LABELS,
    FOLLOW_UP_STATE_LABELS,
    REMEDY_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
)


class ArchiveEvent(StrEnum):
    """Which facts are archived (setting ``ARCHIVE_EVENTS``)."""

    DOCUMENTS = "documents"
    DEVIATIONS = "deviations"
    """Deviation reports and the decisions and sanctions on them."""
    DECISIONS = "decisions"
    """Option and expiry decisions."""
    SUMMARIES = "summaries"
    CHECKS = "checks"
    """Risk assessments, on-site checks (with their photos and documents) and supplier
    evaluations (issue 19)."""


class RecordKind(StrEnum):
    """The first part of a record key."""

    DOCUMENT = "document"
    DEVIATION = "deviation"
    DEVIATION_DECISION = "deviation-decision"
    OPTION = "option"
    EXPIRY = "expiry"
    SUMMARY = "summary"
    RISK = RISK_KEY
    ONSITE = ONSITE_KEY
    EVALUATION = EVALUATION_KEY


@dataclass(frozen=True, slots=True)
class ArchiveOptions:
    """How Kontraktsvakt archives (from the settings)."""

    system_name: str = DEFAULT_SYSTEM
    """The *fagsystem* on every key: changing it orphans the archive's cases."""
    organisation_number: str | None = None
    """The archive's organisation (the transport's address)."""
    events: frozenset[ArchiveEvent] = field(default_factory=lambda: frozenset(ArchiveEvent))
    system_version: str | None = None
    summary_after_days: int = 30
    """A quarter's summary waits this long after the quarter (late answers come in)."""
    onsite_attachment_days: int = 2
    """Photos and documents filed on an on-site check's follow-up from the moment it is
    recorded until the end of this many Oslo days (the check's day counts as the first) join
    its record as attachments; the record waits until then (`followup.archive.check_records`)."""


SCREENED_EVIDENCE: Final = frozenset(
    {"lønnsslipper", "skatteattest", "arbeidsavtaler", "timelister"}
)
"""Evidence with personal details (pay, tax, employment): screened under offentleglova § 13."""
DOCUMENT_TYPES: Final[Mapping[str, DocumentType]] = {
    "arbeidsavtaler": DocumentType.AGREEMENT,
    "salgsstatistikk": DocumentType.REPORT,
    "evaluering": DocumentType.REPORT,
    "referat": DocumentType.MINUTES,
    "faktura": DocumentType.INVOICE,
    "risikovurdering": DocumentType.RISK_ASSESSMENT,
    "tilsyn": DocumentType.INSPECTION,
}
"""Evidence codes with a better *dokumenttype* than DOKUMENT (payslips, tax certificates,
self-reports, crew lists: DOKUMENT)."""
_UNKNOWN_SENDER: Final = "Ukjent leverandør"


def _label(evidence: str | None) -> str:
    return evidence.capitalize() if evidence else "Dokument"


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_end(year: int, quarter: int) -> date:
    return add_months(date(year, 3 * quarter - 2, 1), 3) - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class _Maker:
    facts: ContractFacts
    options: ArchiveOptions
    read_document: Callable[[str], bytes]

    @property
    def reference(self) -> str:
        contract = self.facts.contract
        return f"{contract.reference} {contract.title}"

    @property
    def supplier_name(self) -> str:
        supplier = self.facts.supplier
        return supplier.name if supplier is not None else _UNKNOWN_SENDER

    def case(self) -> ArchiveCase:
        contract = self.facts.contract
        number = parse_case_number(contract.case_number)
        return ArchiveCase(
            external_key=contract.id,
            title=_short(self.reference),
            case_year=None if number is None else number[0],
            case_sequence=None if number is None else number[1],
            administrative_unit=(contract.unit or "").strip() or None,
            case_responsible=self.name(contract.owner_id),
        )

    def name(self, person_id: str | None) -> str | None:
        if person_id is None:
            return None
        name = self.facts.people.get(person_id, "").strip()
        return name or None

    def actor_name(self, actor: str) -> str | None:
        return self.name(actor.removeprefix("person:")) if actor.startswith("person:") else None

    def supplier_party(self) -> ArchiveParty:
        supplier = self.facts.supplier
        number = supplier.organisation_number if supplier is not None else None
        return ArchiveParty(
            self.supplier_name,
            CorrespondenceRole.SENDER,
            organisation_number=number if number and is_valid_organisation_number(number) else None,
        )

    def internal_party(self, person_id: str | None) -> tuple[ArchiveParty, ...]:
        name = self.name(person_id)
        if name is None:
            return ()
        return (ArchiveParty(name, CorrespondenceRole.INTERNAL_SENDER),)

    def supplier_line(self) -> str:
        supplier = self.facts.supplier
        if supplier is None:
            return "Leverandør: ikke registrert"
        return f"Leverandør: {supplier.name} (org.nr. {supplier.organisation_number})"

    def head(self, heading: str) -> list[str]:
        return [heading, "", f"Kontrakt: {self.reference}", self.supplier_line()]

    # --- documents ----------------------------------------------------------------------------

    def evidence_of(self, document: Document) -> str | None:
        """The evidence code the document is: as filed, else by its name."""
        return document.evidence or guess_evidence(
            document.file_name, [*SCREENED_EVIDENCE, *DOCUMENT_TYPES]
        )

    def screened(self, document: Document) -> bool:
        return self.evidence_of(document) in SCREENED_EVIDENCE

    def document_file(self, document: Document, role: DocumentRole) -> ArchiveFile:
        """The stored file as a document of a record, with its checksum and type."""
        return self._file(document, role, self.evidence_of(document))

    def _file(self, document: Document, role: DocumentRole, evidence: str | None) -> ArchiveFile:
        kind = DOCUMENT_TYPES.get(evidence or "", DocumentType.DOCUMENT)
        if kind is DocumentType.DOCUMENT and document.media_type.startswith("image/"):
            kind = DocumentType.PHOTO
        key = document.storage_key
        return ArchiveFile(
            name=document.file_name,
            title=_short(f"{_label(evidence)}: {document.file_name}"),
            document_type=kind,
            role=role,
            mime_type=document.media_type,
            size=document.size_bytes,
            sha256=document.sha256,
            source=lambda: self.read_document(key),
        )

    def document(self, document: Document, follow_up: FollowUp | None) -> ArchiveRecord:
        checkpoint = self.facts.checkpoints.get(follow_up.checkpoint_id) if follow_up else None
        evidence = self.evidence_of(document)
        label = _label(evidence)
        screened = evidence in SCREENED_EVIDENCE
        file = self._file(document, DocumentRole.MAIN, evidence)
        description = None
        if checkpoint is not None and follow_up is not None:
            due = _day(follow_up.due_date)
            description = f"Levert til oppfølgingen «{checkpoint.title}» med frist {due}."
        return ArchiveRecord(
            external_key=f"{RecordKind.DOCUMENT}:{document.id}",
            record_type=RecordType.INCOMING,
            title=_short(f"{label} fra {self.supplier_name} – {self.facts.contract.reference}"),
            public_title=(
                _short(f"{label} fra ***** – {self.facts.contract.reference}") if screened else None
            ),
            description=description,
            document_date=_oslo_date(document.uploaded_at),
            received_at=document.uploaded_at,
            parties=(self.supplier_party(),),
            files=(file,),
            screening=ArchiveScreening.offentleglova_13() if screened else None,
        )

    # --- deviations ---------------------------------------------------------------------------

    def deviation(self, deviation: Deviation) -> ArchiveRecord:
        code = deviation.code or "uten nummer"
        category = CATEGORY_LABELS[deviation.category]
        lines = [
            *self.head(f"Avviksrapport {code}"),
            f"Kategori: {category}",
            f"Alvorlighet: {SEVERITY_LABELS[deviation.severity]}",
            f"Inntraff: {_day(deviation.occurred_on)}",
            f"Meldt av: {self.name(deviation.reported_by_id) or 'ukjent'}, "
            f"{_moment(deviation.reported_at)}",
            "",
            "Beskrivelse:",
            deviation.description,
        ]
        return ArchiveRecord(
            external_key=f"{RecordKind.DEVIATION}:{deviation.id}",
            record_type=RecordType.INTERNAL_FOR_FOLLOW_UP,
            title=_short(f"Avvik {code}: {category} – {self.reference}"),
            document_date=_oslo_date(deviation.reported_at),
            parties=self.internal_party(deviation.reported_by_id),
            files=(
                _text_file(
                    f"Avviksrapport {code}.txt", f"Avviksrapport {code}", lines, DocumentType.REPORT
                ),
            ),
        )

    def deviation_decision(
        self, deviation: Deviation, number: int, event: AuditEvent
    ) -> ArchiveRecord:
        code = deviation.code or "uten nummer"
        after = event.after or {}
        before = event.before or {}
        status = _enum(DeviationStatus, after.get("status"))
        was = _enum(DeviationStatus, before.get("status"))
        remedy = _enum(Remedy, after.get("remedy"))
        note = after.get("note")
        what = STATUS_LABELS[status] if status else "Endret"
        sanction = REMEDY_LABELS[remedy] if remedy else None
        by = self.actor_name(event.actor)
        lines = [
            *self.head(f"Beslutning i avvik {code}"),
            f"Status: {STATUS_LABELS[was] if was else '–'} → {what}",
            f"Sanksjon: {sanction or 'ingen'}",
            f"Besluttet av: {by or 'ukjent'}, {_moment(event.at)}",
        ]
        if isinstance(note, str) and note.strip():
            lines += ["", "Merknad:", note]
        closes = status is DeviationStatus.CLOSED
        title = f"Avvik {code}: {what.lower()}" + (
            f", sanksjon: {sanction.lower()}" if sanction else ""
        )
        return ArchiveRecord(
            external_key=f"{RecordKind.DEVIATION_DECISION}:{deviation.id}:{number}",
            record_type=RecordType.INTERNAL_NO_FOLLOW_UP
            if closes
            else RecordType.INTERNAL_FOR_FOLLOW_UP,
            title=_short(f"{title} – {self.facts.contract.reference}"),
            document_date=_oslo_date(event.at),
            parties=self.internal_party(event.actor.removeprefix("person:")),
            files=(
                _text_file(
                    f"Beslutning avvik {code} nr {number}.txt",
                    f"Beslutning i avvik {code}",
                    lines,
                    DocumentType.DECISION if sanction else DocumentType.NOTE,
                ),
            ),
        )

    # --- option and expiry decisions ------------------------------------------------------------

    def decision(self, answer: Answer, follow_up: FollowUp) -> ArchiveRecord:
        kind = RecordKind.EXPIRY if answer.kind in EXPIRY_KINDS else RecordKind.OPTION
        key = f"{kind}:{self.facts.contract.id}:{follow_up.due_date.isoformat()}"
        if answer.version > 1:
            key += f":v{answer.version}"
        what = ANSWER_KIND_LABELS[answer.kind]
        heading = "Beslutning om opsjon" if kind is RecordKind.OPTION else "Beslutning ved utløp"
        decided_on = answer.decided_on or _oslo_date(answer.answered_at)
        lines = [
            *self.head(heading),
            f"Beslutning: {what}",
            f"Besluttet av: {answer.decided_by or self.name(answer.answered_by_id) or 'ukjent'}",
            f"Besluttet: {_day(decided_on)}",
            f"Registrert: {_moment(answer.answered_at)} av "
            f"{self.name(answer.answered_by_id) or 'ukjent'}",
            f"Frist for beslutningen: {_day(follow_up.due_date)}",
        ]
        if answer.version > 1:
            lines.append(f"Retter en tidligere beslutning (versjon {answer.version}).")
        if answer.text and answer.text.strip():
            lines += ["", "Merknad:", answer.text]
        return ArchiveRecord(
            external_key=key,
            record_type=RecordType.INTERNAL_NO_FOLLOW_UP,
            title=_short(f"{heading}: {what} – {self.reference}"),
            document_date=decided_on,
            parties=self.internal_party(answer.answered_by_id),
            files=(
                _text_file(
                    f"{heading} {follow_up.due_date.isoformat()}.txt",
                    heading,
                    lines,
                    DocumentType.DECISION,
                ),
            ),
        )

    # --- summaries ----------------------------------------------------------------------------

    def summary(
        self, year: int, quarter: int, follow_ups: Sequence[FollowUp], latest: Mapping[str, Answer]
    ) -> ArchiveRecord:
        period = f"{quarter}. kvartal {year}"
        documents: dict[str, int] = {}
        for document in self.facts.documents:
            if document.follow_up_id is not None:
                documents[document.follow_up_id] = documents.get(document.follow_up_id, 0) + 1
        lines = [*self.head(f"Oppfølging av kontrakten, {period}"), "", "Kontrollpunkter:"]
        for follow_up in follow_ups:
            checkpoint = self.facts.checkpoints.get(follow_up.checkpoint_id)
            title = checkpoint.title if checkpoint else "Kontrollpunkt"
            line = (
                f"- {_day(follow_up.due_date)} {title}: {FOLLOW_UP_STATE_LABELS[follow_up.state]}"
            )
            answer = latest.get(follow_up.id)
            if answer is not None:
                by = self.name(answer.answered_by_id) or "ukjent"
                line += (
                    f" – {ANSWER_KIND_LABELS[answer.kind]} ({by}, {_moment(answer.answered_at)})"
                )
                if answer.text and answer.text.strip():
                    line += f": {' '.join(answer.text.split())}"
            if count := documents.get(follow_up.id):
                line += f" [{count} dokument{'er' if count > 1 else ''}]"
            lines.append(line)
        start = date(year, 3 * quarter - 2, 1)
        end = quarter_end(year, quarter)
        deviations = [d for d in self.facts.deviations if start <= d.occurred_on <= end]
        lines += ["", "Avvik i perioden:" if deviations else "Ingen avvik i perioden."]
        for deviation in sorted(deviations, key=lambda d: (d.occurred_on, d.code or "")):
            lines.append(
                f"- {deviation.code or 'uten nummer'} ({_day(deviation.occurred_on)}) "
                f"{CATEGORY_LABELS[deviation.category]}, "
                f"{SEVERITY_LABELS[deviation.severity].lower()}"
            )
        return ArchiveRecord(
            external_key=f"{RecordKind.SUMMARY}:{self.facts.contract.id}:{year}-Q{quarter}",
            record_type=RecordType.INTERNAL_NO_FOLLOW_UP,
            title=_short(f"Oppfølgingsrapport {period} – {self.reference}"),
            document_date=end,
            files=(
                _text_file(
                    f"Oppfølgingsrapport {year}-Q{quarter}.txt",
                    f"Oppfølgingsrapport {period}",
                    lines,
                    DocumentType.REPORT,
                ),
            ),
        )


E = TypeVar("E", bound=StrEnum)


def _enum(kind: type[E], value: object) -> E | None:
    try:
        return kind(value) if isinstance(value, str) else None
    except ValueError:
        return None


def archive_records(
    facts: ContractFacts,
    options: ArchiveOptions,
    today: date,
    read_document: Callable[[str], bytes],
) -> list[ArchiveRecord]:
    """The contract's archive records, in a stable order (documents, deviations with their
    decisions, option and expiry decisions, risk assessments, on-site checks, evaluations,
    summaries), each kind only when `options` says so."""
    make = _Maker(facts, options, read_document)
    follow_ups = {follow_up.id: follow_up for follow_up in facts.follow_ups}
    checks = ArchiveEvent.CHECKS in options.events
    documents = ArchiveEvent.DOCUMENTS in options.events
    attached = (
        onsite_attachments(make, options.onsite_attachment_days) if checks and documents else {}
    )
    with_checks = {d.id for found in attached.values() for d in found}
    records: list[ArchiveRecord] = []
    if documents:
        for document in sorted(facts.documents, key=lambda d: (d.uploaded_at, d.id)):
            if document.id in with_checks:
                continue  # an attachment of its on-site check's record
            follow_up = follow_ups.get(document.follow_up_id or "")
            records.append(make.document(document, follow_up))
    if ArchiveEvent.DEVIATIONS in options.events:
        for deviation in sorted(facts.deviations, key=lambda d: (d.reported_at, d.id)):
            records.append(make.deviation(deviation))
            events = facts.deviation_events.get(deviation.id, ())
            for number, event in enumerate(events, start=1):
                records.append(make.deviation_decision(deviation, number, event))
    if ArchiveEvent.DECISIONS in options.events:
        for answer in facts.answers:
            follow_up = follow_ups.get(answer.follow_up_id)
            if answer.kind in DECISION_KINDS and follow_up is not None:
                records.append(make.decision(answer, follow_up))
    if checks:
        records += [risk_record(make, a) for a in archived_assessments(facts)]
        days = options.onsite_attachment_days if documents else 0
        for check in sorted(facts.onsite_checks, key=lambda c: (c.number, c.id)):
            if days == 0 or onsite_due(check, today, days):
                records.append(onsite_record(make, check, attached.get(check.id, ())))
        records += [evaluation_record(make, e) for e in facts.evaluations]
    if ArchiveEvent.SUMMARIES in options.events:
        records += _summaries(make, facts, today, options.summary_after_days)
    return records


def _summaries(
    make: _Maker, facts: ContractFacts, today: date, after_days: int
) -> list[ArchiveRecord]:
    latest: dict[str, Answer] = {}
    for answer in facts.answers:
        latest[answer.follow_up_id] = answer  # oldest first: the last version wins
    by_quarter: dict[tuple[int, int], list[FollowUp]] = {}
    for follow_up in facts.follow_ups:
        by_quarter.setdefault(quarter_of(follow_up.due_date), []).append(follow_up)
    records = []
    for (year, quarter), members in sorted(by_quarter.items()):
        if (today - quarter_end(year, quarter)).days < after_days:
            continue
        ordered = sorted(members, key=lambda f: (f.due_date, f.id))
        records.append(make.summary(year, quarter, ordered, latest))
    return records


def archive_messages(
    facts: ContractFacts,
    options: ArchiveOptions,
    today: date,
    read_document: Callable[[str], bytes],
) -> list[ArchiveMessage]:
    """`archive_records` as messages in the contract's case (see the module docstring)."""
    case = _Maker(facts, options, read_document).case()
    return [
        ArchiveMessage(
            case=case,
            record=record,
            system=options.system_name,
            system_version=options.system_version,
            archive_organisation_number=options.organisation_number,
        )
        for record in archive_records(facts, options, today, read_document)
    ]


def kind_of(record_key: str) -> str:
    """The `RecordKind` value a record key starts with."""
    return record_key.partition(":")[0]


__all__ = [
    "DOCUMENT_TYPES",
    "SCREENED_EVIDENCE",
    "ArchiveEvent",
    "ArchiveOptions",
    "RecordKind",
    "archive_messages",
    "archive_records",
    "kind_of",
    "quarter_end",
    "quarter_of",
]
