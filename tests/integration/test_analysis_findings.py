"""An analysis' findings become work, on both stores: a price deviation opens a *prisavvik*
and leakage an *avtalelekkasje* on the agreement, once per period and kind; passing 80 % and
100 % of the agreement's maximum queues one alert to the owner and each procurement channel,
once per level."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.analysis.cards import AnalysisCards
from bot.deviations.cards import DeviationCards
from followup.analysis.findings import record_period_findings
from followup.analysis.models import ImportKind, Thresholds
from followup.analysis.services import ImportAnalysisFile, import_analysis_file
from followup.models import (
    ContractType,
    ConversationKind,
    ConversationRef,
    DeliveryKind,
    DeviationCategory,
    Role,
    Severity,
)
from storage.tables import DeliveryRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.builders import add_contract, add_person, add_supplier, organisation_number

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
REFERENCE = "KOM-2026-0077"
Q3 = (date(2026, 7, 1), date(2026, 9, 30))
Q2 = (date(2026, 4, 1), date(2026, 6, 30))
SUPPLIER_SEED = 9


def _import(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    kind: ImportKind,
    cells: Sequence[Mapping[str, object]],
    reference: str | None = REFERENCE,
) -> None:
    with uow_factory() as uow:
        report = import_analysis_file(
            ImportAnalysisFile(
                kind=kind,
                rows=[(n, c) for n, c in enumerate(cells, start=2)],
                headers=list(cells[0]),
                file_name=f"{kind.value}.csv",
                sha256="0" * 64,
                actor="test",
                reference=reference,
            ),
            uow,
            NOW,
        )
    assert report.stored, report.problems


def _statistics(quarter: str, amount: str, price: str = "100,00") -> list[dict[str, object]]:
    return [
        {
            "Periode": quarter,
            "Varenummer": "A1",
            "Varetekst": "Rør",
            "Antall": "10",
            "Enhetspris": price,
            "Beløp eks. mva": amount,
        }
    ]


def _world(uow_factory: SqlAlchemyUnitOfWorkFactory) -> tuple[str, str, str]:
    """Ola owns the agreement (maximum 10 000, accounts 1250), reachable in a 1:1 chat; the
    procurement team has one channel. Returns the contract, Ola's and the channel's ref ids."""
    with uow_factory() as uow:
        ola = add_person(uow, "Ola Hansen", NOW)
        add_person(uow, "Kari Nordmann", NOW, roles={Role.PROCUREMENT})
        supplier = add_supplier(uow, "Rørgrossisten AS", seed=SUPPLIER_SEED)
        contract = add_contract(
            uow,
            NOW,
            owner=ola,
            supplier=supplier,
            reference=REFERENCE,
            title="Rør og rørdeler",
            contract_type=ContractType.FRAMEWORK,
            start_date=date(2026, 1, 1),
            maximum_value_nok=10_000,
            ledger_accounts="1250",
        )
        personal = ConversationRef(
            conversation_id="a:ola", kind=ConversationKind.PERSONAL, tenant_id="t",
            service_url="https://smba.example/", channel_id="msteams", bot_id="28:bot",
            user_id="29:ola", person_id=ola.id, updated_at=NOW,
        )  # fmt: skip
        channel = ConversationRef(
            conversation_id="19:procurement", kind=ConversationKind.CHANNEL, tenant_id="t",
            service_url="https://smba.example/", channel_id="msteams", bot_id="28:bot",
            is_procurement_channel=True, updated_at=NOW,
        )  # fmt: skip
        uow.conversations.save(personal)
        uow.conversations.save(channel)
        uow.commit()
    _import(
        uow_factory,
        ImportKind.PRICE_LIST,
        [{"Varenummer": "A1", "Varetekst": "Rør", "Avtalt pris": "100,00", "Kjerne": "J"}],
    )
    return contract.id, personal.id, channel.id


def _findings(uow_factory: SqlAlchemyUnitOfWorkFactory, period: tuple[date, date]) -> int:
    with uow_factory() as uow:
        found = record_period_findings(
            REFERENCE,
            period,
            None,
            uow,
            NOW,
            thresholds=Thresholds(),
            alert_renderer=DeviationCards(),
            ceiling_renderer=AnalysisCards(),
        )
        uow.commit()
    return len(found.opened) + found.alerts


def _alerts(uow_factory: SqlAlchemyUnitOfWorkFactory) -> list[tuple[str | None, str | None]]:
    with uow_factory() as uow:
        rows = uow.session.execute(
            select(DeliveryRow.conversation_ref_id, DeliveryRow.dedupe_key)
            .where(DeliveryRow.kind == DeliveryKind.CEILING.value)
            .order_by(DeliveryRow.dedupe_key)
        )
        return [(ref, key) for ref, key in rows]


def test_passing_80_and_100_percent_alerts_owner_and_procurement_once_each(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    contract_id, ola_ref, channel_ref = _world(uow_factory)
    _import(uow_factory, ImportKind.STATISTICS, _statistics("2. kvartal 2026", "8 500,00"))

    assert _findings(uow_factory, Q2) == 2  # 8 500 of 10 000: 85 %, to Ola and the channel
    assert _findings(uow_factory, Q2) == 0  # once
    assert sorted(_alerts(uow_factory)) == sorted(
        [
            (ola_ref, f"ceiling_80:{contract_id}:{ola_ref}"),
            (channel_ref, f"ceiling_80:{contract_id}:{channel_ref}"),
        ]
    )
    with uow_factory() as uow:
        (delivery,) = [
            d
            for d in (uow.deliveries.get(i) for i in _ids(uow_factory))
            if d is not None and d.conversation_ref_id == ola_ref
        ]
    assert "over 80 % av rammen er brukt" in delivery.message["text"]

    _import(uow_factory, ImportKind.STATISTICS, _statistics("3. kvartal 2026", "2 000,00"))
    assert _findings(uow_factory, Q3) == 2  # 10 500: past the maximum
    assert [key for _, key in _alerts(uow_factory)].count(
        f"ceiling_100:{contract_id}:{ola_ref}"
    ) == 1


def _ids(uow_factory: SqlAlchemyUnitOfWorkFactory) -> list[str]:
    with uow_factory() as uow:
        return list(
            uow.session.scalars(
                select(DeliveryRow.id).where(DeliveryRow.kind == DeliveryKind.CEILING.value)
            )
        )


def test_a_price_deviation_and_leakage_open_one_deviation_each_per_period(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    contract_id, _, _ = _world(uow_factory)
    # 10 × 102 against 100: overcharge 20 (2 % > 0,5 %).
    _import(
        uow_factory, ImportKind.STATISTICS, _statistics("3. kvartal 2026", "1 020,00", "102,00")
    )
    # On account 1250: 1 020 with the agreement's supplier, 980 elsewhere: loyalty 51 %.
    _import(
        uow_factory,
        ImportKind.LEDGER,
        [
            {
                "Bilagsdato": "15.08.2026",
                "Org.nr": organisation_number(SUPPLIER_SEED),
                "Leverandør": "Rørgrossisten AS",
                "Beløp": "1 020,00",
                "Konto": "1250",
            },
            {
                "Bilagsdato": "20.08.2026",
                "Org.nr": organisation_number(55),
                "Leverandør": "Byggvare AS",
                "Beløp": "980,00",
                "Konto": "1250",
            },
        ],
        reference=None,
    )

    _findings(uow_factory, Q3)
    _findings(uow_factory, Q3)  # again: nothing more

    with uow_factory() as uow:
        deviations = sorted(uow.deviations.for_contract(contract_id), key=lambda d: d.category)
        owner = uow.contracts.by_reference(REFERENCE)
    assert [(d.category, d.severity) for d in deviations] == [
        (DeviationCategory.LEAKAGE, Severity.MEDIUM),
        (DeviationCategory.PRICE, Severity.MEDIUM),
    ]
    leakage, price = deviations
    assert "Byggvare AS" in leakage.description
    assert "lojalitet 51,0 %" in leakage.description
    assert "A1 Rør: fakturert kr 102,00, avtalt kr 100,00, 10 stk, merpris kr 20,00" in (
        price.description
    )
    assert owner is not None
    assert {d.reported_by_id for d in deviations} == {owner.owner_id}
    assert all(d.occurred_on == Q3[1] for d in deviations)
