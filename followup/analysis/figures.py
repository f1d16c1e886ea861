"""The purchase-analysis figures of issue 16 (Definitions): what Kontraktservice works out by
hand for a framework agreement and a period [fra, til], as pure functions over the lines that
storage reads. No clock, no database: the period and every sum from before it are passed in.

## The statistics check (`analyse_agreement`)

For the agreement's statistics lines inside the period:

- **turnover** = Σ amount (*Beløp eks. mva*); credit lines are negative and net out.
- **the price valid then**: for a line, the price-list line of the same article (compared by
  `followup.analysis.reading.article_key`: no spaces, case folded, an all-digit number without
  its leading zeros) whose *Gyldig fra* is the latest on or before the line's `period_from`; a
  price-list line without *Gyldig fra* applies from the start. When two lines of the list share
  article and *Gyldig fra*, the later one in the list wins.
- **core turnover** = Σ amount of lines whose price valid then is core (*kjernesortiment*);
  an article not on the price list, or with no price valid yet, is not core.
  **Core share** = core turnover ÷ turnover.
- **off-list turnover** = Σ amount of lines whose article is on no price-list line at all
  (`lines_without_price`). **Off-list share** = off-list turnover ÷ turnover.
- Shares are None when the turnover is zero or negative (a share of a pure credit means nothing).
- **invoiced unit price**: *Enhetspris*; else amount ÷ quantity.
- A line **cannot be checked** (`lines_unchecked`) when its article is on the list but no price
  is valid yet at its period, when it has no unit price and no quantity, or when its quantity is
  zero (it moved nothing, so nothing was overcharged). Off-list lines are counted apart.
- A line **deviates** when its invoiced unit price > agreed price × (1 + tolerance): exactly
  at the tolerance (0.5 % by default) is not a deviation.
- **overcharge** of a deviating line = (invoiced − agreed) × quantity. A line with a unit price
  but no quantity is still checked (its price is known); its quantity is taken as amount ÷
  unit price, so its overcharge is amount × (invoiced − agreed) ÷ invoiced. A credit line (negative
  quantity) at a deviating price gives a negative overcharge: it returns what its sale took.
- **ceiling** = *Maksverdi*, else the estimated value (`ceiling_source` says which), else none;
  a value of zero or less is no ceiling. **Ceiling used** = (turnover before the period +
  turnover) ÷ ceiling. **Reached on** = `til` + ⌈remaining ÷ daily rate⌉ days, where the daily
  rate is the period's turnover ÷ its days; None when there is no ceiling, it is already reached
  (`ceiling_used` ≥ 1 says so), the rate is not positive, or the day lies past year 9999.

Deviations come largest overcharge first (equal ones in the order the lines came). A line
pre-summed by storage (`StatisticsLine.lines` > 1, same article, period and unit price) gives
the figures of its lines as long as each of them had a quantity other than zero: a line with
no quantity or a zero quantity is judged by its own rule above, so it must stay apart.

## Leakage (`leakage`)

Per agreement with ledger accounts (*Kontoer*), over the ledger summed per org.nr, name and
account for the period: **spend** = Σ on the accounts; **agreement spend** = Σ of it with the
agreement's organisation numbers (matched by the digits of the org.nr only: a line without one
is never the agreement's); **loyalty** = agreement spend ÷ spend (None when spend ≤ 0);
**leakage** = spend − agreement spend, listed by supplier (by org.nr, by name without one),
largest first, the first `TOP_SUPPLIERS` named and the rest as one remainder (a supplier
whose credit notes cancel its spend is not listed). Groups come largest leakage first.

Money is exact `Decimal` inside and rounded to øre (ROUND_HALF_UP) in the results; shares to
four decimals; flags are decided on the exact figures.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from operator import itemgetter
from typing import Final, Literal, NamedTuple, TypeAlias

from followup.accounts import accounts_text
from followup.analysis.exact import exact
from followup.analysis.models import (
    AgreementTerms,
    Flag,
    PriceLine,
    StatisticsLine,
    Thresholds,
)
from followup.analysis.reading import article_key

CeilingSource = Literal["maksverdi", "estimert"]
"""Where the ceiling came from: the register's *Maksverdi* or, failing it, *Estimert verdi*."""

TOP_SUPPLIERS = 10
"""How many leaking suppliers a leakage group names; the rest is one remainder."""

_ORE = Decimal("0.01")
_SHARE = Decimal("0.0001")
_UNIT_PRICE = Decimal("0.0001")
_ZERO = Decimal(0)
_ONE = Decimal(1)
_DIGITS = frozenset("0123456789")


def _money(value: Decimal) -> Decimal:
    return value.quantize(_ORE, rounding=ROUND_HALF_UP)


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole <= 0:
        return None
    return (part / whole).quantize(_SHARE, rounding=ROUND_HALF_UP)


# --- the statistics check ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineTotal:
    """Some statistics lines: how many of the supplier's lines, and their amount."""

    lines: int
    amount: Decimal


class PriceDeviation(NamedTuple):
    """A statistics line invoiced above the agreed price valid then (beyond the tolerance).
    A named tuple, not a frozen dataclass: a quarter may hold thousands, and a tuple is made
    in a third of the time."""

    article: str
    description: str | None
    """The statistics line's text, else the price list's."""
    customer: str | None
    period_from: date
    period_to: date
    invoiced_price: Decimal
    """*Enhetspris*, or amount ÷ quantity to four decimals."""
    agreed_price: Decimal
    price_valid_from: date | None
    """*Gyldig fra* of the price compared with (None: the agreement's first price)."""
    quantity: Decimal | None
    amount: Decimal
    overcharge: Decimal
    lines: int


@dataclass(frozen=True, slots=True)
class AgreementAnalysis:
    """The figures of one agreement for one period (see the module's definitions)."""

    reference: str
    title: str
    period_from: date
    period_to: date
    lines: int
    """Σ `lines` of the statistics lines analysed."""
    turnover: Decimal
    core_turnover: Decimal
    off_list_turnover: Decimal
    core_share: Decimal | None
    off_list_share: Decimal | None
    price_deviations: tuple[PriceDeviation, ...]
    """Largest overcharge first."""
    price_deviation_lines: int
    overcharge: Decimal
    lines_without_price: LineTotal
    """Lines whose article is on no price list (the off-list lines)."""
    lines_unchecked: LineTotal
    """Lines on the list whose price could not be checked (see the module)."""
    turnover_before: Decimal
    ceiling: Decimal | None
    ceiling_source: CeilingSource | None
    ceiling_used_amount: Decimal
    ceiling_used: Decimal | None
    ceiling_reached_on: date | None
    loyalty: Decimal | None
    flags: tuple[Flag, ...]
    """In `Flag`'s order."""


class _Price(NamedTuple):
    valid_from: date | None
    agreed: Decimal
    limit: Decimal
    """The highest invoiced price that is not a deviation."""
    core: bool


class _Article:
    """One article of the price list as the statistics meet it: its prices in *Gyldig fra*
    order, and the last price looked up with the days it is valid for (lines of one article
    mostly share a period, so the next line usually needs no search)."""

    __slots__ = ("description", "listed", "prices", "since", "starts", "until", "valid")

    def __init__(self, prices: list[_Price], description: str) -> None:
        self.description = description
        self.listed = bool(prices)
        self.prices = prices
        self.starts = [price.valid_from or date.min for price in prices]
        if len(prices) == 1:
            # One price (most articles): valid from its first day on, nothing to search.
            self.valid: _Price | None = prices[0]
            self.since, self.until = self.starts[0], date.max
        else:
            self.valid = None
            self.since = date.max
            self.until = date.min

    def valid_on(self, day: date) -> _Price | None:
        """The price valid on `day` (None when none is valid yet); remembers its days."""
        index = bisect_right(self.starts, day)
        self.valid = self.prices[index - 1] if index else None
        self.since = self.starts[index - 1] if index else date.min
        self.until = self.starts[index] if index < len(self.starts) else date.max
        return self.valid


class _PriceList:
    """The price list by article key; an article's entry is built when a line first names it."""

    def __init__(self, price_list: Sequence[PriceLine], tolerance: Decimal) -> None:
        self._factor = _ONE + tolerance
        self._lines: dict[str, list[PriceLine]] = {}
        for line in price_list:
            key = article_key(line.article)
            found = self._lines.get(key)
            if found is None:
                self._lines[key] = [line]
            else:
                found.append(line)

    def article(self, article: str) -> _Article:
        lines = self._lines.get(article_key(article))
        if not lines:
            return _NOT_LISTED
        if len(lines) > 1:
            # By *Gyldig fra* (none first), equal dates in the price list's order (stable).
            lines = sorted(lines, key=_valid_from)
        factor = self._factor
        return _Article(
            [
                _Price(line.valid_from, line.agreed_price, line.agreed_price * factor, line.core)
                for line in lines
            ],
            lines[0].description,
        )


def _valid_from(line: PriceLine) -> date:
    return line.valid_from or date.min


_NOT_LISTED: Final = _Article([], "")
"""Every article not on the price list (read only: its lines are counted off-list)."""


def _overcharge(line: StatisticsLine, invoiced: Decimal, agreed: Decimal) -> Decimal:
    if line.quantity is not None:
        if line.unit_price is None:
            return line.amount - agreed * line.quantity
        return (invoiced - agreed) * line.quantity
    if invoiced == 0:
        return _ZERO
    return line.amount * (invoiced - agreed) / invoiced


def _ceiling(terms: AgreementTerms) -> tuple[Decimal | None, CeilingSource | None]:
    if terms.maximum_value is not None and terms.maximum_value > 0:
        return terms.maximum_value, "maksverdi"
    if terms.estimated_value is not None and terms.estimated_value > 0:
        return terms.estimated_value, "estimert"
    return None, None


def _reached_on(
    ceiling: Decimal | None, used: Decimal, turnover: Decimal, period: tuple[date, date]
) -> date | None:
    if ceiling is None or used >= ceiling or turnover <= 0:
        return None
    days = (period[1] - period[0]).days + 1
    # remaining ÷ (turnover ÷ days), rounded up to whole days.
    needed = ((ceiling - used) * days / turnover).to_integral_value(rounding=ROUND_CEILING)
    try:
        return period[1] + timedelta(days=int(needed))
    except OverflowError:
        return None


def _checked_period(period: tuple[date, date]) -> tuple[date, date]:
    start, end = period
    if end < start:
        msg = f"The period ends ({end}) before it starts ({start})"
        raise ValueError(msg)
    return start, end


@dataclass(frozen=True, slots=True)
class _Sums:
    """The exact sums of one pass over the statistics lines."""

    lines: int
    turnover: Decimal
    core: Decimal
    off_list: LineTotal
    unchecked: LineTotal
    deviation_lines: int
    overcharge: Decimal
    deviations: tuple[PriceDeviation, ...]


def _sum_lines(lines: Sequence[StatisticsLine], prices: _PriceList) -> _Sums:
    # One pass, kept flat: an agreement-quarter runs to 20 000 lines.
    articles: dict[str, _Article] = {}
    turnover = core = off_list = unchecked = overcharge = _ZERO
    count = off_list_lines = unchecked_lines = deviation_lines = 0
    deviating: list[tuple[Decimal, StatisticsLine, Decimal, _Price]] = []
    for line in lines:
        amount = line.amount
        turnover += amount
        count += line.lines
        entry = articles.get(line.article)
        if entry is None:
            entry = articles[line.article] = prices.article(line.article)
        if not entry.listed:
            off_list += amount
            off_list_lines += line.lines
            continue
        day = line.period_from
        price = entry.valid if entry.since <= day < entry.until else entry.valid_on(day)
        if price is not None and price.core:
            core += amount
        quantity = line.quantity
        if price is None or quantity == 0:
            invoiced = None
        elif line.unit_price is not None:
            invoiced = line.unit_price
        elif quantity is not None:
            invoiced = amount / quantity
        else:
            invoiced = None
        if price is None or invoiced is None:
            unchecked += amount
            unchecked_lines += line.lines
            continue
        if invoiced <= price.limit:
            continue
        extra = _overcharge(line, invoiced, price.agreed)
        overcharge += extra
        deviation_lines += line.lines
        deviating.append((extra, line, invoiced, price))
    # Largest overcharge first; equal ones keep the order the lines came in (a stable sort).
    deviating.sort(key=itemgetter(0), reverse=True)
    return _Sums(
        lines=count,
        turnover=turnover,
        core=core,
        off_list=LineTotal(off_list_lines, off_list),
        unchecked=LineTotal(unchecked_lines, unchecked),
        deviation_lines=deviation_lines,
        overcharge=overcharge,
        deviations=tuple(
            [
                # Positional, in PriceDeviation's field order (a quarter may hold thousands).
                PriceDeviation(
                    line.article.strip(),
                    line.description or articles[line.article].description,
                    line.customer,
                    line.period_from,
                    line.period_to,
                    invoiced if line.unit_price is not None else invoiced.quantize(_UNIT_PRICE),
                    price.agreed,
                    price.valid_from,
                    line.quantity,
                    line.amount.quantize(_ORE, rounding=ROUND_HALF_UP),
                    extra.quantize(_ORE, rounding=ROUND_HALF_UP),
                    line.lines,
                )
                for extra, line, invoiced, price in deviating
            ]
        ),
    )


def _flags(
    sums: _Sums,
    ceiling_used: Decimal | None,
    *,
    loyalty: Decimal | None,
    statistics_missing: bool,
    thresholds: Thresholds,
) -> tuple[Flag, ...]:
    """The flags, decided on the exact figures, in `Flag`'s order."""
    raised: set[Flag] = set()
    if sums.turnover > 0:
        if sums.core / sums.turnover < thresholds.core_share_min:
            raised.add(Flag.CORE_SHARE_LOW)
        if sums.off_list.amount / sums.turnover > thresholds.off_list_share_max:
            raised.add(Flag.OFF_LIST_HIGH)
    if sums.deviations:
        raised.add(Flag.PRICE_DEVIATION)
    if ceiling_used is not None and ceiling_used >= thresholds.ceiling_warn:
        raised.add(Flag.CEILING_80)
    if ceiling_used is not None and ceiling_used >= 1:
        raised.update((Flag.CEILING_80, Flag.CEILING_100))
    if loyalty is not None and loyalty < thresholds.loyalty_min:
        raised.add(Flag.LEAKAGE_HIGH)
    if statistics_missing:
        raised.add(Flag.STATISTICS_MISSING)
    return tuple(flag for flag in Flag if flag in raised)


@exact
def analyse_agreement(
    terms: AgreementTerms,
    price_list: Sequence[PriceLine],
    lines: Sequence[StatisticsLine],
    period: tuple[date, date],
    *,
    turnover_before: Decimal,
    statistics_missing: bool,
    thresholds: Thresholds,
    loyalty: Decimal | None = None,
) -> AgreementAnalysis:
    """The figures of `terms`' agreement for `period` (fra, til; both days included).

    `lines` are the agreement's statistics lines inside the period (storage may pass lines
    pre-summed, `StatisticsLine.lines` > 1); `turnover_before` is the turnover from the
    agreement's start up to the day before `fra`; `statistics_missing` sets that flag (a
    statistics follow-up is overdue); `loyalty`, from `leakage`, sets `leakage_high` when below
    `thresholds.loyalty_min`. Raises `ValueError` when the period ends before it starts.
    """
    period = _checked_period(period)
    sums = _sum_lines(lines, _PriceList(price_list, thresholds.price_tolerance))
    ceiling, source = _ceiling(terms)
    used = turnover_before + sums.turnover
    return AgreementAnalysis(
        reference=terms.reference,
        title=terms.title,
        period_from=period[0],
        period_to=period[1],
        lines=sums.lines,
        turnover=_money(sums.turnover),
        core_turnover=_money(sums.core),
        off_list_turnover=_money(sums.off_list.amount),
        core_share=_share(sums.core, sums.turnover),
        off_list_share=_share(sums.off_list.amount, sums.turnover),
        price_deviations=sums.deviations,
        price_deviation_lines=sums.deviation_lines,
        overcharge=_money(sums.overcharge),
        lines_without_price=LineTotal(sums.off_list.lines, _money(sums.off_list.amount)),
        lines_unchecked=LineTotal(sums.unchecked.lines, _money(sums.unchecked.amount)),
        turnover_before=_money(turnover_before),
        ceiling=None if ceiling is None else _money(ceiling),
        ceiling_source=source,
        ceiling_used_amount=_money(used),
        ceiling_used=None if ceiling is None else _share(used, ceiling),
        ceiling_reached_on=_reached_on(ceiling, used, sums.turnover, period),
        loyalty=None if loyalty is None else loyalty.quantize(_SHARE, rounding=ROUND_HALF_UP),
        flags=_flags(
            sums,
            None if ceiling is None else used / ceiling,
            loyalty=loyalty,
            statistics_missing=statistics_missing,
            thresholds=thresholds,
        ),
    )


# --- leakage ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpendLine:
    """The ledger summed per org.nr, supplier name and account for a period (storage sums it)."""

    organisation_number: str | None
    supplier_name: str
    account: str
    amount: Decimal
    """Ex. VAT; credit notes are negative and net out."""


@dataclass(frozen=True, slots=True)
class SupplierSpend:
    """A supplier other than the agreement's, and what was bought from it on the accounts."""

    org_nr: str | None
    """Nine digits; None when the ledger named the supplier without one."""
    name: str
    spend: Decimal


@dataclass(frozen=True, slots=True)
class LeakageGroup:
    """Loyalty and leakage on one agreement's accounts for a period."""

    reference: str
    title: str
    period_from: date
    period_to: date
    accounts: str
    """The accounts as people write them: «1250, 1300–1309»."""
    spend: Decimal
    agreement_spend: Decimal
    loyalty: Decimal | None
    leakage: Decimal
    top_suppliers: tuple[SupplierSpend, ...]
    """The largest other suppliers, largest first, at most `TOP_SUPPLIERS`."""
    others_spend: Decimal
    """What the suppliers after the top ones add up to."""
    others_suppliers: int
    leakage_high: bool


def _organisation_key(number: str | None) -> str | None:
    if number is None:
        return None
    digits = "".join(character for character in number if character in _DIGITS)
    return digits or None


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


class _Supplier:
    __slots__ = ("names", "org_nr", "spend")

    def __init__(self, org_nr: str | None) -> None:
        self.org_nr = org_nr
        self.spend = _ZERO
        self.names: dict[str, Decimal] = {}

    def add(self, name: str, amount: Decimal) -> None:
        self.spend += amount
        shown = " ".join(name.split())
        self.names[shown] = self.names.get(shown, _ZERO) + amount

    def named(self) -> SupplierSpend:
        # The name most was bought under (a ledger spells one supplier several ways).
        name = min(self.names.items(), key=lambda item: (-item[1], item[0]))[0]
        return SupplierSpend(org_nr=self.org_nr, name=name, spend=_money(self.spend))


class _Tally:
    __slots__ = ("agreement_spend", "organisations", "others", "spend", "terms")

    def __init__(self, terms: AgreementTerms) -> None:
        self.terms = terms
        self.organisations = frozenset(
            key for key in map(_organisation_key, terms.organisation_numbers) if key is not None
        )
        self.spend = _ZERO
        self.agreement_spend = _ZERO
        self.others: dict[str, _Supplier] = {}


def _covering(tallies: Sequence[_Tally], accounts: set[str]) -> dict[str, list[_Tally]]:
    """For each account, the agreements whose *Kontoer* cover it (in `tallies`' order), by
    `AccountRange.covers`. A region's ledger names thousands of accounts and its agreements
    hundreds of ranges, so a range of digits finds its accounts by search, not by trying each."""
    covering: dict[str, list[_Tally]] = {account: [] for account in accounts}
    numbered = sorted((int(a), a) for a in accounts if a.isascii() and a.isdigit())
    numbers = [number for number, _ in numbered]
    others = [a for a in accounts if not (a.isascii() and a.isdigit())]
    for tally in tallies:
        hit: set[str] = set()
        for accounts_range in tally.terms.accounts:
            first, last = accounts_range.first, accounts_range.last
            if first == last:
                if first in covering:
                    hit.add(first)
            elif first.isascii() and first.isdigit() and last.isascii() and last.isdigit():
                low = bisect_left(numbers, int(first))
                high = bisect_right(numbers, int(last))
                hit.update(account for _, account in numbered[low:high])
                hit.update(account for account in others if accounts_range.covers(account))
            else:
                hit.update(account for account in accounts if accounts_range.covers(account))
        for account in hit:
            covering[account].append(tally)
    return covering


@exact
def leakage(
    terms: Sequence[AgreementTerms],
    spend: Sequence[SpendLine],
    period: tuple[date, date],
    *,
    thresholds: Thresholds | None = None,
) -> list[LeakageGroup]:
    """One `LeakageGroup` per agreement that has accounts (the others have no leakage to
    measure), the largest leakage first. `spend` is the ledger for `period`, summed per org.nr,
    name and account; `thresholds.loyalty_min` decides `leakage_high` (the default thresholds
    when None). Raises `ValueError` when the period ends before it starts."""
    period = _checked_period(period)
    loyalty_min = (thresholds or Thresholds()).loyalty_min
    tallies = [_Tally(agreement) for agreement in terms if agreement.accounts]
    accounts = [line.account.strip() for line in spend]
    covering = _covering(tallies, set(accounts))
    organisations: dict[str | None, str | None] = {}
    names: dict[str, str] = {}
    for line, account in zip(spend, accounts, strict=True):
        found = covering[account]
        if not found:
            continue
        raw = line.organisation_number
        if raw in organisations:
            organisation = organisations[raw]
        else:
            organisation = organisations[raw] = _organisation_key(raw)
        for tally in found:
            tally.spend += line.amount
            if organisation is not None and organisation in tally.organisations:
                tally.agreement_spend += line.amount
                continue
            key = organisation
            if key is None:
                key = names.get(line.supplier_name)
                if key is None:
                    key = names[line.supplier_name] = "name:" + _name_key(line.supplier_name)
            supplier = tally.others.get(key)
            if supplier is None:
                supplier = tally.others[key] = _Supplier(organisation)
            supplier.add(line.supplier_name, line.amount)

    groups = [_group(tally, period, loyalty_min) for tally in tallies]
    groups.sort(key=lambda group: (-group.leakage, group.reference))
    return groups


def _group(tally: _Tally, period: tuple[date, date], loyalty_min: Decimal) -> LeakageGroup:
    others = sorted(
        (supplier.named() for supplier in tally.others.values() if supplier.spend != 0),
        key=lambda supplier: (-supplier.spend, supplier.name.casefold(), supplier.org_nr or ""),
    )
    rest = others[TOP_SUPPLIERS:]
    exact_loyalty = None if tally.spend <= 0 else tally.agreement_spend / tally.spend
    return LeakageGroup(
        reference=tally.terms.reference,
        title=tally.terms.title,
        period_from=period[0],
        period_to=period[1],
        accounts=accounts_text(tally.terms.accounts),
        spend=_money(tally.spend),
        agreement_spend=_money(tally.agreement_spend),
        loyalty=_share(tally.agreement_spend, tally.spend),
        leakage=_money(tally.spend - tally.agreement_spend),
        top_suppliers=tuple(others[:TOP_SUPPLIERS]),
        others_spend=_money(sum((supplier.spend for supplier in rest), _ZERO)),
        others_suppliers=len(rest),
        leakage_high=exact_loyalty is not None and exact_loyalty < loyalty_min,
    )


# --- JSON (issue 16, Outputs item 5) -----------------------------------------------------------

JsonValue: TypeAlias = str | int | float | bool | list["JsonValue"] | dict[str, "JsonValue"] | None


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _line_total(total: LineTotal) -> dict[str, JsonValue]:
    return {"lines": total.lines, "amount_nok": _number(total.amount)}


def _deviation_json(deviation: PriceDeviation) -> dict[str, JsonValue]:
    return {
        "article": deviation.article,
        "description": deviation.description,
        "customer": deviation.customer,
        "from": _day(deviation.period_from),
        "to": _day(deviation.period_to),
        "invoiced_price_nok": _number(deviation.invoiced_price),
        "agreed_price_nok": _number(deviation.agreed_price),
        "price_valid_from": _day(deviation.price_valid_from),
        "quantity": _number(deviation.quantity),
        "amount_nok": _number(deviation.amount),
        "overcharge_nok": _number(deviation.overcharge),
        "lines": deviation.lines,
    }


def to_json(analysis: AgreementAnalysis) -> dict[str, JsonValue]:
    """The analysis as the JSON object `kontraktsvakt analyse --json` prints (`json.dumps` it):
    ISO dates, money as numbers in kroner rounded to øre, shares as numbers from 0 to 1."""
    return {
        "reference": analysis.reference,
        "title": analysis.title,
        "from": _day(analysis.period_from),
        "to": _day(analysis.period_to),
        "lines": analysis.lines,
        "turnover_nok": _number(analysis.turnover),
        "core_turnover_nok": _number(analysis.core_turnover),
        "off_list_turnover_nok": _number(analysis.off_list_turnover),
        "core_share": _number(analysis.core_share),
        "off_list_share": _number(analysis.off_list_share),
        "price_deviation_lines": analysis.price_deviation_lines,
        "overcharge_nok": _number(analysis.overcharge),
        "price_deviations": [_deviation_json(item) for item in analysis.price_deviations],
        "lines_without_price": _line_total(analysis.lines_without_price),
        "lines_unchecked": _line_total(analysis.lines_unchecked),
        "turnover_before_nok": _number(analysis.turnover_before),
        "ceiling_nok": _number(analysis.ceiling),
        "ceiling_source": analysis.ceiling_source,
        "ceiling_used_nok": _number(analysis.ceiling_used_amount),
        "ceiling_used": _number(analysis.ceiling_used),
        "ceiling_reached_on": _day(analysis.ceiling_reached_on),
        "loyalty": _number(analysis.loyalty),
        "flags": [flag.value for flag in analysis.flags],
    }


def _supplier_json(supplier: SupplierSpend) -> dict[str, JsonValue]:
    return {"org_nr": supplier.org_nr, "name": supplier.name, "spend_nok": _number(supplier.spend)}


def leakage_to_json(groups: Sequence[LeakageGroup]) -> dict[str, JsonValue]:
    """The groups as the JSON object `kontraktsvakt lekkasje --json` prints: `{"groups": [...]}`."""
    return {
        "groups": [
            {
                "reference": group.reference,
                "title": group.title,
                "from": _day(group.period_from),
                "to": _day(group.period_to),
                "accounts": group.accounts,
                "spend_nok": _number(group.spend),
                "agreement_spend_nok": _number(group.agreement_spend),
                "loyalty": _number(group.loyalty),
                "leakage_nok": _number(group.leakage),
                "leakage_high": group.leakage_high,
                "top_suppliers": [_supplier_json(item) for item in group.top_suppliers],
                "others_nok": _number(group.others_spend),
                "others_suppliers": group.others_suppliers,
            }
            for group in groups
        ]
    }


__all__ = [
    "TOP_SUPPLIERS",
    "AgreementAnalysis",
    "CeilingSource",
    "JsonValue",
    "LeakageGroup",
    "LineTotal",
    "PriceDeviation",
    "SpendLine",
    "SupplierSpend",
    "analyse_agreement",
    "leakage",
    "leakage_to_json",
    "to_json",
]
