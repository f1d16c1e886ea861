"""Demo data for a fictional municipality, *Fjordvik kommune*, so the product can be tried at once.

`load_demo_data` writes, in one transaction, 85 people (a procurement team of 5 and 80 contract
owners, some of whom also manage or stand in on other owners' contracts), 60 suppliers with valid
organisation numbers and 300 contracts of every type and category, with dates around `now`.
Everything is drawn from `random.Random` seeded by `seed`, so the same seed always gives the same
names, numbers and ids; `now` only moves the dates. It loads nothing when the demo is already
there (the marker is the first procurement e-mail). `load_demo_calendar` then gives every
contract its plan and follow-ups, dated from `now` (run it on every start: it is idempotent).

`load_demo` (what `kontraktsvakt demo` loads) writes the same people, suppliers and contracts
and six months of follow-up history (`storage.demo_history`: answers on time and late,
documents, deviations, escalations, procurement's channel) in ONE transaction: all or nothing.
It loads nothing when the demo is there, and refuses a database that holds other people or
contracts (`DemoRefused`): made-up data is never mixed with a real register.

`demo_people` (`storage.people_picker`) lists whoever is in the people table, for the dev chat's
"who are you?" picker.
"""

from __future__ import annotations

import logging
import math
import random
import uuid
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from followup.calendar.workdays import WorkingCalendar
from followup.conversations import record_conversation
from followup.errors import Conflict
from followup.models import Category, ContractStatus, ContractType, Person, RiskLevel, Role
from followup.orgnr import make_organisation_number
from followup.periods import add_months
from followup.plans.materialise import refresh_plans_and_calendar
from followup.plans.plan_file import PlanConfig, load_plan
from followup.words import fold_letters
from storage.db import create_session_factory
from storage.demo_analysis import load_demo_analysis
from storage.demo_history import (
    DemoChannel,
    DemoHistory,
    DemoServices,
    channel_conversation,
    make_history,
)
from storage.people_picker import DemoPerson, demo_people
from storage.tables import ContractRow, PersonRow, SupplierRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

log = logging.getLogger(__name__)

DEMO_SEED = 2026
DEMO_MUNICIPALITY = "Fjordvik kommune"
DEMO_EMAIL_DOMAIN = "fjordvik.kommune.no"

# The procurement team, fixed so that documentation and tests can name them. The first is also
# an administrator, and her e-mail is the marker that the demo data is loaded.
_PROCUREMENT_TEAM = (
    ("Ingrid", "Haugland"),
    ("Åsmund", "Sæther"),
    ("Sofie", "Lunde"),
    ("Henrik", "Aasen"),
    ("Nora", "Eide"),
)


def ascii_email_part(name: str) -> str:
    """A name as it appears in an e-mail address: `Ødegård` → `odegard`, `Sæther` → `saether`."""
    folded = fold_letters(name).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.replace(" ", "-") if ch.isalnum() or ch in "-.")


def _demo_email(first: str, last: str) -> str:
    return f"{ascii_email_part(first)}.{ascii_email_part(last)}@{DEMO_EMAIL_DOMAIN}"


DEMO_PROCUREMENT_EMAILS: tuple[str, ...] = tuple(
    _demo_email(first, last) for first, last in _PROCUREMENT_TEAM
)
DEMO_ADMIN_EMAIL = DEMO_PROCUREMENT_EMAILS[0]
DEMO_MARKER_EMAIL = DEMO_PROCUREMENT_EMAILS[0]

DEMO_CONTRACT_COUNT = 300
_CALL_OFF_COUNT = 40
_MAIN_STATUSES = (
    ContractStatus.ACTIVE,
    ContractStatus.PLANNED,
    ContractStatus.EXPIRED,
    ContractStatus.TERMINATED,
)
_MAIN_STATUS_WEIGHTS = (85, 6, 6, 3)
_TITLE_ATTEMPTS = 40
_MAX_LOTS = 3

# Only for deciding the demo contracts' compliance flags; the product reads thresholds from
# configuration (they change every two years).
DEMO_THRESHOLD_NOK = 1_300_000

_OSLO = ZoneInfo("Europe/Oslo")

# --- units and who works there ---------------------------------------------------------------

HEALTH = "Helse og omsorg"
EDUCATION = "Oppvekst"
OPERATIONS = "Teknisk drift"
PROPERTY = "Eiendom"
CULTURE = "Kultur"
ADMINISTRATION = "Sentraladministrasjon"
WATER = "Vann og avløp"

# Unit -> number of contract owners in it (sums to DEMO_OWNER_COUNT).
_OWNERS_PER_UNIT: dict[str, int] = {
    HEALTH: 17,
    EDUCATION: 15,
    OPERATIONS: 12,
    PROPERTY: 14,
    CULTURE: 6,
    ADMINISTRATION: 9,
    WATER: 7,
}
DEMO_UNITS: tuple[str, ...] = tuple(_OWNERS_PER_UNIT)
DEMO_OWNER_COUNT = sum(_OWNERS_PER_UNIT.values())

# Fjordvik took the bot into use unit by unit: the weeks after the history's start (six months
# before `now`) each unit's contracts got their plans. Every unit is in the first wave's list
# or a later one.
_ROLLOUT: tuple[tuple[int, tuple[str, ...]], ...] = (
    (0, (WATER, CULTURE)),
    (12, (ADMINISTRATION, HEALTH)),
    (20, (EDUCATION, PROPERTY, OPERATIONS)),
)

# After every owner has one contract, the rest go to owners weighted by unit: property and
# technical services hold the most contracts in a municipality.
_EXTRA_CONTRACTS_PER_OWNER: dict[str, float] = {
    HEALTH: 1.0,
    EDUCATION: 0.9,
    OPERATIONS: 1.6,
    PROPERTY: 2.2,
    CULTURE: 0.8,
    ADMINISTRATION: 1.2,
    WATER: 1.4,
}

_FIRST_NAMES = (
    "Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Bjørg",
    "Hilde", "Anna", "Solveig", "Marianne", "Randi", "Ida", "Nina", "Ragnhild", "Elisabeth",
    "Kristin", "Bente", "Heidi", "Silje", "Tone", "Hanne", "Gro", "Camilla", "Mari", "Tove",
    "Ellen", "Sigrid", "Turid", "Lene", "Kjersti", "Åse", "Maren", "Guro", "Synnøve", "Tuva",
    "Mette", "Elin", "Siri", "Unni", "Vigdis", "Sissel", "Torill", "Ingeborg", "Marte", "Hege",
    "Trine", "Amina", "Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Arne", "Svein",
    "Thomas", "Hans", "Geir", "Tor", "Morten", "Terje", "Odd", "Martin", "Erik", "Andreas",
    "Rune", "Trond", "Jon", "Anders", "Harald", "Tore", "Olav", "Stian", "Øyvind", "Håkon",
    "Espen", "Jørgen", "Sindre", "Vegard", "Eirik", "Sigurd", "Kristian", "Even", "Ivar", "Atle",
    "Gunnar", "Leif", "Roar", "Ørjan", "Åsmund", "Eivind", "Steinar", "Frode", "Helge",
    "Asbjørn", "Petter", "Magne", "Ståle", "Torbjørn", "Ali", "Tomasz",
)  # fmt: skip
_LAST_NAMES = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen",
    "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Henriksen", "Lund",
    "Halvorsen", "Sørensen", "Moen", "Gundersen", "Iversen", "Strand", "Solberg", "Svendsen",
    "Knutsen", "Martinsen", "Paulsen", "Bakken", "Kristoffersen", "Mathisen", "Lie", "Amundsen",
    "Nguyen", "Rasmussen", "Solheim", "Berge", "Moe", "Nygård", "Bakke", "Fredriksen", "Holm",
    "Lien", "Hauge", "Knudsen", "Evensen", "Myhre", "Thomassen", "Sivertsen", "Simonsen",
    "Danielsen", "Sandvik", "Rønning", "Næss", "Vik", "Haug", "Thorsen", "Birkeland", "Isaksen",
    "Ruud", "Strøm", "Myklebust", "Tangen", "Ødegård", "Hovland", "Brekke", "Sætre", "Kvalheim",
    "Kvamme", "Kleppe", "Vikøren", "Økland", "Aarseth", "Hussain", "Kowalski", "Øvrebø",
)  # fmt: skip

# --- suppliers -------------------------------------------------------------------------------

# Sector -> (number of suppliers, trade words used in their names).
_SECTORS: dict[str, tuple[int, tuple[str, ...]]] = {
    "kontor": (3, ("Kontorpartner", "Kontorservice", "Kontor og Rekvisita")),
    "mat": (3, ("Matgrossist", "Storhusholdning", "Frukt og Grønt")),
    "medisinsk": (3, ("Medisinsk", "Helseprodukter", "Omsorgsteknologi", "Medical")),
    "it": (4, ("IT", "Data", "Digital", "Systemer")),
    "møbler": (2, ("Interiør", "Møbler", "Inventar")),
    "bok": (2, ("Bok og Media", "Læremidler")),
    "tekstil": (2, ("Vaskeri", "Tekstilservice", "Arbeidsklær")),
    "va": (2, ("VA-teknikk", "Pumpeservice", "Rør og Vann")),
    "maskin": (3, ("Maskin", "Maskinstasjon", "Transport og Maskin")),
    "anlegg": (4, ("Anlegg", "Maskinentreprenør", "Graving", "Asfalt")),
    "bygg": (5, ("Bygg", "Byggmester", "Entreprenør", "Totalentreprenør")),
    "elektro": (3, ("Elektro", "Elektriske", "Elinstallasjon")),
    "vvs": (3, ("Rørlegger", "VVS", "Ventilasjon")),
    "maler": (2, ("Malerservice", "Malermester", "Maler og Tapet")),
    "renhold": (4, ("Renhold", "Rent Bygg", "Renholdsservice", "Vinduspuss")),
    "vakt": (2, ("Vakt og Sikring", "Alarmsenter", "Brannsikring")),
    "transport": (2, ("Buss", "Taxi", "Turbuss")),
    "rådgivning": (3, ("Rådgivning", "Advokatfirma", "Consulting", "Rådgivende Ingeniører")),
    "bemanning": (2, ("Bemanning", "Helsevikar", "Vikarbyrå")),
    "kultur": (1, ("Lyd og Lys", "Scene og Event")),
    "energi": (1, ("Energi", "Drivstoff")),
    "park": (2, ("Grøntanlegg", "Hagetjenester", "Park og Idrett")),
    "byggevarer": (1, ("Byggevarer", "Trelast")),
    "heis": (1, ("Heis", "Heisservice")),
}
DEMO_SUPPLIER_COUNT = sum(count for count, _ in _SECTORS.values())
_SMALL_FIRM_SECTORS = frozenset({"maler", "vvs", "elektro", "bygg", "transport", "park", "vakt"})
_LARGE_FIRM_SECTORS = frozenset({"it", "mat", "medisinsk", "bygg", "anlegg", "rådgivning"})
_SUPPLIER_PLACES = (
    "Fjordvik", "Vestland", "Sunnfjord", "Nordfjord", "Kystbyen", "Hardanger", "Sjøvika",
    "Nordbygda", "Fjordkysten", "Vestkyst", "Strandheim",
)  # fmt: skip
_SUPPLIER_REGIONS = ("Vest", "Nord", "Midt", "Kyst")

# --- contracts -------------------------------------------------------------------------------

_SCHOOLS = (
    "Fjordvik skole", "Nordbygda skule", "Sjøvika barneskole", "Fjordvik ungdomsskole",
    "Lia skole", "Strandheim skole",
)  # fmt: skip
_KINDERGARTENS = (
    "Solsikken barnehage", "Tyttebæret barnehage", "Måkeskjæret barnehage", "Lia barnehage",
)  # fmt: skip
_NURSING_HOMES = (
    "Fjordvik sykehjem", "Nordbygda bo- og omsorgssenter", "Lindelia sykehjem",
)  # fmt: skip
_BUILDINGS = (
    *_SCHOOLS, *_KINDERGARTENS, *_NURSING_HOMES,
    "Fjordvik rådhus", "Fjordvik kulturhus", "Fjordvikhallen", "Fjordvik brannstasjon",
    "Fjordvik bibliotek", "Sjøvika omsorgsboliger",
)  # fmt: skip
_AREAS = ("Sentrum", "Nordbygda", "Sjøvika", "Lia", "Strandheim", "Øvre Fjordvik", "Holmen")
_STREETS = (
    "Strandgata", "Kirkevegen", "Fjordvegen", "Skolebakken", "Sjøgata", "Liavegen",
    "Nordbygdvegen", "Torget",
)  # fmt: skip
_PROJECTS = (
    "nye Lia skole", "omsorgsboliger i Sjøvika", "hovedplan vann og avløp",
    "ny brannstasjon", "digital innbyggerdialog", "nytt fagsystem for barnevern",
    "trafikksikring rundt skolene", "kommunedelplan for Sentrum",
)  # fmt: skip

G = Category.GOODS
S = Category.SERVICES
B = Category.BUILDING
FW = ContractType.FRAMEWORK
SC = ContractType.SINGLE


@dataclass(frozen=True)
class _Template:
    title: str
    category: Category
    contract_type: ContractType
    units: tuple[str, ...]
    sector: str
    value: tuple[int, int]
    months: tuple[int, int]
    cleaning: bool = False
    running: bool = False  # løpende avtale: no end date
    confidential: bool = False
    call_off: str | None = None  # the title of call-offs made under this framework agreement


_M = 1_000_000
_CATALOGUE: tuple[_Template, ...] = (
    # goods (varer)
    _Template("Rammeavtale kontorrekvisita", G, FW, (ADMINISTRATION,),
              "kontor", (300_000, 3 * _M), (24, 36)),
    _Template("Matvarer til sykehjem", G, FW, (HEALTH,),
              "mat", (2 * _M, 15 * _M), (24, 36)),
    _Template("Rammeavtale frukt og grønt", G, FW, (HEALTH, EDUCATION),
              "mat", (500_000, 4 * _M), (24, 36)),
    _Template("Rammeavtale medisinsk forbruksmateriell", G, FW, (HEALTH,),
              "medisinsk", (1 * _M, 8 * _M), (24, 36)),
    _Template("Inkontinensprodukter", G, FW, (HEALTH,),
              "medisinsk", (1 * _M, 6 * _M), (24, 36)),
    _Template("Trygghetsalarmer og velferdsteknologi", G, FW, (HEALTH,),
              "medisinsk", (2 * _M, 12 * _M), (36, 48)),
    _Template("Tekniske hjelpemidler til hjemmeboende", G, FW, (HEALTH,),
              "medisinsk", (500_000, 3 * _M), (24, 36)),
    _Template("Storkjøkkenutstyr til {nursing_home}", G, SC, (HEALTH,),
              "mat", (400_000, 2 * _M), (2, 6)),
    _Template("Elbiler til hjemmetjenesten", G, SC, (HEALTH,),
              "maskin", (1 * _M, 5 * _M), (3, 8)),
    _Template("Arbeidsklær og verneutstyr", G, FW, (OPERATIONS, WATER, PROPERTY),
              "tekstil", (300_000, 2 * _M), (24, 36)),
    _Template("Lærebøker og digitale læremidler", G, FW, (EDUCATION,),
              "bok", (1 * _M, 6 * _M), (24, 48)),
    _Template("Forbruksmateriell til barnehager", G, FW, (EDUCATION,),
              "kontor", (300_000, 2 * _M), (24, 36)),
    _Template("Elevmøbler til {school}", G, SC, (EDUCATION,),
              "møbler", (200_000, 2 * _M), (2, 6)),
    _Template("Lekeapparater til {kindergarten}", G, SC, (EDUCATION,),
              "møbler", (150_000, 900_000), (2, 5)),
    _Template("PC-er og nettbrett til skolene", G, FW, (EDUCATION,),
              "it", (2 * _M, 12 * _M), (24, 36), call_off="Avrop nettbrett til {school}"),
    _Template("Rammeavtale PC-er og tilbehør", G, FW, (ADMINISTRATION,),
              "it", (2 * _M, 10 * _M), (24, 36), call_off="Avrop PC-er og skjermer til {building}"),
    _Template("Kontormøbler", G, FW, (ADMINISTRATION, PROPERTY),
              "møbler", (500_000, 4 * _M), (24, 36), call_off="Avrop kontormøbler til {building}"),
    _Template("Multifunksjonsmaskiner og utskrift", G, FW, (ADMINISTRATION,),
              "kontor", (800_000, 3 * _M), (36, 48)),
    _Template("Rør og rørdeler", G, FW, (WATER,),
              "va", (1 * _M, 8 * _M), (24, 36)),
    _Template("Vannmålere", G, FW, (WATER,),
              "va", (500_000, 3 * _M), (24, 36)),
    _Template("Pumper og reservedeler til pumpestasjoner", G, FW, (WATER,),
              "va", (500_000, 4 * _M), (24, 36)),
    _Template("Vegsalt og strøsand", G, FW, (OPERATIONS,),
              "maskin", (500_000, 3 * _M), (24, 36)),
    _Template("Drivstoff til kommunale kjøretøy", G, FW, (OPERATIONS,),
              "energi", (2 * _M, 8 * _M), (24, 48)),
    _Template("Arbeidsmaskin til park og idrett", G, SC, (OPERATIONS,),
              "maskin", (600_000, 3 * _M), (2, 6)),
    _Template("Renholdsmidler og tørkepapir", G, FW, (PROPERTY,),
              "renhold", (400_000, 2 * _M), (24, 36)),
    _Template("Elektromateriell", G, FW, (PROPERTY,),
              "elektro", (500_000, 3 * _M), (24, 36)),
    _Template("Byggevarer og trelast", G, FW, (PROPERTY, OPERATIONS),
              "byggevarer", (1 * _M, 5 * _M), (24, 36)),
    _Template("Hjertestartere til kommunale bygg", G, SC, (PROPERTY,),
              "medisinsk", (150_000, 600_000), (1, 3)),
    _Template("Bøker og medier til Fjordvik bibliotek", G, FW, (CULTURE,),
              "bok", (500_000, 2 * _M), (24, 48)),
    _Template("Lyd- og lysutstyr til Fjordvik kulturhus", G, SC, (CULTURE,),
              "kultur", (400_000, 3 * _M), (2, 6)),
    _Template("Senger og madrasser til {nursing_home}", G, SC, (HEALTH,),
              "medisinsk", (300_000, 2 * _M), (2, 5)),
    _Template("Digitale tavler i klasserom ved {school}", G, SC, (EDUCATION,),
              "it", (300_000, 2 * _M), (2, 4)),
    _Template("Utstyr til spesialrom ved {school}", G, SC, (EDUCATION,),
              "møbler", (200_000, 1_500_000), (2, 5)),
    _Template("Vannbehandlingskjemikalier", G, FW, (WATER,),
              "va", (500_000, 3 * _M), (24, 36)),
    _Template("Mobiltelefoner og nettbrett til ansatte", G, FW, (ADMINISTRATION,),
              "it", (1 * _M, 5 * _M), (24, 36)),
    _Template("Trafikkskilt og oppmerkingsmateriell", G, FW, (OPERATIONS,),
              "anlegg", (300_000, 2 * _M), (24, 36)),
    # services (tjenester)
    _Template("Renhold av skolebygg", S, SC, (PROPERTY,),
              "renhold", (3 * _M, 20 * _M), (24, 48), cleaning=True),
    _Template("Renhold av {building}", S, SC, (PROPERTY,),
              "renhold", (600_000, 6 * _M), (24, 48), cleaning=True),
    _Template("Renhold av sykehjem og omsorgsboliger", S, SC, (PROPERTY, HEALTH),
              "renhold", (2 * _M, 12 * _M), (24, 48), cleaning=True),
    _Template("Vindusvask kommunale bygg", S, FW, (PROPERTY,),
              "renhold", (300_000, 2 * _M), (24, 36), cleaning=True),
    _Template("Brøyting og strøing sone {zone}", S, SC, (OPERATIONS,),
              "maskin", (500_000, 3 * _M), (24, 48)),
    _Template("Feiing og spyling av gater", S, SC, (OPERATIONS,),
              "maskin", (400_000, 2 * _M), (24, 36)),
    _Template("Drift av grøntanlegg og parker i {area}", S, SC, (OPERATIONS,),
              "park", (500_000, 3 * _M), (24, 36)),
    _Template("Vakttjenester og alarmmottak", S, FW, (PROPERTY,),
              "vakt", (1 * _M, 6 * _M), (24, 48), confidential=True),
    _Template("Service og kontroll av brannalarmanlegg", S, FW, (PROPERTY,),
              "vakt", (400_000, 2 * _M), (24, 48)),
    _Template("Service på heiser i kommunale bygg", S, FW, (PROPERTY,),
              "heis", (400_000, 2 * _M), (36, 48)),
    _Template("Service på ventilasjonsanlegg", S, FW, (PROPERTY,),
              "vvs", (500_000, 3 * _M), (24, 48)),
    _Template("Skoleskyss {area}", S, SC, (EDUCATION,),
              "transport", (1 * _M, 8 * _M), (24, 48)),
    _Template("Transport til dagsenter", S, SC, (HEALTH,),
              "transport", (500_000, 3 * _M), (24, 36)),
    _Template("Vikartjenester sykepleiere", S, FW, (HEALTH,),
              "bemanning", (2 * _M, 15 * _M), (24, 36)),
    _Template("Vikartjenester barnehage", S, FW, (EDUCATION,),
              "bemanning", (500_000, 3 * _M), (24, 36)),
    _Template("Fagsystem for helse og omsorg – drift og lisenser", S, SC, (HEALTH,),
              "it", (2 * _M, 10 * _M), (36, 60), running=True),
    _Template("Sak- og arkivsystem – drift og lisenser", S, SC, (ADMINISTRATION,),
              "it", (1 * _M, 6 * _M), (36, 60), running=True),
    _Template("Oppvekstadministrativt system", S, SC, (EDUCATION,),
              "it", (1 * _M, 5 * _M), (36, 60), running=True),
    _Template("Vask og leie av tekstiler til sykehjem", S, FW, (HEALTH,),
              "tekstil", (1 * _M, 5 * _M), (24, 48)),
    _Template("Middagsombringing til hjemmeboende", S, SC, (HEALTH,),
              "mat", (1 * _M, 6 * _M), (24, 36)),
    _Template("Kantinedrift Fjordvik rådhus", S, SC, (ADMINISTRATION,),
              "mat", (300_000, 1_500_000), (24, 36)),
    _Template("Juridisk bistand", S, FW, (ADMINISTRATION,),
              "rådgivning", (500_000, 4 * _M), (24, 48), confidential=True),
    _Template("Bedriftshelsetjeneste", S, SC, (ADMINISTRATION,),
              "rådgivning", (500_000, 2 * _M), (24, 48)),
    _Template("Lederutvikling og kurs", S, FW, (ADMINISTRATION,),
              "rådgivning", (300_000, 2 * _M), (24, 36)),
    _Template("Konsulentbistand digitalisering", S, FW, (ADMINISTRATION,),
              "rådgivning", (1 * _M, 8 * _M), (24, 48),
              call_off="Avrop digitaliseringsbistand – {project}"),
    _Template("Rammeavtale rådgivende ingeniørtjenester", S, FW, (PROPERTY, OPERATIONS, WATER),
              "rådgivning", (2 * _M, 15 * _M), (24, 48),
              call_off="Avrop prosjektering – {project}"),
    _Template("Slamtømming", S, SC, (WATER,),
              "va", (300_000, 2 * _M), (24, 48)),
    _Template("Analyser av drikkevann og avløpsvann", S, FW, (WATER,),
              "va", (300_000, 1_500_000), (24, 48)),
    _Template("Scene- og arrangementsteknikk", S, FW, (CULTURE,),
              "kultur", (300_000, 2 * _M), (24, 36)),
    _Template("Vedlikehold av kunstgressbaner", S, SC, (CULTURE, OPERATIONS),
              "park", (200_000, 1 * _M), (24, 36)),
    _Template("Brukerstyrt personlig assistanse (BPA)", S, FW, (HEALTH,),
              "bemanning", (5 * _M, 40 * _M), (24, 48)),
    _Template("Avlastningstjenester for barn og unge", S, SC, (HEALTH,),
              "bemanning", (2 * _M, 10 * _M), (24, 36)),
    _Template("Multidose og legemiddelhåndtering", S, FW, (HEALTH,),
              "medisinsk", (1 * _M, 6 * _M), (24, 48)),
    _Template("Dagaktivitetstilbud for personer med demens i {area}", S, SC, (HEALTH,),
              "bemanning", (1 * _M, 5 * _M), (24, 36)),
    _Template("Matservering i {kindergarten}", S, SC, (EDUCATION,),
              "mat", (200_000, 1_500_000), (12, 36)),
    _Template("Skyss til svømmeopplæring", S, SC, (EDUCATION,),
              "transport", (200_000, 1 * _M), (12, 36)),
    _Template("Logopedtjenester", S, FW, (EDUCATION,),
              "rådgivning", (300_000, 2 * _M), (24, 36)),
    _Template("Gatelys – drift og vedlikehold i {area}", S, SC, (OPERATIONS,),
              "elektro", (400_000, 3 * _M), (24, 48)),
    _Template("Leasing av servicebiler", S, FW, (OPERATIONS, HEALTH),
              "maskin", (2 * _M, 10 * _M), (36, 48)),
    _Template("Oppmerking av kommunale veger", S, FW, (OPERATIONS,),
              "anlegg", (500_000, 3 * _M), (24, 36)),
    _Template("Mobiltelefoni og mobilabonnement", S, FW, (ADMINISTRATION,),
              "it", (1 * _M, 6 * _M), (24, 48)),
    _Template("Bredbånd og datalinjer til kommunale bygg", S, FW, (ADMINISTRATION,),
              "it", (1 * _M, 8 * _M), (36, 48)),
    _Template("Trykk og grafisk design", S, FW, (ADMINISTRATION, CULTURE),
              "kontor", (200_000, 1_500_000), (24, 36)),
    _Template("Rekrutteringstjenester", S, FW, (ADMINISTRATION,),
              "bemanning", (300_000, 2 * _M), (24, 36)),
    _Template("Post- og budtjenester", S, FW, (ADMINISTRATION,),
              "transport", (300_000, 1_500_000), (24, 36)),
    _Template("Forsikringsmegling", S, SC, (ADMINISTRATION,),
              "rådgivning", (300_000, 1_500_000), (36, 48), confidential=True),
    _Template("Innbyggerundersøkelse {year}", S, SC, (ADMINISTRATION,),
              "rådgivning", (200_000, 800_000), (3, 8)),
    _Template("Lønns- og personalsystem – drift og lisenser", S, SC, (ADMINISTRATION,),
              "it", (1 * _M, 5 * _M), (36, 60), running=True),
    _Template("Billettsystem for Fjordvik kulturhus", S, SC, (CULTURE,),
              "it", (200_000, 1 * _M), (36, 48), running=True),
    _Template("Konserter og arrangementer under Fjordvikdagene {year}", S, SC, (CULTURE,),
              "kultur", (300_000, 2 * _M), (2, 5)),
    _Template("Kunstnerisk utsmykking av {building}", S, SC, (CULTURE,),
              "kultur", (150_000, 900_000), (4, 12)),
    _Template("Lekkasjesøk på vannledningsnettet", S, FW, (WATER,),
              "va", (300_000, 2 * _M), (24, 36)),
    _Template("Rørinspeksjon med kamera i {area}", S, SC, (WATER,),
              "va", (200_000, 1_500_000), (2, 6)),
    # building and construction (bygg og anlegg)
    _Template("Rehabilitering av Fjordvik svømmehall", B, SC, (PROPERTY, CULTURE),
              "bygg", (20 * _M, 90 * _M), (12, 24)),
    _Template("Nybygg {school} – totalentreprise", B, SC, (PROPERTY,),
              "bygg", (60 * _M, 250 * _M), (18, 30)),
    _Template("Tilbygg til {kindergarten}", B, SC, (PROPERTY,),
              "bygg", (5 * _M, 30 * _M), (8, 14)),
    _Template("Ombygging av {nursing_home}", B, SC, (PROPERTY, HEALTH),
              "bygg", (5 * _M, 40 * _M), (8, 18)),
    _Template("Nytt tak på {building}", B, SC, (PROPERTY,),
              "bygg", (800_000, 8 * _M), (2, 6)),
    _Template("Universell utforming av Fjordvik rådhus", B, SC, (PROPERTY,),
              "bygg", (2 * _M, 10 * _M), (4, 10)),
    _Template("Drenering og fuktsikring av {building}", B, SC, (PROPERTY,),
              "bygg", (500_000, 4 * _M), (2, 5)),
    _Template("Energieffektivisering (EPC) av kommunale bygg", B, SC, (PROPERTY,),
              "elektro", (10 * _M, 40 * _M), (24, 36)),
    _Template("Oppgradering av ventilasjon ved {school}", B, SC, (PROPERTY,),
              "vvs", (2 * _M, 12 * _M), (4, 10)),
    _Template("Rammeavtale tømrer- og snekkerarbeider", B, FW, (PROPERTY,),
              "bygg", (3 * _M, 20 * _M), (24, 36), call_off="Avrop tømrerarbeider {building}"),
    _Template("Rammeavtale elektrikerarbeider", B, FW, (PROPERTY,),
              "elektro", (3 * _M, 15 * _M), (24, 36),
              call_off="Avrop elektrikerarbeider {building}"),
    _Template("Rammeavtale rørleggerarbeider", B, FW, (PROPERTY,),
              "vvs", (2 * _M, 12 * _M), (24, 36), call_off="Avrop rørleggerarbeider {building}"),
    _Template("Rammeavtale malerarbeider", B, FW, (PROPERTY,),
              "maler", (1 * _M, 8 * _M), (24, 36), call_off="Avrop malerarbeider {building}"),
    _Template("Rammeavtale graving og mindre anleggsarbeider", B, FW, (OPERATIONS, WATER),
              "anlegg", (3 * _M, 20 * _M), (24, 36), call_off="Avrop gravearbeider {street}"),
    _Template("Asfaltering av kommunale veger {year}", B, SC, (OPERATIONS,),
              "anlegg", (3 * _M, 15 * _M), (4, 8)),
    _Template("Ny gang- og sykkelveg {area}", B, SC, (OPERATIONS,),
              "anlegg", (5 * _M, 40 * _M), (8, 18)),
    _Template("Utskifting av vannledning i {street}", B, SC, (WATER,),
              "anlegg", (2 * _M, 25 * _M), (4, 12)),
    _Template("Oppgradering av {area} renseanlegg", B, SC, (WATER,),
              "anlegg", (20 * _M, 120 * _M), (12, 30)),
    _Template("Rehabilitering av {area} pumpestasjon", B, SC, (WATER,),
              "anlegg", (1 * _M, 8 * _M), (3, 9)),
    _Template("Ny kunstgressbane på {area} idrettsplass", B, SC, (CULTURE,),
              "anlegg", (4 * _M, 12 * _M), (3, 8)),
    _Template("Nytt høydebasseng i {area}", B, SC, (WATER,),
              "anlegg", (8 * _M, 40 * _M), (10, 20)),
    _Template("Trafikksikringstiltak i {street}", B, SC, (OPERATIONS,),
              "anlegg", (500_000, 5 * _M), (2, 6)),
    _Template("Rehabilitering av bruer i {area}", B, SC, (OPERATIONS,),
              "anlegg", (2 * _M, 15 * _M), (4, 12)),
    _Template("Nytt uteområde ved {kindergarten}", B, SC, (PROPERTY, EDUCATION),
              "anlegg", (1 * _M, 5 * _M), (3, 6)),
    _Template("Utbedring av vannskade i {building}", B, SC, (PROPERTY,),
              "bygg", (300_000, 3 * _M), (1, 4)),
    _Template("Solcelleanlegg på {building}", B, SC, (PROPERTY,),
              "elektro", (1 * _M, 6 * _M), (2, 6)),
    _Template("Modulbygg ved {school}", B, SC, (PROPERTY, EDUCATION),
              "bygg", (3 * _M, 20 * _M), (4, 10)),
)  # fmt: skip


@dataclass(frozen=True)
class DemoSummary:
    """What the demo database holds, and whether this call created it."""

    people: int
    owners: int
    procurement: int
    suppliers: int
    contracts: int
    created: bool


@dataclass(frozen=True)
class DemoLoad:
    """What `load_demo` did: the database's counts, and the history it made (None: the demo
    was loaded already and nothing was written)."""

    summary: DemoSummary
    history: DemoHistory | None


class DemoRefused(Exception):
    """The database holds people or contracts that are not the demo's."""


# --- public functions ------------------------------------------------------------------------


def load_demo_data(engine: Engine, *, now: datetime, seed: int = DEMO_SEED) -> DemoSummary:
    """Insert Fjordvik kommune's people, suppliers and contracts unless they are there already.

    One transaction: either everything is written or nothing. When the marker person exists
    (`DEMO_MARKER_EMAIL`), nothing is written and the database's current counts come back with
    `created=False`.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        with Session(engine) as session, session.begin():
            if _is_loaded(session):
                log.info("demo data already loaded")
                return _summary(session, created=False)
            plan = _build_plan(now, seed)
            summary = _insert(session, plan)
    except IntegrityError:
        # Another process loaded the demo at the same moment: report what it wrote.
        with Session(engine) as session:
            if not _is_loaded(session):
                raise
            log.info("demo data loaded concurrently by another process")
            return _summary(session, created=False)
    log.info(
        "demo data loaded",
        extra={
            "people": summary.people,
            "suppliers": summary.suppliers,
            "contracts": summary.contracts,
        },
    )
    return summary


def load_demo(
    engine: Engine, *, now: datetime, services: DemoServices, seed: int = DEMO_SEED
) -> DemoLoad:
    """Fjordvik kommune with six months of follow-up history up to `now`, in one transaction
    (see the module docstring). Loaded already: nothing is written (`history` None). Raises
    `DemoRefused` when the database holds other people or contracts."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    try:
        with factory() as uow:
            session = uow.session
            if _is_loaded(session):
                log.info("demo data already loaded")
                return DemoLoad(_summary(session, created=False), None)
            if _holds_other_data(session):
                raise DemoRefused(
                    "the database already holds people or contracts that are not the demo's"
                )
            plan = _build_plan(now, seed)
            summary = _insert(session, plan)
            team = [uow.people.find_by_email_or_upn(e) for e in DEMO_PROCUREMENT_EMAILS]
            history = make_history(
                uow,
                now,
                services,
                seed=seed,
                rollout=_rollout(plan),
                procurement=[p for p in team if isinstance(p, Person)],
            )
            load_demo_analysis(uow, now, seed=seed)
            uow.commit()
    except Conflict:
        # Another process loaded the demo at the same moment: report what it wrote.
        with Session(engine) as session:
            if not _is_loaded(session):
                raise
            log.info("demo data loaded concurrently by another process")
            return DemoLoad(_summary(session, created=False), None)
    return DemoLoad(summary, history)


def point_demo_channel(engine: Engine, now: datetime, channel: DemoChannel) -> bool:
    """Point the demo's procurement channel at `channel`'s service URL (the connector stand-in
    of the process now running); False when there is no such channel or nothing changed."""
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    with factory() as uow:
        ref = uow.conversations.find(channel.conversation_id, None)
        if ref is None or ref.service_url == channel.service_url:
            return False
        record_conversation(channel_conversation(channel), uow, now)
        uow.commit()
    return True


def demo_owner_emails(seed: int = DEMO_SEED) -> tuple[str, ...]:
    """The contract owners' e-mails that `load_demo_data(seed=seed)` writes (no database needed)."""
    return tuple(person.email for person in _plan_people(seed) if not person.procurement)


# --- the plan --------------------------------------------------------------------------------


@dataclass
class _PlannedPerson:
    first: str
    last: str
    email: str
    unit: str | None
    procurement: bool
    admin: bool = False
    id: str = ""
    deputy_id: str | None = None

    @property
    def display_name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def roles(self) -> list[str]:
        if self.procurement:
            roles = [Role.PROCUREMENT.value]
            return [*roles, Role.ADMIN.value] if self.admin else roles
        return [Role.OWNER.value]


@dataclass
class _PlannedSupplier:
    id: str
    name: str
    organisation_number: str
    sector: str


@dataclass
class _PlannedContract:
    id: str
    reference: str
    case_number: str
    title: str
    template: _Template
    contract_type: ContractType
    supplier: _PlannedSupplier
    owner: _PlannedPerson
    manager: _PlannedPerson
    deputy: _PlannedPerson | None
    start: date
    end: date | None
    options: list[date]
    value_nok: int
    status: ContractStatus
    public: bool
    risk: RiskLevel = RiskLevel.LOW


@dataclass
class _Plan:
    people: list[dict[str, Any]] = field(default_factory=list)
    person_deputies: list[dict[str, Any]] = field(default_factory=list)
    suppliers: list[dict[str, Any]] = field(default_factory=list)
    contracts: list[dict[str, Any]] = field(default_factory=list)


def _stream(seed: int, name: str) -> random.Random:
    """An independent, reproducible random stream per kind of data (str seeds hash stably)."""
    return random.Random(f"fjordvik:{seed}:{name}")  # noqa: S311 - demo data, not security


def _new_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _plan_people(seed: int) -> list[_PlannedPerson]:
    rng = _stream(seed, "people")
    people = [
        _PlannedPerson(first, last, email, unit=None, procurement=True, admin=index == 0)
        for index, ((first, last), email) in enumerate(
            zip(_PROCUREMENT_TEAM, DEMO_PROCUREMENT_EMAILS, strict=True)
        )
    ]
    taken = set(DEMO_PROCUREMENT_EMAILS)
    for unit, count in _OWNERS_PER_UNIT.items():
        made = 0
        while made < count:
            first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
            email = _demo_email(first, last)
            if email in taken:
                continue
            taken.add(email)
            people.append(_PlannedPerson(first, last, email, unit=unit, procurement=False))
            made += 1
    return people


def _build_plan(now: datetime, seed: int) -> _Plan:
    today = now.astimezone(_OSLO).date()
    ids = _stream(seed, "ids")
    people = _plan_people(seed)
    for person in people:
        person.id = _new_id(ids)
    _assign_person_deputies(people, _stream(seed, "deputies"))
    suppliers = _plan_suppliers(_stream(seed, "suppliers"), ids)
    contracts = _plan_contracts(_stream(seed, "contracts"), ids, today, people, suppliers)

    plan = _Plan()
    plan.people = [
        {
            "id": p.id,
            "display_name": p.display_name,
            "email": p.email,
            "upn": p.email,
            "entra_object_id": None,
            "teams_user_id": None,
            "roles": p.roles,
            "locale": "nb-NO",
            "deputy_person_id": None,  # set below, once every person exists
            "reminders_paused": False,
            "unreachable": False,
            "created_at": now,
            "updated_at": now,
        }
        for p in people
    ]
    plan.person_deputies = [
        {"id": p.id, "deputy_person_id": p.deputy_id} for p in people if p.deputy_id is not None
    ]
    plan.suppliers = [
        {"id": s.id, "name": s.name, "organisation_number": s.organisation_number}
        for s in suppliers
    ]
    plan.contracts = [_contract_row(c, now) for c in contracts]
    return plan


def _assign_person_deputies(people: list[_PlannedPerson], rng: random.Random) -> None:
    """Each person's deputy works in the same unit (the procurement team covers for itself)."""
    groups: dict[str | None, list[_PlannedPerson]] = {}
    for person in people:
        groups.setdefault(person.unit, []).append(person)
    for group in groups.values():
        ring = group[:]
        rng.shuffle(ring)
        for index, person in enumerate(ring):
            person.deputy_id = ring[(index + 1) % len(ring)].id


def _plan_suppliers(rng: random.Random, ids: random.Random) -> list[_PlannedSupplier]:
    suppliers: list[_PlannedSupplier] = []
    names: set[str] = set()
    numbers: set[str] = set()
    for sector, (count, trades) in _SECTORS.items():
        made = 0
        while made < count:
            name = _supplier_name(rng, sector, trades)
            if name in names:
                continue
            number = make_organisation_number(f"9{rng.randrange(10_000_000):07d}")
            if number is None or number in numbers:
                continue
            names.add(name)
            numbers.add(number)
            suppliers.append(_PlannedSupplier(_new_id(ids), name, number, sector))
            made += 1
    return suppliers


def _supplier_name(rng: random.Random, sector: str, trades: tuple[str, ...]) -> str:
    trade = rng.choice(trades)
    pattern = rng.random()
    if pattern < 0.4:
        base = f"{rng.choice(_LAST_NAMES)} {trade}"
    elif pattern < 0.75:
        base = f"{rng.choice(_SUPPLIER_PLACES)} {trade}"
    elif pattern < 0.85:
        base = f"{trade} {rng.choice(_SUPPLIER_REGIONS)}"
    elif sector in _SMALL_FIRM_SECTORS:
        base = f"Brødrene {rng.choice(_LAST_NAMES)} {trade}"
    else:
        base = f"{rng.choice(_SUPPLIER_PLACES)} {trade}"
    form = rng.random()
    if sector in _SMALL_FIRM_SECTORS and form < 0.2:
        return f"{base} ANS"
    if sector in _LARGE_FIRM_SECTORS and form > 0.9:
        return f"{base} ASA"
    return f"{base} AS"


def _plan_contracts(
    rng: random.Random,
    ids: random.Random,
    today: date,
    people: Sequence[_PlannedPerson],
    suppliers: Sequence[_PlannedSupplier],
) -> list[_PlannedContract]:
    owners = [p for p in people if not p.procurement]
    by_unit: dict[str, list[_PlannedPerson]] = {}
    for owner in owners:
        by_unit.setdefault(owner.unit or "", []).append(owner)
    by_id = {p.id: p for p in people}
    by_sector: dict[str, list[_PlannedSupplier]] = {}
    for supplier in suppliers:
        by_sector.setdefault(supplier.sector, []).append(supplier)
    templates_by_unit: dict[str, list[_Template]] = {unit: [] for unit in DEMO_UNITS}
    for template in _CATALOGUE:
        if template.sector not in by_sector:
            raise RuntimeError(f"no demo supplier in sector {template.sector!r}")
        for unit in template.units:
            templates_by_unit[unit].append(template)

    references = _ReferenceMaker(rng)
    current_titles: Counter[str] = Counter()
    owner_weights = [_EXTRA_CONTRACTS_PER_OWNER[owner.unit or ""] for owner in owners]
    every_owner_once = owners[:]
    rng.shuffle(every_owner_once)
    contracts: list[_PlannedContract] = []

    def people_for(owner: _PlannedPerson) -> tuple[_PlannedPerson, _PlannedPerson | None]:
        colleagues = [p for p in by_unit[owner.unit or ""] if p is not owner]
        manager = rng.choice(colleagues) if rng.random() < 0.45 else owner
        deputy: _PlannedPerson | None = by_id.get(owner.deputy_id or "")
        if deputy is manager or rng.random() < 0.2:
            others = [p for p in colleagues if p is not manager]
            deputy = rng.choice(others) if others and rng.random() < 0.5 else None
        return manager, deputy

    main_count = DEMO_CONTRACT_COUNT - _CALL_OFF_COUNT
    while len(contracts) < DEMO_CONTRACT_COUNT:
        index = len(contracts)
        frameworks = [
            c
            for c in contracts
            if c.template.call_off and c.contract_type is FW and c.status is ContractStatus.ACTIVE
        ]
        owner = (
            every_owner_once[index]
            if index < len(owners)
            else rng.choices(owners, owner_weights)[0]
        )
        manager, deputy = people_for(owner)
        if index >= main_count and frameworks:
            call_off = _plan_call_off(
                rng,
                ids,
                today,
                references,
                rng.choice(frameworks),
                current_titles,
                owner,
                manager,
                deputy,
            )
            call_off.title = _distinct_title(call_off.title, current_titles)
            contracts.append(call_off)
            continue
        status = rng.choices(_MAIN_STATUSES, weights=_MAIN_STATUS_WEIGHTS)[0]
        templates = templates_by_unit[owner.unit or ""]
        template, title = _pick_template(rng, templates, today)
        if status in (ContractStatus.ACTIVE, ContractStatus.PLANNED):
            # Current agreements have distinct titles; an ended one may share its successor's.
            # A framework agreement may come in lots (delkontrakter); other titles are redrawn.
            for _ in range(_TITLE_ATTEMPTS):
                lots = current_titles[title]
                if lots == 0 or (template.contract_type is FW and lots < _MAX_LOTS):
                    break
                template, title = _pick_template(rng, templates, today)
            title = _distinct_title(title, current_titles)
        contracts.append(
            _plan_main_contract(
                rng,
                ids,
                today,
                references,
                template,
                title,
                status,
                by_sector,
                owner,
                manager,
                deputy,
            )
        )
    _assign_risk(rng, contracts)
    return contracts


def _pick_template(
    rng: random.Random, templates: Sequence[_Template], today: date
) -> tuple[_Template, str]:
    template = rng.choice(templates)
    return template, _fill(rng, template.title, today)


def _distinct_title(title: str, taken: Counter[str]) -> str:
    """`title`, or its next lot (`… – delkontrakt 2`) when it is taken; recorded as taken."""
    taken[title] += 1
    lot = taken[title]
    return title if lot == 1 else f"{title} – delkontrakt {lot}"


def _fill(rng: random.Random, text: str, today: date) -> str:
    return text.format(
        school=rng.choice(_SCHOOLS),
        kindergarten=rng.choice(_KINDERGARTENS),
        nursing_home=rng.choice(_NURSING_HOMES),
        building=rng.choice(_BUILDINGS),
        area=rng.choice(_AREAS),
        street=rng.choice(_STREETS),
        zone=rng.randint(1, 8),
        year=today.year + rng.choice((-1, 0, 0, 1)),
        project=rng.choice(_PROJECTS),
    )


def _plan_main_contract(
    rng: random.Random,
    ids: random.Random,
    today: date,
    references: _ReferenceMaker,
    template: _Template,
    title: str,
    status: ContractStatus,
    by_sector: dict[str, list[_PlannedSupplier]],
    owner: _PlannedPerson,
    manager: _PlannedPerson,
    deputy: _PlannedPerson | None,
) -> _PlannedContract:
    # Base period and option periods (12 months each), e.g. 2+1+1 years for a framework agreement.
    if template.contract_type is FW:
        lo, hi = template.months
        base_months = rng.choice([12 * years for years in range(lo // 12, hi // 12 + 1)])
        option_count = rng.choices((0, 1, 2), weights=(15, 35, 50))[0]
    else:
        base_months = rng.randint(*template.months)
        option_count = 0
        if template.category is S and base_months >= 24 and not template.running:
            option_count = rng.choices((0, 1, 2), weights=(50, 30, 20))[0]
    total_months = base_months + 12 * option_count

    if status is ContractStatus.ACTIVE:
        span = (add_months(today, total_months) - today).days
        start = today - timedelta(days=rng.randrange(span))
        if template.running:
            # A running agreement (løpende avtale) can have been in place for years.
            start = today - timedelta(days=rng.randrange(60, 8 * 365))
    elif status is ContractStatus.PLANNED:
        start = today + timedelta(days=rng.randint(14, 150))
    elif status is ContractStatus.EXPIRED:
        end_day = today - timedelta(days=rng.randint(1, 400))
        start = add_months(end_day + timedelta(days=1), -total_months)
    else:
        start = today - timedelta(days=rng.randint(200, 900))
    if rng.random() < 0.6:
        start = start.replace(day=1)
        if status is ContractStatus.PLANNED and start <= today:
            start = add_months(start, 1)

    option_starts = [add_months(start, base_months + 12 * k) for k in range(option_count)]
    if status is ContractStatus.EXPIRED:
        end: date | None = add_months(start, total_months) - timedelta(days=1)
        options: list[date] = []
    elif status is ContractStatus.TERMINATED:
        # Ended early (termination or agreed end) some time before its planned end.
        planned_end = add_months(start, base_months) - timedelta(days=1)
        end = min(planned_end, today - timedelta(days=rng.randint(1, 150)))
        end = max(end, start + timedelta(days=30))
        options = []
    else:
        exercised = sum(1 for day in option_starts if day <= today)
        end = add_months(start, base_months + 12 * exercised) - timedelta(days=1)
        # As the register stores them: the end date each remaining option extends to.
        options = [add_months(day, 12) - timedelta(days=1) for day in option_starts[exercised:]]
    if template.running and status in (ContractStatus.ACTIVE, ContractStatus.PLANNED):
        end, options = None, []
    if status is ContractStatus.ACTIVE and end is not None and end < today:
        end = today + timedelta(days=rng.randint(10, 120))

    value = _value(rng, *template.value)
    supplier = rng.choice(by_sector[template.sector])
    return _PlannedContract(
        id=_new_id(ids),
        reference=references.make(start),
        case_number=f"{start.year - rng.choice((0, 1))}/{rng.randint(120, 9_999)}",
        title=title,
        template=template,
        contract_type=template.contract_type,
        supplier=supplier,
        owner=owner,
        manager=manager,
        deputy=deputy,
        start=start,
        end=end,
        options=options,
        value_nok=value,
        status=status,
        public=not template.confidential and rng.random() > 0.03,
    )


def _plan_call_off(
    rng: random.Random,
    ids: random.Random,
    today: date,
    references: _ReferenceMaker,
    framework: _PlannedContract,
    taken_titles: Counter[str],
    owner: _PlannedPerson,
    manager: _PlannedPerson,
    deputy: _PlannedPerson | None,
) -> _PlannedContract:
    """A call-off (*avrop*) under an active framework agreement, with the same supplier."""
    start = max(framework.start, today - timedelta(days=rng.randint(-45, 200)))
    if framework.end is not None:
        start = min(start, framework.end)
    end = add_months(start, rng.randint(1, 9)) - timedelta(days=1)
    if start > today:
        status = ContractStatus.PLANNED
    elif end < today:
        status = ContractStatus.EXPIRED
    else:
        status = ContractStatus.ACTIVE
    low, high = framework.template.value
    call_off = framework.template.call_off or f"Avrop – {framework.title}"
    title = f"{_fill(rng, call_off, today)} ({framework.reference})"
    if framework.template.call_off and "{" in framework.template.call_off:
        # Call-offs under one agreement differ in where they deliver: draw a fresh place.
        for _ in range(_TITLE_ATTEMPTS):
            if title not in taken_titles:
                break
            title = f"{_fill(rng, call_off, today)} ({framework.reference})"
    return _PlannedContract(
        id=_new_id(ids),
        reference=references.make(start),
        case_number=framework.case_number,
        title=title,
        template=framework.template,
        contract_type=ContractType.CALL_OFF,
        supplier=framework.supplier,
        owner=owner,
        manager=manager,
        deputy=deputy,
        start=start,
        end=end,
        options=[],
        value_nok=_value(rng, max(50_000, low // 20), max(200_000, high // 6)),
        status=status,
        public=framework.public,
    )


class _ReferenceMaker:
    """Unique agreement numbers like `KOM-2025-0147`, numbered upwards within each year."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._last: dict[int, int] = {}

    def make(self, start: date) -> str:
        year = start.year if start.month > 2 else start.year - self._rng.choice((0, 1))
        number = self._last.get(year, self._rng.randint(5, 40)) + self._rng.randint(1, 7)
        self._last[year] = number
        return f"KOM-{year}-{number:04d}"


def _assign_risk(rng: random.Random, contracts: list[_PlannedContract]) -> None:
    """Top 10 % by a value-and-exposure score are høy, the next 30 % middels, the rest lav."""
    scored = []
    for contract in contracts:
        score = math.log10(contract.value_nok) + rng.gauss(0, 0.5)
        if contract.template.category in (S, B) and contract.value_nok > DEMO_THRESHOLD_NOK:
            score += 0.6
        if contract.template.cleaning or contract.template.category is B:
            score += 0.3
        scored.append((score, contract.reference, contract))
    scored.sort(key=lambda item: (-item[0], item[1]))
    high = round(len(scored) * 0.10)
    medium = round(len(scored) * 0.30)
    for rank, (_, _, contract) in enumerate(scored):
        if rank < high:
            contract.risk = RiskLevel.HIGH
        elif rank < high + medium:
            contract.risk = RiskLevel.MEDIUM
        else:
            contract.risk = RiskLevel.LOW


def _contract_row(contract: _PlannedContract, now: datetime) -> dict[str, Any]:
    template = contract.template
    category = template.category
    above_threshold = contract.value_nok > DEMO_THRESHOLD_NOK
    long_enough = contract.end is None or (contract.end - contract.start).days > 92
    serious_sector = category is B or template.cleaning
    return {
        "id": contract.id,
        "reference": contract.reference,
        "case_number": contract.case_number,
        "title": contract.title,
        "contract_type": contract.contract_type.value,
        "category": category.value,
        "supplier_id": contract.supplier.id,
        "owner_id": contract.owner.id,
        "manager_id": contract.manager.id,
        "deputy_id": contract.deputy.id if contract.deputy else None,
        "unit": contract.owner.unit,
        "start_date": contract.start,
        "end_date": contract.end,
        "options": [day.isoformat() for day in contract.options],
        "value_nok": contract.value_nok,
        "risk": contract.risk.value,
        "status": contract.status.value,
        **_public_register_fields(contract),
        "pay_and_conditions": category in (S, B) and above_threshold,
        "apprentices": category is B and above_threshold and long_enough,
        "hms_card": serious_sector,
        "supply_chain": serious_sector,
        "created_at": now,
        "updated_at": now,
    }


# --- the public register (issue 18) ---------------------------------------------------------

DEMO_PUBLIC_CONTACT = f"innkjop@{DEMO_EMAIL_DOMAIN}"
"""The procurement team's role address: the contact of every public agreement."""
_HOW_TO_ORDER = (
    "Bestill i Fjordviks e-handelsløsning. Finner du ikke varen, kontakt innkjøpsteamet "
    "før du bestiller."
)
_PUBLIC_SCOPES: dict[str, str] = {
    "Rammeavtale kontorrekvisita": (
        "Kontorrekvisita og kontormateriell: papir, konvolutter, penner, permer, "
        "arkivmateriell, toner og blekk. Levering til alle kommunens kontorer."
    ),
    "Kontormøbler": "Kontormøbler: skrivebord, kontorstoler, reoler og møterom.",
    "Vindusvask kommunale bygg": "Utvendig og innvendig vindusvask i kommunale bygg.",
    "Vegsalt og strøsand": "Vegsalt og strøsand til vintervedlikehold av kommunale veger.",
    "Drivstoff til kommunale kjøretøy": "Diesel, bensin og AdBlue til kommunens kjøretøy.",
    "Arbeidsklær og verneutstyr": "Arbeidsklær, vernesko og personlig verneutstyr.",
}


def _public_register_fields(contract: _PlannedContract) -> dict[str, Any]:
    """Whether the contract is in the public register, and what it shows there.

    Drawn from the agreement number, not from the seeded random draws, so the rest of the
    demo stays as it was: about one framework agreement in four is not published (besides
    the confidential kinds); the office-supplies agreement always is, so a citizen finds it
    by «kontor». Published framework agreements get *Omfang*, *Bestilling*, *Kontakt* (the
    procurement team's role address) and a *Doffin* notice.
    """
    fields: dict[str, Any] = {
        "public": contract.public,
        "scope": None,
        "how_to_order": None,
        "contact_email": None,
        "doffin_notice": None,
    }
    if contract.contract_type is not FW:
        return fields
    marker = zlib.crc32(contract.reference.encode())
    office = contract.template.title == "Rammeavtale kontorrekvisita"
    public = office or (contract.public and marker % 4 != 0)
    fields["public"] = public
    if public:
        fields.update(
            scope=_PUBLIC_SCOPES.get(contract.template.title, f"{contract.template.title}."),
            how_to_order=_HOW_TO_ORDER,
            contact_email=DEMO_PUBLIC_CONTACT,
            doffin_notice=f"{contract.start.year - 1}-{100_000 + marker % 900_000}",
        )
    return fields


def _value(rng: random.Random, low: int, high: int) -> int:
    """A value between low and high, spread evenly on a log scale and rounded as people do."""
    raw = math.exp(rng.uniform(math.log(low), math.log(high)))
    step = 10_000 if raw < 1_000_000 else 50_000 if raw < 10_000_000 else 500_000
    return max(step, round(raw / step) * step)


# --- reading back ----------------------------------------------------------------------------


def _is_loaded(session: Session) -> bool:
    found = session.scalar(select(PersonRow.id).where(PersonRow.email == DEMO_MARKER_EMAIL))
    return found is not None


def _rollout(plan: _Plan) -> list[tuple[int, list[str]]]:
    """The contracts of each wave of `_ROLLOUT`, by their unit."""
    by_unit: dict[str, list[str]] = {}
    for contract in plan.contracts:
        by_unit.setdefault(contract["unit"], []).append(contract["id"])
    return [
        (weeks, [c for unit in units for c in by_unit.get(unit, [])]) for weeks, units in _ROLLOUT
    ]


def _holds_other_data(session: Session) -> bool:
    person = session.scalar(select(PersonRow.id).limit(1))
    contract = session.scalar(select(ContractRow.id).limit(1))
    return person is not None or contract is not None


def _insert(session: Session, plan: _Plan) -> DemoSummary:
    session.execute(insert(PersonRow), plan.people)
    session.execute(update(PersonRow), plan.person_deputies)
    session.execute(insert(SupplierRow), plan.suppliers)
    session.execute(insert(ContractRow), plan.contracts)
    return DemoSummary(
        people=len(plan.people),
        owners=sum(Role.OWNER.value in p["roles"] for p in plan.people),
        procurement=sum(Role.PROCUREMENT.value in p["roles"] for p in plan.people),
        suppliers=len(plan.suppliers),
        contracts=len(plan.contracts),
        created=True,
    )


def _summary(session: Session, *, created: bool) -> DemoSummary:
    roles = [list(r or ()) for r in session.scalars(select(PersonRow.roles)).all()]
    return DemoSummary(
        people=len(roles),
        owners=sum(Role.OWNER.value in r for r in roles),
        procurement=sum(Role.PROCUREMENT.value in r for r in roles),
        suppliers=session.scalar(select(func.count()).select_from(SupplierRow)) or 0,
        contracts=session.scalar(select(func.count()).select_from(ContractRow)) or 0,
        created=created,
    )


def load_demo_calendar(engine: Engine, now: datetime, plan: PlanConfig | None = None) -> int:
    """Plans and follow-ups for the demo contracts (idempotent); returns follow-ups made."""
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
    report = refresh_plans_and_calendar(
        factory, now, plan or load_plan(), calendar=WorkingCalendar(), actor="demo"
    )
    return report.calendar.created


__all__ = [
    "DEMO_ADMIN_EMAIL",
    "DEMO_CONTRACT_COUNT",
    "DEMO_EMAIL_DOMAIN",
    "DEMO_MARKER_EMAIL",
    "DEMO_MUNICIPALITY",
    "DEMO_OWNER_COUNT",
    "DEMO_PROCUREMENT_EMAILS",
    "DEMO_PUBLIC_CONTACT",
    "DEMO_SEED",
    "DEMO_SUPPLIER_COUNT",
    "DEMO_THRESHOLD_NOK",
    "DEMO_UNITS",
    "DemoLoad",
    "DemoPerson",
    "DemoRefused",
    "DemoSummary",
    "ascii_email_part",
    "demo_owner_emails",
    "demo_people",
    "load_demo",
    "load_demo_calendar",
    "load_demo_data",
    "point_demo_channel",
]
