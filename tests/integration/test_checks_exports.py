"""`eksport risiko`, `eksport evalueringer` and the contracts export's latest assessment and
evaluation (issue 19) on both stores: one row per stored version, newest first, with what was
entered; only the contracts the asker may see; the period as Oslo days; the files' headers and
cells in Excel and CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from followup.access import resolve_viewer
from followup.calendar.workdays import WorkingCalendar
from followup.checks.evaluation import RecordEvaluation, record_evaluation
from followup.checks.evaluation_models import EvaluationHeading
from followup.checks.models import RiskArea
from followup.checks.risk import AssessRisk, assess_risk
from followup.exports import ExportFormat, prepare_export
from followup.models import Category, Contract, Person, RiskLevel, Role
from followup.plans.materialise import materialise_calendar
from followup.plans.plan_file import apply_plans, load_plan
from followup.portfolio import export_rows
from followup.views import EXPORT_COLUMNS, ExportKind, ExportQuery, Scope
from storage.export_store import FolderExportStore
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier, organisation_number

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
TODAY = date(2026, 12, 7)
PLAN = load_plan()
CALENDAR = WorkingCalendar()
EVERYTHING = Scope.everything()
CLEANING, BUILDING, QUIET = "REN-2026-0003", "BYGG-2026-0002", "BYGG-2026-0009"
LATE_ON_30_NOVEMBER = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
"""1 December in Oslo (00:30)."""


@dataclass(frozen=True, slots=True)
class World:
    kari: Person
    ola: Person
    per: Person
    cleaning: Contract
    building: Contract


def _risk(**areas: tuple[int, int]) -> dict[RiskArea, tuple[int | None, int | None]]:
    scores: dict[RiskArea, tuple[int | None, int | None]] = dict.fromkeys(RiskArea, (1, 1))
    scores.update({RiskArea(area): pair for area, pair in areas.items()})
    return scores


def _evaluation(
    score: int, **comments: str
) -> dict[EvaluationHeading, tuple[int | None, str | None]]:
    return {h: (score, comments.get(h.value)) for h in EvaluationHeading}


@pytest.fixture
def world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> World:
    """Kari owns a cleaning contract, Ola a building contract and a quiet one nobody assessed;
    Per is procurement. The cleaning contract is assessed twice (by Kari on 2 November, by Per
    late on 30 November UTC, which is 1 December in Oslo), the building contract once (by Ola,
    overruling the suggestion); the cleaning contract evaluated once, the building contract
    twice (the first with its supplier then, since replaced)."""
    with uow_factory() as uow:
        kari = add_person(uow, "Kari Nordmann", NOW)
        ola = add_person(uow, "Ola Hansen", NOW)
        per = add_person(uow, "Per Innkjøp", NOW, roles={Role.PROCUREMENT})
        cleaning = add_contract(
            uow, NOW, owner=kari, supplier=add_supplier(uow, "Renhold Vest AS", 1),
            reference=CLEANING, title="Renhold skoler", category=Category.SERVICES,
            value_nok=3_000_000, unit="Skole",
        )  # fmt: skip
        building = add_contract(
            uow, NOW, owner=ola, supplier=add_supplier(uow, "Fjordbygg AS", 2),
            reference=BUILDING, title="Ombygging rådhus", category=Category.BUILDING,
            value_nok=2_000_000, unit="Eiendom",
        )  # fmt: skip
        quiet = add_contract(
            uow, NOW, owner=ola, supplier=add_supplier(uow, "Stille AS", 3), reference=QUIET,
            title="Vaktmestertjenester",
        )  # fmt: skip
        ids = [cleaning.id, building.id, quiet.id]
        apply_plans(uow, ids, PLAN, NOW)
        materialise_calendar(uow, ids, NOW, settings=PLAN.calendar, calendar=CALENDAR)
        uow.commit()
    steps: list[tuple[datetime, Any]] = [
        (datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
         AssessRisk(kari.id, CLEANING, _risk(leveranse=(2, 2)), comment="Som før")),
        (datetime(2026, 11, 15, 12, 0, tzinfo=UTC),
         AssessRisk(ola.id, BUILDING, _risk(hms=(3, 3)), chosen=RiskLevel.MEDIUM,
                    reason="Tett oppfølging av underentreprenører")),
        (LATE_ON_30_NOVEMBER,
         AssessRisk(per.id, CLEANING, _risk(hms=(4, 3), arbeidsvilkar=(3, 2)), procurement=True,
                    comment="Funn ved stedlig kontroll")),
        (datetime(2025, 12, 1, 10, 0, tzinfo=UTC),
         RecordEvaluation(ola.id, BUILDING, _evaluation(3))),
        (datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
         RecordEvaluation(kari.id, CLEANING,
                          _evaluation(4, samarbeid="Rask respons", samlet="Godt levert"))),
        (datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
         RecordEvaluation(per.id, BUILDING, _evaluation(2, **{h.value: "Forsinket"
                                                              for h in EvaluationHeading}),
                          procurement=True)),
    ]  # fmt: skip
    for at, cmd in steps:
        if at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC):
            with uow_factory() as uow:  # the building contract changes supplier before
                current = uow.contracts.get(building.id)
                assert current is not None
                replaced = add_supplier(uow, "Nybygg AS", 4)
                uow.contracts.update(current.model_copy(update={"supplier_id": replaced.id}), at)
                uow.commit()
        with uow_factory() as uow:
            if isinstance(cmd, AssessRisk):
                assess_risk(cmd, uow, at, config=PLAN, calendar=CALENDAR)
            else:
                record_evaluation(cmd, uow, at)
            uow.commit()
    return World(kari, ola, per, cleaning, building)


def _rows(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    kind: ExportKind,
    scope: Scope = EVERYTHING,
    start: date | None = None,
    end: date | None = None,
) -> list[dict[str, Any]]:
    query = ExportQuery(kind, TODAY, start, end)
    headers = [c.header for c in EXPORT_COLUMNS[kind]]
    with uow_factory() as uow:
        return [dict(zip(headers, r, strict=True)) for r in export_rows(uow, query, scope)]


def _scope_of(uow_factory: SqlAlchemyUnitOfWorkFactory, person: Person) -> Scope:
    with uow_factory() as uow:
        return resolve_viewer(uow, person.id, TODAY).scope


# --- eksport risiko ---------------------------------------------------------------------------


def test_every_risk_assessment_version_newest_first_with_what_was_entered(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World
) -> None:
    rows = _rows(uow_factory, ExportKind.RISIKO)
    assert [(r["Avtalenr"], r["Versjon"]) for r in rows] == [
        (CLEANING, 2), (BUILDING, 1), (CLEANING, 1),
    ]  # fmt: skip
    newest, overruled, first = rows
    assert newest["Vurdert"] == LATE_ON_30_NOVEMBER
    assert (newest["Kontrakt"], newest["Leverandør"], newest["Enhet"]) == (
        "Renhold skoler", "Renhold Vest AS", "Skole",
    )  # fmt: skip
    assert newest["Vurdert av"] == "Per Innkjøp"
    assert newest["Kilde"] == "Chat"
    assert (newest["HMS: konsekvens"], newest["HMS: sannsynlighet"]) == (4, 3)
    assert (newest["Lønns- og arbeidsvilkår: konsekvens"],
            newest["Lønns- og arbeidsvilkår: sannsynlighet"]) == (3, 2)  # fmt: skip
    assert (newest["Omdømme: konsekvens"], newest["Omdømme: sannsynlighet"]) == (1, 1)
    assert (newest["Foreslått nivå"], newest["Valgt nivå"], newest["Forrige nivå"]) == (
        "Høy", "Høy", "Middels",
    )  # fmt: skip
    assert newest["Begrunnelse for valgt nivå"] is None
    assert newest["Kommentar"] == "Funn ved stedlig kontroll"
    assert (overruled["Foreslått nivå"], overruled["Valgt nivå"]) == ("Høy", "Middels")
    assert overruled["Begrunnelse for valgt nivå"] == "Tett oppfølging av underentreprenører"
    assert overruled["Vurdert av"] == "Ola Hansen"
    assert (first["Leveranse og kvalitet: konsekvens"], first["Pris og økonomi: konsekvens"]) == (
        2, 1,
    )  # fmt: skip
    assert (first["Foreslått nivå"], first["Valgt nivå"], first["Kommentar"]) == (
        "Middels", "Middels", "Som før",
    )  # fmt: skip


def test_risk_rows_only_of_contracts_one_may_see(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World
) -> None:
    kari = _rows(uow_factory, ExportKind.RISIKO, _scope_of(uow_factory, world.kari))
    ola = _rows(uow_factory, ExportKind.RISIKO, _scope_of(uow_factory, world.ola))
    per = _rows(uow_factory, ExportKind.RISIKO, _scope_of(uow_factory, world.per))
    assert [(r["Avtalenr"], r["Versjon"]) for r in kari] == [(CLEANING, 2), (CLEANING, 1)]
    assert [(r["Avtalenr"], r["Versjon"]) for r in ola] == [(BUILDING, 1)]
    assert len(per) == 3  # procurement: everything, though Per assessed one himself
    nobody = Scope(people_sets=(frozenset({"someone-else"}),))
    assert _rows(uow_factory, ExportKind.RISIKO, nobody) == []


def test_the_period_is_oslo_days(uow_factory: SqlAlchemyUnitOfWorkFactory, world: World) -> None:
    december = _rows(uow_factory, ExportKind.RISIKO, start=date(2026, 12, 1))
    november = _rows(
        uow_factory, ExportKind.RISIKO, EVERYTHING, date(2026, 11, 1), date(2026, 11, 30)
    )
    first_half = _rows(uow_factory, ExportKind.RISIKO, end=date(2026, 11, 15))
    assert [(r["Avtalenr"], r["Versjon"]) for r in december] == [(CLEANING, 2)]
    assert [(r["Avtalenr"], r["Versjon"]) for r in november] == [(BUILDING, 1), (CLEANING, 1)]
    assert [(r["Avtalenr"], r["Versjon"]) for r in first_half] == [(BUILDING, 1), (CLEANING, 1)]
    evaluations = _rows(uow_factory, ExportKind.EVALUERINGER, EVERYTHING, date(2026, 1, 1), TODAY)
    assert [(r["Avtalenr"], r["Versjon"]) for r in evaluations] == [(BUILDING, 2), (CLEANING, 1)]


# --- eksport evalueringer -----------------------------------------------------------------------


def test_every_evaluation_version_with_its_supplier_scores_and_comments(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World
) -> None:
    rows = _rows(uow_factory, ExportKind.EVALUERINGER)
    assert [(r["Avtalenr"], r["Versjon"]) for r in rows] == [
        (BUILDING, 2), (CLEANING, 1), (BUILDING, 1),
    ]  # fmt: skip
    latest, cleaning, first = rows
    assert (latest["Leverandør"], latest["Org.nr"]) == ("Nybygg AS", organisation_number(4))
    assert (first["Leverandør"], first["Org.nr"]) == ("Fjordbygg AS", organisation_number(2))
    assert latest["Evaluert"] == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert latest["Evaluert av"] == "Per Innkjøp"
    assert (latest["Fakturering og økonomi"], latest["Fakturering og økonomi: kommentar"]) == (
        2, "Forsinket",
    )  # fmt: skip
    assert (cleaning["Samarbeid"], cleaning["Samarbeid: kommentar"]) == (4, "Rask respons")
    assert (cleaning["Samlet vurdering"], cleaning["Samlet vurdering: kommentar"]) == (
        4, "Godt levert",
    )  # fmt: skip
    assert (cleaning["Kvalitet og kompetanse"], cleaning["Kvalitet og kompetanse: kommentar"]) == (
        4, None,
    )  # fmt: skip
    assert cleaning["Evaluert av"] == "Kari Nordmann"
    assert cleaning["Enhet"] == "Skole"


def test_evaluation_rows_only_of_contracts_one_may_see(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World
) -> None:
    kari = _rows(uow_factory, ExportKind.EVALUERINGER, _scope_of(uow_factory, world.kari))
    ola = _rows(uow_factory, ExportKind.EVALUERINGER, _scope_of(uow_factory, world.ola))
    assert [(r["Avtalenr"], r["Versjon"]) for r in kari] == [(CLEANING, 1)]
    assert [(r["Avtalenr"], r["Versjon"]) for r in ola] == [(BUILDING, 2), (BUILDING, 1)]


# --- eksport kontrakter ---------------------------------------------------------------------------


def test_the_contracts_export_shows_the_latest_assessment_and_evaluation(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World
) -> None:
    rows = {r["Avtalenr"]: r for r in _rows(uow_factory, ExportKind.KONTRAKTER)}
    assert set(rows) == {CLEANING, BUILDING, QUIET}
    cleaning, building, quiet = rows[CLEANING], rows[BUILDING], rows[QUIET]
    assert cleaning["Risikovurdert"] == date(2026, 12, 1)  # 30 November 23:30 UTC, in Oslo
    assert cleaning["Risiko"] == "høy"
    assert (cleaning["Evaluert"], cleaning["Samlet vurdering"]) == (date(2026, 11, 20), 4)
    assert building["Risikovurdert"] == date(2026, 11, 15)
    assert (building["Evaluert"], building["Samlet vurdering"]) == (date(2026, 11, 25), 2)
    assert (quiet["Risikovurdert"], quiet["Evaluert"], quiet["Samlet vurdering"]) == (
        None, None, None,
    )  # fmt: skip
    # The columns after them are still the archive's (filled elsewhere: issue 17).
    assert (quiet["Arkivsak"], quiet["Arkiverte journalposter"]) == (None, 0)
    owned = _rows(uow_factory, ExportKind.KONTRAKTER, _scope_of(uow_factory, world.ola))
    assert {r["Avtalenr"] for r in owned} == {BUILDING, QUIET}


# --- the files ------------------------------------------------------------------------------------


def _made(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    tmp_path: Path,
    kind: ExportKind,
    export_format: ExportFormat,
    scope: Scope = EVERYTHING,
) -> Path:
    store = FolderExportStore(tmp_path / "exports")
    with uow_factory() as uow:
        made = prepare_export(
            uow, store, ExportQuery(kind, TODAY), scope, export_format, person_id="p",
            conversation_id="c", now=NOW, lifetime=timedelta(hours=1), sheet_title="Ark",
        )  # fmt: skip
    assert made is not None
    return store.path(made)


def test_the_risk_workbook_and_the_evaluations_csv(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World, tmp_path: Path
) -> None:
    workbook = load_workbook(
        _made(uow_factory, tmp_path, ExportKind.RISIKO, ExportFormat.XLSX), read_only=True
    )
    sheet = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    headers = [c.header for c in EXPORT_COLUMNS[ExportKind.RISIKO]]
    assert list(sheet[0]) == headers
    newest = dict(zip(headers, sheet[1], strict=True))
    assert newest["Vurdert"].isoformat() == "2026-12-01T00:30:00"  # Oslo wall-clock, no zone
    assert (newest["HMS: konsekvens"], newest["Valgt nivå"]) == (4, "Høy")
    assert len(sheet) == 4

    data = _made(uow_factory, tmp_path, ExportKind.EVALUERINGER, ExportFormat.CSV).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    headers = [c.header for c in EXPORT_COLUMNS[ExportKind.EVALUERINGER]]
    assert lines[0] == headers
    latest = dict(zip(headers, lines[1], strict=True))
    assert (latest["Avtalenr"], latest["Evaluert"], latest["Samlet vurdering"]) == (
        BUILDING, "25.11.2026 11:00", "2",
    )  # fmt: skip
    assert len(lines) == 4


def test_the_contracts_workbook_has_the_new_columns_as_dates(
    uow_factory: SqlAlchemyUnitOfWorkFactory, world: World, tmp_path: Path
) -> None:
    path = _made(uow_factory, tmp_path, ExportKind.KONTRAKTER, ExportFormat.XLSX)
    workbook = load_workbook(path, read_only=True)
    sheet = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    headers = [c.header for c in EXPORT_COLUMNS[ExportKind.KONTRAKTER]]
    assert list(sheet[0]) == headers
    rows = {r[0]: dict(zip(headers, r, strict=True)) for r in sheet[1:]}
    assert rows[CLEANING]["Risikovurdert"].isoformat() == "2026-12-01T00:00:00"  # a date cell
    assert rows[BUILDING]["Samlet vurdering"] == 2
    assert rows[QUIET]["Evaluert"] is None
