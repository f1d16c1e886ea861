"""What Fjordvik's structured checks say in the demo's history: the risk assessments' scores,
levels and reasons, the on-site checks' counts and findings, the supplier evaluations' scores and
comments. `storage.demo_history` decides when and by whom, and records them through the checks'
own services (`assess_risk`, `record_onsite`, `record_evaluation`), so what is stored is what
the forms would have stored.

Everything here is drawn from the history's `random.Random`, in the order it asks, so the same
seed gives the same checks.

- Risk (`risk_story`): most assessments agree with the suggestion the scores give, which is the
  register's level; a few are overruled with a reason; a few contracts are assessed twice, one
  of them raised to *høy* and one lowered to *middels* (the plan is made again for them).
- On-site checks (`onsite_story`): on labour-intensive contracts (`labour_intensive`), with the
  crew's size by kind of work; HMS-kort counted where the trade needs them (`needs_hms_cards`);
  a few checks find workers without a valid card or a crew list that did not match, and
  register a deviation.
- Evaluations (`evaluation_scores`): mostly 3 (som avtalt) and 4 (godt), with a few comments;
  one weak supplier scores 2 with a comment on what went wrong.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Final, Protocol

from followup.checks.evaluation_models import EvaluationHeading
from followup.checks.models import RiskArea
from followup.checks.onsite_models import CrewList
from followup.checks.ports import ChecksUnitOfWork, EvaluationUnitOfWork
from followup.checks.risk import read_scores, suggested_level
from followup.models import Category, Contract, Person, RiskLevel, Severity


class DemoUnitOfWork(ChecksUnitOfWork, EvaluationUnitOfWork, Protocol):
    """The unit of work the demo's history writes through: the domain's, with the checks'."""


# --- risk assessments ----------------------------------------------------------------------------

ASSESSED_SHARE: Final = 0.3
"""Of the contracts in force, assessed in the chat during the half year."""
OVERRULED_EVERY: Final = 15
"""Of the contracts assessed once, every this many is overruled (the rest agree)."""

_MAIN_AREAS: Final[Mapping[Category, tuple[RiskArea, ...]]] = {
    Category.BUILDING: (RiskArea.HEALTH_SAFETY, RiskArea.WORKING_CONDITIONS, RiskArea.SUPPLY_CHAIN),
    Category.SERVICES: (RiskArea.DELIVERY, RiskArea.WORKING_CONDITIONS, RiskArea.REPUTATION),
    Category.GOODS: (RiskArea.DELIVERY, RiskArea.PRICE, RiskArea.SUPPLY_CHAIN),
}
# (consequence, likelihood) whose product gives each level (`followup.checks.risk`).
_AT_LEVEL: Final[Mapping[RiskLevel, tuple[tuple[int, int], ...]]] = {
    RiskLevel.HIGH: ((3, 3), (3, 4), (4, 3), (4, 4)),
    RiskLevel.MEDIUM: ((2, 2), (2, 3), (3, 2), (4, 2), (2, 4), (4, 1)),
    RiskLevel.LOW: ((1, 1), (1, 2), (2, 1), (1, 3), (3, 1)),
}
_MINOR: Final[Mapping[RiskLevel, tuple[tuple[int, int], ...]]] = {
    RiskLevel.HIGH: ((1, 2), (2, 1), (2, 2), (2, 3), (3, 2), (1, 3)),
    RiskLevel.MEDIUM: ((1, 1), (1, 2), (2, 1), (2, 2), (1, 3)),
    RiskLevel.LOW: ((1, 1), (1, 1), (1, 2), (2, 1)),
}
_RISK_COMMENTS: Final = (
    "Gjennomgått i oppstartsmøtet med leverandøren.",
    "Vurdert sammen med innkjøp.",
    "Ny vurdering når opsjonen skal vurderes.",
    "Drøftet med enhetsleder og verneombud.",
)
# Why a level other than the suggestion was chosen: higher, then lower than the suggestion.
_REASONS_UP: Final = (
    "Leverandøren hadde avvik på lønns- og arbeidsvilkår i en tidligere kontrakt med kommunen; "
    "vi følger den tettere enn skårene tilsier.",
    "Leveransen er kritisk for driften: et brudd rammer brukerne direkte, og det finnes ingen "
    "reserveleverandør.",
    "Eneste leverandør i markedet; et bytte vil ta over et halvt år.",
)
_REASONS_DOWN: Final = (
    "Skårene gjelder oppstarten, som er over; leverandøren har levert stabilt siden.",
    "Leverandøren har levert til kommunen uten avvik i fire år, og avtalen har gode sanksjoner "
    "om noe skulle gå galt.",
)
RAISED_COMMENT: Final = (
    "Lønnsdokumentasjonen viste timelønn under allmenngjort minstelønn; risikoen for brudd på "
    "lønns- og arbeidsvilkår er vurdert som høy inntil leverandøren har rettet forholdet."
)
LOWERED_COMMENT: Final = (
    "Leverandøren har levert stabilt siden oppstart, og prisreguleringen er avklart; ny "
    "vurdering etter et halvt års drift."
)
SECOND_COMMENT: Final = "Ny gjennomgang etter et halvt år; ingen endring i vurderingen."


class RiskStory(Enum):
    """How a contract's assessments go in the history."""

    AGREED = "agreed"
    """One assessment; the level suggested, which is the register's."""
    OVERRULED = "overruled"
    """One assessment; the suggestion differs, and the register's level is kept with a reason."""
    TWICE = "twice"
    """Assessed, then assessed again later (by procurement) with the same level."""
    RAISED = "raised"
    """Assessed at *middels*, later at *høy*: the plan is made again (on-site checks
    quarterly)."""
    LOWERED = "lowered"
    """Assessed at *høy*, later at *middels*: the plan is made again."""


@dataclass(frozen=True, slots=True)
class RiskVersion:
    """One assessment as the form would send it."""

    scores: dict[RiskArea, tuple[int | None, int | None]]
    chosen: RiskLevel | None
    reason: str | None
    comment: str | None


TWO_VERSION_STORIES: Final = (RiskStory.RAISED, RiskStory.LOWERED, RiskStory.TWICE, RiskStory.TWICE)
"""The contracts assessed twice in the history, in the order they are found."""


def risk_story(
    rng: random.Random, contract: Contract, wanted: list[RiskStory], *, room: bool
) -> RiskStory | None:
    """The story of a contract: the first of the `wanted` two-version stories that fits (taken
    out of `wanted`) when there is `room` for two versions; else, for a share of the contracts
    (`ASSESSED_SHARE`), agreed (the caller overrules every `OVERRULED_EVERY`th); None: not
    assessed."""
    fits = {
        RiskStory.RAISED: contract.risk is RiskLevel.MEDIUM and labour_intensive(contract),
        RiskStory.LOWERED: contract.risk is RiskLevel.HIGH and not labour_intensive(contract),
    }
    for story in wanted if room else ():
        if fits.get(story, True):
            wanted.remove(story)
            return story
    if rng.random() >= ASSESSED_SHARE:
        return None
    return RiskStory.AGREED


def risk_version(
    rng: random.Random,
    contract: Contract,
    suggested: RiskLevel,
    chosen: RiskLevel | None = None,
    comment: str | None = None,
) -> RiskVersion:
    """Scores for every area whose suggestion is `suggested`; `chosen` another level (with a
    reason) or None for the suggestion."""
    main = _MAIN_AREAS[contract.category]
    if labour_intensive(contract) and contract.category is Category.SERVICES:
        main = (RiskArea.WORKING_CONDITIONS, RiskArea.HEALTH_SAFETY)
    scores: dict[RiskArea, tuple[int | None, int | None]] = {
        area: rng.choice(_MINOR[suggested]) for area in RiskArea
    }
    scores[rng.choice(main)] = rng.choice(_AT_LEVEL[suggested])
    if suggested_level(read_scores(scores)) is not suggested:  # pragma: no cover - the tables
        raise AssertionError(f"scores {scores} do not suggest {suggested}")
    reason = None
    if chosen is not None and chosen is not suggested:
        reason = rng.choice(_REASONS_UP if _rank(chosen) > _rank(suggested) else _REASONS_DOWN)
    if comment is None and rng.random() < 0.3:
        comment = rng.choice(_RISK_COMMENTS)
    return RiskVersion(scores, chosen, reason, comment)


def overruled_suggestion(rng: random.Random, level: RiskLevel) -> RiskLevel:
    """A suggestion one step from `level` (the level kept with a reason)."""
    if level is RiskLevel.LOW:
        return RiskLevel.MEDIUM
    if level is RiskLevel.HIGH:
        return RiskLevel.MEDIUM
    return rng.choice((RiskLevel.LOW, RiskLevel.HIGH))


def _rank(level: RiskLevel) -> int:
    return (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH).index(level)


# --- on-site checks ------------------------------------------------------------------------------

_LABOUR_WORDS: Final = (
    "renhold",
    "brøyting",
    "grøntanlegg",
    "oppmerking",
    "gatelys",
    "vikartjenester",
    "personlig assistanse",
    "vask og leie",
    "dagaktivitet",
)
NOT_ON_SITE: Final = (
    "Ikke aktuelt: tjenesten utføres ikke på kommunens arbeidssteder. Lønns- og arbeidsvilkår "
    "følges opp med dokumentasjon."
)
# Which checks find something, by their order among the checks with HMS-kort counted (from 0):
# workers without a valid card, then a crew list that did not match; and, among all checks,
# one HMS finding on site.
CARD_FINDINGS: Final = (1, 5)
CREW_FINDING: Final = 3
HSE_FINDING: Final = 8
_PLACES: Final[Mapping[Category, tuple[str, ...]]] = {
    Category.BUILDING: (
        "Byggeplassen, riggområdet og stillaset",
        "Byggeplassen, ved porten",
        "Anleggsområdet og brakkeriggen",
    ),
    Category.SERVICES: (
        "På arbeidsstedet, ved skiftbytte",
        "I kommunens lokaler, under arbeidet",
        "På arbeidsstedet, tidlig morgen",
    ),
    Category.GOODS: ("Ved varemottaket",),
}
_NOTES: Final = (
    "Ryddig arbeidssted; verneombudet var med.",
    "To arbeidere fra underleverandøren; arbeidsavtalene er bedt om i etterkant.",
    "Ingen merknader.",
)
_CARD_CHECK_NOTES: Final = (
    "Alle hadde HMS-kort synlig. Leverandørens bas fulgte kontrollen.",
    "Stillaset var godkjent og merket.",
)
_STAFF_NOTES: Final = (
    "Vaktlisten stemte med hvem som var på jobb.",
    "De ansatte kjente til tariffavtalen og hadde skriftlige arbeidsavtaler.",
)
_CARD_NOTES: Final = (
    "Arbeiderne uten gyldig kort var fra underleverandøren; leverandøren er bedt om å rette "
    "forholdet innen en uke og sende oppdatert mannskapsliste."
)
_CREW_NOTES: Final = (
    "Tre personer på plassen stod ikke på mannskapslisten, og to på listen var ikke der. "
    "Leverandøren er bedt om å forklare avviket."
)
_HSE_NOTES: Final = (
    "Manglende rekkverk på stillaset mot sør; arbeidet der ble stanset til det var sikret."
)


def labour_intensive(contract: Contract) -> bool:
    """Building, cleaning and other labour-intensive services: where an on-site check is done."""
    title = contract.title.lower()
    return (
        contract.category is Category.BUILDING
        or contract.compliance.hms_card
        or any(word in title for word in _LABOUR_WORDS)
    )


def needs_hms_cards(contract: Contract) -> bool:
    """Building sites and cleaning need HMS-kort (DOMAIN.md)."""
    return (
        contract.category is Category.BUILDING
        or contract.compliance.hms_card
        or "renhold" in contract.title.lower()
    )


class Finding(Enum):
    NONE = "none"
    CARDS = "cards"
    CREW = "crew"
    HSE = "hse"


@dataclass(frozen=True, slots=True)
class OnsiteStory:
    """One check as the form would send it (the day is the history's)."""

    place: str
    participants: str
    workers: int
    cards_checked: int
    without_card: int
    crew_list: CrewList
    notes: str | None
    deviation: Severity | None


def participants(people: Sequence[Person], *, labour_inspection: bool = False) -> str:
    """Who took part, as the form's field says it."""
    names = [p.display_name for p in people]
    if labour_inspection:
        names.append("to inspektører fra Arbeidstilsynet")
    return ", ".join(names[:-1]) + f" og {names[-1]}" if len(names) > 1 else names[0]


def onsite_story(rng: random.Random, contract: Contract, who: str, finding: Finding) -> OnsiteStory:
    """A check of `contract` with `who` taking part, finding `finding`."""
    building = contract.category is Category.BUILDING
    workers = rng.randint(6, 28) if building else rng.randint(3, 11)
    cards = 0
    crew = CrewList.MATCHES if rng.random() < 0.7 else CrewList.NOT_CHECKED
    if needs_hms_cards(contract):
        cards = workers if rng.random() < 0.8 else max(workers - rng.randint(1, 2), 0)
        crew = CrewList.MATCHES
    without, notes, deviation = 0, None, None
    if rng.random() < 0.5:
        notes = rng.choice(_NOTES + (_CARD_CHECK_NOTES if cards else _STAFF_NOTES))
    if finding is Finding.CARDS:
        without = min(rng.randint(2, 3), cards)
        notes, deviation = _CARD_NOTES, Severity.HIGH
    elif finding is Finding.CREW:
        crew, notes, deviation = CrewList.DIFFERS, _CREW_NOTES, Severity.MEDIUM
    elif finding is Finding.HSE:
        notes, deviation = _HSE_NOTES, Severity.MEDIUM
    return OnsiteStory(
        place=rng.choice(_PLACES[contract.category]),
        participants=who,
        workers=workers,
        cards_checked=cards,
        without_card=without,
        crew_list=crew,
        notes=notes,
        deviation=deviation,
    )


# --- supplier evaluations ------------------------------------------------------------------------

WEAK_SUPPLIER_MIN_CONTRACTS: Final = 2
"""The weak supplier has at least this many significant contracts in force."""
# A comment now and then, by heading: for a 3 (as agreed), for a 4 or 5.
_GOOD: Final[Mapping[EvaluationHeading, tuple[str, str]]] = {
    EvaluationHeading.DELIVERY: (
        "Én forsinkelse, varslet i god tid.",
        "Leverte til avtalt tid gjennom hele perioden.",
    ),
    EvaluationHeading.QUALITY: (
        "Som avtalt; noen småfeil ble rettet raskt.",
        "Godt utført; fagfolkene kjente behovene våre.",
    ),
    EvaluationHeading.COOPERATION: (
        "Kontaktpersonen byttet to ganger, men overleveringen var god.",
        "Rask og ryddig kommunikasjon; møtene var godt forberedt.",
    ),
    EvaluationHeading.INVOICING: (
        "Et par fakturaer manglet bestillerreferanse.",
        "Fakturaene var riktige og kom til avtalt tid.",
    ),
    EvaluationHeading.RESPONSIBILITY: (
        "Dokumentasjonen kom etter purring, men var fullstendig.",
        "Egenrapporteringen kom i tide og var fullstendig.",
    ),
    EvaluationHeading.OVERALL: (
        "Leverte som avtalt.",
        "En leverandør vi gjerne bruker igjen.",
    ),
}
# The weak supplier: (score, comment) per heading, two ways it went.
_WEAK: Final[Mapping[EvaluationHeading, tuple[tuple[int, str], tuple[int, str]]]] = {
    EvaluationHeading.DELIVERY: (
        (2, "Flere oppdrag ble utført for sent, og restarbeid måtte purres."),
        (2, "Arbeidet ble ikke ferdig til avtalt tid; vi måtte purre tre ganger."),
    ),
    EvaluationHeading.QUALITY: (
        (2, "Arbeidet måtte utbedres to ganger etter befaring."),
        (3, "Som avtalt når det først ble gjort."),
    ),
    EvaluationHeading.COOPERATION: (
        (3, "Svarer på henvendelser, men ofte sent."),
        (2, "Prosjektlederen er vanskelig å nå, og avtalte møter ble avlyst."),
    ),
    EvaluationHeading.INVOICING: (
        (2, "Fakturaer med feil timepris; kreditnota måtte bes om."),
        (2, "Fakturert for timer som ikke var avtalt."),
    ),
    EvaluationHeading.RESPONSIBILITY: (
        (2, "Egenrapporteringen om lønns- og arbeidsvilkår kom sent og var mangelfull."),
        (2, "Mannskapslisten manglet for underleverandøren sine folk."),
    ),
    EvaluationHeading.OVERALL: (
        (
            2,
            "Under det som er avtalt. Leverandøren er bedt om en handlingsplan, som følges opp "
            "i neste statusmøte.",
        ),
        (2, "Fortsatt under det som er avtalt; handlingsplanen er ikke fulgt."),
    ),
}


def evaluation_scores(
    rng: random.Random, *, weak: bool
) -> dict[EvaluationHeading, tuple[int | None, str | None]]:
    """Scores and comments for DFØ's headings: a weak supplier's 2s with why, else mostly 3
    and 4 with a comment now and then; the overall score follows the others."""
    if weak:
        return {heading: rng.choice(ways) for heading, ways in _WEAK.items()}
    scores: dict[EvaluationHeading, tuple[int | None, str | None]] = {}
    given: list[int] = []
    for heading in EvaluationHeading:
        if heading is EvaluationHeading.OVERALL:
            score = min(max(round(sum(given) / len(given)), 3), 5)
        else:
            score = rng.choices((3, 4, 5), weights=(40, 48, 12))[0]
            given.append(score)
        comment = _GOOD[heading][score > 3] if rng.random() < 0.3 else None
        scores[heading] = (score, comment)
    return scores


__all__ = [
    "ASSESSED_SHARE",
    "CARD_FINDINGS",
    "CREW_FINDING",
    "HSE_FINDING",
    "LOWERED_COMMENT",
    "NOT_ON_SITE",
    "OVERRULED_EVERY",
    "RAISED_COMMENT",
    "SECOND_COMMENT",
    "TWO_VERSION_STORIES",
    "WEAK_SUPPLIER_MIN_CONTRACTS",
    "DemoUnitOfWork",
    "Finding",
    "OnsiteStory",
    "RiskStory",
    "RiskVersion",
    "evaluation_scores",
    "labour_intensive",
    "needs_hms_cards",
    "onsite_story",
    "overruled_suggestion",
    "participants",
    "risk_story",
    "risk_version",
]
