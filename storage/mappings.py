"""Rows to domain models and domain models to column values: the one mapping of each table,
shared by the repositories and the queries. A row is an ORM row or a Core row with the same
columns; enums are stored as their plain string values."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import Row

from followup.archive.ports import ArchivedRecordNumbers, ArchiveErrorKind, FailedArchiveMessage
from followup.archive.receipts import ArchiveReceipt
from followup.checks.evaluation_models import (
    EvaluationHeading,
    HeadingScore,
    SupplierEvaluation,
)
from followup.checks.models import RiskArea, RiskAssessment, RiskScore, RiskSource
from followup.checks.onsite_models import CrewList, OnsiteCheck
from followup.models import (
    Absence,
    Answer,
    AnswerKind,
    AuditEvent,
    Category,
    Checkpoint,
    CheckpointSource,
    CheckpointStatus,
    ComplianceFlags,
    Contract,
    ContractStatus,
    ContractType,
    ConversationKind,
    ConversationRef,
    Delivery,
    DeliveryKind,
    DeliveryState,
    Deviation,
    DeviationCategory,
    DeviationStatus,
    Document,
    FollowUp,
    FollowUpState,
    Person,
    Remedy,
    RiskLevel,
    Role,
    Severity,
    Supplier,
)
from storage.tables import (
    AbsenceRow,
    ConversationRefRow,
    FollowUpRow,
)

# --- people and conversations --------------------------------------------------------------


def person_from_row(row: Any) -> Person:
    return Person(
        id=row.id,
        display_name=row.display_name,
        email=row.email,
        upn=row.upn,
        entra_object_id=row.entra_object_id,
        teams_user_id=row.teams_user_id,
        roles={Role(r) for r in row.roles or []},
        locale=row.locale,
        deputy_person_id=row.deputy_person_id,
        reminders_paused=row.reminders_paused,
        reminders_per_day=row.reminders_per_day,
        unreachable=row.unreachable,
    )


def person_values(person: Person) -> dict[str, object]:
    return {
        "display_name": person.display_name,
        "email": person.email,
        "upn": person.upn,
        "entra_object_id": person.entra_object_id,
        "teams_user_id": person.teams_user_id,
        "roles": sorted(r.value for r in person.roles),
        "locale": person.locale,
        "deputy_person_id": person.deputy_person_id,
        "reminders_paused": person.reminders_paused,
        "reminders_per_day": person.reminders_per_day,
        "unreachable": person.unreachable,
    }


def conversation_ref_from_row(row: ConversationRefRow) -> ConversationRef:
    return ConversationRef(
        id=row.id,
        conversation_id=row.conversation_id,
        kind=ConversationKind(row.kind),
        tenant_id=row.tenant_id,
        service_url=row.service_url,
        channel_id=row.channel_id,
        bot_id=row.bot_id,
        bot_name=row.bot_name,
        user_id=row.user_id or None,
        aad_object_id=row.aad_object_id,
        person_id=row.person_id,
        team_id=row.team_id,
        team_name=row.team_name,
        is_procurement_channel=row.is_procurement_channel,
        updated_at=row.updated_at,
    )


def audit_event_from_row(row: Any) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        before=row.before,
        after=row.after,
        seq=row.seq,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


# --- the register and the plans ------------------------------------------------------------


def supplier_from_row(row: Any) -> Supplier:
    return Supplier(id=row.id, name=row.name, organisation_number=row.organisation_number)


def contract_from_row(row: Any) -> Contract:
    return Contract(
        id=row.id,
        reference=row.reference,
        case_number=row.case_number,
        title=row.title,
        contract_type=ContractType(row.contract_type),
        category=Category(row.category),
        supplier_id=row.supplier_id,
        owner_id=row.owner_id,
        manager_id=row.manager_id,
        deputy_id=row.deputy_id,
        unit=row.unit,
        start_date=row.start_date,
        end_date=row.end_date,
        options=[date.fromisoformat(d) for d in row.options or []],
        value_nok=row.value_nok,
        maximum_value_nok=row.maximum_value_nok,
        ledger_accounts=row.ledger_accounts,
        cpv_code=row.cpv_code,
        ongoing=row.ongoing,
        notice_months=row.notice_months,
        risk=RiskLevel(row.risk),
        status=ContractStatus(row.status),
        public=row.public,
        scope=row.scope,
        how_to_order=row.how_to_order,
        contact_email=row.contact_email,
        doffin_notice=row.doffin_notice,
        compliance=ComplianceFlags(
            pay_and_conditions=row.pay_and_conditions,
            apprentices=row.apprentices,
            hms_card=row.hms_card,
            supply_chain=row.supply_chain,
        ),
    )


def contract_values(contract: Contract) -> dict[str, Any]:
    return {
        "reference": contract.reference,
        "case_number": contract.case_number,
        "title": contract.title,
        "contract_type": contract.contract_type.value,
        "category": contract.category.value,
        "supplier_id": contract.supplier_id,
        "owner_id": contract.owner_id,
        "manager_id": contract.manager_id,
        "deputy_id": contract.deputy_id,
        "unit": contract.unit,
        "start_date": contract.start_date,
        "end_date": contract.end_date,
        "options": [d.isoformat() for d in contract.options],
        "value_nok": contract.value_nok,
        "maximum_value_nok": contract.maximum_value_nok,
        "ledger_accounts": contract.ledger_accounts,
        "cpv_code": contract.cpv_code,
        "ongoing": contract.ongoing,
        "notice_months": contract.notice_months,
        "risk": contract.risk.value,
        "status": contract.status.value,
        "public": contract.public,
        "scope": contract.scope,
        "how_to_order": contract.how_to_order,
        "contact_email": contract.contact_email,
        "doffin_notice": contract.doffin_notice,
        "pay_and_conditions": contract.compliance.pay_and_conditions,
        "apprentices": contract.compliance.apprentices,
        "hms_card": contract.compliance.hms_card,
        "supply_chain": contract.compliance.supply_chain,
    }


def checkpoint_from_row(row: Any) -> Checkpoint:
    return Checkpoint(
        id=row.id,
        contract_id=row.contract_id,
        code=row.code,
        title=row.title,
        question=row.question,
        rrule=row.rrule,
        dtstart=row.dtstart,
        evidence=list(row.evidence or []),
        actions=list(row.actions or []),
        answer_window_days=row.answer_window_days,
        escalation=[int(x) for x in row.escalation or []],
        status=CheckpointStatus(row.status),
        source=CheckpointSource(row.source),
        customised=row.customised,
    )


def checkpoint_values(checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "contract_id": checkpoint.contract_id,
        "code": checkpoint.code,
        "title": checkpoint.title,
        "question": checkpoint.question,
        "rrule": checkpoint.rrule,
        "dtstart": checkpoint.dtstart,
        "evidence": list(checkpoint.evidence),
        "actions": list(checkpoint.actions),
        "answer_window_days": checkpoint.answer_window_days,
        "escalation": list(checkpoint.escalation),
        "status": checkpoint.status.value,
        "source": checkpoint.source.value,
        "customised": checkpoint.customised,
    }


def follow_up_from_row(row: FollowUpRow | Row[Any]) -> FollowUp:
    return FollowUp(
        id=row.id,
        checkpoint_id=row.checkpoint_id,
        contract_id=row.contract_id,
        due_date=row.due_date,
        state=FollowUpState(row.state),
        next_action_at=row.next_action_at,
        reminder_step=row.reminder_step,
    )


def absence_from_row(row: AbsenceRow) -> Absence:
    return Absence(
        id=row.id,
        person_id=row.person_id,
        start=row.start,
        end=row.end,
        deputy_person_id=row.deputy_person_id,
    )


# --- what owners send back -----------------------------------------------------------------


def record_values(model: Answer | Document | Deviation) -> dict[str, Any]:
    """Column values: enums as their plain string values (drivers may adapt an Enum by name)."""
    return {
        key: value.value if isinstance(value, StrEnum) else value
        for key, value in model.model_dump(mode="python").items()
    }


def answer_from_row(row: Any) -> Answer:
    return Answer(
        id=row.id,
        follow_up_id=row.follow_up_id,
        version=row.version,
        kind=AnswerKind(row.kind),
        answered_by_id=row.answered_by_id,
        on_behalf_of_id=row.on_behalf_of_id,
        answered_at=row.answered_at,
        text=row.text,
        channel=row.channel,
        source_activity_id=row.source_activity_id,
        source_conversation=row.source_conversation,
        decided_by=row.decided_by,
        decided_on=row.decided_on,
    )


def document_from_row(row: Any) -> Document:
    return Document(
        id=row.id,
        answer_id=row.answer_id,
        follow_up_id=row.follow_up_id,
        file_name=row.file_name,
        media_type=row.media_type,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        storage_key=row.storage_key,
        evidence=row.evidence,
        uploaded_by_id=row.uploaded_by_id,
        uploaded_at=row.uploaded_at,
    )


def deviation_from_row(row: Any) -> Deviation:
    return Deviation(
        id=row.id,
        code=row.code,
        contract_id=row.contract_id,
        follow_up_id=row.follow_up_id,
        category=DeviationCategory(row.category),
        severity=Severity(row.severity),
        occurred_on=row.occurred_on,
        description=row.description,
        remedy=Remedy(row.remedy) if row.remedy else None,
        status=DeviationStatus(row.status),
        reported_by_id=row.reported_by_id,
        reported_at=row.reported_at,
        closed_by_id=row.closed_by_id,
        closed_at=row.closed_at,
        updated_by_id=row.updated_by_id,
        updated_at=row.updated_at,
        source_activity_id=row.source_activity_id,
        source_conversation=row.source_conversation,
    )


# --- risk assessments ----------------------------------------------------------------------


def risk_assessment_values(assessment: RiskAssessment) -> dict[str, Any]:
    return {
        "id": assessment.id,
        "contract_id": assessment.contract_id,
        "version": assessment.version,
        "source": assessment.source.value,
        "assessed_by_id": assessment.assessed_by_id,
        "assessed_at": assessment.assessed_at,
        "scores": {s.area.value: [s.consequence, s.likelihood] for s in assessment.scores},
        "suggested": assessment.suggested.value if assessment.suggested else None,
        "chosen": assessment.chosen.value,
        "previous": assessment.previous.value if assessment.previous else None,
        "reason": assessment.reason,
        "comment": assessment.comment,
    }


def risk_assessment_from_row(row: Any) -> RiskAssessment:
    scores = row.scores or {}
    return RiskAssessment(
        id=row.id,
        contract_id=row.contract_id,
        version=row.version,
        source=RiskSource(row.source),
        assessed_by_id=row.assessed_by_id,
        assessed_at=row.assessed_at,
        scores=[
            RiskScore(
                area=area, consequence=scores[area.value][0], likelihood=scores[area.value][1]
            )
            for area in RiskArea
            if area.value in scores
        ],
        suggested=RiskLevel(row.suggested) if row.suggested else None,
        chosen=RiskLevel(row.chosen),
        previous=RiskLevel(row.previous) if row.previous else None,
        reason=row.reason,
        comment=row.comment,
    )


# --- on-site checks ---------------------------------------------------------------------------


def onsite_check_values(check: OnsiteCheck) -> dict[str, Any]:
    values = check.model_dump(exclude={"crew_list"})
    values["crew_list"] = check.crew_list.value
    return values


def onsite_check_from_row(row: Any) -> OnsiteCheck:
    return OnsiteCheck(
        id=row.id,
        contract_id=row.contract_id,
        number=row.number,
        checked_on=row.checked_on,
        place=row.place,
        participants=row.participants,
        workers=row.workers,
        cards_checked=row.cards_checked,
        without_card=row.without_card,
        crew_list=CrewList(row.crew_list),
        notes=row.notes,
        recorded_by_id=row.recorded_by_id,
        recorded_at=row.recorded_at,
        deviation_id=row.deviation_id,
        follow_up_id=row.follow_up_id,
    )


# --- supplier evaluations --------------------------------------------------------------------


def supplier_evaluation_values(evaluation: SupplierEvaluation) -> dict[str, Any]:
    return {
        "id": evaluation.id,
        "contract_id": evaluation.contract_id,
        "supplier_id": evaluation.supplier_id,
        "version": evaluation.version,
        "evaluated_by_id": evaluation.evaluated_by_id,
        "evaluated_at": evaluation.evaluated_at,
        "overall": evaluation.overall,
        "scores": {s.heading.value: [s.score, s.comment] for s in evaluation.scores},
    }


def supplier_evaluation_from_row(row: Any) -> SupplierEvaluation:
    scores = row.scores or {}
    return SupplierEvaluation(
        id=row.id,
        contract_id=row.contract_id,
        supplier_id=row.supplier_id,
        version=row.version,
        evaluated_by_id=row.evaluated_by_id,
        evaluated_at=row.evaluated_at,
        scores=[
            HeadingScore(heading=h, score=scores[h.value][0], comment=scores[h.value][1])
            for h in EvaluationHeading
            if h.value in scores
        ],
    )


# --- the outbox ----------------------------------------------------------------------------


def delivery_from_row(row: Any) -> Delivery:
    return Delivery(
        id=row.id,
        kind=DeliveryKind(row.kind),
        recipient_person_id=row.recipient_person_id,
        conversation_ref_id=row.conversation_ref_id,
        follow_up_ids=list(row.follow_up_ids or []),
        message=dict(row.message or {}),
        state=DeliveryState(row.state),
        attempts=row.attempts,
        last_error=row.last_error,
        sent_activity_id=row.sent_activity_id,
        next_attempt_at=row.next_attempt_at,
        dedupe_key=row.dedupe_key,
        created_at=row.created_at,
        sent_at=row.sent_at,
    )


# --- the archive's outbox ------------------------------------------------------------------


def archive_receipt_values(
    receipt: ArchiveReceipt, case_number: tuple[int, int] | None = None
) -> dict[str, Any]:
    """The archive's numbers from its receipt; the case's from `case_number` (the register's,
    which the record was filed under) when the receipt has no case part."""
    case_year, case_sequence = receipt.case_year, receipt.case_sequence
    if case_year is None and case_number is not None:
        case_year, case_sequence = case_number
    return {
        "case_year": case_year,
        "case_sequence": case_sequence,
        "journal_year": receipt.journal_year,
        "journal_sequence": receipt.journal_sequence,
        "journal_post_number": receipt.journal_post_number,
        "record_system_id": receipt.record_system_id,
        "record_id": receipt.record_id,
        "case_system_id": receipt.case_system_id,
        "case_id": receipt.case_id,
    }


def archived_record_from_row(row: Any) -> ArchivedRecordNumbers:
    journal = (
        None
        if row.journal_year is None or row.journal_sequence is None
        else f"{row.journal_year}/{row.journal_sequence}"
    )
    return ArchivedRecordNumbers(
        title=row.title,
        kind=row.kind,
        journal_number=journal,
        record_id=row.record_id,
        confirmed_at=row.confirmed_at,
    )


def failed_archive_message_from_row(row: Any) -> FailedArchiveMessage:
    """A row of `archive_messages` joined with its contract's `reference` and `contract_title`."""
    return FailedArchiveMessage(
        contract_id=row.contract_id,
        reference=row.reference,
        contract_title=row.contract_title,
        title=row.title,
        kind=row.kind,
        error_kind=ArchiveErrorKind(row.error_kind) if row.error_kind else None,
        last_error=row.last_error,
        attempts=row.attempts,
        at=row.updated_at,
    )


__all__ = [
    "absence_from_row",
    "answer_from_row",
    "archive_receipt_values",
    "archived_record_from_row",
    "audit_event_from_row",
    "checkpoint_from_row",
    "checkpoint_values",
    "contract_from_row",
    "contract_values",
    "conversation_ref_from_row",
    "delivery_from_row",
    "deviation_from_row",
    "document_from_row",
    "failed_archive_message_from_row",
    "follow_up_from_row",
    "onsite_check_from_row",
    "onsite_check_values",
    "person_from_row",
    "person_values",
    "record_values",
    "risk_assessment_from_row",
    "risk_assessment_values",
    "supplier_evaluation_from_row",
    "supplier_evaluation_values",
    "supplier_from_row",
]
