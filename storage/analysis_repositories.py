"""Purchase analysis (issue 16) in the database: imported files, price lists, sales statistics
and ledger lines in; what an analysis needs out, summed in SQL.

Money and quantities are scaled integers in the tables (exact sums, cheap bulk inserts): amounts
in øre, unit prices in 1/10 000 krone, quantities in 1/1 000. Re-importing a period of an
agreement deletes that period's lines first, in the same transaction.

At region scale (bench/analysis.py: a million lines of one agreement, a ledger of a million):
- a statistics file's or ledger extract's lines go to the driver as plain tuples of the values
  the columns store (`storage.driver_rows.LineWriter`: one `executemany` a chunk on SQLite, one
  `COPY` streamed while the file is read on PostgreSQL): no dict, no ORM and no bind processor
  a line;
- beside the lines, each period of an agreement has its line count and sum
  (`statistics_periods`: the turnover before a period, for the ceiling, reads a row a period)
  and its lines as an analysis reads them (`statistics_sums`: summed per article, price and
  sign), both made again from the lines whenever lines of the period are stored or removed;
- an analysis reads thousands of rows through `storage.driver_rows.DriverQuery`;
- the spend on a region's accounts is one range of the covering ledger index an account range.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from followup.accounts import AccountRange
from followup.analysis.exact import EXACT
from followup.analysis.figures import SpendLine
from followup.analysis.models import (
    AnalysisImport,
    LedgerLine,
    PriceLine,
    StatisticsLine,
)
from followup.analysis.reading import article_key
from storage.bulk_insert import insert_rows
from storage.driver_rows import DriverQuery, LineWriter, ReadValues, StoredValues
from storage.tables import (
    AnalysisImportRow,
    LedgerLineRow,
    PriceListLineRow,
    StatisticsLineRow,
    StatisticsPeriodRow,
    StatisticsSumRow,
    table_of,
)

_IMPORTS: Final = table_of(AnalysisImportRow)
_PRICES: Final = table_of(PriceListLineRow)
_STATISTICS: Final = table_of(StatisticsLineRow)
_PERIODS: Final = table_of(StatisticsPeriodRow)
_SUMS: Final = table_of(StatisticsSumRow)
_LEDGER: Final = table_of(LedgerLineRow)
_CHUNK: Final = 5_000
"""Lines per `executemany` (SQLite) or per flush of the `COPY` buffer: enough to pay, few
enough to keep memory flat."""

_GROUPING_MEMORY: Final = "256MB"
"""PostgreSQL's `work_mem` while an import makes its period sums."""
_STATISTICS_COLUMNS: Final = (
    "contract_id", "import_id", "period_from", "period_to", "customer", "article_key",
    "article", "description", "unit", "quantity_e3", "unit_price_e4", "amount_ore",
    "core_marked",
)  # fmt: skip
_LEDGER_COLUMNS: Final = (
    "import_id", "voucher_date", "organisation_number", "supplier_name", "amount_ore", "account",
    "responsibility",
)  # fmt: skip

_ONE = Decimal(1)


def _scaled(value: Decimal, places: int) -> int:
    """`value` × 10^places as an integer, rounded half away from zero (ROUND_HALF_UP). Money
    and prices run to 17 digits here: every conversion runs in the full-precision context
    (`EXACT`), whatever the process has set (`followup.analysis.exact`)."""
    shifted = value.scaleb(places, EXACT)
    whole = int(shifted)
    if whole == shifted:  # nearly always: files give øre, and prices and quantities as written
        return whole
    return int(shifted.quantize(_ONE, rounding=ROUND_HALF_UP, context=EXACT))


_SUM_COLUMNS: Final = (
    "contract_id", "period_from", "period_to", "article", "description", "unit", "quantity_e3",
    "unit_price_e4", "amount_ore", "lines",
)  # fmt: skip


_PRICED_GROUP: Final = (
    _STATISTICS.c.contract_id,
    _STATISTICS.c.period_from,
    _STATISTICS.c.period_to,
    _STATISTICS.c.article_key,
    _STATISTICS.c.unit_price_e4,
)


def _summed_lines(inside: Any) -> tuple[Any, Any]:
    """The statistics lines matching `inside` as an analysis reads them (`_SUM_COLUMNS`): lines
    with a unit price and a quantity other than zero summed per article (`article_key`),
    period and invoiced unit price; the others one by one (their price is their own amount ÷
    quantity, or cannot be checked), and so are the lines of a group whose quantities sum to
    0 (a sale and its full return: summed, they could not be price-checked)."""
    s = _STATISTICS
    summed_to_zero = (
        select(*_PRICED_GROUP)
        .where(inside, s.c.unit_price_e4.is_not(None), s.c.quantity_e3 != 0)
        .group_by(*_PRICED_GROUP)
        .having(func.sum(s.c.quantity_e3) == 0)
    )
    priced = (
        select(
            s.c.contract_id,
            s.c.period_from,
            s.c.period_to,
            func.min(s.c.article),
            func.min(s.c.description),
            func.min(s.c.unit),
            func.sum(s.c.quantity_e3),
            s.c.unit_price_e4,
            func.sum(s.c.amount_ore),
            func.count(),
        )
        .where(inside, s.c.unit_price_e4.is_not(None), s.c.quantity_e3 != 0)
        .group_by(*_PRICED_GROUP)
        .having(func.sum(s.c.quantity_e3) != 0)
        # A period's sums side by side in the table: an analysis reads them in one sweep.
        .order_by(s.c.period_from, s.c.period_to)
    )
    unpriced = select(
        s.c.contract_id,
        s.c.period_from,
        s.c.period_to,
        s.c.article,
        s.c.description,
        s.c.unit,
        s.c.quantity_e3,
        s.c.unit_price_e4,
        s.c.amount_ore,
        literal(1, BigInteger),
    ).where(
        inside,
        or_(
            s.c.unit_price_e4.is_(None),
            s.c.quantity_e3.is_(None),
            s.c.quantity_e3 == 0,
            tuple_(*_PRICED_GROUP).in_(summed_to_zero),
        ),
    )
    return priced, unpriced.order_by(s.c.period_from, s.c.period_to, s.c.id)


_MISSING: Final[Any] = object()
_PRICE_LIST: Final = DriverQuery(
    select(
        _PRICES.c.article,
        _PRICES.c.description,
        _PRICES.c.unit,
        _PRICES.c.agreed_price_e4,
        _PRICES.c.core,
        _PRICES.c.valid_from,
    )
    .where(_PRICES.c.contract_id == bindparam("contract_id"))
    .order_by(_PRICES.c.article_key, _PRICES.c.valid_from, _PRICES.c.id)
)
_SUMS_OF_PERIOD: Final = DriverQuery(
    select(
        _SUMS.c.period_from,
        _SUMS.c.period_to,
        _SUMS.c.article,
        _SUMS.c.description,
        _SUMS.c.unit,
        _SUMS.c.quantity_e3,
        _SUMS.c.unit_price_e4,
        _SUMS.c.amount_ore,
        _SUMS.c.lines,
    )
    .where(
        _SUMS.c.contract_id == bindparam("contract_id"),
        _SUMS.c.period_from >= bindparam("start"),
        _SUMS.c.period_to <= bindparam("end"),
    )
    .order_by(_SUMS.c.id)
)


def _disjoint(ranges: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Text ranges (sorted) merged where they overlap."""
    merged: list[tuple[str, str]] = []
    for first, last in ranges:
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _in_spans(account: str, spans: Sequence[tuple[str, str]], starts: Sequence[str]) -> bool:
    """Whether `account` lies (as text) in one of the disjoint, sorted `spans`."""
    index = bisect_right(starts, account) - 1
    return index >= 0 and account <= spans[index][1]


class _PendingStatistics:
    """What `add_statistics` holds while it streams: whose lines, its writer, the chunk not yet
    written, and the periods the agreement had lines of before (of other imports)."""

    __slots__ = ("chunk", "contract_id", "import_id", "stored_before", "writer")

    def __init__(
        self,
        contract_id: str,
        import_id: str,
        writer: LineWriter,
        stored_before: Sequence[tuple[date, date]],
    ) -> None:
        self.contract_id = contract_id
        self.import_id = import_id
        self.writer = writer
        self.stored_before = stored_before
        self.chunk: list[tuple[Any, ...]] = []

    def may_overlap(
        self, contract_id: str, keep_import: str, periods: Collection[tuple[date, date]]
    ) -> bool:
        """Whether removing `periods` of `contract_id` but `keep_import`'s lines might find
        lines: not when they are this stream's agreement and import and no period stored
        before overlaps (a first import's removals then cost nothing, and on PostgreSQL its
        `COPY` runs on unbroken)."""
        if contract_id != self.contract_id or keep_import != self.import_id:
            return True
        return any(
            first <= end and last >= start
            for first, last in self.stored_before
            for start, end in periods
        )


class SqlAlchemyAnalysisRepository:
    def __init__(self, session: Session) -> None:
        self._session = session
        self._pending: _PendingStatistics | None = None
        self._pending_ledger: tuple[LineWriter, list[tuple[Any, ...]]] | None = None

    # --- in ------------------------------------------------------------------------------------

    def add_import(self, record: AnalysisImport) -> None:
        self._session.flush()
        self._session.connection().execute(
            insert(_IMPORTS).values(
                id=record.id,
                kind=record.kind.value,
                contract_id=record.contract_id,
                file_name=record.file_name,
                sha256=record.sha256,
                period_from=record.period_from,
                period_to=record.period_to,
                lines=record.lines,
                imported_by=record.imported_by,
                imported_at=record.imported_at,
            )
        )

    def finish_import(
        self, import_id: str, lines: int, period_from: date | None, period_to: date | None
    ) -> None:
        self._session.connection().execute(
            update(_IMPORTS)
            .where(_IMPORTS.c.id == import_id)
            .values(lines=lines, period_from=period_from, period_to=period_to)
        )

    def replace_price_list(
        self, contract_id: str, import_id: str, lines: Sequence[PriceLine]
    ) -> int:
        """Put `lines` in place of the agreement's lines valid from the same dates (a file with
        no *Gyldig fra* replaces the undated list); returns how many were replaced."""
        self._session.flush()
        connection = self._session.connection()
        dated = {line.valid_from for line in lines if line.valid_from is not None}
        conditions = [_PRICES.c.valid_from.in_(sorted(dated))] if dated else []
        if any(line.valid_from is None for line in lines):
            conditions.append(_PRICES.c.valid_from.is_(None))
        removed = 0
        if conditions:
            result = connection.execute(
                delete(_PRICES).where(_PRICES.c.contract_id == contract_id, or_(*conditions))
            )
            removed = int(result.rowcount or 0)
        rows = [
            {
                "contract_id": contract_id,
                "import_id": import_id,
                "article_key": article_key(line.article),
                "article": line.article,
                "description": line.description,
                "unit": line.unit,
                "agreed_price_e4": _scaled(line.agreed_price, 4),
                "core": line.core,
                "valid_from": line.valid_from,
            }
            for line in lines
        ]
        for first in range(0, len(rows), _CHUNK):
            insert_rows(self._session, _PRICES, rows[first : first + _CHUNK])
        return removed

    def remove_statistics(
        self, contract_id: str, periods: Collection[tuple[date, date]], *, keep_import: str
    ) -> int:
        """Delete the agreement's statistics lines whose period overlaps one of `periods` (a
        re-import: a quarter sent after its months replaces them), except the lines of the
        import `keep_import` (the one under way). The overlapping periods are found in
        `statistics_periods` (a row a period), and their lines deleted by the index."""
        if not periods:
            return 0
        if self._pending is not None and not self._pending.may_overlap(
            contract_id, keep_import, periods
        ):
            return 0
        self._flush_lines()
        self._session.flush()
        connection = self._session.connection()
        p, s = _PERIODS, _STATISTICS
        overlapping = [
            (first, last)
            for first, last in connection.execute(
                select(p.c.period_from, p.c.period_to).where(
                    p.c.contract_id == contract_id,
                    or_(
                        *(
                            and_(p.c.period_from <= end, p.c.period_to >= start)
                            for start, end in periods
                        )
                    ),
                )
            )
        ]
        if not overlapping:
            return 0
        chosen = tuple_(s.c.period_from, s.c.period_to).in_(overlapping)
        result = connection.execute(
            delete(s).where(s.c.contract_id == contract_id, s.c.import_id != keep_import, chosen)
        )
        removed = int(result.rowcount or 0)
        if removed:
            self._refresh_periods(contract_id, overlapping)  # what is left: `keep_import`'s
        return removed

    def add_statistics(
        self, contract_id: str, import_id: str, lines: Iterable[StatisticsLine]
    ) -> int:
        """Store `lines` (streamed: memory stays flat), then make `statistics_periods` and
        `statistics_sums` of their periods again."""
        self._session.flush()
        connection = self._session.connection()
        writer = LineWriter(connection, _STATISTICS, _STATISTICS_COLUMNS)
        stored = StoredValues(connection)
        day, flag = stored.day, stored.flag
        keys: dict[str, str] = {}  # article → article_key: a file names each article often
        periods: set[tuple[date, date]] = set()
        stored_before = connection.execute(
            select(_PERIODS.c.period_from, _PERIODS.c.period_to).where(
                _PERIODS.c.contract_id == contract_id
            )
        ).all()
        pending = self._pending = _PendingStatistics(
            contract_id, import_id, writer, [(first, last) for first, last in stored_before]
        )
        chunk = pending.chunk
        period: tuple[date, date] | None = None
        texts: tuple[object, object] = (None, None)
        count = 0
        try:
            for count, line in enumerate(lines, start=1):  # noqa: B007 - the count is returned
                if period is None or line.period_from != period[0] or line.period_to != period[1]:
                    period = (line.period_from, line.period_to)
                    periods.add(period)
                    texts = (day(period[0]), day(period[1]))
                article = line.article
                key = keys.get(article)
                if key is None:
                    key = keys[article] = article_key(article)
                quantity, price = line.quantity, line.unit_price
                chunk.append(
                    (
                        contract_id,
                        import_id,
                        texts[0],
                        texts[1],
                        line.customer,
                        key,
                        article,
                        line.description,
                        line.unit,
                        None if quantity is None else _scaled(quantity, 3),
                        None if price is None else _scaled(price, 4),
                        _scaled(line.amount, 2),
                        flag(line.core),
                    )
                )
                if len(chunk) >= _CHUNK:
                    writer.write(chunk)
                    chunk.clear()
            self._flush_lines()
        except BaseException as exc:  # a file that broke while read: end the COPY, then raise
            writer.abandon(exc)
            raise
        finally:
            self._pending = None
        self._refresh_periods(contract_id, periods)
        return count

    def _flush_lines(self) -> None:
        """Write the lines `add_statistics` holds before another statement runs: a removal
        during the stream (the service removes a period when it first meets it) then finds
        every line stored before it."""
        pending = self._pending
        if pending is None:
            return
        pending.writer.write(pending.chunk)
        pending.chunk.clear()
        pending.writer.flush()

    def remove_ledger_between(self, start: date, end: date) -> int:
        """Delete the ledger lines dated in [start, end] (a re-imported extract)."""
        self._flush_ledger()
        self._session.flush()
        result = self._session.connection().execute(
            delete(_LEDGER).where(_LEDGER.c.voucher_date.between(start, end))
        )
        return int(result.rowcount or 0)

    def add_ledger(self, import_id: str, lines: Iterable[LedgerLine]) -> int:
        """Store `lines` (streamed: memory stays flat)."""
        self._session.flush()
        connection = self._session.connection()
        writer = LineWriter(connection, _LEDGER, _LEDGER_COLUMNS)
        day = StoredValues(connection).day
        chunk: list[tuple[Any, ...]] = []
        self._pending_ledger = (writer, chunk)
        count = 0
        try:
            for count, line in enumerate(lines, start=1):  # noqa: B007 - the count is returned
                chunk.append(
                    (
                        import_id,
                        day(line.voucher_date),
                        line.organisation_number,
                        line.supplier_name,
                        _scaled(line.amount, 2),
                        line.account,
                        line.responsibility,
                    )
                )
                if len(chunk) >= _CHUNK:
                    writer.write(chunk)
                    chunk.clear()
            self._flush_ledger()
        except BaseException as exc:  # a file that broke while read: end the COPY, then raise
            writer.abandon(exc)
            raise
        finally:
            self._pending_ledger = None
        return count

    def _flush_ledger(self) -> None:
        if self._pending_ledger is None:
            return
        writer, chunk = self._pending_ledger
        writer.write(chunk)
        chunk.clear()
        writer.flush()

    def _refresh_periods(self, contract_id: str, periods: Collection[tuple[date, date]]) -> None:
        """Make `statistics_periods` and `statistics_sums` of these periods again from the
        agreement's lines (after lines of them were stored or removed)."""
        if not periods:
            return
        connection = self._session.connection()
        if connection.dialect.name == "postgresql":
            # Grouping a million lines by hashing them, in memory, rather than sorting them
            # on disk (the default 4 MB): until this transaction ends.
            connection.exec_driver_sql(f"SET LOCAL work_mem = '{_GROUPING_MEMORY}'")
        chosen = sorted(periods)
        for table in (_PERIODS, _SUMS):
            connection.execute(
                delete(table).where(
                    table.c.contract_id == contract_id,
                    tuple_(table.c.period_from, table.c.period_to).in_(chosen),
                )
            )
        s = _STATISTICS
        inside = and_(
            s.c.contract_id == contract_id, tuple_(s.c.period_from, s.c.period_to).in_(chosen)
        )
        connection.execute(
            insert(_PERIODS).from_select(
                ["contract_id", "period_from", "period_to", "lines", "amount_ore"],
                select(
                    s.c.contract_id,
                    s.c.period_from,
                    s.c.period_to,
                    func.count(),
                    func.sum(s.c.amount_ore),
                )
                .where(inside)
                .group_by(s.c.contract_id, s.c.period_from, s.c.period_to),
            )
        )
        for query in _summed_lines(inside):
            connection.execute(insert(_SUMS).from_select(_SUM_COLUMNS, query))

    # --- out -----------------------------------------------------------------------------------

    def price_list(self, contract_id: str) -> Sequence[PriceLine]:
        self._session.flush()
        connection = self._session.connection()
        day = ReadValues(connection).day
        return [
            PriceLine(
                article,
                description,
                unit,
                Decimal(price).scaleb(-4, EXACT),
                bool(core),
                None if valid_from is None else day(valid_from),
            )
            for article, description, unit, price, core, valid_from in _PRICE_LIST.rows(
                connection, {"contract_id": contract_id}
            )
        ]

    def statistics_summed(
        self, contract_id: str, start: date, end: date
    ) -> Sequence[StatisticsLine]:
        """The agreement's lines whose period lies in [start, end], summed over lines that
        differ only in customer, quantity and amount (see `_summed_lines`): no figure changes
        (`StatisticsLine.lines`). Read from `statistics_sums`, where the sums are kept."""
        self._session.flush()
        connection = self._session.connection()
        stored, day = StoredValues(connection), ReadValues(connection).day
        rows = _SUMS_OF_PERIOD.rows(
            connection,
            {"contract_id": contract_id, "start": stored.day(start), "end": stored.day(end)},
        )
        # Positional, in StatisticsLine's field order (a quarter may hold thousands); the
        # quantities and prices a quarter repeats made once.
        found: list[StatisticsLine] = []
        add = found.append
        quantities: dict[int | None, Decimal | None] = {None: None}
        prices: dict[int | None, Decimal | None] = {None: None}
        texts: tuple[object, object] = (None, None)
        period = (start, end)
        for p_from, p_to, article, description, unit, qty, price, amount, n in rows:
            if p_from != texts[0] or p_to != texts[1]:
                texts, period = (p_from, p_to), (day(p_from), day(p_to))
            quantity = quantities.get(qty, _MISSING)
            if quantity is _MISSING:
                quantity = quantities[qty] = Decimal(qty).scaleb(-3, EXACT)
            unit_price = prices.get(price, _MISSING)
            if unit_price is _MISSING:
                unit_price = prices[price] = Decimal(price).scaleb(-4, EXACT)
            add(
                StatisticsLine(
                    period[0],
                    period[1],
                    None,
                    article,
                    description,
                    unit,
                    quantity,
                    unit_price,
                    Decimal(amount).scaleb(-2, EXACT),
                    None,
                    n,
                )
            )
        return found

    def turnover_until(self, contract_id: str, before: date) -> Decimal:
        """Σ amount of the agreement's lines whose period ended before `before` (from
        `statistics_periods`: a row a period)."""
        self._session.flush()
        total = (
            self._session.connection()
            .execute(
                select(func.coalesce(func.sum(_PERIODS.c.amount_ore), 0)).where(
                    _PERIODS.c.contract_id == contract_id, _PERIODS.c.period_to < before
                )
            )
            .scalar_one()
        )
        return Decimal(int(total)).scaleb(-2, EXACT)

    def statistics_periods(self, contract_id: str) -> Sequence[tuple[date, date]]:
        """The periods the agreement has statistics for, latest first."""
        self._session.flush()
        rows = self._session.connection().execute(
            select(_PERIODS.c.period_from, _PERIODS.c.period_to)
            .where(_PERIODS.c.contract_id == contract_id)
            .order_by(_PERIODS.c.period_to.desc(), _PERIODS.c.period_from.desc())
        )
        return [(p_from, p_to) for p_from, p_to in rows]

    def ledger_spend(
        self, start: date, end: date, accounts: Sequence[AccountRange]
    ) -> Sequence[SpendLine]:
        """The ledger dated in [start, end] on `accounts`, summed per supplier and account."""
        if not accounts:
            return []
        self._session.flush()
        l = _LEDGER  # noqa: E741
        single = sorted({a.first for a in accounts if a.first == a.last})
        ranges = sorted({(a.first, a.last) for a in accounts if a.first != a.last})
        # A narrowing for the index only: ranges compare as text in SQL, and as numbers in
        # `AccountRange.covers` below (a range whose ends differ in length is not narrowed).
        # One branch a range and one for all single accounts, none overlapping, summed
        # together: each branch is a range of the covering index (an OR of hundreds of terms
        # is tried term by term on every line, and PostgreSQL reads it through the table).
        if any(len(first) != len(last) for first, last in ranges):
            branches: list[Any] = [true()]
        else:
            spans = _disjoint(ranges)
            starts = [first for first, _ in spans]
            alone = [a for a in single if not _in_spans(a, spans, starts)]
            branches = [
                *([l.c.account.in_(alone)] if alone else []),
                *(l.c.account.between(first, last) for first, last in spans),
            ]
        parts = [
            select(l.c.organisation_number, l.c.supplier_name, l.c.account, l.c.amount_ore).where(
                l.c.voucher_date.between(start, end), branch
            )
            for branch in branches
        ]
        lines = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()
        rows = self._session.connection().execute(
            select(
                lines.c.organisation_number,
                lines.c.supplier_name,
                lines.c.account,
                func.sum(lines.c.amount_ore),
            )
            # Per spelling of the name too: the figures show a supplier by the name most was
            # bought under, and tell suppliers without an org.nr apart by name.
            .group_by(lines.c.organisation_number, lines.c.supplier_name, lines.c.account)
        )
        exact = frozenset(single)
        in_ranges = [AccountRange(first, last) for first, last in ranges]
        covered: dict[str, bool] = {}  # per account: a region's ledger repeats a few thousand
        found: list[SpendLine] = []
        for org, name, account, amount in rows:
            hit = covered.get(account)
            if hit is None:
                hit = covered[account] = account in exact or any(
                    span.covers(account) for span in in_ranges
                )
            if hit:
                found.append(SpendLine(org, name, account, Decimal(int(amount)).scaleb(-2, EXACT)))
        return found
