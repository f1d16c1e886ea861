"""The purchase-analysis figures of issue 16, each against a hand calculation written out here.

Small numbers on purpose: every expected value can be checked with pen and paper from the lines
above it. The period is the first quarter of 2026 (90 days) unless a test says otherwise.
"""

from __future__ import annotations

import calendar
import json
from datetime import date
from decimal import Decimal

import pytest

from followup.accounts import AccountRange, accounts_text
from followup.analysis.figures import (
    TOP_SUPPLIERS,
    AgreementAnalysis,
    SpendLine,
    analyse_agreement,
    leakage,
    leakage_to_json,
    to_json,
)
from followup.analysis.models import (
    AgreementTerms,
    Flag,
    PriceLine,
    StatisticsLine,
    Thresholds,
)
from followup.analysis.reading import article_key

Q1 = (date(2026, 1, 1), date(2026, 3, 31))
JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
SUPPLIER = "974600951"
OTHER = "911111111"


def D(text: str | int | Decimal) -> Decimal:  # noqa: N802 - reads like a literal
    return Decimal(text)


def price(
    article: str,
    agreed: str | int,
    *,
    core: bool = False,
    valid_from: date | None = None,
    description: str | None = None,
) -> PriceLine:
    return PriceLine(
        article=article,
        description=description or f"Vare {article}",
        unit="stk",
        agreed_price=D(agreed),
        core=core,
        valid_from=valid_from,
    )


def line(
    article: str,
    amount: str | int | Decimal,
    *,
    quantity: str | int | None = None,
    unit_price: str | int | None = None,
    month: date = JAN,
    lines: int = 1,
    core: bool | None = None,
) -> StatisticsLine:
    return StatisticsLine(
        period_from=month,
        period_to=month.replace(day=calendar.monthrange(month.year, month.month)[1]),
        customer="Fjordvik kommune",
        article=article,
        description=None,
        unit="stk",
        quantity=None if quantity is None else D(quantity),
        unit_price=None if unit_price is None else D(unit_price),
        amount=D(amount),
        core=core,
        lines=lines,
    )


def terms(
    *,
    maximum: str | int | None = None,
    estimated: str | int | None = None,
    organisations: frozenset[str] = frozenset({SUPPLIER}),
    accounts: tuple[AccountRange, ...] = (),
    reference: str = "2024-017",
) -> AgreementTerms:
    return AgreementTerms(
        reference=reference,
        title="Rør og rørdeler",
        start_date=date(2024, 1, 1),
        maximum_value=None if maximum is None else D(maximum),
        estimated_value=None if estimated is None else D(estimated),
        organisation_numbers=organisations,
        accounts=accounts,
    )


def analyse(
    price_list: list[PriceLine],
    lines: list[StatisticsLine],
    *,
    agreement: AgreementTerms | None = None,
    period: tuple[date, date] = Q1,
    turnover_before: str | int = 0,
    statistics_missing: bool = False,
    thresholds: Thresholds | None = None,
    loyalty: Decimal | None = None,
) -> AgreementAnalysis:
    return analyse_agreement(
        agreement or terms(),
        price_list,
        lines,
        period,
        turnover_before=D(turnover_before),
        statistics_missing=statistics_missing,
        thresholds=thresholds or Thresholds(),
        loyalty=loyalty,
    )


# --- turnover, core share, off-list share ----------------------------------------------------


def test_turnover_core_and_off_list_shares_by_hand() -> None:
    price_list = [price("A1", 100, core=True), price("A2", 50)]
    result = analyse(
        price_list,
        [
            line("A1", 200, quantity=2, unit_price=100),  # core
            line("A2", 200, quantity=4, unit_price=50),  # on the list, not core
            line("X9", 100, quantity=1, unit_price=100),  # on no list
        ],
    )
    # turnover = 200 + 200 + 100 = 500; core = 200 / 500 = 0.4; off-list = 100 / 500 = 0.2
    assert result.turnover == D("500.00")
    assert result.core_turnover == D("200.00")
    assert result.off_list_turnover == D("100.00")
    assert result.core_share == D("0.4000")
    assert result.off_list_share == D("0.2000")
    assert result.lines == 3
    assert result.lines_without_price.lines == 1
    assert result.lines_without_price.amount == D("100.00")
    # 0.4 < 0.5 is low; 0.2 is not above 0.2
    assert result.flags == (Flag.CORE_SHARE_LOW,)


def test_the_alesund_pattern_core_is_a_third_of_turnover() -> None:
    """Ålesund's pipes agreement: demand moved with a new VA standard, so two thirds of what
    was bought were other products (some on the list at non-core terms, some off it)."""
    price_list = [
        price("R110", 120, core=True),
        price("R160", 200, core=True),
        price("PP-200", 400),  # on the list, not core
    ]
    lines = [
        line("R110", "120000", quantity=1000, unit_price=120),
        line("R160", "180000", quantity=900, unit_price=200),
        line("PP-200", "400000", quantity=1000, unit_price=400),
        line("VA-NY-1", "200000", quantity=500, unit_price=400),  # the new standard, off-list
    ]
    result = analyse(price_list, lines)
    # turnover 900 000; core 300 000 (a third); off-list 200 000 / 900 000 = 0.2222
    assert result.turnover == D("900000.00")
    assert result.core_share == D("0.3333")
    assert result.off_list_share == D("0.2222")
    assert result.flags == (Flag.CORE_SHARE_LOW, Flag.OFF_LIST_HIGH)


def test_after_the_supplier_moves_products_to_core_terms_the_new_terms_count() -> None:
    """The adjustment (Gyldig fra 1 April) makes PP-200 core from the second quarter only."""
    price_list = [
        price("R110", 120, core=True),
        price("PP-200", 400),
        price("PP-200", 380, core=True, valid_from=date(2026, 4, 1)),
    ]
    q1 = [line("R110", 100, quantity=1, unit_price=100), line("PP-200", 200, quantity=1)]
    april = date(2026, 4, 1)
    q2 = [
        line("R110", 100, quantity=1, unit_price=100, month=april),
        line("PP-200", 200, quantity=1, month=april),
    ]
    assert analyse(price_list, q1).core_share == D("0.3333")  # 100 / 300
    second = analyse(price_list, q2, period=(april, date(2026, 6, 30)))
    assert second.core_share == D("1.0000")  # 300 / 300
    assert Flag.CORE_SHARE_LOW not in second.flags


def test_the_price_list_decides_core_not_the_suppliers_own_mark() -> None:
    result = analyse(
        [price("A1", 10, core=False), price("A2", 10, core=True)],
        [line("A1", 100, core=True), line("A2", 100, core=False)],
    )
    assert result.core_turnover == D("100.00")  # A2 only


def test_an_article_not_on_the_price_list_is_off_list_and_never_a_deviation() -> None:
    result = analyse(
        [price("A1", 10, core=True)],
        [line("Z1", 5000, quantity=1, unit_price=5000), line("A1", 10, quantity=1)],
    )
    assert result.lines_without_price.lines == 1
    assert result.lines_without_price.amount == D("5000.00")
    assert result.price_deviations == ()
    assert result.lines_unchecked.lines == 0  # off-list lines are counted apart


def test_shares_are_none_without_turnover() -> None:
    empty = analyse([price("A1", 10, core=True)], [])
    assert empty.turnover == D("0.00")
    assert empty.core_share is None
    assert empty.off_list_share is None
    assert empty.flags == ()
    # A quarter of credit notes only: a share of a negative turnover means nothing.
    credits = analyse([price("A1", 10, core=True)], [line("A1", -100, quantity=-10)])
    assert credits.turnover == D("-100.00")
    assert credits.core_share is None


# --- price deviations --------------------------------------------------------------------------


def test_overcharge_by_hand() -> None:
    price_list = [price("A1", 100), price("A2", 40)]
    result = analyse(
        price_list,
        [
            line("A1", 330, quantity=3, unit_price=110),  # (110 - 100) x 3 = 30
            line("A2", 450, quantity=10, unit_price=45),  # (45 - 40) x 10 = 50
            line("A2", 400, quantity=10, unit_price=40),  # at the agreed price
        ],
    )
    assert result.overcharge == D("80.00")
    assert result.price_deviation_lines == 2
    assert [d.article for d in result.price_deviations] == ["A2", "A1"]  # largest first
    first = result.price_deviations[0]
    assert (first.invoiced_price, first.agreed_price) == (D(45), D(40))
    assert (first.quantity, first.overcharge, first.lines) == (D(10), D("50.00"), 1)
    assert first.description == "Vare A2"  # the price list's text when the line has none
    assert first.period_from == JAN
    assert result.flags == (Flag.CORE_SHARE_LOW, Flag.PRICE_DEVIATION)


@pytest.mark.parametrize(
    ("invoiced", "deviates"),
    [
        ("200.99", False),
        ("201.00", False),  # exactly 0.5 % above 200: not a deviation
        ("201.01", True),
    ],
)
def test_the_tolerance_edge(invoiced: str, deviates: bool) -> None:
    result = analyse(
        [price("A1", 200)], [line("A1", D(invoiced) * 3, quantity=3, unit_price=invoiced)]
    )
    assert bool(result.price_deviations) is deviates
    if deviates:
        assert result.overcharge == D("3.03")  # 1.01 x 3


def test_the_tolerance_is_a_setting() -> None:
    strict = Thresholds(price_tolerance=D(0))
    result = analyse(
        [price("A1", 200)],
        [line("A1", "200.01", quantity=1, unit_price="200.01")],
        thresholds=strict,
    )
    assert result.overcharge == D("0.01")


def test_without_a_unit_price_the_invoiced_price_is_amount_over_quantity() -> None:
    result = analyse(
        [price("A1", 100), price("A2", 30)],
        [
            line("A1", 330, quantity=3),  # 330 / 3 = 110 > 100.50; 330 - 100 x 3 = 30
            line("A2", 100, quantity=3),  # 33.3333 > 30.15; 100 - 30 x 3 = 10
        ],
    )
    assert result.overcharge == D("40.00")
    by_article = {d.article: d for d in result.price_deviations}
    assert by_article["A1"].invoiced_price == D("110.0000")
    assert by_article["A2"].invoiced_price == D("33.3333")
    assert by_article["A2"].overcharge == D("10.00")


def test_a_unit_price_without_quantity_is_checked_with_the_quantity_it_implies() -> None:
    # 220 at 110 is 2 units; (110 - 100) x 2 = 20 = 220 x (110 - 100) / 110
    result = analyse([price("A1", 100)], [line("A1", 220, unit_price=110)])
    assert result.overcharge == D("20.00")
    assert result.price_deviations[0].quantity is None


def test_a_line_with_neither_unit_price_nor_quantity_cannot_be_checked() -> None:
    result = analyse([price("A1", 100, core=True)], [line("A1", 5000), line("A1", 100, quantity=1)])
    assert result.lines_unchecked.lines == 1
    assert result.lines_unchecked.amount == D("5000.00")
    # It still counts as turnover, and as core.
    assert result.turnover == D("5100.00")
    assert result.core_share == D("1.0000")


def test_a_line_of_zero_quantity_moved_nothing_and_is_not_checked() -> None:
    result = analyse(
        [price("A1", 100)],
        [
            line("A1", 0, quantity=0, unit_price=150),  # a price far above, but nothing sold
            line("A1", 50, quantity=0),  # a fee without units: amount ÷ 0 is no price
        ],
    )
    assert result.price_deviations == ()
    assert result.lines_unchecked.lines == 2
    assert result.lines_unchecked.amount == D("50.00")
    assert result.turnover == D("50.00")


def test_a_credit_line_at_the_deviating_price_returns_its_overcharge() -> None:
    result = analyse(
        [price("A1", 100)],
        [
            line("A1", 550, quantity=5, unit_price=110),  # +50
            line("A1", -220, quantity=-2, unit_price=110),  # -20: two returned
        ],
    )
    assert result.turnover == D("330.00")
    assert result.overcharge == D("30.00")
    assert [d.overcharge for d in result.price_deviations] == [D("50.00"), D("-20.00")]


def test_the_price_valid_then_follows_gyldig_fra() -> None:
    price_list = [
        price("P1", 100),  # from the start
        price("P1", 110, valid_from=date(2026, 2, 1)),
        price("P1", 120, valid_from=date(2026, 4, 1)),  # after the quarter
    ]
    result = analyse(
        price_list,
        [
            line("P1", 105, quantity=1, unit_price=105, month=JAN),  # vs 100: +5
            line("P1", 110, quantity=1, unit_price=110, month=FEB),  # vs 110: fine
            line("P1", 115, quantity=1, unit_price=115, month=MAR),  # vs 110: +5
            line("P1", 110, quantity=1, unit_price=110, month=date(2026, 1, 31)),  # vs 100: +10
        ],
    )
    assert [(d.period_from, d.agreed_price, d.overcharge) for d in result.price_deviations] == [
        (date(2026, 1, 31), D(100), D("10.00")),
        (JAN, D(100), D("5.00")),
        (MAR, D(110), D("5.00")),
    ]
    assert result.price_deviations[2].price_valid_from == date(2026, 2, 1)
    assert result.price_deviations[0].price_valid_from is None


def test_the_price_valid_then_does_not_depend_on_the_order_of_the_list() -> None:
    price_list = [
        price("P1", 120, valid_from=date(2026, 3, 1)),
        price("P1", 100, valid_from=date(2025, 1, 1)),
        price("P1", 110, valid_from=date(2026, 2, 1)),
    ]
    lines = [line("P1", 111, quantity=1, unit_price=111, month=month) for month in (JAN, FEB, MAR)]
    result = analyse(price_list, lines)
    # 111 vs 100 (January) deviates; vs 110 (February: 0.9 % above) deviates; vs 120 does not.
    assert [(d.period_from, d.overcharge) for d in result.price_deviations] == [
        (JAN, D("11.00")),
        (FEB, D("1.00")),
    ]


def test_before_its_first_price_an_article_is_listed_but_neither_core_nor_checked() -> None:
    result = analyse(
        [price("N1", 50, core=True, valid_from=date(2026, 3, 1))],
        [line("N1", 600, quantity=10, unit_price=60, month=JAN)],
    )
    assert result.core_turnover == D("0.00")
    assert result.lines_without_price.lines == 0
    assert result.lines_unchecked.lines == 1
    assert result.price_deviations == ()


def test_two_prices_of_one_article_and_day_the_later_in_the_list_wins() -> None:
    result = analyse(
        [price("A1", 100), price("A1", 90)],
        [line("A1", 100, quantity=1, unit_price=100)],
    )
    assert result.overcharge == D("10.00")


@pytest.mark.parametrize(
    ("on_list", "in_statistics", "matches"),
    [
        ("000123", " 000123 ", True),  # spaces around
        ("000123", "000 123", True),  # spaces inside (a thousands gap)
        ("AB-12", "ab-12", True),  # case
        ("000123", "000123\u00a0", True),  # a non-breaking space from Excel
        ("000123", "123", True),  # Excel dropped the leading zeros of a number
        ("AB-0123", "AB-123", False),  # a zero inside a code is part of it
        ("R110", "R111", False),
    ],
)
def test_articles_are_compared_as_the_import_reads_them(
    on_list: str, in_statistics: str, matches: bool
) -> None:
    assert (article_key(on_list) == article_key(in_statistics)) is matches
    result = analyse([price(on_list, 10, core=True)], [line(in_statistics, 10, quantity=1)])
    assert (result.core_share == D(1)) is matches
    assert (result.lines_without_price.lines == 0) is matches


def test_pre_summed_lines_give_the_same_figures_as_the_single_lines() -> None:
    price_list = [price("A1", 100, core=True), price("A2", 50)]
    singles = [
        line("A1", 110, quantity=1, unit_price=110),
        line("A1", 220, quantity=2, unit_price=110),
        line("A1", 330, quantity=3, unit_price=110),
        line("A2", 50, quantity=1, unit_price=50),
        line("A2", 100, quantity=2, unit_price=50),
        line("X1", 70, quantity=1, unit_price=70),
        line("X1", 70, quantity=1, unit_price=70),
    ]
    summed = [
        line("A1", 660, quantity=6, unit_price=110, lines=3),
        line("A2", 150, quantity=3, unit_price=50, lines=2),
        line("X1", 140, quantity=2, unit_price=70, lines=2),
    ]
    one, other = analyse(price_list, singles), analyse(price_list, summed)
    for figure in (
        "lines",
        "turnover",
        "core_turnover",
        "off_list_turnover",
        "core_share",
        "off_list_share",
        "price_deviation_lines",
        "overcharge",
        "lines_without_price",
        "lines_unchecked",
        "flags",
    ):
        assert getattr(one, figure) == getattr(other, figure), figure
    # By hand: 7 lines; turnover 660 + 150 + 140 = 950; overcharge (110 - 100) x 6 = 60
    assert (other.lines, other.turnover, other.overcharge) == (7, D("950.00"), D("60.00"))
    assert other.price_deviation_lines == 3
    assert other.lines_without_price.lines == 2


def test_money_is_rounded_half_up_to_ore_and_shares_to_four_decimals() -> None:
    result = analyse(
        [price("A1", "1.000", core=True), price("A2", 1)],
        [
            line("A1", "1.005", quantity=1, unit_price="1.005"),  # overcharge 0.005 -> 0.01
            line("A2", "1.005", quantity=1, unit_price=1),
            line("A2", "1.005", quantity=1, unit_price=1),
        ],
        thresholds=Thresholds(price_tolerance=D(0)),
    )
    assert result.overcharge == D("0.01")  # half up, not to even
    assert result.turnover == D("3.02")  # 3.015
    assert result.core_share == D("0.3333")


# --- the ceiling --------------------------------------------------------------------------------


def test_ceiling_used_and_the_day_it_is_reached_with_maksverdi() -> None:
    # Q1 2026 has 31 + 28 + 31 = 90 days; 90 000 in it is 1 000 a day.
    # Used: 500 000 before + 90 000 = 590 000 of 1 000 000 = 0.59; 410 000 left = 410 days
    # after 31 March 2026: 31 March 2027 is 365 days, 45 more is 15 May 2027.
    result = analyse(
        [price("A1", 1000)],
        [line("A1", 90000, quantity=90, unit_price=1000)],
        agreement=terms(maximum=1_000_000, estimated=2_000_000),
        turnover_before=500_000,
    )
    assert result.ceiling == D("1000000.00")
    assert result.ceiling_source == "maksverdi"
    assert result.ceiling_used_amount == D("590000.00")
    assert result.ceiling_used == D("0.5900")
    assert result.ceiling_reached_on == date(2027, 5, 15)
    assert Flag.CEILING_80 not in result.flags


def test_the_estimate_stands_in_for_a_missing_maksverdi_and_says_so() -> None:
    result = analyse(
        [], [line("A1", 9000)], agreement=terms(estimated=100_000), turnover_before=71_000
    )
    assert (result.ceiling, result.ceiling_source) == (D("100000.00"), "estimert")
    # 80 000 of 100 000 is exactly 0.8: warned. 20 000 left at 100 a day = 200 days after
    # 31 March 2026: 30 April (30), 31 May (61), 30 June (91), 31 July (122), 31 August (153),
    # 30 September (183), and 17 more: 17 October 2026.
    assert result.ceiling_used == D("0.8000")
    assert result.ceiling_reached_on == date(2026, 10, 17)
    assert Flag.CEILING_80 in result.flags
    assert Flag.CEILING_100 not in result.flags


def test_a_maksverdi_of_zero_is_no_ceiling() -> None:
    result = analyse([], [line("A1", 10)], agreement=terms(maximum=0, estimated=1000))
    assert result.ceiling_source == "estimert"


def test_without_any_ceiling_there_is_no_share_and_no_day() -> None:
    result = analyse([], [line("A1", 9000)], turnover_before=1_000_000)
    assert result.ceiling is None
    assert result.ceiling_source is None
    assert result.ceiling_used is None
    assert result.ceiling_reached_on is None
    assert result.ceiling_used_amount == D("1009000.00")
    assert not {Flag.CEILING_80, Flag.CEILING_100} & set(result.flags)


def test_passing_the_maximum_flags_both_and_names_no_day() -> None:
    result = analyse(
        [],
        [line("A1", 60000)],
        agreement=terms(maximum=1_000_000),
        turnover_before=990_000,
    )
    # 1 050 000 / 1 000 000
    assert result.ceiling_used == D("1.0500")
    assert result.ceiling_reached_on is None
    assert result.flags[-2:] == (Flag.CEILING_80, Flag.CEILING_100)


def test_reaching_the_maximum_exactly_is_ceiling_100() -> None:
    result = analyse(
        [], [line("A1", 10_000)], agreement=terms(maximum=100_000), turnover_before=90_000
    )
    assert result.ceiling_used == D("1.0000")
    assert Flag.CEILING_100 in result.flags
    assert result.ceiling_reached_on is None


def test_the_day_is_rounded_up_and_none_without_a_rate() -> None:
    january = (date(2026, 1, 1), date(2026, 1, 10))  # 10 days, 1 000 a day
    result = analyse([], [line("A1", 10_000)], agreement=terms(maximum=11_250), period=january)
    assert result.ceiling_reached_on == date(2026, 1, 12)  # 1 250 left: 1.25 days -> 2
    idle = analyse([], [], agreement=terms(maximum=11_250), period=january)
    assert idle.ceiling_used == D("0.0000")
    assert idle.ceiling_reached_on is None


def test_a_day_past_the_calendar_is_no_day() -> None:
    result = analyse([], [line("A1", "0.01")], agreement=terms(maximum=10**15), period=(JAN, JAN))
    assert result.ceiling_reached_on is None


# --- flags and the period ---------------------------------------------------------------------


def test_every_flag_at_once_comes_in_the_fixed_order() -> None:
    result = analyse(
        [price("A1", 100)],
        [line("A1", 110, quantity=1, unit_price=110), line("Z9", 100)],
        agreement=terms(maximum=100),
        statistics_missing=True,
        loyalty=D("0.5"),
    )
    assert result.flags == tuple(Flag)
    assert result.loyalty == D("0.5000")


def test_loyalty_at_the_threshold_is_not_leakage_high() -> None:
    assert Flag.LEAKAGE_HIGH not in analyse([], [], loyalty=D("0.8")).flags
    assert Flag.LEAKAGE_HIGH in analyse([], [], loyalty=D("0.7999")).flags
    assert analyse([], []).loyalty is None


def test_statistics_missing_is_the_callers_word() -> None:
    assert analyse([], [], statistics_missing=True).flags == (Flag.STATISTICS_MISSING,)


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="ends"):
        analyse([], [], period=(date(2026, 3, 31), date(2026, 1, 1)))


# --- leakage -----------------------------------------------------------------------------------

PIPES_ACCOUNTS = (AccountRange("1250", "1250"), AccountRange("1300", "1309"))


def test_accounts_as_people_write_them() -> None:
    assert accounts_text(PIPES_ACCOUNTS) == "1250, 1300–1309"


def test_loyalty_and_leakage_by_hand_with_credit_notes_and_a_missing_org_nr() -> None:
    pipes = terms(accounts=PIPES_ACCOUNTS)
    spend = [
        SpendLine("974 600 951", "Rørleverandøren AS", "1250", D(600)),  # the agreement's
        SpendLine(SUPPLIER, "Rørleverandøren AS", "1305", D(-100)),  # its credit note
        SpendLine(OTHER, "Byggmakker Fjordvik", "1301", D(300)),
        SpendLine(OTHER, "Byggmakker Fjordvik", "1301", D(-50)),  # a credit note
        SpendLine(None, "Rørgrossisten", "1250", D(100)),  # no org.nr
        SpendLine(None, "RØRGROSSISTEN ", "1309", D(50)),  # the same, written otherwise
        SpendLine(OTHER, "Byggmakker Fjordvik", "6790", D(1000)),  # not a pipes account
    ]
    [group] = leakage([pipes], spend, Q1)
    # spend = 600 - 100 + 300 - 50 + 100 + 50 = 900; the agreement's 500; 500 / 900 = 0.5556
    assert group.spend == D("900.00")
    assert group.agreement_spend == D("500.00")
    assert group.loyalty == D("0.5556")
    assert group.leakage == D("400.00")
    assert group.leakage_high
    assert [(s.org_nr, s.name, s.spend) for s in group.top_suppliers] == [
        (OTHER, "Byggmakker Fjordvik", D("250.00")),
        (None, "Rørgrossisten", D("150.00")),
    ]
    assert (group.others_spend, group.others_suppliers) == (D("0.00"), 0)
    assert group.accounts == "1250, 1300–1309"
    assert (group.period_from, group.period_to) == Q1


def test_accounts_are_matched_exactly_as_account_range_covers_them() -> None:
    ranges = (
        AccountRange("1250", "1250"),  # one account: the text itself
        AccountRange("1300", "1309"),  # digits: compared as numbers
        AccountRange("A100", "A199"),  # not digits: compared as text
    )
    accounts = ["1250", "01250", "1300", "1305", "01305", "1309", "1310", "12A", "A150", "B150"]
    spend = [
        SpendLine(OTHER, "Byggmakker", account, D(2**index))
        for index, account in enumerate(accounts)
    ]
    [group] = leakage([terms(accounts=ranges)], spend, Q1)
    covered = [a for a in accounts if any(r.covers(a) for r in ranges)]
    assert covered == ["1250", "1300", "1305", "01305", "1309", "A150"]
    assert group.spend == sum((D(2 ** accounts.index(a)) for a in covered), D(0))


def test_organisation_numbers_match_however_they_are_written() -> None:
    agreement = terms(organisations=frozenset({"NO 974 600 951 MVA"}), accounts=PIPES_ACCOUNTS)
    [group] = leakage([agreement], [SpendLine("974600951", "Rør AS", "1250", D(10))], Q1)
    assert group.loyalty == D("1.0000")


def test_a_line_without_org_nr_is_never_the_agreements_own() -> None:
    [group] = leakage(
        [terms(accounts=PIPES_ACCOUNTS)],
        [SpendLine(None, "Rørleverandøren AS", "1250", D(100))],
        Q1,
    )
    assert group.agreement_spend == D("0.00")
    assert group.loyalty == D("0.0000")


def test_an_agreement_without_accounts_has_no_group() -> None:
    groups = leakage(
        [terms(reference="A-1"), terms(reference="A-2", accounts=(AccountRange("1400", "1400"),))],
        [SpendLine(OTHER, "Byggmakker", "1400", D(10))],
        Q1,
    )
    assert [group.reference for group in groups] == ["A-2"]


def test_no_spend_is_no_loyalty_and_not_leakage_high() -> None:
    [group] = leakage([terms(accounts=PIPES_ACCOUNTS)], [], Q1)
    assert (group.spend, group.loyalty, group.leakage_high) == (D("0.00"), None, False)


def test_loyalty_at_the_threshold_is_not_high_leakage() -> None:
    spend = [
        SpendLine(SUPPLIER, "Rørleverandøren AS", "1250", D(80)),
        SpendLine(OTHER, "Byggmakker", "1250", D(20)),
    ]
    [group] = leakage([terms(accounts=PIPES_ACCOUNTS)], spend, Q1)
    assert group.loyalty == D("0.8000")
    assert not group.leakage_high
    [strict] = leakage(
        [terms(accounts=PIPES_ACCOUNTS)], spend, Q1, thresholds=Thresholds(loyalty_min=D("0.9"))
    )
    assert strict.leakage_high


def test_top_suppliers_are_the_largest_ten_and_the_rest_one_sum() -> None:
    spend = [
        SpendLine(f"9{index:08d}", f"Leverandør {index:02d}", "1250", D(index * 10))
        for index in range(1, 13)
    ]
    [group] = leakage([terms(accounts=PIPES_ACCOUNTS)], spend, Q1)
    assert len(group.top_suppliers) == TOP_SUPPLIERS == 10
    assert [s.spend for s in group.top_suppliers] == [D(n * 10) for n in range(12, 2, -1)]
    # Leverandør 01 and 02: 10 + 20
    assert (group.others_spend, group.others_suppliers) == (D("30.00"), 2)
    assert group.leakage == D("780.00")  # 10 + 20 + ... + 120


def test_one_org_nr_is_one_supplier_named_as_most_was_bought() -> None:
    spend = [
        SpendLine(OTHER, "Byggmakker AS", "1250", D(300)),
        SpendLine(OTHER, "BYGGMAKKER", "1301", D(100)),
    ]
    [group] = leakage([terms(accounts=PIPES_ACCOUNTS)], spend, Q1)
    assert [(s.org_nr, s.name, s.spend) for s in group.top_suppliers] == [
        (OTHER, "Byggmakker AS", D("400.00"))
    ]


def test_a_supplier_whose_credit_notes_cancel_out_is_not_listed() -> None:
    spend = [
        SpendLine(OTHER, "Byggmakker", "1250", D(300)),
        SpendLine(OTHER, "Byggmakker", "1250", D(-300)),
    ]
    [group] = leakage([terms(accounts=PIPES_ACCOUNTS)], spend, Q1)
    assert group.top_suppliers == ()


def test_groups_come_largest_leakage_first_and_share_overlapping_accounts() -> None:
    pipes = terms(reference="RØR", accounts=PIPES_ACCOUNTS)
    plumbing = terms(reference="VVS", accounts=(AccountRange("1300", "1399"),))
    spend = [
        SpendLine(OTHER, "Byggmakker", "1250", D(100)),  # pipes only
        SpendLine(OTHER, "Byggmakker", "1305", D(500)),  # both
        SpendLine(OTHER, "Byggmakker", "1350", D(50)),  # plumbing only
    ]
    groups = leakage([pipes, plumbing], spend, Q1)
    assert [(g.reference, g.leakage) for g in groups] == [
        ("RØR", D("600.00")),
        ("VVS", D("550.00")),
    ]


# --- JSON --------------------------------------------------------------------------------------


def test_the_analysis_json_has_the_issues_fields_as_numbers_and_iso_dates() -> None:
    result = analyse(
        [price("A1", 100, core=True)],
        [line("A1", 330, quantity=3, unit_price=110), line("Z1", "70.50", quantity=1)],
        agreement=terms(maximum=1_000_000),
        turnover_before=100_000,
    )
    document = to_json(result)
    assert {
        key: document[key]
        for key in (
            "reference",
            "from",
            "to",
            "turnover_nok",
            "core_share",
            "off_list_share",
            "price_deviation_lines",
            "overcharge_nok",
            "ceiling_nok",
            "ceiling_used",
            "flags",
        )
    } == {
        "reference": "2024-017",
        "from": "2026-01-01",
        "to": "2026-03-31",
        "turnover_nok": 400.5,
        "core_share": 0.824,  # 330 / 400.50 = 0.82397
        "off_list_share": 0.176,
        "price_deviation_lines": 1,
        "overcharge_nok": 30.0,
        "ceiling_nok": 1000000.0,
        "ceiling_used": 0.1004,  # 100 400.50 / 1 000 000
        "flags": ["price_deviation"],
    }
    assert document["ceiling_source"] == "maksverdi"
    assert document["price_deviations"] == [
        {
            "article": "A1",
            "description": "Vare A1",
            "customer": "Fjordvik kommune",
            "from": "2026-01-01",
            "to": "2026-01-31",
            "invoiced_price_nok": 110.0,
            "agreed_price_nok": 100.0,
            "price_valid_from": None,
            "quantity": 3.0,
            "amount_nok": 330.0,
            "overcharge_nok": 30.0,
            "lines": 1,
        }
    ]
    assert document["lines_without_price"] == {"lines": 1, "amount_nok": 70.5}
    text = json.dumps(document)
    assert '"turnover_nok": 400.5' in text  # a number, not a string
    assert json.loads(text) == document


def test_the_analysis_json_without_turnover_or_ceiling_says_null() -> None:
    document = to_json(analyse([], []))
    assert document["core_share"] is None
    assert document["ceiling_nok"] is None
    assert document["ceiling_used"] is None
    assert document["ceiling_reached_on"] is None
    assert document["flags"] == []


def test_the_leakage_json_has_the_issues_fields() -> None:
    spend = [
        SpendLine(SUPPLIER, "Rørleverandøren AS", "1250", D("700.25")),
        SpendLine(OTHER, "Byggmakker", "1301", D("299.75")),
    ]
    document = leakage_to_json(leakage([terms(accounts=PIPES_ACCOUNTS)], spend, Q1))
    assert document == {
        "groups": [
            {
                "reference": "2024-017",
                "title": "Rør og rørdeler",
                "from": "2026-01-01",
                "to": "2026-03-31",
                "accounts": "1250, 1300–1309",
                "spend_nok": 1000.0,
                "agreement_spend_nok": 700.25,
                "loyalty": 0.7003,
                "leakage_nok": 299.75,
                "leakage_high": True,
                "top_suppliers": [{"org_nr": OTHER, "name": "Byggmakker", "spend_nok": 299.75}],
                "others_nok": 0.0,
                "others_suppliers": 0,
            }
        ]
    }
    assert json.loads(json.dumps(document, ensure_ascii=False)) == document
