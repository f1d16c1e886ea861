"""The purchase analysis' storage at scale, on real SQLite and PostgreSQL
(`storage.analysis_repositories`): lines go to the driver as plain tuples, and the period sums
an analysis reads are kept beside the lines. What must hold:

- a line stored through the driver is stored exactly as SQLAlchemy stores it (dates, booleans,
  scaled integers, NULLs), read back raw;
- `statistics_periods` and `statistics_sums` always say what the lines say: after a first
  import, a re-import, a quarter sent after its months, lines added twice to one period, and a
  stream of many chunks with a removal in the middle;
- the spend on hundreds of accounts and overlapping ranges is the spend the accounts'
  definition (`AccountRange.covers`) gives, line by line;
- a line the database refuses (an unknown agreement) raises SQLAlchemy's error, as any insert.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from followup.accounts import AccountRange
from followup.analysis.models import (
    AnalysisImport,
    ImportKind,
    LedgerLine,
    StatisticsLine,
)
from followup.analysis.reading import article_key
from followup.models import Contract, ContractType, new_id
from storage.tables import LedgerLineRow, StatisticsLineRow, table_of
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
Q1 = (date(2026, 1, 1), date(2026, 3, 31))
Q2 = (date(2026, 4, 1), date(2026, 6, 30))
JANUARY = (date(2026, 1, 1), date(2026, 1, 31))
FEBRUARY = (date(2026, 2, 1), date(2026, 2, 28))
STATISTICS = table_of(StatisticsLineRow)
LEDGER = table_of(LedgerLineRow)


@pytest.fixture
def agreement(uow_factory: SqlAlchemyUnitOfWorkFactory) -> Contract:
    with uow_factory() as uow:
        contract = add_contract(
            uow,
            NOW,
            owner=add_person(uow, "Kari Nordmann", NOW),
            supplier=add_supplier(uow, "Rørleverandøren AS", seed=1),
            reference="RA-2026-010",
            title="Rør og rørdeler",
            contract_type=ContractType.FRAMEWORK,
        )
        uow.commit()
    return contract


def started(uow: object, kind: ImportKind, contract_id: str | None) -> str:
    import_id = new_id()
    uow.analysis.add_import(  # type: ignore[attr-defined]
        AnalysisImport(import_id, kind, contract_id, "fil.csv", "0" * 64, None, None, 0, "t", NOW)
    )
    return import_id


def line(
    period: tuple[date, date],
    article: str,
    quantity: str | None,
    price: str | None,
    amount: str,
    *,
    customer: str | None = "Skole",
    core: bool | None = None,
) -> StatisticsLine:
    return StatisticsLine(
        period[0],
        period[1],
        customer,
        article,
        f"Vare {article_key(article)}",  # one text a group: which spelling is least varies
        "stk",
        None if quantity is None else Decimal(quantity),
        None if price is None else Decimal(price),
        Decimal(amount),
        core,
    )


def raw_statistics(engine: Engine) -> list[tuple[object, ...]]:
    """The stored statistics lines as the driver returns them (no type processing), by id."""
    columns = ", ".join(c.name for c in STATISTICS.c if c.name not in ("id", "import_id"))
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.exec_driver_sql(
                f"SELECT {columns} FROM statistics_lines ORDER BY id"  # noqa: S608
            )
        ]


def test_lines_through_the_driver_are_stored_as_sqlalchemy_stores_them(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory, agreement: Contract
) -> None:
    lines = [
        line(Q1, "000123", "2.5", "12.3456", "30.86", core=True),
        line(Q1, "A 1", None, None, "-1.005", customer=None, core=None),  # half away from 0
        line(Q2, "a1", "-1", "1", "-1", core=False),
    ]
    with uow_factory() as uow:
        import_id = started(uow, ImportKind.STATISTICS, agreement.id)
        assert uow.analysis.add_statistics(agreement.id, import_id, lines) == 3
        ledger_import = started(uow, ImportKind.LEDGER, None)
        uow.analysis.add_ledger(
            ledger_import,
            [LedgerLine(date(2026, 2, 3), "974600951", "X AS", Decimal("-12.345"), "1250")],
        )
        uow.commit()
    through_driver = raw_statistics(db_engine)
    with db_engine.begin() as connection:
        connection.execute(text("DELETE FROM statistics_lines"))
        for values in (
            (Q1, None, "123", "000123", 2_500, 123_456, 3_086, True, "Skole"),
            (Q1, None, "a1", "A 1", None, None, -101, None, None),
            (Q2, None, "a1", "a1", -1_000, 10_000, -100, False, "Skole"),
        ):
            period, _, key, article, quantity, price, amount, core, customer = values
            connection.execute(
                insert(STATISTICS).values(
                    contract_id=agreement.id,
                    import_id=import_id,
                    period_from=period[0],
                    period_to=period[1],
                    customer=customer,
                    article_key=key,
                    article=article,
                    description=f"Vare {key}",
                    unit="stk",
                    quantity_e3=quantity,
                    unit_price_e4=price,
                    amount_ore=amount,
                    core_marked=core,
                )
            )
    assert through_driver == raw_statistics(db_engine)
    assert [row[4] for row in through_driver] == [article_key(x.article) for x in lines]
    with db_engine.connect() as connection:
        ledger = connection.exec_driver_sql(
            "SELECT voucher_date, organisation_number, amount_ore, account FROM ledger_lines"
        ).one()
    stored_day = "2026-02-03" if db_engine.dialect.name == "sqlite" else date(2026, 2, 3)
    assert tuple(ledger) == (stored_day, "974600951", -1_235, "1250")


def summed_from_lines(
    engine: Engine, contract_id: str, period: tuple[date, date]
) -> list[tuple[object, ...]]:
    """What `statistics_summed` must give, worked out from the raw lines in Python: lines with
    a unit price and a quantity other than zero summed per article key, period and price; the
    others one by one, and so are the lines of a group whose quantities sum to zero."""
    s = STATISTICS
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                s.c.article_key,
                s.c.article,
                s.c.description,
                s.c.unit,
                s.c.period_from,
                s.c.period_to,
                s.c.quantity_e3,
                s.c.unit_price_e4,
                s.c.amount_ore,
            ).where(
                s.c.contract_id == contract_id,
                s.c.period_from >= period[0],
                s.c.period_to <= period[1],
            )
        ).all()
    groups: dict[tuple[object, ...], list[int]] = {}
    shown: dict[tuple[object, ...], tuple[object, ...]] = {}
    members: dict[tuple[object, ...], list[tuple[object, ...]]] = {}
    found: list[tuple[object, ...]] = []
    for key, _article, description, unit, first, last, quantity, price, amount in rows:
        if price is None or not quantity:
            found.append((first, last, key, description, unit, quantity, price, amount, 1))
            continue
        group = (key, first, last, price)
        members.setdefault(group, []).append(
            (first, last, key, description, unit, quantity, price, amount, 1)
        )
        sums = groups.setdefault(group, [0, 0, 0])
        sums[0] += quantity
        sums[1] += amount
        sums[2] += 1
        shown[group] = (description, unit)
    for (key, first, last, price), (quantity, amount, count) in groups.items():
        if quantity == 0:  # a sale and its full return: apart, as summed they cannot be checked
            found.extend(members[key, first, last, price])
            continue
        description, unit = shown[key, first, last, price]
        found.append((first, last, key, description, unit, quantity, price, amount, count))
    return sorted(found, key=repr)


def summed_stored(
    uow_factory: SqlAlchemyUnitOfWorkFactory, contract_id: str, period: tuple[date, date]
) -> list[tuple[object, ...]]:
    with uow_factory() as uow:
        found = uow.analysis.statistics_summed(contract_id, *period)
    return sorted(
        [
            (
                x.period_from,
                x.period_to,
                article_key(x.article),
                x.description,
                x.unit,
                None if x.quantity is None else int(x.quantity * 1000),
                None if x.unit_price is None else int(x.unit_price * 10_000),
                int(x.amount * 100),
                x.lines,
            )
            for x in found
        ],
        key=repr,
    )


def assert_sums_follow_the_lines(
    engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory, contract_id: str
) -> None:
    s = STATISTICS
    with engine.connect() as connection:
        periods = connection.execute(
            select(s.c.period_from, s.c.period_to, func.count(), func.sum(s.c.amount_ore))
            .where(s.c.contract_id == contract_id)
            .group_by(s.c.period_from, s.c.period_to)
        ).all()
    with uow_factory() as uow:
        assert sorted(uow.analysis.statistics_periods(contract_id)) == sorted(
            (first, last) for first, last, _, _ in periods
        )
        for cut in (date(2026, 1, 1), date(2026, 2, 1), date(2026, 4, 1), date(2027, 1, 1)):
            expected = sum(int(amount) for _, last, _, amount in periods if last < cut)
            assert uow.analysis.turnover_until(contract_id, cut) == Decimal(expected) / 100
    for period in (Q1, Q2, JANUARY, FEBRUARY, (date(2026, 1, 1), date(2026, 12, 31))):
        assert summed_stored(uow_factory, contract_id, period) == summed_from_lines(
            engine, contract_id, period
        )


def test_period_sums_follow_imports_re_imports_and_overlapping_periods(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory, agreement: Contract
) -> None:
    first = [
        line(JANUARY, "A1", "10", "12.50", "125.00"),
        line(JANUARY, "a 1", "2", "12.50", "25.00", customer="Sykehjem"),  # the same article
        line(JANUARY, "A1", "-4", "12.50", "-50.00"),  # a return: summed apart
        line(FEBRUARY, "A1", "1", "13.00", "13.00"),
        line(FEBRUARY, "B2", None, None, "99.00"),  # no price: alone
        line(FEBRUARY, "B2", "0", "5.00", "0.00"),  # zero quantity: alone
    ]
    with uow_factory() as uow:
        import_id = started(uow, ImportKind.STATISTICS, agreement.id)
        for period in (JANUARY, FEBRUARY):
            uow.analysis.remove_statistics(agreement.id, [period], keep_import=import_id)
        uow.analysis.add_statistics(agreement.id, import_id, first)
        uow.commit()
    assert_sums_follow_the_lines(db_engine, uow_factory, agreement.id)

    # Lines added twice to one period without a removal (the demo's way): the sums add up.
    with uow_factory() as uow:
        again = started(uow, ImportKind.STATISTICS, agreement.id)
        uow.analysis.add_statistics(
            agreement.id, again, [line(JANUARY, "A1", "1", "12.50", "12.50")]
        )
        uow.commit()
    assert_sums_follow_the_lines(db_engine, uow_factory, agreement.id)

    # The quarter after its months: the months' lines go, the quarter's come.
    quarter = [line(Q1, "A1", "3", "12.50", "37.50"), line(Q2, "C3", "1", "1.00", "1.00")]
    with uow_factory() as uow:
        import_id = started(uow, ImportKind.STATISTICS, agreement.id)
        removed = 0
        for period in (Q1, Q2):
            removed += uow.analysis.remove_statistics(agreement.id, [period], keep_import=import_id)
        uow.analysis.add_statistics(agreement.id, import_id, quarter)
        uow.commit()
    assert removed == 7
    assert_sums_follow_the_lines(db_engine, uow_factory, agreement.id)
    with uow_factory() as uow:
        assert uow.analysis.statistics_periods(agreement.id) == [Q2, Q1]


def test_a_long_stream_with_a_removal_inside_keeps_every_line_and_sum(
    db_engine: Engine, uow_factory: SqlAlchemyUnitOfWorkFactory, agreement: Contract
) -> None:
    rng = random.Random(16)

    def lines(period: tuple[date, date], count: int) -> list[StatisticsLine]:
        return [
            line(
                period,
                f"{rng.randrange(300):06d}",
                str(rng.choice((1, 2, -1))),
                f"{rng.randrange(1, 50)}.00",
                "0.00",
            )
            for _ in range(count)
        ]

    with uow_factory() as uow:  # Q1 stored before, by another import
        old = started(uow, ImportKind.STATISTICS, agreement.id)
        uow.analysis.add_statistics(agreement.id, old, lines(Q1, 50))
        uow.commit()
    # Over two chunks of Q2 first, then Q1 again: removing Q1 in the middle of the stream
    # must see every Q2 line written so far and remove only the old Q1 lines.
    stream = lines(Q2, 7_000) + lines(Q1, 6_000)
    with uow_factory() as uow:
        import_id = started(uow, ImportKind.STATISTICS, agreement.id)
        removed: list[int] = []

        def flowing() -> object:
            seen: set[tuple[date, date]] = set()
            for item in stream:
                period = (item.period_from, item.period_to)
                if period not in seen:
                    seen.add(period)
                    removed.append(
                        uow.analysis.remove_statistics(
                            agreement.id, [period], keep_import=import_id
                        )
                    )
                yield item

        assert uow.analysis.add_statistics(agreement.id, import_id, flowing()) == 13_000  # type: ignore[arg-type]
        uow.commit()
    assert removed == [0, 50]
    with db_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(STATISTICS)).scalar() == 13_000
    assert_sums_follow_the_lines(db_engine, uow_factory, agreement.id)


def spend_by_definition(
    ledger: Sequence[LedgerLine], start: date, end: date, accounts: Sequence[AccountRange]
) -> dict[tuple[str | None, str, str], Decimal]:
    found: dict[tuple[str | None, str, str], Decimal] = defaultdict(Decimal)
    for item in ledger:
        if start <= item.voucher_date <= end and any(a.covers(item.account) for a in accounts):
            found[item.organisation_number, item.supplier_name, item.account] += item.amount
    return dict(found)


@pytest.mark.parametrize(
    "accounts",
    [
        # Hundreds of single accounts, ranges that overlap each other and singles inside them,
        # and an account with letters inside a numeric range (compared as text there).
        [
            *(AccountRange(str(a), str(a)) for a in range(1200, 1500, 2)),
            AccountRange("1300", "1309"),
            AccountRange("1305", "1320"),
            AccountRange("1310", "1310"),
            AccountRange("1600", "1699"),
        ],
        # A range whose ends differ in length: not narrowed in SQL at all.
        [AccountRange("900", "1250"), AccountRange("1400", "1400")],
        [AccountRange("1250", "1250")],
    ],
)
def test_spend_on_many_accounts_is_the_spend_the_definition_gives(
    uow_factory: SqlAlchemyUnitOfWorkFactory, accounts: list[AccountRange]
) -> None:
    rng = random.Random(7)
    pool = [*(str(a) for a in range(1000, 1800, 3)), "1305A", "16x0", "950", "0999"]
    start = date(2026, 1, 1)
    ledger = [
        LedgerLine(
            start + timedelta(days=rng.randrange(200)),
            rng.choice(("974600951", "923609016", None)),
            rng.choice(("Leverandør AS", "Leverandør  AS", "Privat")),
            Decimal(rng.randrange(-5_000, 100_000)).scaleb(-2),
            rng.choice(pool),
        )
        for _ in range(3_000)
    ]
    with uow_factory() as uow:
        uow.analysis.add_ledger(started(uow, ImportKind.LEDGER, None), ledger)
        uow.commit()
    period = (date(2026, 2, 1), date(2026, 5, 31))
    with uow_factory() as uow:
        spend = uow.analysis.ledger_spend(*period, accounts)
    got = {(s.organisation_number, s.supplier_name, s.account): s.amount for s in spend}
    assert len(got) == len(spend)
    assert got == spend_by_definition(ledger, *period, accounts)


def test_a_line_the_database_refuses_raises_sqlalchemys_error(
    uow_factory: SqlAlchemyUnitOfWorkFactory, agreement: Contract
) -> None:
    with uow_factory() as uow:
        import_id = started(uow, ImportKind.STATISTICS, agreement.id)
        with pytest.raises(IntegrityError):
            uow.analysis.add_statistics(
                "no-such-agreement", import_id, [line(Q1, "A1", "1", "1.00", "1.00")] * 6_000
            )
        uow.rollback()
    with uow_factory() as uow:
        assert uow.analysis.statistics_periods(agreement.id) == []


def test_a_file_that_breaks_while_it_is_read_leaves_the_store_usable(
    uow_factory: SqlAlchemyUnitOfWorkFactory, agreement: Contract
) -> None:
    class Broken(Exception):
        pass

    def breaking() -> object:
        yield from [line(Q1, "A1", "1", "1.00", "1.00")] * 6_000  # past one chunk: mid-COPY
        raise Broken

    with uow_factory() as uow:
        import_id = started(uow, ImportKind.STATISTICS, agreement.id)
        with pytest.raises(Broken):
            uow.analysis.add_statistics(agreement.id, import_id, breaking())  # type: ignore[arg-type]
        uow.rollback()
    with uow_factory() as uow:
        import_id = started(uow, ImportKind.STATISTICS, agreement.id)
        uow.analysis.add_statistics(agreement.id, import_id, [line(Q2, "A1", "1", "1.00", "1.00")])
        uow.commit()
    with uow_factory() as uow:
        assert uow.analysis.statistics_periods(agreement.id) == [Q2]
        assert uow.analysis.turnover_until(agreement.id, date(2027, 1, 1)) == Decimal("1.00")
