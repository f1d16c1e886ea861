"""The list page's query string read into a `PublicQuery`, or the Norwegian reasons it cannot
be: `q` (the search), `kategori`, `leverandor` (an organisation number), `enhet`,
`gyldighet` (`gyldig`, `utlopt`, `alle`) and `side`. An empty value is no filter; a value the
register does not offer is a clear message, never a 500. Other parameters are ignored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlencode

from bot.conversation.texts import text
from followup.models import Category
from followup.public_register import MAX_QUERY_CHARS, PublicFacets, PublicQuery, Validity

MAX_PAGE: Final = 10_000
MAX_VALUE_CHARS: Final = 200
LOCALE: Final = "nb"


@dataclass(frozen=True, slots=True)
class ListRequest:
    """What the visitor asked for, as typed (to show in the form again), and the query."""

    text: str = ""
    category: str = ""
    supplier: str = ""
    unit: str = ""
    validity: str = Validity.VALID.value
    query: PublicQuery = field(default_factory=PublicQuery)
    problems: tuple[str, ...] = ()

    def link(self, page: int) -> str:
        """The list's address for another page of the same search."""
        values = {
            "q": self.text,
            "kategori": self.category,
            "leverandor": self.supplier,
            "enhet": self.unit,
            "gyldighet": "" if self.validity == Validity.VALID.value else self.validity,
            "side": "" if page == 1 else str(page),
        }
        kept = {k: v for k, v in values.items() if v}
        return "/rammeavtaler" + (f"?{urlencode(kept)}" if kept else "")


def read_list_request(
    params: Mapping[str, str], facets: PublicFacets, page_size: int
) -> ListRequest:
    """`params` (the first value of each) checked against what the register offers."""
    problems: list[str] = []

    def value(name: str, limit: int = MAX_VALUE_CHARS) -> str:
        raw = " ".join(params.get(name, "").split())
        if len(raw) > limit:
            return raw[:limit]
        return raw

    typed = params.get("q", "")
    search = " ".join(typed.split())
    if len(search) > MAX_QUERY_CHARS:
        problems.append(text("public.error.query_too_long", LOCALE, limit=MAX_QUERY_CHARS))
        search = search[:MAX_QUERY_CHARS]

    category_value = value("kategori")
    category: Category | None = None
    if category_value:
        try:
            category = Category(category_value)
        except ValueError:
            problems.append(text("public.error.category", LOCALE))

    supplier = value("leverandor").replace(" ", "")
    if supplier and supplier not in {s.organisation_number for s in facets.suppliers}:
        problems.append(text("public.error.supplier", LOCALE))

    unit = value("enhet")
    if unit and unit not in facets.units:
        problems.append(text("public.error.unit", LOCALE))

    validity_value = value("gyldighet") or Validity.VALID.value
    try:
        validity = Validity(validity_value)
    except ValueError:
        problems.append(text("public.error.validity", LOCALE))
        validity = Validity.VALID

    page_value = value("side") or "1"
    page = 1
    if page_value.isascii() and page_value.isdigit() and 1 <= int(page_value) <= MAX_PAGE:
        page = int(page_value)
    else:
        problems.append(text("public.error.page", LOCALE, limit=MAX_PAGE))

    return ListRequest(
        text=search,
        category=category_value if category else "",
        supplier=supplier if supplier in _orgs(facets) else "",
        unit=unit if unit in facets.units else "",
        validity=validity.value,
        query=PublicQuery(
            text=search,
            category=category,
            supplier=supplier or None,
            unit=unit or None,
            validity=validity,
            page=page,
            page_size=page_size,
        ),
        problems=tuple(problems),
    )


def _orgs(facets: PublicFacets) -> set[str]:
    return {s.organisation_number for s in facets.suppliers}
