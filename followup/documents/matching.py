"""Which piece of evidence a file is: its name, the message it came with and the text of its
first page, scored against a contract's open evidence requests.

An *evidence request* is one evidence code (`Checkpoint.evidence`: `skatteattest`, ...) that a
follow-up still waits for (`followup.documents.targets.evidence_requests` finds them). A file
is matched by the words people use for each kind of document (`EVIDENCE_WORDS`, besides the code
itself), compared after `followup.words.fold_letters` (lower case, æ/ø/å spelt out) with
everything but letters and digits as a space. File names are also split where the case
changes (`HmsKortListe`) and, being short, also matched with no spaces at all (`HMSkort`,
`Skatteattest2026`). A phrase matches at the start of a word and may go on (`skatteattesten`,
`mannskapslister`).

**Scoring** (`match_evidence`): a kind named in the file name scores 4, in the message 2, on
the first page 1, added up. The highest score wins when no other kind has it too: that kind's
request is the one, even when another follow-up is due first (of several requests of the kind,
the preferred follow-up's, else the one due first). A winner can never be overturned by the
page alone (scores from the name and the message differ by 2 or more).

Nobody can tell, and the bot asks, when

- two kinds tie for the highest score (the tied kinds' requests are offered),
- the file is a kind none of the requests is (`EvidenceMatch.named` says which),
- nothing names any kind and more than one request is open (all are offered).

With nothing named, the one request of the preferred follow-up (the card whose «Last opp
dokumentasjon» was pressed), else the contract's only request, is taken.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Final

from followup.words import fold_letters

EVIDENCE_WORDS: Final[Mapping[str, tuple[str, ...]]] = {
    "skatteattest": (
        "skatteattest",
        "skattattest",
        "attest for skatt",
        "attest skatt",
        "skatt og merverdiavgift",
        "restanseattest",
        "skatteetaten",
        "tax certificate",
    ),
    "egenrapportering": (
        "egenrapport",
        "lønns- og arbeidsvilkår",
        "lønns og arbeidsvilkår",
        "egenerklæring",
        "self report",
    ),
    "lønnsslipper": ("lønnsslipp", "lønnslipp", "lønnsspesifikasjon", "payslip"),
    "timelister": ("timeliste", "timeregistrering", "timeskjema", "timesheet"),
    "arbeidsavtaler": (
        "arbeidsavtale",
        "arbeidskontrakt",
        "ansettelsesavtale",
        "ansettelseskontrakt",
        "employment contract",
    ),
    "mannskapsliste": (
        "mannskapsliste",
        "mannskap",
        "hms-kort",
        "hmskort",
        "oversikt over mannskap",
        "personalliste",
    ),
    "lærlingoversikt": ("lærling", "apprentice"),
    "underleverandøroversikt": ("underleverandør", "leverandørkjede", "kontraktskjede"),
    "salgsstatistikk": ("salgsstatistikk", "statistikk", "omsetning", "salgsrapport"),
    "referat": ("referat", "møtereferat", "statusmøte", "minutes"),
    "evaluering": ("evaluering", "leverandørevaluering", "leverandørvurdering"),
}
"""What people call each kind of document (the default plan's codes), as they write it."""

NAME_SCORE: Final = 4
MESSAGE_SCORE: Final = 2
PAGE_SCORE: Final = 1
MAX_TEXT: Final = 20_000
"""Characters of a message or a page looked at."""

_CASE_CHANGE: Final = re.compile(r"(?<=[a-zæøå0-9])(?=[A-ZÆØÅ])")
_NOT_WORD: Final = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class EvidenceRequest:
    """One evidence code a follow-up still waits for."""

    follow_up_id: str
    contract_id: str
    reference: str
    checkpoint_title: str
    evidence: str
    due_date: date


@dataclass(frozen=True, slots=True)
class EvidenceMatch:
    request: EvidenceRequest | None
    """The one the file is; None: ask."""
    candidates: tuple[EvidenceRequest, ...] = ()
    """When asking: the requests to offer, due date first."""
    named: str | None = None
    """The kind the file says it is when no request is of that kind."""
    scores: Mapping[str, int] = field(default_factory=dict)


# --- words -----------------------------------------------------------------------------------


def words(text: str | None) -> str:
    """Folded words with one space around each: ` lonns og arbeidsvilkar `."""
    folded = fold_letters((text or "")[:MAX_TEXT])
    return " " + " ".join(_NOT_WORD.split(folded)).strip() + " "


def name_words(file_name: str) -> str:
    """A file name's words: the extension dropped, `_ - .` and case changes made spaces."""
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    return words(_CASE_CHANGE.sub(" ", stem))


def _compact(folded_words: str) -> str:
    return folded_words.replace(" ", "")


@lru_cache(maxsize=512)
def phrases(code: str) -> tuple[str, ...]:
    """The folded phrases of a code: the code itself and its words (`EVIDENCE_WORDS`)."""
    found = [words(p).strip() for p in (code, *EVIDENCE_WORDS.get(code, ()))]
    return tuple(dict.fromkeys(p for p in found if p))


def mentions(text_words: str, code: str, *, compact: bool = False) -> bool:
    """Whether `text_words` (from `words` or `name_words`) names `code`: a phrase at the start
    of a word; with `compact`, anywhere once spaces are dropped too."""
    squeezed = _compact(text_words) if compact else ""
    return any(
        f" {phrase}" in text_words or (compact and _compact(phrase) in squeezed)
        for phrase in phrases(code)
    )


def named_kinds(file_name: str, codes: Sequence[str]) -> list[str]:
    """The codes a file name names."""
    name = name_words(file_name)
    return [code for code in dict.fromkeys(codes) if mentions(name, code, compact=True)]


def score_kinds(
    codes: Sequence[str],
    *,
    file_name: str | None,
    message: str | None,
    first_page: str | None,
) -> dict[str, int]:
    """Each code's score (see the module docstring); codes not named are left out."""
    name = name_words(file_name or "")
    said, page = words(message), words(first_page)
    scores: dict[str, int] = {}
    for code in dict.fromkeys(codes):
        score = (
            NAME_SCORE * mentions(name, code, compact=True)
            + MESSAGE_SCORE * mentions(said, code)
            + PAGE_SCORE * mentions(page, code)
        )
        if score:
            scores[code] = score
    return scores


# --- the match -------------------------------------------------------------------------------


def _first(requests: Sequence[EvidenceRequest], preferred: str | None) -> EvidenceRequest:
    for request in requests:
        if request.follow_up_id == preferred:
            return request
    return min(requests, key=lambda r: (r.due_date, r.follow_up_id))


def _by_due(requests: Sequence[EvidenceRequest]) -> tuple[EvidenceRequest, ...]:
    """Due date first; a follow-up's requests in its checkpoint's order (the sort is stable)."""
    return tuple(sorted(requests, key=lambda r: (r.due_date, r.checkpoint_title, r.follow_up_id)))


def match_evidence(
    requests: Sequence[EvidenceRequest],
    *,
    file_name: str | None,
    message: str | None = None,
    first_page: str | None = None,
    preferred_follow_up_id: str | None = None,
    later: Sequence[EvidenceRequest] = (),
) -> EvidenceMatch:
    """Which of `requests` the file is (see the module docstring). `later`: requests due
    after those offered, taken only when the file is clearly of a kind none of `requests` is
    (a tax certificate sent ahead of its follow-up)."""
    known = [*EVIDENCE_WORDS, *(r.evidence for r in (*requests, *later))]
    scores = score_kinds(known, file_name=file_name, message=message, first_page=first_page)
    if scores:
        top = max(scores.values())
        leaders = [code for code, score in scores.items() if score == top]
        if len(leaders) == 1:
            (code,) = leaders
            of_kind = [r for r in requests if r.evidence == code]
            if of_kind:
                return EvidenceMatch(_first(of_kind, preferred_follow_up_id), scores=scores)
            ahead = [r for r in later if r.evidence == code]
            if ahead:
                return EvidenceMatch(_first(ahead, preferred_follow_up_id), scores=scores)
            return EvidenceMatch(None, _by_due(requests), named=code, scores=scores)
        tied = [r for r in requests if r.evidence in leaders]
        preferred = [r for r in tied if r.follow_up_id == preferred_follow_up_id]
        if len({r.evidence for r in preferred}) == 1:
            return EvidenceMatch(preferred[0], scores=scores)
        return EvidenceMatch(None, _by_due(tied or requests), scores=scores)
    preferred = [r for r in requests if r.follow_up_id == preferred_follow_up_id]
    if len(preferred) == 1:
        return EvidenceMatch(preferred[0])
    if preferred:
        return EvidenceMatch(None, _by_due(preferred))
    if len(requests) == 1:
        return EvidenceMatch(requests[0])
    return EvidenceMatch(None, _by_due(requests))


__all__ = [
    "EVIDENCE_WORDS",
    "MESSAGE_SCORE",
    "NAME_SCORE",
    "PAGE_SCORE",
    "EvidenceMatch",
    "EvidenceRequest",
    "match_evidence",
    "mentions",
    "name_words",
    "named_kinds",
    "phrases",
    "score_kinds",
    "words",
]
