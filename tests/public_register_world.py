"""The public register's test set: ~30 public framework agreements with Norwegian word forms,
and agreements the public must never see (not marked public, a single contract, a call-off),
written as a contract register file and imported as a municipality would.

`SEARCHES` lists queries and the titles each must find (in force, sorted by title); the same
on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from followup.orgnr import make_organisation_number
from followup.register.importing import ImportReport, import_contracts
from storage.register_files import open_register_file
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
OWNER = "kari.nordmann@fjordvik.kommune.no"
"""The owner of every agreement: a person, never shown."""

HEADER = (
    "Avtalenr;Tittel;Avtaletype;Kategori;CPV;Leverandør;Org.nr;Avtaleeier;Enhet;Startdato;"
    "Sluttdato;Opsjoner;Løpende avtale;Status;Offentlig;Estimert verdi;Omfang;Bestilling;"
    "Kontakt;Doffin"
)


@dataclass(frozen=True)
class Agreement:
    reference: str
    title: str
    supplier: str
    scope: str = ""
    category: str = "varer"
    unit: str = "Sentraladministrasjon"
    end: str = "31.12.2027"
    options: str = ""
    status: str = "aktiv"
    public: str = "Ja"
    contract_type: str = "rammeavtale"
    ongoing: str = "Nei"
    cpv: str = ""
    contact: str = "innkjop@fjordvik.kommune.no"
    doffin: str = ""


_SUPPLIERS = (
    "Kontorpartner Vest AS", "Interiør Nord AS", "Rent Bygg AS", "Vinduspuss Kyst AS",
    "Maskinstasjon Midt AS", "Transport og Maskin AS", "Sykkelsenteret AS",
    "Sykkelverkstedet AS", "Læremidler Vest AS", "Digital Vest AS", "Systemer Nord AS",
    "Matgrossist Vest AS", "Frukt og Grønt Kyst AS", "Arbeidsklær AS", "Vaskeri Midt AS",
    "Byggmester Nord AS", "Elektro Vest AS", "Rørlegger Kyst AS", "Asfalt Vest AS",
    "Energi Kyst AS", "Bok og Media AS", "Idrett og Lek AS", "Budbilen AS", "Tak og Fasade AS",
    "Tolkesentralen AS", "Heis AS", "Vakt og Sikring AS", "Kontor og Rekvisita AS",
    "Kopiservice AS", "Trygg Legevakt AS",
)  # fmt: skip


def _organisation_numbers() -> dict[str, str]:
    numbers: dict[str, str] = {}
    prefix = 91_000_000
    for name in _SUPPLIERS:
        number = None
        while number is None:
            prefix += 7
            number = make_organisation_number(str(prefix))
        numbers[name] = number
    return numbers


ORGANISATION_NUMBERS = _organisation_numbers()

PUBLIC = (
    Agreement("PR-01", "Kontorrekvisita", "Kontorpartner Vest AS",
              "Penner, papir, permer og annet kontormateriell", cpv="30192000-1",
              doffin="https://doffin.no/notices/2024-123456"),
    Agreement("PR-02", "Kontormøbler og inventar", "Interiør Nord AS",
              "Skrivebord, stoler og andre møbler til kontorer"),
    Agreement("PR-03", "Renholdstjenester for kommunale bygg", "Rent Bygg AS",
              "Daglig renhold og vindusvask", category="tjenester", unit="Eiendom"),
    Agreement("PR-04", "Vindusvask", "Vinduspuss Kyst AS", "Utvendig vask av vinduer",
              category="tjenester", unit="Eiendom"),
    Agreement("PR-05", "Brøyting og strøing", "Maskinstasjon Midt AS",
              "Brøyting av kommunale veier og strøing med sand", category="tjenester",
              unit="Teknisk drift"),
    Agreement("PR-06", "Brøytetjenester for skoleveier", "Transport og Maskin AS",
              "Snørydding før skolestart", category="tjenester", unit="Teknisk drift"),
    Agreement("PR-07", "Sykler og sykkelutstyr", "Sykkelsenteret AS",
              "El-sykler, hjelmer og lås", unit="Oppvekst"),
    Agreement("PR-08", "Sykkelreparasjon", "Sykkelverkstedet AS",
              "Reparasjon og service av kommunens sykler", category="tjenester"),
    Agreement("PR-09", "Møbler til barnehager", "Læremidler Vest AS", "Barnestoler og bord",
              unit="Oppvekst"),
    Agreement("PR-10", "Datautstyr", "Digital Vest AS", "Bærbare datamaskiner og skjermer",
              cpv="30213100-6"),
    Agreement("PR-11", "IT-tjenester og drift", "Systemer Nord AS", "Drift av servere",
              category="tjenester"),
    Agreement("PR-12", "Matvarer til sykehjem", "Matgrossist Vest AS",
              "Tørrvarer, meieri, frukt og grønt", unit="Helse og omsorg"),
    Agreement("PR-13", "Frisk frukt", "Frukt og Grønt Kyst AS", "Frukt og bær",
              unit="Helse og omsorg"),
    Agreement("PR-14", "Arbeidsklær", "Arbeidsklær AS", "Arbeidsklær og vernesko",
              unit="Teknisk drift"),
    Agreement("PR-15", "Vaskeritjenester", "Vaskeri Midt AS", "Vask av tøy og tekstiler",
              category="tjenester", unit="Helse og omsorg"),
    Agreement("PR-16", "Snekkertjenester", "Byggmester Nord AS", "Mindre snekkerarbeider",
              category="bygg og anlegg", unit="Eiendom"),
    Agreement("PR-17", "Elektrikertjenester", "Elektro Vest AS", "Elektriske installasjoner",
              category="bygg og anlegg", unit="Eiendom"),
    Agreement("PR-18", "Rørleggertjenester", "Rørlegger Kyst AS", "Rør, vann og avløp",
              category="bygg og anlegg", unit="Eiendom"),
    Agreement("PR-19", "Asfaltering", "Asfalt Vest AS", "Asfaltering av veier",
              category="bygg og anlegg", unit="Teknisk drift"),
    Agreement("PR-20", "Drivstoff", "Energi Kyst AS", "Diesel og bensin", end="30.06.2026",
              options="30.06.2027", unit="Teknisk drift"),
    Agreement("PR-21", "Bøker og læremidler", "Bok og Media AS", "Skolebøker og lærebøker",
              unit="Oppvekst"),
    Agreement("PR-22", "Øvingsutstyr for kroppsøving", "Idrett og Lek AS", "Baller og matter",
              unit="Oppvekst"),
    Agreement("PR-23", "Åpen barnehage – leker", "Idrett og Lek AS", "Leker og spill",
              unit="Oppvekst"),
    Agreement("PR-24", "Ærend- og budtjenester", "Budbilen AS", "Budbil mellom kontorene",
              category="tjenester"),
    Agreement("PR-25", "Zinktak – vedlikehold", "Tak og Fasade AS", "Vedlikehold av tak",
              category="bygg og anlegg", unit="Eiendom"),
    Agreement("PR-26", "Tolketjenester", "Tolkesentralen AS", "Tolking på mange språk",
              category="tjenester", status="avsluttet", end="30.06.2026",
              options="30.06.2027", unit="Helse og omsorg"),
    Agreement("PR-27", "Heisservice", "Heis AS", "Service av heiser", category="tjenester",
              end="", ongoing="Ja", unit="Eiendom"),
    Agreement("PR-28", "Vakt og sikring", "Vakt og Sikring AS", "Vektere og alarmer",
              category="tjenester", end="30.06.2025", options="31.12.2025"),
    Agreement("PR-29", "Kontorrekvisita – delkontrakt 2", "Kontor og Rekvisita AS",
              "Blekk og toner til skrivere", contact="kari.nordmann@fjordvik.kommune.no"),
    Agreement("PR-30", "Kopimaskiner", "Kopiservice AS", "Leie av kopimaskiner",
              end="31.12.2025", status="utløpt"),
)  # fmt: skip

HIDDEN = (
    # Words the public searches for, in agreements the public must never see.
    Agreement("SKJULT-1", "Kontorrekvisita til legevakten", "Trygg Legevakt AS",
              "Hemmelig kontorlager, sykler og brøyting", public="Nei"),
    Agreement("SKJULT-2", "Kontorrekvisita enkeltkjøp", "Kontorpartner Vest AS",
              "Hemmelig enkeltkjøp av sykler", contract_type="enkeltkontrakt"),
    Agreement("SKJULT-3", "Avrop kontorstoler (PR-02)", "Interiør Nord AS",
              "Hemmelig avrop på sykkel og brøyting", contract_type="avrop"),
    Agreement("SKJULT-4", "Sykkelparkering", "Sykkelsenteret AS", "Hemmelig sykkelhotell",
              public="Nei", category="bygg og anlegg"),
)  # fmt: skip
HIDDEN_WORDS = ("hemmelig", "legevakt", "enkeltkjøp", "avrop", "sykkelparkering", "sykkelhotell")

T = {a.reference: a.title for a in PUBLIC}

SEARCHES: dict[str, Sequence[str]] = {
    "kontor": (T["PR-02"], T["PR-01"], T["PR-29"], T["PR-24"]),
    "Kontorrekvisita": (T["PR-01"], T["PR-29"]),
    "kontorer": (T["PR-02"], T["PR-01"], T["PR-29"], T["PR-24"]),
    "renhold": (T["PR-03"],),
    "renholdstjenester": (T["PR-03"],),
    "brøyting": (T["PR-06"], T["PR-05"]),
    "brøyt": (T["PR-06"], T["PR-05"]),
    "sykkel": (T["PR-08"], T["PR-07"]),
    "sykler": (T["PR-08"], T["PR-07"]),
    "møbler": (T["PR-02"], T["PR-09"]),
    "møbel": (T["PR-02"], T["PR-09"]),
    "vinduer": (T["PR-03"], T["PR-04"]),
    "vask": (T["PR-15"], T["PR-04"]),
    "datamaskin": (T["PR-10"],),
    "30213100": (T["PR-10"],),
    "it-tjenester": (T["PR-11"],),
    "bygg og anlegg": (T["PR-19"], T["PR-17"], T["PR-18"], T["PR-16"], T["PR-25"]),
    "frukt grønt": (T["PR-13"], T["PR-12"]),
    "lærebøker": (T["PR-21"],),
    "bøker": (T["PR-21"],),
    "elektriker": (T["PR-17"],),
    "rørlegger": (T["PR-18"],),
    "kontor møbler": (T["PR-02"],),
    "Sykkelsenteret": (T["PR-07"],),
    "matgrossist": (T["PR-12"],),
    "heis": (T["PR-27"],),
    "diesel": (T["PR-20"],),
    "kopimaskiner": (),
    "tolk": (),
    "vakt": (),
    "og": (),
    "hemmelig": (),
    "legevakt": (),
    "enkeltkjøp": (),
    "avrop": (),
    "sykkelhotell": (),
    "kontor hemmelig": (),
    "xylofon": (),
}
"""Query → the agreements in force it finds, sorted by title."""


def register_text(agreements: Sequence[Agreement]) -> str:
    lines = [HEADER]
    for a in agreements:
        lines.append(
            ";".join(
                (
                    a.reference, a.title, a.contract_type, a.category, a.cpv, a.supplier,
                    ORGANISATION_NUMBERS[a.supplier], OWNER, a.unit, "01.01.2025", a.end,
                    a.options, a.ongoing, a.status, a.public, "1 250 000", a.scope,
                    "Bestill i innkjøpsportalen", a.contact, a.doffin,
                )
            )
        )  # fmt: skip
    return "\n".join(lines) + "\n"


def import_register(
    factory: SqlAlchemyUnitOfWorkFactory,
    path: Path,
    agreements: Sequence[Agreement] = PUBLIC + HIDDEN,
    now: datetime = NOW,
) -> ImportReport:
    path.write_text(register_text(agreements), encoding="utf-8")
    register = open_register_file(path)
    return import_contracts(
        register.rows(), register.headers, factory, now, actor=f"import:{path.name}", dry_run=False
    )
