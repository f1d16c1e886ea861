"""The public register as open data: `/rammeavtaler.json` and `/rammeavtaler.csv`, the same
public fields in both (documented in the README). Dates are ISO 8601 (open data is read by
programs); the contact address is left out when it is a person's own and the setting does
not allow personal contacts."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import Any, Final
from urllib.parse import quote

import orjson

from followup.public_register import OPTION_STATUS_LABELS, PublicAgreement

CSV_HEADER: Final = (
    "Avtalenr",
    "Tittel",
    "Leverandør",
    "Org.nr",
    "Kategori",
    "CPV",
    "Omfang",
    "Startdato",
    "Sluttdato",
    "Løpende avtale",
    "Opsjoner",
    "Gyldig til",
    "Gjeldende",
    "Enhet",
    "Bestilling",
    "Kontakt",
    "Doffin",
    "Lenke",
)
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def detail_path(reference: str) -> str:
    return "/rammeavtaler/" + quote(reference, safe="")


def shown_contact(agreement: PublicAgreement, show_personal: bool) -> str | None:
    if agreement.contact_is_personal and not show_personal:
        return None
    return agreement.contact_email


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def agreement_json(agreement: PublicAgreement, show_personal: bool) -> dict[str, Any]:
    a = agreement
    return {
        "avtalenr": a.reference,
        "tittel": a.title,
        "leverandorer": [{"navn": s.name, "orgnr": s.organisation_number} for s in a.suppliers],
        "kategori": a.category.value,
        "kategori_navn": a.category_label,
        "cpv": a.cpv_code,
        "omfang": a.scope,
        "startdato": _day(a.start_date),
        "sluttdato": _day(a.end_date),
        "lopende": a.ongoing,
        "opsjoner": [
            {
                "fra": _day(o.start),
                "til": o.end.isoformat(),
                "status": o.status.value,
                "status_navn": OPTION_STATUS_LABELS[o.status],
            }
            for o in a.options
        ],
        "gyldig_til": _day(a.valid_until),
        "gjeldende": a.in_force,
        "enheter": list(a.units),
        "bestilling": a.how_to_order,
        "kontakt": shown_contact(a, show_personal),
        "doffin": a.doffin_notice,
        "doffin_url": a.doffin_url,
        "lenke": detail_path(a.reference),
    }


def register_json(agreements: Sequence[PublicAgreement], today: date, show_personal: bool) -> bytes:
    return orjson.dumps(
        {
            "dato": today.isoformat(),
            "antall": len(agreements),
            "rammeavtaler": [agreement_json(a, show_personal) for a in agreements],
        },
        option=orjson.OPT_INDENT_2,
    )


def _cell(value: str | None) -> str:
    """No spreadsheet formula: a cell starting like one gets a leading apostrophe."""
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def register_csv(agreements: Sequence[PublicAgreement], show_personal: bool) -> bytes:
    """UTF-8 with BOM (Excel reads æøå), `;` between fields, one row per agreement."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for a in agreements:
        options = ", ".join(
            f"{o.end.isoformat()} ({OPTION_STATUS_LABELS[o.status]})" for o in a.options
        )
        writer.writerow(
            [
                _cell(v)
                for v in (
                    a.reference,
                    a.title,
                    " | ".join(s.name for s in a.suppliers),
                    " | ".join(s.organisation_number for s in a.suppliers),
                    a.category_label,
                    a.cpv_code,
                    a.scope,
                    _day(a.start_date),
                    _day(a.end_date),
                    "Ja" if a.ongoing else "Nei",
                    options,
                    _day(a.valid_until),
                    "Ja" if a.in_force else "Nei",
                    " | ".join(a.units),
                    a.how_to_order,
                    shown_contact(a, show_personal),
                    a.doffin_url,
                    detail_path(a.reference),
                )
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
