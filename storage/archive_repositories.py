"""The archive's outbox (`archive_messages`) and the stored facts archive records are made of:
`SqlAlchemyArchiveRepository`, the `followup.archive.ports.ArchiveRepository`.

Claims work as the reminders' outbox's (`storage.outbox_repositories.claim_to_send`): one
statement picks and claims, so on SQLite it takes the write lock at once (no read-then-write
race) and on PostgreSQL the picked rows are locked (``FOR UPDATE SKIP LOCKED``) and checked
again; two senders never hold the same message. A claim is a lease: the row stays `pending`
with `claimed_by` and `lease_expires_at`, and when the lease runs out (the sender died) the
row can be claimed again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, Final, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, Table, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from followup.archive.ports import (
    ArchivedRecordNumbers,
    ArchiveErrorKind,
    ArchiveOutcome,
    ArchiveState,
    ClaimedArchiveMessage,
    ContractFacts,
    FailedArchiveMessage,
    QueuedArchiveMessage,
)
from followup.archive.receipts import ArchiveReceipt
from followup.checks.evaluation_models import SupplierEvaluation
from followup.checks.models import RiskAssessment
from followup.checks.onsite_models import OnsiteCheck
from followup.models import (
    Answer,
    AuditEvent,
    Checkpoint,
    Deviation,
    Document,
    FollowUp,
)
from storage.contract_repositories import chunked
from storage.mappings import (
    answer_from_row,
    archive_receipt_values,
    archived_record_from_row,
    audit_event_from_row,
    checkpoint_from_row,
    contract_from_row,
    deviation_from_row,
    document_from_row,
    failed_archive_message_from_row,
    follow_up_from_row,
    onsite_check_from_row,
    risk_assessment_from_row,
    supplier_evaluation_from_row,
    supplier_from_row,
)
from storage.tables import (
    AnswerRow,
    ArchiveMessageRow,
    AuditEventRow,
    CheckpointRow,
    ContractRow,
    DeviationRow,
    DocumentRow,
    FollowUpRow,
    OnsiteCheckRow,
    PersonRow,
    RiskAssessmentRow,
    SupplierEvaluationRow,
    SupplierRow,
    table_of,
)

T = TypeVar("T")

_DEVIATION_UPDATED: Final = "deviation.updated"
_UNCONFIRMED: Final = (ArchiveState.SENT.value, ArchiveState.PENDING.value)


class SqlAlchemyArchiveRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _table(self) -> Any:
        return table_of(ArchiveMessageRow)

    def _execute(self, statement: Any) -> Any:
        self._session.flush()
        return self._session.execute(statement)

    # --- the outbox ---------------------------------------------------------------------------

    def add_new(self, messages: Sequence[QueuedArchiveMessage], now: datetime) -> int:
        if not messages:
            return 0
        rows = [
            {
                "message_id": str(m.message_id),
                "contract_id": m.contract_id,
                "record_key": m.record_key,
                "kind": m.kind,
                "title": m.title[:300],
                "state": ArchiveState.PENDING.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for m in messages
        ]
        dialect = self._session.get_bind().dialect.name
        make = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = self._table
        statement = (
            make(table)
            .on_conflict_do_nothing(index_elements=["message_id"])
            .returning(table.c.message_id)  # what was inserted (executemany's rowcount is not)
        )
        self._session.flush()
        added = 0
        for batch in chunked(rows, 500):
            added += len(self._session.connection().execute(statement, batch).all())
        return added

    def known_ids(self, message_ids: Collection[UUID]) -> set[UUID]:
        table = self._table
        known: set[UUID] = set()
        for batch in chunked({str(m) for m in message_ids}):
            rows = self._execute(select(table.c.message_id).where(table.c.message_id.in_(batch)))
            known.update(UUID(row[0]) for row in rows)
        return known

    def claim(
        self, now: datetime, claim: str, lease_until: datetime, limit: int
    ) -> Sequence[ClaimedArchiveMessage]:
        table = self._table
        claimable = and_(
            table.c.state == ArchiveState.PENDING.value,
            or_(table.c.next_attempt_at.is_(None), table.c.next_attempt_at <= now),
            or_(table.c.lease_expires_at.is_(None), table.c.lease_expires_at < now),
        )
        picked = (
            select(table.c.message_id)
            .where(claimable)
            .order_by(table.c.created_at, table.c.message_id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has one writer at a time
            .cte("picked")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        self._execute(
            update(table)
            .where(table.c.message_id.in_(select(picked.c.message_id)), claimable)
            .values(
                claimed_by=claim,
                lease_expires_at=lease_until,
                attempts=table.c.attempts + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        rows = self._execute(
            select(
                table.c.message_id,
                table.c.contract_id,
                table.c.record_key,
                table.c.kind,
                table.c.attempts,
            )
            .where(table.c.claimed_by == claim, table.c.state == ArchiveState.PENDING.value)
            .order_by(table.c.created_at, table.c.message_id)
        )
        return [ClaimedArchiveMessage(UUID(row[0]), row[1], row[2], row[3], row[4]) for row in rows]

    def finish(self, outcome: ArchiveOutcome) -> bool:
        table = self._table
        values: dict[str, Any] = {
            "state": outcome.state.value,
            "claimed_by": None,
            "lease_expires_at": None,
            "updated_at": outcome.at,
            "next_attempt_at": outcome.next_attempt_at,
            "error_kind": outcome.error_kind.value if outcome.error_kind else None,
            "last_error": outcome.last_error,
        }
        if outcome.state in (ArchiveState.SENT, ArchiveState.CONFIRMED):
            values["sent_at"] = outcome.at
        if outcome.receipt is not None:
            values["confirmed_at"] = outcome.at
            values.update(archive_receipt_values(outcome.receipt, outcome.case_number))
        result = self._execute(
            update(table)
            .where(
                table.c.message_id == str(outcome.message_id),
                table.c.claimed_by == outcome.claim,
                table.c.state == ArchiveState.PENDING.value,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0) == 1

    def _settle(self, message_id: UUID, values: dict[str, Any]) -> bool:
        table = self._table
        result = self._execute(
            update(table)
            .where(table.c.message_id == str(message_id), table.c.state.in_(_UNCONFIRMED))
            .values(claimed_by=None, lease_expires_at=None, next_attempt_at=None, **values)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0) == 1

    def confirm(self, message_id: UUID, receipt: ArchiveReceipt, now: datetime) -> bool:
        return self._settle(
            message_id,
            {
                "state": ArchiveState.CONFIRMED.value,
                "confirmed_at": now,
                "updated_at": now,
                "error_kind": None,
                "last_error": None,
                **archive_receipt_values(receipt),
            },
        )

    def fail_sent(
        self, message_id: UUID, kind: ArchiveErrorKind, error: str, now: datetime
    ) -> bool:
        return self._settle(
            message_id,
            {
                "state": ArchiveState.FAILED.value,
                "updated_at": now,
                "error_kind": kind.value,
                "last_error": error,
            },
        )

    def requeue_failed(self, contract_ids: Collection[str] | None, now: datetime) -> int:
        table = self._table
        failed = table.c.state == ArchiveState.FAILED.value
        batches: list[Any] = (
            [failed]
            if contract_ids is None
            else [and_(failed, table.c.contract_id.in_(b)) for b in chunked(set(contract_ids))]
        )
        count = 0
        for where in batches:
            result = self._execute(
                update(table)
                .where(where)
                .values(
                    state=ArchiveState.PENDING.value,
                    attempts=0,
                    next_attempt_at=now,
                    error_kind=None,
                    last_error=None,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            count += int(result.rowcount or 0)
        return count

    def counts(self) -> Mapping[ArchiveState, int]:
        table = self._table
        rows = self._execute(select(table.c.state, func.count()).group_by(table.c.state))
        return {ArchiveState(state): int(count) for state, count in rows}

    def sent_before(self, moment: datetime) -> int:
        table = self._table
        return int(
            self._execute(
                select(func.count())
                .select_from(table)
                .where(table.c.state == ArchiveState.SENT.value, table.c.sent_at < moment)
            ).scalar_one()
        )

    def failed(self, limit: int) -> Sequence[FailedArchiveMessage]:
        table, contracts = self._table, table_of(ContractRow)
        rows = self._execute(
            select(
                table,
                contracts.c.reference.label("reference"),
                contracts.c.title.label("contract_title"),
            )
            .join(contracts, contracts.c.id == table.c.contract_id)
            .where(table.c.state == ArchiveState.FAILED.value)
            .order_by(table.c.updated_at.desc(), table.c.message_id)
            .limit(limit)
        )
        return [failed_archive_message_from_row(row) for row in rows]

    def case_number(self, contract_id: str) -> tuple[int, int] | None:
        table = self._table
        row = self._execute(
            select(table.c.case_year, table.c.case_sequence)
            .where(
                table.c.contract_id == contract_id,
                table.c.state == ArchiveState.CONFIRMED.value,
                table.c.case_year.is_not(None),
                table.c.case_sequence.is_not(None),
            )
            .order_by(table.c.confirmed_at.desc())
            .limit(1)
        ).first()
        return None if row is None else (int(row[0]), int(row[1]))

    def latest_records(self, contract_id: str, limit: int) -> Sequence[ArchivedRecordNumbers]:
        table = self._table
        rows = self._execute(
            select(table)
            .where(
                table.c.contract_id == contract_id,
                table.c.state == ArchiveState.CONFIRMED.value,
            )
            .order_by(
                table.c.confirmed_at.desc(),
                table.c.journal_year.desc(),
                table.c.journal_sequence.desc(),
            )
            .limit(limit)
        )
        return [archived_record_from_row(row) for row in rows]

    # --- the sources --------------------------------------------------------------------------

    def contract_ids(self, references: Collection[str] | None) -> Sequence[str]:
        contracts = table_of(ContractRow)
        query = select(contracts.c.id, contracts.c.reference)
        if references is None:
            rows = list(self._execute(query))
        else:
            rows = []
            for batch in chunked({r.strip() for r in references}):
                rows += self._execute(query.where(contracts.c.reference.in_(batch)))
        return [row[0] for row in sorted(rows, key=lambda row: (row[1], row[0]))]

    def unknown_references(self, references: Collection[str]) -> Sequence[str]:
        contracts = table_of(ContractRow)
        wanted = {r.strip() for r in references}
        found: set[str] = set()
        for batch in chunked(wanted):
            rows = self._execute(
                select(contracts.c.reference).where(contracts.c.reference.in_(batch))
            )
            found.update(row[0] for row in rows)
        return sorted(wanted - found)

    def contracts_changed_since(self, since: datetime) -> Sequence[str]:
        follow_ups = table_of(FollowUpRow)
        documents, answers = table_of(DocumentRow), table_of(AnswerRow)
        deviations = table_of(DeviationRow)
        risks, checks = table_of(RiskAssessmentRow), table_of(OnsiteCheckRow)
        evaluations = table_of(SupplierEvaluationRow)
        changed = (
            select(follow_ups.c.contract_id)
            .join(documents, documents.c.follow_up_id == follow_ups.c.id)
            .where(documents.c.uploaded_at >= since)
            .union(
                select(follow_ups.c.contract_id)
                .join(answers, answers.c.follow_up_id == follow_ups.c.id)
                .where(answers.c.answered_at >= since),
                select(deviations.c.contract_id).where(
                    or_(
                        deviations.c.reported_at >= since,
                        deviations.c.updated_at >= since,
                        deviations.c.closed_at >= since,
                    )
                ),
                # the structured checks (issue 19): each row is stored once, never changed
                select(risks.c.contract_id).where(risks.c.assessed_at >= since),
                select(checks.c.contract_id).where(checks.c.recorded_at >= since),
                select(evaluations.c.contract_id).where(evaluations.c.evaluated_at >= since),
            )
            .subquery()
        )
        return sorted(str(row[0]) for row in self._execute(select(changed.c[0])))

    def facts(self, contract_id: str) -> ContractFacts | None:
        return self.facts_many([contract_id]).get(contract_id)

    def facts_many(self, contract_ids: Sequence[str]) -> dict[str, ContractFacts]:
        """`facts` of many contracts, read together: each table once per batch of contracts
        (`chunked`), not once per contract (the archive's daily pass reads every contract)."""
        found: dict[str, ContractFacts] = {}
        for batch in chunked(list(dict.fromkeys(contract_ids))):
            found.update(self._facts_of(batch))
        return found

    def _facts_of(self, contract_ids: Sequence[str]) -> dict[str, ContractFacts]:
        contracts_table = table_of(ContractRow)
        contracts = {
            row.id: contract_from_row(row)
            for row in self._execute(
                select(contracts_table).where(contracts_table.c.id.in_(contract_ids))
            )
        }
        if not contracts:
            return {}
        suppliers_table = table_of(SupplierRow)
        supplier_ids = {c.supplier_id for c in contracts.values() if c.supplier_id}
        suppliers = {
            row.id: supplier_from_row(row)
            for row in (
                self._execute(select(suppliers_table).where(suppliers_table.c.id.in_(supplier_ids)))
                if supplier_ids
                else ()
            )
        }
        ids = list(contracts)
        follow_ups_table = table_of(FollowUpRow)
        follow_ups: dict[str, list[FollowUp]] = {i: [] for i in ids}
        contract_of: dict[str, str] = {}
        for row in self._execute(
            select(follow_ups_table)
            .where(follow_ups_table.c.contract_id.in_(ids))
            .order_by(follow_ups_table.c.due_date, follow_ups_table.c.id)
        ):
            follow_up = follow_up_from_row(row)
            follow_ups[follow_up.contract_id].append(follow_up)
            contract_of[follow_up.id] = follow_up.contract_id
        checkpoints_table = table_of(CheckpointRow)
        checkpoints: dict[str, dict[str, Checkpoint]] = {i: {} for i in ids}
        for row in self._execute(
            select(checkpoints_table).where(checkpoints_table.c.contract_id.in_(ids))
        ):
            checkpoint = checkpoint_from_row(row)
            checkpoints[checkpoint.contract_id][checkpoint.id] = checkpoint
        of_contracts = select(follow_ups_table.c.id).where(follow_ups_table.c.contract_id.in_(ids))
        answers_table = table_of(AnswerRow)
        answers: dict[str, list[Answer]] = {i: [] for i in ids}
        for row in self._execute(
            select(answers_table)
            .where(answers_table.c.follow_up_id.in_(of_contracts))
            .order_by(answers_table.c.answered_at, answers_table.c.version, answers_table.c.id)
        ):
            answer = answer_from_row(row)
            answers[contract_of[answer.follow_up_id]].append(answer)
        documents_table = table_of(DocumentRow)
        documents: dict[str, list[Document]] = {i: [] for i in ids}
        for row in self._execute(
            select(documents_table)
            .where(documents_table.c.follow_up_id.in_(of_contracts))
            .order_by(documents_table.c.uploaded_at, documents_table.c.id)
        ):
            document = document_from_row(row)
            if document.follow_up_id in contract_of:
                documents[contract_of[document.follow_up_id]].append(document)
        deviations_table = table_of(DeviationRow)
        deviations: dict[str, list[Deviation]] = {i: [] for i in ids}
        for row in self._execute(
            select(deviations_table)
            .where(deviations_table.c.contract_id.in_(ids))
            .order_by(deviations_table.c.reported_at, deviations_table.c.id)
        ):
            deviation = deviation_from_row(row)
            deviations[deviation.contract_id].append(deviation)
        events = self._deviation_events([d.id for found in deviations.values() for d in found])
        risks, checks, evaluations = self._checks(ids)
        person_ids = {
            *(c.owner_id for c in contracts.values()),
            *(a.answered_by_id for found in answers.values() for a in found),
            *(d.uploaded_by_id for found in documents.values() for d in found),
            *(d.reported_by_id for found in deviations.values() for d in found),
            *(e.actor.removeprefix("person:") for found in events.values() for e in found),
            *(r.assessed_by_id for found in risks.values() for r in found),
            *(c.recorded_by_id for found in checks.values() for c in found),
            *(e.evaluated_by_id for found in evaluations.values() for e in found),
        }
        names = self._names({p for p in person_ids if p})
        return {
            contract_id: ContractFacts(
                contract=contract,
                supplier=suppliers.get(contract.supplier_id) if contract.supplier_id else None,
                people=names,
                checkpoints=checkpoints[contract_id],
                follow_ups=follow_ups[contract_id],
                answers=answers[contract_id],
                documents=documents[contract_id],
                deviations=deviations[contract_id],
                deviation_events={
                    d.id: events[d.id] for d in deviations[contract_id] if d.id in events
                },
                risk_assessments=risks.get(contract_id, ()),
                onsite_checks=checks.get(contract_id, ()),
                evaluations=evaluations.get(contract_id, ()),
            )
            for contract_id, contract in contracts.items()
        }

    def _checks(
        self, contract_ids: Sequence[str]
    ) -> tuple[
        dict[str, list[RiskAssessment]],
        dict[str, list[OnsiteCheck]],
        dict[str, list[SupplierEvaluation]],
    ]:
        """The contracts' risk assessments, on-site checks and supplier evaluations: one
        statement each for the whole batch, oldest first (version or number)."""
        risks_table = table_of(RiskAssessmentRow)
        checks_table = table_of(OnsiteCheckRow)
        evaluations_table = table_of(SupplierEvaluationRow)
        return (
            self._per_contract(
                risks_table, risks_table.c.version, contract_ids, risk_assessment_from_row
            ),
            self._per_contract(
                checks_table, checks_table.c.number, contract_ids, onsite_check_from_row
            ),
            self._per_contract(
                evaluations_table,
                evaluations_table.c.version,
                contract_ids,
                supplier_evaluation_from_row,
            ),
        )

    def _per_contract(
        self,
        table: Table,
        order: ColumnElement[Any],
        contract_ids: Sequence[str],
        convert: Callable[[Any], T],
    ) -> dict[str, list[T]]:
        """`table`'s rows of the contracts, converted, per contract in `order`: one statement."""
        found: dict[str, list[T]] = {}
        for row in self._execute(
            select(table)
            .where(table.c.contract_id.in_(contract_ids))
            .order_by(table.c.contract_id, order)
        ):
            found.setdefault(row.contract_id, []).append(convert(row))
        return found

    def _deviation_events(self, deviation_ids: Sequence[str]) -> dict[str, list[AuditEvent]]:
        table = table_of(AuditEventRow)
        found: dict[str, list[AuditEvent]] = {}
        for batch in chunked(deviation_ids):
            rows = self._execute(
                select(table)
                .where(
                    table.c.entity == "deviation",
                    table.c.entity_id.in_(batch),
                    table.c.action == _DEVIATION_UPDATED,
                )
                .order_by(table.c.seq)
            )
            for row in rows:
                found.setdefault(row.entity_id, []).append(audit_event_from_row(row))
        return found

    def _names(self, person_ids: Collection[str]) -> dict[str, str]:
        people = table_of(PersonRow)
        names: dict[str, str] = {}
        for batch in chunked(person_ids):
            rows = self._execute(
                select(people.c.id, people.c.display_name).where(people.c.id.in_(batch))
            )
            names.update((row[0], row[1]) for row in rows)
        return names


__all__ = ["SqlAlchemyArchiveRepository"]
