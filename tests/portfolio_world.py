"""A small portfolio with known answers, for procurement's questions (tests of the portfolio and
of its cards): written through the real repositories of a unit of work factory."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert

from followup.models import (
    AnswerKind,
    Checkpoint,
    ContractStatus,
    DeviationStatus,
    FollowUp,
    FollowUpState,
    Person,
    Role,
    Severity,
)
from followup.views import Scope
from storage.tables import AnswerRow, DeviationRow
from storage.unit_of_work import SqlAlchemyUnitOfWork, SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
"""A Monday: the week is 23-29 November; the answer period 26 August to 23 November."""
EVERYTHING = Scope.everything()


# --- a small world with known answers --------------------------------------------------------


@dataclass
class World:
    procurement: Person
    kari: Person
    per: Person
    liv: Person
    ola: Person
    contracts: dict[str, str]
    """reference -> id"""
    follow_ups: dict[str, str]
    """name -> id"""
    supplier_ids: dict[str, str]


def add_answer(
    uow: SqlAlchemyUnitOfWork, follow_up_id: str, by: str, at: datetime, version: int = 1
) -> None:
    uow.session.execute(
        insert(AnswerRow),
        {
            "id": str(uuid.uuid4()),
            "follow_up_id": follow_up_id,
            "version": version,
            "kind": AnswerKind.DELIVERED.value,
            "answered_by_id": by,
            "answered_at": at,
            "text": f"svar {version}",
            "channel": "msteams",
        },
    )


def add_deviation(
    uow: SqlAlchemyUnitOfWork,
    contract_id: str,
    by: str,
    severity: Severity,
    status: DeviationStatus,
    occurred: date,
    category: str = "forsinkelse",
) -> str:
    deviation_id = str(uuid.uuid4())
    uow.session.execute(
        insert(DeviationRow),
        {
            "id": deviation_id,
            "contract_id": contract_id,
            "category": category,
            "severity": severity.value,
            "occurred_on": occurred,
            "description": "Forsinket levering",
            "status": status.value,
            "reported_by_id": by,
            "reported_at": NOW - timedelta(days=1),
        },
    )
    return deviation_id


def build_world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> World:
    with uow_factory() as uow:
        procurement = add_person(uow, "Ingrid Haugland", NOW, roles={Role.PROCUREMENT})
        kari = add_person(uow, "Kari Nordmann", NOW)
        per = add_person(uow, "Per Hansen", NOW)
        liv = add_person(uow, "Liv Berg", NOW)
        ola = add_person(uow, "Ola Dahl", NOW)
        ola.unreachable = True
        uow.people.update(ola, NOW)
        fjordbygg = add_supplier(uow, "Fjordbygg AS", seed=1)
        renhold = add_supplier(uow, "Sunnfjord Renhold AS", seed=2)
        contracts = {}
        for reference, owner, supplier, changes in (
            ("KOM-1", kari, fjordbygg, {"unit": "Oppvekst"}),
            ("KOM-2", per, renhold, {"unit": "Helse", "manager_id": liv.id}),
            ("KOM-3", kari, fjordbygg, {"status": ContractStatus.EXPIRED}),
            ("KOM-4", per, renhold, {}),
            ("KOM-5", ola, renhold, {}),
        ):
            contract = add_contract(
                uow, NOW, owner=owner, supplier=supplier, reference=reference, **changes
            )
            contracts[reference] = contract.id
        uow.session.flush()
        checkpoints = {}
        for reference in ("KOM-1", "KOM-2", "KOM-3", "KOM-5"):
            checkpoint = Checkpoint(
                contract_id=contracts[reference],
                code="levering",
                title=f"Bekreft levering {reference}",
                rrule="FREQ=MONTHLY",
                dtstart=date(2026, 1, 1),
            )
            uow.checkpoints.add(checkpoint)
            checkpoints[reference] = checkpoint.id
        uow.session.flush()
        plan = {
            # name: (contract, due, state, reminder step)
            "f1": ("KOM-1", date(2026, 11, 10), FollowUpState.REMINDED, 3),
            "f2": ("KOM-1", date(2026, 11, 2), FollowUpState.ESCALATED, 4),
            "f3": ("KOM-1", date(2026, 11, 24), FollowUpState.PLANNED, 0),
            "f4": ("KOM-1", date(2026, 11, 16), FollowUpState.ANSWERED, 2),
            "f5": ("KOM-1", date(2026, 11, 17), FollowUpState.ANSWERED, 2),
            "f6": ("KOM-1", date(2026, 10, 1), FollowUpState.SKIPPED, 0),
            "f7": ("KOM-1", date(2026, 8, 3), FollowUpState.ANSWERED, 1),
            "f8": ("KOM-2", date(2026, 11, 20), FollowUpState.SNOOZED, 4),
            "f9": ("KOM-2", date(2026, 11, 29), FollowUpState.NOTIFIED, 1),
            "f10": ("KOM-2", date(2026, 9, 15), FollowUpState.ANSWERED, 1),
            "f11": ("KOM-2", date(2026, 9, 16), FollowUpState.ANSWERED, 2),
            "f12": ("KOM-2", date(2026, 11, 30), FollowUpState.PLANNED, 0),
            "f13": ("KOM-3", date(2026, 11, 5), FollowUpState.NOTIFIED, 2),
            "f14": ("KOM-5", date(2026, 12, 10), FollowUpState.PLANNED, 0),
        }
        follow_ups = {
            name: FollowUp(
                checkpoint_id=checkpoints[reference],
                contract_id=contracts[reference],
                due_date=due,
                state=state,
                reminder_step=step,
            )
            for name, (reference, due, state, step) in plan.items()
        }
        uow.follow_ups.add_many(follow_ups.values())
        ids = {name: f.id for name, f in follow_ups.items()}
        # November is UTC+1 in Oslo: 22:59 UTC is 23:59 on the due date (on time), 23:00 UTC
        # already the next day (late). A later correction does not change the first answer.
        add_answer(uow, ids["f4"], kari.id, datetime(2026, 11, 16, 22, 59, tzinfo=UTC))
        add_answer(uow, ids["f4"], kari.id, datetime(2026, 11, 20, 10, 0, tzinfo=UTC), 2)
        add_answer(uow, ids["f5"], kari.id, datetime(2026, 11, 17, 23, 0, tzinfo=UTC))
        add_answer(uow, ids["f7"], kari.id, datetime(2026, 8, 1, 9, 0, tzinfo=UTC))
        # September is UTC+2: 21:59 UTC is 23:59 in Oslo, 22:00 UTC is midnight.
        add_answer(uow, ids["f10"], per.id, datetime(2026, 9, 15, 21, 59, tzinfo=UTC))
        add_answer(uow, ids["f11"], per.id, datetime(2026, 9, 16, 22, 0, tzinfo=UTC))
        add_deviation(
            uow, contracts["KOM-1"], kari.id, Severity.HIGH, DeviationStatus.OPEN, date(2026, 11, 1)
        )
        add_deviation(
            uow,
            contracts["KOM-2"],
            per.id,
            Severity.CRITICAL,
            DeviationStatus.IN_PROGRESS,
            date(2026, 10, 1),
            "mangel",
        )
        add_deviation(
            uow, contracts["KOM-1"], kari.id, Severity.LOW, DeviationStatus.CLOSED, date(2026, 9, 1)
        )
        add_deviation(
            uow, contracts["KOM-2"], per.id, Severity.HIGH, DeviationStatus.OPEN, date(2026, 11, 2)
        )
        uow.commit()
    return World(
        procurement, kari, per, liv, ola, contracts, ids,
        {"Fjordbygg AS": fjordbygg.id, "Sunnfjord Renhold AS": renhold.id},
    )  # fmt: skip
