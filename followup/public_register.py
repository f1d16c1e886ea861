"""The public register of framework agreements (issue 18): what the public may see, and the port
the public pages read it through.

A contract is in the public register when the register marks it public (*offentlig*) AND it is
a framework agreement (`ContractType.FRAMEWORK`); single contracts and call-offs never are.
A store enforces that in every statement it runs (`storage.public_register`), never by
filtering afterwards.

`PublicAgreement` holds ONLY what may be published: title, agreement number, supplier(s) with
organisation number, category and CPV, what may be bought (*Omfang*), the period with its
options and their status, who may use it (the agreement's unit, *Enhet*), how to order
(*Bestilling*), the contact address (*Kontakt*) and the Doffin notice. Never prices or values,
deviations, answers, documents, internal notes, case numbers, or the owners', managers' or
deputies' names. The contact address is whatever the register says; `contact_is_personal`
tells the page whether it is a person's own address (a person in the people table has it), so
a setting can decide whether to show it.

Who may use it: the register keeps one unit per contract and no link from a call-off to its
framework agreement (a call-off names it only in its title), so the units are the agreement's
own *Enhet*; `units` is a tuple so that a register with more units per agreement fits.

Options and their status, from what is stored (the register's *sluttdato* is the end of the
current period; each option is the end date it may be extended to, in order; answers to an
option follow-up are NOT read, they are internal):

- EXERCISED: the option's end is on or before *sluttdato*: the period already runs through it.
- NOT_EXERCISED: the register marks the agreement ended (*utløpt* or *avsluttet*) without it.
- EXPIRED: the option's whole period is over (its end is before today) and it is not recorded
  as exercised.
- OPEN: otherwise: it may still be (or may have been, not yet recorded) exercised.

Valid or expired (`Validity`): an agreement is in force unless the register marks it ended
(*utløpt*/*avsluttet*) or its last possible end (*sluttdato* or the last OPEN or EXERCISED
option) is before today; an ongoing agreement (*løpende*) or one without *sluttdato* stays in
force. A planned agreement (start after today) counts as in force.

Titles sort the Norwegian way (`norwegian_sort_key`): case and accents aside, and æ, ø, å
after z.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final, Protocol

from followup.models import Category, ContractStatus

MAX_PAGE_SIZE: Final = 100
DEFAULT_PAGE_SIZE: Final = 20
MAX_QUERY_CHARS: Final = 200
"""A search longer than this is cut here (no one types more; a longer text is not a search)."""

CATEGORY_LABELS: Final = {
    Category.GOODS: "Varer",
    Category.SERVICES: "Tjenester",
    Category.BUILDING: "Bygg og anlegg",
}
CATEGORY_LABELS_EN: Final = {
    Category.GOODS: "Goods",
    Category.SERVICES: "Services",
    Category.BUILDING: "Building and construction",
}

_ENDED: Final = frozenset({ContractStatus.EXPIRED, ContractStatus.TERMINATED})


class OptionStatus(StrEnum):
    OPEN = "open"
    EXERCISED = "exercised"
    NOT_EXERCISED = "not_exercised"
    EXPIRED = "expired"


OPTION_STATUS_LABELS: Final = {
    OptionStatus.OPEN: "kan utløses",
    OptionStatus.EXERCISED: "utløst",
    OptionStatus.NOT_EXERCISED: "ikke utløst",
    OptionStatus.EXPIRED: "utløpt",
}
OPTION_STATUS_LABELS_EN: Final = {
    OptionStatus.OPEN: "may be exercised",
    OptionStatus.EXERCISED: "exercised",
    OptionStatus.NOT_EXERCISED: "not exercised",
    OptionStatus.EXPIRED: "expired",
}


class Validity(StrEnum):
    VALID = "gyldig"
    EXPIRED = "utlopt"
    ALL = "alle"


@dataclass(frozen=True, slots=True)
class PublicSupplier:
    name: str
    organisation_number: str


@dataclass(frozen=True, slots=True)
class PublicOption:
    """One option period: from the day after the previous end to `end`."""

    start: date | None
    end: date
    status: OptionStatus


@dataclass(frozen=True, slots=True)
class PublicAgreement:
    reference: str
    title: str
    suppliers: tuple[PublicSupplier, ...]
    category: Category
    cpv_code: str | None
    scope: str | None
    start_date: date | None
    end_date: date | None
    ongoing: bool
    options: tuple[PublicOption, ...]
    valid_until: date | None
    """The last possible end: *sluttdato* or the last open or exercised option; None when the
    agreement has no end (ongoing, or no *sluttdato*)."""
    in_force: bool
    units: tuple[str, ...]
    how_to_order: str | None
    contact_email: str | None
    contact_is_personal: bool
    """The contact address is a person's own (a person in the register has it): the page shows
    it only when its setting allows personal names."""
    doffin_notice: str | None

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category]

    @property
    def doffin_url(self) -> str | None:
        return None if self.doffin_notice is None else doffin_notice_url(self.doffin_notice)


@dataclass(frozen=True, slots=True)
class PublicQuery:
    """A search of the public register. `text` is searched in title, supplier, scope and
    category (Norwegian word forms, word beginnings); the filters are exact: `category`,
    `supplier` (an organisation number), `unit`; `validity` in force (default), expired or
    all. Pages count from 1."""

    text: str = ""
    category: Category | None = None
    supplier: str | None = None
    unit: str | None = None
    validity: Validity = Validity.VALID
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", " ".join(self.text.split())[:MAX_QUERY_CHARS])
        object.__setattr__(self, "page", max(1, self.page))
        object.__setattr__(self, "page_size", min(max(1, self.page_size), MAX_PAGE_SIZE))


@dataclass(frozen=True, slots=True)
class PublicPage:
    items: tuple[PublicAgreement, ...]
    total: int
    """How many agreements match, over all pages."""
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True, slots=True)
class PublicFacets:
    """The filters' choices: what the public agreements have (in force or not)."""

    categories: tuple[Category, ...]
    suppliers: tuple[PublicSupplier, ...] = field(default=())
    units: tuple[str, ...] = field(default=())


class PublicRegister(Protocol):
    """Read-only access to the public register: public framework agreements only."""

    def search(self, query: PublicQuery, today: date) -> PublicPage: ...

    def get(self, reference: str, today: date) -> PublicAgreement | None:
        """The public agreement with this agreement number (in force or not), else None."""
        ...

    def all(self, today: date) -> Sequence[PublicAgreement]:
        """Every public agreement, in force or not, sorted by title (open data)."""
        ...

    def facets(self) -> PublicFacets: ...

    def last_modified(self) -> datetime | None:
        """When the public register last changed (an agreement's public fields, or one
        becoming public or not); None when nothing was recorded yet."""
        ...

    def version(self) -> int:
        """A number that moves whenever `last_modified` does (for ETags)."""
        ...


# --- reading what is stored -------------------------------------------------------------------


def option_periods(
    end_date: date | None,
    options: Sequence[date],
    status: ContractStatus,
    today: date,
) -> tuple[PublicOption, ...]:
    """The stored options as periods with their status (see the module's doc)."""
    found: list[PublicOption] = []
    exercised_before: date | None = None  # the base period's end is not stored: unknown
    after = end_date
    for option_end in sorted(options):
        if end_date is not None and option_end <= end_date:
            start = None if exercised_before is None else exercised_before + timedelta(days=1)
            exercised_before = option_end
            found.append(PublicOption(start, option_end, OptionStatus.EXERCISED))
            continue
        start = None if after is None else after + timedelta(days=1)
        after = option_end
        if status in _ENDED:
            option_status = OptionStatus.NOT_EXERCISED
        elif option_end < today:
            option_status = OptionStatus.EXPIRED
        else:
            option_status = OptionStatus.OPEN
        found.append(PublicOption(start=start, end=option_end, status=option_status))
    return tuple(found)


def valid_until(
    end_date: date | None, ongoing: bool, options: Sequence[PublicOption]
) -> date | None:
    """The last possible end (None: no end)."""
    if ongoing or end_date is None:
        return None
    counted = [o.end for o in options if o.status in (OptionStatus.OPEN, OptionStatus.EXERCISED)]
    return max([end_date, *counted])


def in_force(status: ContractStatus, until: date | None, today: date) -> bool:
    return status not in _ENDED and (until is None or until >= today)


def in_force_on(
    status: ContractStatus,
    end_date: date | None,
    ongoing: bool,
    options: Sequence[str],
    today: date,
) -> bool:
    """`in_force` of the agreement `public_agreement` would make, from its stored values alone
    (options as stored: ISO dates), without making it: for filtering many rows."""
    if status in _ENDED:
        return False
    if ongoing or end_date is None or end_date >= today:
        return True
    day = today.isoformat()
    return any(option >= day for option in options)  # an open option runs on


def public_agreement(
    *,
    reference: str,
    title: str,
    suppliers: Sequence[PublicSupplier],
    category: Category,
    cpv_code: str | None,
    scope: str | None,
    start_date: date | None,
    end_date: date | None,
    ongoing: bool,
    options: Sequence[date],
    status: ContractStatus,
    unit: str | None,
    how_to_order: str | None,
    contact_email: str | None,
    contact_is_personal: bool,
    doffin_notice: str | None,
    today: date,
) -> PublicAgreement:
    """The public view of a public framework agreement's stored fields (a store calls this
    with the public columns only)."""
    periods = option_periods(end_date, options, status, today)
    until = valid_until(end_date, ongoing, periods)
    return PublicAgreement(
        reference=reference,
        title=title,
        suppliers=tuple(suppliers),
        category=category,
        cpv_code=cpv_code,
        scope=scope,
        start_date=start_date,
        end_date=end_date,
        ongoing=ongoing,
        options=periods,
        valid_until=until,
        in_force=in_force(status, until, today),
        units=(unit,) if unit else (),
        how_to_order=how_to_order,
        contact_email=contact_email,
        contact_is_personal=contact_is_personal,
        doffin_notice=doffin_notice,
    )


# After z: æ, ø, å in that order (and ä, ö as their Norwegian twins æ, ø).
_LATE_LETTERS: Final = str.maketrans(
    {"æ": "z\U0010fff1", "ä": "z\U0010fff1", "ø": "z\U0010fff2", "ö": "z\U0010fff2",
     "å": "z\U0010fff3"}
)  # fmt: skip


@functools.lru_cache(maxsize=16_384)  # the same titles are sorted search after search
def norwegian_sort_key(text: str) -> tuple[str, str]:
    """Sorts as a Norwegian dictionary does: case and accents aside (é as e), æ, ø, å after z;
    ties broken by the text itself so the order is total."""
    if text.isascii():
        return text.lower(), text
    lowered = unicodedata.normalize("NFC", text).casefold().translate(_LATE_LETTERS)
    decomposed = unicodedata.normalize("NFD", lowered)
    base = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return base, text


def doffin_notice_url(notice: str) -> str:
    """The notice's page on doffin.no (`2024-123456`)."""
    return f"https://doffin.no/notices/{notice}"


__all__ = [
    "CATEGORY_LABELS",
    "CATEGORY_LABELS_EN",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "MAX_QUERY_CHARS",
    "OPTION_STATUS_LABELS",
    "OPTION_STATUS_LABELS_EN",
    "OptionStatus",
    "PublicAgreement",
    "PublicFacets",
    "PublicOption",
    "PublicPage",
    "PublicQuery",
    "PublicRegister",
    "PublicSupplier",
    "Validity",
    "doffin_notice_url",
    "in_force",
    "in_force_on",
    "norwegian_sort_key",
    "option_periods",
    "public_agreement",
    "valid_until",
]
