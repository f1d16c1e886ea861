"""The public register's pure parts: the register's public cells, Norwegian search terms,
option periods and their status, validity and the Norwegian sort."""

from __future__ import annotations

from datetime import date

import pytest

from followup.models import Category, ContractStatus
from followup.public_register import (
    OptionStatus,
    PublicQuery,
    in_force,
    in_force_on,
    norwegian_sort_key,
    option_periods,
    public_agreement,
    valid_until,
)
from followup.register.reading import InvalidCell, parse_contact_email, parse_doffin_notice
from storage.public_search_terms import document_terms, fts5_match, query_terms, tsquery

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("cell", "notice"),
    [
        ("2024-123456", "2024-123456"),
        (" 2024 - 123456 ", "2024-123456"),
        ("https://doffin.no/notices/2024-123456", "2024-123456"),
        ("https://www.doffin.no/Notice/Details/2019-345678", "2019-345678"),
        ("doffin.no/notices/2025-000123?lang=nb", "2025-000123"),
        (None, None),
        ("", None),
    ],
)
def test_doffin_notices_are_stored_as_their_number(cell: str | None, notice: str | None) -> None:
    assert parse_doffin_notice(cell) == notice


@pytest.mark.parametrize(
    ("cell", "start"),
    [
        ("https://example.com/notices/2024-123456", "lenken går ikke til doffin.no"),
        ("ftp://doffin.no/notices/2024-123456", "lenken går ikke til doffin.no"),
        ("https://doffin.no/notices", "finner ikke kunngjøringsnummeret i lenken"),
        ("123456", "«123456» er ikke et Doffin-nummer"),
        (2024, "ugyldig Doffin-kunngjøring"),
    ],
)
def test_bad_doffin_cells_say_what_to_write(cell: object, start: str) -> None:
    with pytest.raises(InvalidCell) as caught:
        parse_doffin_notice(cell)
    assert caught.value.message.startswith(start)
    assert caught.value.message.endswith("eller lenken til kunngjøringen på doffin.no")


def test_contact_addresses() -> None:
    assert parse_contact_email("Innkjøp <Innkjop@Fjordvik.Kommune.no>") == (
        "innkjop@fjordvik.kommune.no"
    )
    assert parse_contact_email("mailto:post@fjordvik.kommune.no.") == "post@fjordvik.kommune.no"
    assert parse_contact_email("  ") is None
    with pytest.raises(InvalidCell, match="ugyldig e-postadresse «a@b»"):
        parse_contact_email("a@b")


def test_norwegian_word_forms() -> None:
    assert document_terms("Kontorrekvisita og kontormøbler – IT-tjenester, post@x.no") == (
        "kontorrekvisit kontormøbl it tjenest post x"
    )
    assert query_terms("sykler").words == (("sykl", "sykel", "sykkel"),)
    assert query_terms("Sykkel").words == (("sykkel", "sykl"),)
    assert query_terms("møbler").words == (("møbl", "møbel", "møbbel"),)
    assert query_terms("brøyting").words == (("brøyting", "brøyt"),)
    assert query_terms("renhold av kontorer").words == (("renhold",), ("kontor",))
    assert query_terms("A4-ark 2024").words == (("a4",), ("ark",), ("2024",))
    stop = query_terms("og i av")
    assert (stop.words, stop.had_words) == ((), True)
    assert query_terms("  ").had_words is False
    assert fts5_match(query_terms("sykler kontor")) == (
        '("sykl"* OR "sykel"* OR "sykkel"*) AND ("kontor"*)'
    )
    assert tsquery(("sykl", "sykkel")) == "sykl:* | sykkel:*"
    # Quotes, operators and brackets never reach a query: only letters and digits.
    assert query_terms('kontor" OR * NEAR(').words == (("kontor",), ("or",), ("near",))


def test_option_periods_and_their_status() -> None:
    end = date(2026, 12, 31)
    options = [date(2025, 12, 31), date(2027, 12, 31), date(2028, 12, 31)]
    periods = option_periods(end, options, ContractStatus.ACTIVE, TODAY)
    assert [(p.start, p.end, p.status) for p in periods] == [
        (None, date(2025, 12, 31), OptionStatus.EXERCISED),
        (date(2027, 1, 1), date(2027, 12, 31), OptionStatus.OPEN),
        (date(2028, 1, 1), date(2028, 12, 31), OptionStatus.OPEN),
    ]
    assert valid_until(end, False, periods) == date(2028, 12, 31)
    ended = option_periods(end, options[1:], ContractStatus.TERMINATED, TODAY)
    assert [p.status for p in ended] == [OptionStatus.NOT_EXERCISED] * 2
    assert valid_until(end, False, ended) == end
    lapsed = option_periods(date(2024, 12, 31), [date(2025, 12, 31)], ContractStatus.ACTIVE, TODAY)
    assert [p.status for p in lapsed] == [OptionStatus.EXPIRED]
    assert (
        in_force(ContractStatus.ACTIVE, valid_until(date(2024, 12, 31), False, lapsed), TODAY)
        is False
    )
    assert in_force(ContractStatus.ACTIVE, None, TODAY) is True
    assert in_force(ContractStatus.EXPIRED, None, TODAY) is False
    assert valid_until(None, True, ()) is None


@pytest.mark.parametrize("status", list(ContractStatus))
@pytest.mark.parametrize("ongoing", [False, True])
@pytest.mark.parametrize("end", [None, date(2026, 11, 30), date(2026, 12, 1), date(2027, 1, 1)])
@pytest.mark.parametrize(
    "options", [(), (date(2026, 6, 30),), (date(2026, 11, 30), date(2027, 11, 30))]
)
def test_the_quick_validity_is_the_agreements(
    status: ContractStatus, ongoing: bool, end: date | None, options: tuple[date, ...]
) -> None:
    agreement = public_agreement(
        reference="R", title="T", suppliers=(), category=Category.GOODS, cpv_code=None,
        scope=None, start_date=None, end_date=end, ongoing=ongoing, options=options,
        status=status, unit=None, how_to_order=None, contact_email=None,
        contact_is_personal=False, doffin_notice=None, today=TODAY,
    )  # fmt: skip
    stored = [o.isoformat() for o in options]
    assert in_force_on(status, end, ongoing, stored, TODAY) is agreement.in_force


def test_norwegian_sort() -> None:
    titles = ["Åpen", "ærend", "Zinktak", "Øving", "Ørret", "alfa", "Éclair", "Aa"]
    assert sorted(titles, key=norwegian_sort_key) == [
        "Aa", "alfa", "Éclair", "Zinktak", "ærend", "Ørret", "Øving", "Åpen",
    ]  # fmt: skip


def test_queries_are_bounded() -> None:
    query = PublicQuery(text="  kontor   møbler " + "x" * 500, page=0, page_size=10_000)
    assert query.text.startswith("kontor møbler x")
    assert len(query.text) == 200
    assert (query.page, query.page_size) == (1, 100)
