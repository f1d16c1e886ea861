"""Supplier evaluations on both stores: versions and their audit, who may evaluate, the open
evaluation follow-up answered, a supplier's evaluations over time, each contract's latest in one
read, and the letter written as a workbook."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from followup.calendar.workdays import WorkingCalendar
from followup.checks.evaluation import (
    EvaluationRefused,
    RecordEvaluation,
    open_evaluation_follow_up,
    record_evaluation,
)
from followup.checks.evaluation_models import EvaluationHeading, EvaluationLetter
from followup.errors import NotAllowed
from followup.models import AnswerKind, Contract, FollowUpState, Person, Role
from followup.plans.materialise import materialise_calendar
from followup.plans.plan_file import apply_plans, load_plan
from storage.evaluation_letter import write_evaluation_letter
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PLAN = load_plan()
REFERENCE = "EV-2026-0003"


def _scores(
    score: int, comment: str | None = None
) -> dict[EvaluationHeading, tuple[int | None, str | None]]:
    return dict.fromkeys(EvaluationHeading, (score, comment))


def _world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> tuple[Person, Person, Person, Contract]:
    """Kari owns a NOK 3 million cleaning contract (significant: a yearly evaluation, due
    31.12.2026, planned); Per is procurement; Ola is someone else."""
    with uow_factory() as uow:
        kari = add_person(uow, "Kari Nordmann", NOW)
        per = add_person(uow, "Per Innkjøp", NOW, roles={Role.PROCUREMENT})
        ola = add_person(uow, "Ola Utenfor", NOW)
        contract = add_contract(
            uow,
            NOW,
            owner=kari,
            supplier=add_supplier(uow),
            reference=REFERENCE,
            title="Renhold rådhuset",
            value_nok=3_000_000,
        )
        apply_plans(uow, [contract.id], PLAN, NOW)
        materialise_calendar(
            uow, [contract.id], NOW, settings=PLAN.calendar, calendar=WorkingCalendar()
        )
        uow.commit()
    return kari, per, ola, contract


def _record(uow_factory: SqlAlchemyUnitOfWorkFactory, cmd: RecordEvaluation, now: datetime = NOW):  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        result = record_evaluation(cmd, uow, now)
        uow.commit()
    return result


def test_every_evaluation_is_a_new_audited_version(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    kari, per, _, contract = _world(uow_factory)
    first = _record(uow_factory, RecordEvaluation(kari.id, REFERENCE, _scores(4, "Bra")))
    assert first.evaluation.version == 1
    assert first.evaluation.overall == 4
    values = _scores(3)
    values[EvaluationHeading.INVOICING] = (2, "Fakturaene manglet bestillingsnummer")
    later = NOW + timedelta(days=400)
    second = _record(
        uow_factory, RecordEvaluation(per.id, REFERENCE, values, procurement=True), later
    )
    assert second.evaluation.version == 2
    with uow_factory() as uow:
        versions = uow.supplier_evaluations.versions(contract.id)
        events = [
            e
            for e in uow.audit.for_entity("contract", contract.id)
            if e.action == "evaluation.recorded"
        ]
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].score_of(EvaluationHeading.QUALITY).comment == "Bra"
    assert versions[1].score_of(EvaluationHeading.INVOICING).score == 2
    assert versions[1].evaluated_by_id == per.id
    assert versions[1].evaluated_at == later
    assert versions[1].supplier_id == contract.supplier_id
    assert len(events) == 2
    assert events[1].before is not None
    assert events[1].before["version"] == 1
    assert events[1].after is not None
    assert events[1].after["scores"]["fakturering"] == [2, "Fakturaene manglet bestillingsnummer"]


_H = EvaluationHeading


@pytest.mark.parametrize(
    ("values", "code", "heading"),
    [
        ({}, "evaluation.score_missing", "leveringssikkerhet"),
        ({**_scores(4), _H.OVERALL: (None, None)}, "evaluation.score_missing", "samlet"),
        ({**_scores(4), _H.COOPERATION: (6, None)}, "evaluation.score_invalid", "samarbeid"),
        ({**_scores(4), _H.QUALITY: (1, "  ")}, "evaluation.comment_missing", "kvalitet"),
        ({**_scores(4), _H.OVERALL: (4, "x" * 2_001)}, "evaluation.too_long", "samlet"),
    ],
)
def test_bad_evaluations_are_refused_and_nothing_is_stored(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    values: dict[EvaluationHeading, tuple[int | None, str | None]],
    code: str,
    heading: str,
) -> None:
    kari, _, _, contract = _world(uow_factory)
    with pytest.raises(EvaluationRefused) as refused:
        _record(uow_factory, RecordEvaluation(kari.id, REFERENCE, values))
    assert refused.value.code == code
    assert refused.value.values["heading"] == heading
    with uow_factory() as uow:
        assert uow.supplier_evaluations.latest(contract.id) is None


def test_only_the_contracts_people_and_procurement_may_evaluate(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    _, _, ola, contract = _world(uow_factory)
    with pytest.raises(NotAllowed):
        _record(uow_factory, RecordEvaluation(ola.id, REFERENCE, _scores(4)))
    with uow_factory() as uow:
        assert uow.supplier_evaluations.latest(contract.id) is None


def test_the_owners_evaluation_answers_the_open_evaluation_follow_up(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    kari, _, _, contract = _world(uow_factory)
    with uow_factory() as uow:
        due = open_evaluation_follow_up(uow, contract, NOW)
    assert due is not None
    assert due.due_date == date(2026, 12, 31)

    result = _record(uow_factory, RecordEvaluation(kari.id, REFERENCE, _scores(5)))
    assert result.answered is not None
    assert result.answered.follow_up.id == due.id
    assert result.answered.answer.kind is AnswerKind.DOCUMENTS
    assert result.answered.answer.answered_by_id == kari.id
    with uow_factory() as uow:
        stored = uow.follow_ups.get_many([due.id])[due.id]
        assert open_evaluation_follow_up(uow, contract, NOW) is None
    assert stored.state is FollowUpState.ANSWERED


def test_an_evaluation_far_ahead_of_the_follow_up_or_by_procurement_answers_nothing(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    kari, per, _, contract = _world(uow_factory)
    early = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # seven months before it is due
    assert (
        _record(uow_factory, RecordEvaluation(kari.id, REFERENCE, _scores(4)), early).answered
        is None
    )
    by_procurement = RecordEvaluation(per.id, REFERENCE, _scores(4), procurement=True)
    assert _record(uow_factory, by_procurement).answered is None  # not the owner's to answer
    with uow_factory() as uow:
        assert open_evaluation_follow_up(uow, contract, NOW) is not None
        assert len(uow.supplier_evaluations.versions(contract.id)) == 2


def test_a_suppliers_evaluations_over_time_and_each_contracts_latest(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    kari, _, _, contract = _world(uow_factory)
    with uow_factory() as uow:
        supplier = uow.suppliers.get_many([contract.supplier_id or ""])[contract.supplier_id or ""]
        other = add_contract(
            uow, NOW, owner=kari, supplier=supplier, reference="EV-2026-0004", title="Vinduspuss"
        )
        lone = add_contract(
            uow, NOW, owner=kari, supplier=add_supplier(uow, "Annen AS", 2),
            reference="EV-2026-0005",
        )  # fmt: skip
        uow.commit()
    _record(
        uow_factory, RecordEvaluation(kari.id, REFERENCE, _scores(3)), NOW - timedelta(days=365)
    )
    _record(uow_factory, RecordEvaluation(kari.id, REFERENCE, _scores(5)))
    _record(
        uow_factory,
        RecordEvaluation(kari.id, "EV-2026-0004", _scores(2, "Sent")),
        NOW - timedelta(days=30),
    )
    with uow_factory() as uow:
        lines = uow.supplier_evaluations.for_supplier(contract.supplier_id or "", 10)
        latest = uow.supplier_evaluations.latest_for_contracts([contract.id, other.id, lone.id])
        limited = uow.supplier_evaluations.for_supplier(contract.supplier_id or "", 1)
    assert [(line.reference, line.overall) for line in lines] == [
        (REFERENCE, 5),
        ("EV-2026-0004", 2),
        (REFERENCE, 3),
    ]
    assert lines[0].evaluated_at == NOW
    assert lines[0].owner_id == kari.id
    assert len(limited) == 1
    assert {k: (v.version, v.overall) for k, v in latest.items()} == {
        contract.id: (2, 5),
        other.id: (1, 2),
    }


def test_the_letter_is_a_workbook_with_a_column_for_the_supplier(tmp_path: Path) -> None:
    letter = EvaluationLetter(
        sheet_title="Evaluering",
        file_name="leverandorevaluering-EV-1-2026-11-23.xlsx",
        opening=("Til: Renhold AS (org.nr. 912345678)", "", "Skala: 1–5"),
        columns=("Tema", "Karakter", "Vår kommentar", "Leverandørens kommentar"),
        rows=(
            ("Leveringssikkerhet", "4 godt", "Stabilt"),
            ("Samlet vurdering", "3 som avtalt", ""),
        ),
        closing=("Med vennlig hilsen",),
    )
    path = tmp_path / "brev.xlsx"
    write_evaluation_letter(path, letter)
    sheet = load_workbook(path).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0][0] == "Til: Renhold AS (org.nr. 912345678)"
    header = cells.index(["Tema", "Karakter", "Vår kommentar", "Leverandørens kommentar"])
    assert cells[header + 1] == ["Leveringssikkerhet", "4 godt", "Stabilt", None]
    assert cells[header + 2] == ["Samlet vurdering", "3 som avtalt", None, None]
    assert cells[-1][0] == "Med vennlig hilsen"
