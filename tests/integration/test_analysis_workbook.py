"""The analysis as an Excel workbook (`kontraktsvakt analyse … --xlsx`), on both stores: the
figures on *Sammendrag*, and the lines behind the price deviations and the off-list share,
read back with openpyxl."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import load_workbook  # type: ignore[import-untyped]

from followup.analysis.models import ImportKind, Thresholds
from followup.analysis.services import (
    AnalyseAgreement,
    ImportAnalysisFile,
    analyse,
    import_analysis_file,
    off_list_lines,
)
from followup.models import ContractType
from storage.analysis_workbook import write_analysis_workbook
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
REFERENCE = "KOM-2026-0088"
Q3 = (date(2026, 7, 1), date(2026, 9, 30))


def _import(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    kind: ImportKind,
    cells: Sequence[Mapping[str, object]],
) -> None:
    with uow_factory() as uow:
        report = import_analysis_file(
            ImportAnalysisFile(
                kind=kind,
                rows=[(n, c) for n, c in enumerate(cells, start=2)],
                headers=list(cells[0]),
                file_name="fil.csv",
                sha256="0" * 64,
                actor="test",
                reference=REFERENCE,
            ),
            uow,
            NOW,
        )
    assert report.stored, report.problems


def test_the_workbook_holds_the_figures_and_the_lines_behind_them(
    uow_factory: SqlAlchemyUnitOfWorkFactory, tmp_path: Path
) -> None:
    with uow_factory() as uow:
        owner = add_person(uow, "Ola Hansen", NOW)
        add_contract(
            uow,
            NOW,
            owner=owner,
            supplier=add_supplier(uow),
            reference=REFERENCE,
            contract_type=ContractType.FRAMEWORK,
            maximum_value_nok=100_000,
        )
        uow.commit()
    _import(
        uow_factory,
        ImportKind.PRICE_LIST,
        [
            {"Varenummer": "A1", "Varetekst": "Rør", "Avtalt pris": "100,00", "Kjerne": "J"},
            {"Varenummer": "B2", "Varetekst": "Bend", "Avtalt pris": "40,00", "Kjerne": "N"},
        ],
    )
    # Turnover 1 020 + 400 + 300 = 1 720; A1 at 102 against 100 (10: overcharge 20); X9 is off
    # the list (300).
    _import(
        uow_factory,
        ImportKind.STATISTICS,
        [
            {"Periode": "3. kvartal 2026", "Varenummer": v, "Varetekst": t, "Antall": q,
             "Enhetspris": p, "Beløp eks. mva": a}
            for v, t, q, p, a in (
                ("A1", "Rør", "10", "102,00", "1 020,00"),
                ("B2", "Bend", "10", "40,00", "400,00"),
                ("X9", "Spesialdel", "3", "100,00", "300,00"),
            )
        ],
    )  # fmt: skip
    path = tmp_path / "analyse.xlsx"
    with uow_factory() as uow:
        result = analyse(AnalyseAgreement(REFERENCE, Q3), uow, NOW, Thresholds())
        write_analysis_workbook(path, result, off_list_lines(REFERENCE, Q3, uow))

    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Sammendrag", "Prisavvik", "Utenfor prislisten"]
    summary = {row[0]: row[1] for row in workbook["Sammendrag"].iter_rows(values_only=True)}
    assert summary["Omsetning eks. mva"] == 1720.0
    assert summary["Andel kjernesortiment"] == round(1020 / 1720, 4)
    assert summary["Merpris"] == 20.0
    assert summary["Funn"] == "prisavvik"
    assert workbook["Sammendrag"]["B6"].number_format == "#,##0.00"
    deviations = list(workbook["Prisavvik"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[4], r[5], r[9]) for r in deviations] == [("A1", 102.0, 100.0, 20.0)]
    outside = list(workbook["Utenfor prislisten"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[6]) for r in outside] == [("X9", 300.0)]
    assert workbook["Prisavvik"].freeze_panes == "A2"
