"""A region's worth of follow-up data, made fast with bulk inserts (for the portfolio benchmarks).

`populate_region(engine, size, now=...)` writes people, suppliers, contracts, checkpoints,
follow-ups, answers, deviations, documents and absences of an inter-municipal region into a
migrated, empty database, straight through the driver: COPY on PostgreSQL, `executemany` on
SQLite (with the same text formats SQLAlchemy uses there). Everything is drawn from
`random.Random(seed)`, so the same seed gives the same data; `now` only moves the dates.
Afterwards the planner statistics are refreshed (`VACUUM ANALYZE` / `ANALYZE`): without them
neither store picks the right indexes after a bulk load.

The shape (per `RegionSize`, defaults: 100 000 contracts, 1 000 000 follow-ups):
- 19 municipalities with 8 units each; a few thousand people (owners, some of them managers and
  deputies of other owners' contracts, a procurement team, two administrators; 1 % unreachable;
  some away today with a deputy); suppliers with valid organisation numbers, a few of them with
  hundreds of contracts.
- Contracts: 85 % active; three checkpoints each (monthly delivery, a self-report, a yearly
  status meeting) and about ten follow-ups, due from 18 months ago to 6 months ahead.
- Follow-ups in the past: 84 % answered (80 % of them on or before the due date, 4 % corrected
  by a second answer version), 4 % with a deviation reported, 3 % skipped, the rest still open
  (notified, reminded, escalated or snoozed by how late they are); in the future: planned.
- Deviations on a quarter of the contracts' follow-ups with a deviation answer and on others,
  in every category and severity, a third of them open.

Used by `bench/status.py`; an HTTP-level benchmark can call `populate_region` on its own database.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import Engine, Table, text

from followup.calendar.workdays import oslo_today
from followup.models import (
    AnswerKind,
    Category,
    ContractStatus,
    ContractType,
    DeviationCategory,
    DeviationStatus,
    FollowUpState,
    Remedy,
    RiskLevel,
    Role,
    Severity,
)
from followup.orgnr import make_organisation_number
from storage.tables import (
    AbsenceRow,
    AnswerRow,
    CheckpointRow,
    ContractRow,
    DeviationRow,
    DocumentRow,
    FollowUpRow,
    PersonRow,
    SupplierRow,
)

NOW: Final = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
"""A Monday, 10:00 in Oslo."""

MUNICIPALITIES: Final = (
    "Ålesund", "Sula", "Giske", "Haram", "Stranda", "Sykkylven", "Fjord", "Vestnes", "Ørsta",
    "Volda", "Hareid", "Ulstein", "Herøy", "Sande", "Vanylven", "Rauma", "Molde", "Aukra",
    "Hustadvika",
)  # fmt: skip
UNIT_KINDS: Final = (
    "Helse og omsorg", "Oppvekst", "Teknisk drift", "Eiendom", "Kultur", "Sentraladministrasjon",
    "Vann og avløp", "Barnevern",
)  # fmt: skip
FIRST: Final = (
    "Anne", "Kari", "Marit", "Ingrid", "Liv", "Hilde", "Silje", "Tone", "Åse", "Guro", "Synnøve",
    "Jan", "Per", "Bjørn", "Ole", "Lars", "Knut", "Trond", "Øyvind", "Håkon", "Sindre", "Ståle",
)  # fmt: skip
LAST: Final = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Berg", "Haugen", "Dahl", "Lund", "Solheim", "Lie",
    "Nygård", "Bakke", "Myklebust", "Sætre", "Økland", "Ødegård", "Brekke", "Kvamme", "Vik",
)  # fmt: skip
TRADES: Final = (
    "Renhold", "Matgrossist", "Kontorpartner", "Bygg", "Elektro", "IT", "Transport", "Medisinsk",
    "Rådgivende Ingeniører", "Vakt og Sikring", "Maskinstasjon", "Helsevikar",
)  # fmt: skip
DEVIATION_CATEGORIES: Final = tuple(c.value for c in DeviationCategory)
REMEDIES: Final = (None, Remedy.NOTICE.value, Remedy.CORRECTION.value)
CHECKPOINTS: Final = (
    ("levering", "Bekreft levering", "FREQ=MONTHLY"),
    ("egenrapportering", "Egenrapportering lønns- og arbeidsvilkår", "FREQ=MONTHLY;INTERVAL=4"),
    ("statusmote", "Statusmøte", "FREQ=YEARLY"),
)
FOLLOW_UPS_PER_CHECKPOINT: Final = (6, 3, 1)
HISTORY_DAYS: Final = 540
HORIZON_DAYS: Final = 180
TRIGGERED_TABLES: Final = ("answers", "follow_ups")
CHUNK: Final = 5_000
"""Contracts generated and written per round (with their checkpoints, follow-ups, ...)."""


@dataclass(frozen=True, slots=True)
class RegionSize:
    contracts: int = 100_000
    follow_ups: int = 1_000_000
    people: int = 3_000
    suppliers: int = 5_000
    procurement: int = 30


@dataclass(slots=True)
class RegionFacts:
    """What was made, for the benchmarks to ask about."""

    today: date
    counts: dict[str, int] = field(default_factory=dict)
    procurement_ids: list[str] = field(default_factory=list)
    admin_ids: list[str] = field(default_factory=list)
    owner_ids: list[str] = field(default_factory=list)
    busiest_owner_id: str = ""
    typical_owner_id: str = ""
    busiest_supplier_id: str = ""
    typical_supplier_id: str = ""
    busiest_supplier_name: str = ""
    busiest_unit: str = ""
    sample_reference: str = ""
    seconds: float = 0.0


def _id(tag: int, number: int) -> str:
    """UUID-shaped, sorting in creation order within a table (like `followup.models.new_id`)."""
    return f"{tag:08x}-0000-4000-8000-{number:012x}"


def _weekday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


class _Writer:
    """Bulk rows into one store: COPY on PostgreSQL, `executemany` on SQLite."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.raw = engine.raw_connection()
        self.counts: dict[str, int] = {}
        cursor = self.raw.cursor()
        if self.postgres:
            cursor.execute("SET synchronous_commit = off")
        else:
            # Rows refer to rows of the same table (a person's standing deputy): checked by
            # PostgreSQL at the end of each COPY, by SQLite row by row, so off while loading.
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -200000")
        cursor.close()
        self.triggers: list[str] = []
        self._triggers_off()

    def _triggers_off(self) -> None:
        """The triggers that keep derived columns (migration 0005) are off while loading: the
        generated rows carry those columns already, and a bulk load is several times faster
        without them. `close` turns them on again."""
        cursor = self.raw.cursor()
        if self.postgres:
            for table in TRIGGERED_TABLES:
                cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            found = list(cursor.fetchall())
            for name, sql in found:
                cursor.execute(f'DROP TRIGGER "{name}"')
                self.triggers.append(sql)
        cursor.close()
        self.raw.commit()

    def _triggers_on(self) -> None:
        cursor = self.raw.cursor()
        if self.postgres:
            for table in TRIGGERED_TABLES:
                cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        else:
            for sql in self.triggers:
                cursor.execute(sql)
        cursor.close()
        self.raw.commit()

    def write(self, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        for column in columns:
            if column not in table.c:
                raise KeyError(f"{table.name}.{column}")
        cursor = self.raw.cursor()
        written = 0
        if self.postgres:
            names = ", ".join(f'"{c}"' for c in columns)
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
        else:
            converted = [tuple(_sqlite_value(v) for v in row) for row in rows]
            marks = ", ".join("?" for _ in columns)
            names = ", ".join(f'"{c}"' for c in columns)
            cursor.executemany(
                f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',  # noqa: S608
                converted,
            )
            written = len(converted)
        cursor.close()
        self.counts[table.name] = self.counts.get(table.name, 0) + written

    def commit(self) -> None:
        self.raw.commit()

    def close(self) -> None:
        self.raw.rollback()
        self._triggers_on()
        if not self.postgres:
            cursor = self.raw.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()
        self.raw.close()


def _sqlite_value(value: Any) -> Any:
    """The text SQLAlchemy's SQLite types store (UtcDateTime keeps UTC without an offset)."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _json(value: object) -> str:
    return json.dumps(value)


def populate_region(
    engine: Engine,
    size: RegionSize | None = None,
    *,
    now: datetime = NOW,
    seed: int = 2026,
    log: Any = None,
) -> RegionFacts:
    """Fill an empty, migrated database with a region's data (see the module docstring)."""
    size = size or RegionSize()
    started = time.perf_counter()
    rng = random.Random(seed)
    today = now.date()
    facts = RegionFacts(today=today)
    writer = _Writer(engine)
    try:
        people = _people(rng, size, now, facts)
        writer.write(_table(PersonRow), _PEOPLE_COLUMNS, people)
        suppliers = _suppliers(rng, size)
        writer.write(_table(SupplierRow), ("id", "name", "organisation_number"), suppliers)
        units = [f"{kind}, {town}" for town in MUNICIPALITIES for kind in UNIT_KINDS]
        owners = facts.owner_ids
        # Skewed: some owners, suppliers and units have far more contracts than others.
        owner_weights = [1.0 / (1 + i) ** 0.6 for i in range(len(owners))]
        supplier_weights = [1.0 / (1 + i) ** 0.8 for i in range(len(suppliers))]
        unit_weights = [1.0 / (1 + i) ** 0.5 for i in range(len(units))]
        facts.busiest_owner_id = owners[0]
        facts.typical_owner_id = owners[len(owners) // 10]
        facts.busiest_supplier_id = str(suppliers[0][0])
        facts.typical_supplier_id = str(suppliers[len(suppliers) // 10][0])
        facts.busiest_supplier_name = str(suppliers[0][1])
        facts.busiest_unit = units[0]
        per_contract = max(1, round(size.follow_ups / size.contracts))
        shares = _follow_up_shares(per_contract)
        counters = _Counters()
        for first in range(0, size.contracts, CHUNK):
            numbers = range(first, min(first + CHUNK, size.contracts))
            batch = _Batch()
            for number in numbers:
                contract_id = _id(3, number)
                owner = rng.choices(owners, owner_weights)[0]
                supplier = suppliers[rng.choices(range(len(suppliers)), supplier_weights)[0]]
                status = rng.choices(
                    (ContractStatus.ACTIVE, ContractStatus.PLANNED, ContractStatus.EXPIRED,
                     ContractStatus.TERMINATED), (85, 5, 7, 3),
                )[0]  # fmt: skip
                unit = rng.choices(units, unit_weights)[0]
                batch.contracts.append(
                    _contract_row(rng, number, contract_id, owner, owners, supplier[0], status,
                                  unit, now)
                )  # fmt: skip
                if number == 0:
                    facts.sample_reference = batch.contracts[-1][1]
                for index, (code, title, rrule) in enumerate(CHECKPOINTS):
                    checkpoint_id = _id(4, number * len(CHECKPOINTS) + index)
                    batch.checkpoints.append(
                        (checkpoint_id, contract_id, code, title, f"{title}?", rrule,
                         today - timedelta(days=HISTORY_DAYS), "[]", "[]", 5, "[2, 5, 10]",
                         "active", "template", False)
                    )  # fmt: skip
                    _follow_ups_for(
                        rng,
                        batch,
                        counters,
                        checkpoint_id,
                        (contract_id, supplier[0], unit),
                        owner,
                        shares[index],
                        today,
                        now,
                    )
            writer.write(_table(ContractRow), _CONTRACT_COLUMNS, batch.contracts)
            writer.write(_table(CheckpointRow), _CHECKPOINT_COLUMNS, batch.checkpoints)
            writer.write(_table(FollowUpRow), _FOLLOW_UP_COLUMNS, batch.follow_ups)
            writer.write(_table(AnswerRow), _ANSWER_COLUMNS, batch.answers)
            writer.write(_table(DeviationRow), _DEVIATION_COLUMNS, batch.deviations)
            document_columns, documents = _document_rows(batch.documents)
            writer.write(_table(DocumentRow), document_columns, documents)
            writer.commit()
            if log is not None:
                log(f"  {numbers.stop} contracts written ({time.perf_counter() - started:.0f} s)")
        writer.write(_table(AbsenceRow), _ABSENCE_COLUMNS, _absences(rng, owners, today))
        writer.commit()
        facts.counts = dict(writer.counts)
    finally:
        writer.close()
    if log is not None:
        log(f"  analysing ({time.perf_counter() - started:.0f} s)")
    analyse(engine)
    facts.seconds = time.perf_counter() - started
    return facts


def analyse(engine: Engine) -> None:
    """Refresh the planner's statistics (and PostgreSQL's visibility map, for index-only
    scans) after a bulk load."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def _table(model: type[Any]) -> Table:
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(model)
    return table


# --- people and suppliers --------------------------------------------------------------------

_PEOPLE_COLUMNS: Final = (
    "id", "display_name", "email", "upn", "roles", "locale", "deputy_person_id",
    "reminders_paused", "reminders_per_day", "unreachable", "created_at", "updated_at",
)  # fmt: skip


def _people(rng: random.Random, size: RegionSize, now: datetime, facts: RegionFacts) -> list[Any]:
    from storage.demo_data import ascii_email_part

    rows: list[Any] = []
    for number in range(size.people):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        person_id = _id(1, number)
        email = f"{ascii_email_part(first)}.{ascii_email_part(last)}.{number}@region.kommune.no"
        if number < size.procurement:
            roles = [Role.PROCUREMENT.value]
            if number < 2:
                roles.append(Role.ADMIN.value)
                facts.admin_ids.append(person_id)
            facts.procurement_ids.append(person_id)
        else:
            roles = [Role.OWNER.value]
            facts.owner_ids.append(person_id)
        rows.append(
            [person_id, f"{first} {last}", email, email, _json(roles), "nb-NO", None, False, 1,
             number >= size.procurement and rng.random() < 0.01, now, now]
        )  # fmt: skip
    # A standing deputy for one owner in ten (another owner).
    for row in rows[size.procurement :]:
        if rng.random() < 0.1:
            row[6] = rng.choice(facts.owner_ids)
            if row[6] == row[0]:
                row[6] = None
    return rows


def _suppliers(rng: random.Random, size: RegionSize) -> list[tuple[str, str, str]]:
    rows = []
    prefix = 81_000_000
    for number in range(size.suppliers):
        while True:
            prefix += 1 + rng.randrange(3)
            orgnr = make_organisation_number(str(prefix))
            if orgnr:
                break
        name = f"{rng.choice(MUNICIPALITIES)} {rng.choice(TRADES)} {number} AS"
        rows.append((_id(2, number), name, orgnr))
    return rows


# --- contracts and their follow-ups ----------------------------------------------------------

_CONTRACT_COLUMNS: Final = (
    "id", "reference", "case_number", "title", "contract_type", "category", "supplier_id",
    "owner_id", "manager_id", "deputy_id", "unit", "start_date", "end_date", "options",
    "value_nok", "ongoing", "risk", "status", "public", "pay_and_conditions", "apprentices",
    "hms_card", "supply_chain", "created_at", "updated_at", "has_follow_ups",
)  # fmt: skip
_CHECKPOINT_COLUMNS: Final = (
    "id", "contract_id", "code", "title", "question", "rrule", "dtstart", "evidence", "actions",
    "answer_window_days", "escalation", "status", "source", "customised",
)  # fmt: skip
_FOLLOW_UP_COLUMNS: Final = (
    "id",
    "checkpoint_id",
    "contract_id",
    "due_date",
    "state",
    "next_action_at",
    "reminder_step",
    "first_answered_on",
    "supplier_id",
    "unit",
    "owner_id",
)
_ANSWER_COLUMNS: Final = (
    "id", "follow_up_id", "version", "kind", "answered_by_id", "on_behalf_of_id", "answered_at",
    "text", "channel",
)  # fmt: skip
_DEVIATION_COLUMNS: Final = (
    "id", "contract_id", "follow_up_id", "category", "severity", "occurred_on", "description",
    "remedy", "status", "reported_by_id", "reported_at", "closed_by_id", "closed_at",
)  # fmt: skip
_ABSENCE_COLUMNS: Final = ("id", "person_id", "start", "end", "deputy_person_id")


@dataclass(slots=True)
class _Batch:
    contracts: list[Any] = field(default_factory=list)
    checkpoints: list[Any] = field(default_factory=list)
    follow_ups: list[Any] = field(default_factory=list)
    answers: list[Any] = field(default_factory=list)
    deviations: list[Any] = field(default_factory=list)
    documents: list[tuple[str, str, str, datetime]] = field(default_factory=list)
    """(answer id, follow-up id, uploaded by, uploaded at)"""


@dataclass(slots=True)
class _Counters:
    follow_ups: int = 0
    answers: int = 0
    deviations: int = 0
    documents: int = 0


def _follow_up_shares(per_contract: int) -> tuple[int, ...]:
    total = sum(FOLLOW_UPS_PER_CHECKPOINT)
    shares = [max(1, round(per_contract * n / total)) for n in FOLLOW_UPS_PER_CHECKPOINT]
    shares[0] += per_contract - sum(shares)
    return tuple(max(1, s) for s in shares)


def _contract_row(
    rng: random.Random,
    number: int,
    contract_id: str,
    owner: str,
    owners: Sequence[str],
    supplier_id: str,
    status: ContractStatus,
    unit: str,
    now: datetime,
) -> tuple[Any, ...]:
    start = now.date() - timedelta(days=rng.randint(200, 1500))
    end = start + timedelta(days=rng.choice((730, 1095, 1460)))
    manager = rng.choice(owners) if rng.random() < 0.5 else None
    deputy = rng.choice(owners) if rng.random() < 0.3 else None
    trade = rng.choice(TRADES)
    return (
        contract_id, f"REG-{start.year}-{number:06d}", f"{start.year % 100}/{number:05d}",
        f"{trade} til {unit.rsplit(', ', maxsplit=1)[-1]}", rng.choice(list(ContractType)).value,
        rng.choice(list(Category)).value, supplier_id, owner,
        manager if manager != owner else None, deputy if deputy != owner else None, unit, start,
        end, "[]", rng.randint(50, 50_000) * 1000, False, rng.choice(list(RiskLevel)).value,
        status.value, True, rng.random() < 0.4, rng.random() < 0.2, rng.random() < 0.2,
        rng.random() < 0.2, now, now, True,
    )  # fmt: skip


def _follow_ups_for(
    rng: random.Random,
    batch: _Batch,
    counters: _Counters,
    checkpoint_id: str,
    contract: tuple[str, str, str],
    owner: str,
    count: int,
    today: date,
    now: datetime,
) -> None:
    """`contract`: its id, supplier and unit (follow-ups carry copies of the last two and of
    `owner`, kept by triggers that are off while loading: migrations 0014 and 0024)."""
    contract_id, supplier_id, unit = contract
    days: set[date] = set()
    while len(days) < count:
        days.add(_weekday(today + timedelta(days=rng.randint(-HISTORY_DAYS, HORIZON_DAYS))))
    for due in sorted(days):
        follow_up_id = _id(5, counters.follow_ups)
        counters.follow_ups += 1
        late = (today - due).days
        step = 0
        next_action: datetime | None = None
        if late < -3:
            state = FollowUpState.PLANNED
            next_action = datetime.combine(due - timedelta(days=3), NOW.timetz())
        elif late <= 0:
            state, step = FollowUpState.NOTIFIED, 1
            next_action = datetime.combine(due, NOW.timetz())
        else:
            draw = rng.random()
            if draw < 0.84:
                state = FollowUpState.ANSWERED
            elif draw < 0.88:
                state = FollowUpState.DEVIATION_REPORTED
            elif draw < 0.91:
                state = FollowUpState.SKIPPED
            elif draw < 0.913:
                state, step = FollowUpState.SNOOZED, 2
            elif late <= 3:
                state, step = FollowUpState.NOTIFIED, 2
            elif late <= 10:
                state, step = FollowUpState.REMINDED, 3
            else:
                state, step = FollowUpState.ESCALATED, rng.choice((4, 5))
            if state not in (FollowUpState.ANSWERED, FollowUpState.DEVIATION_REPORTED):
                next_action = now + timedelta(hours=rng.randint(1, 72))
            if state is FollowUpState.SKIPPED:
                next_action = None
        first_answered_on = None
        if state in (FollowUpState.ANSWERED, FollowUpState.DEVIATION_REPORTED):
            first = _answers_for(
                rng, batch, counters, follow_up_id, contract_id, owner, due, state, now
            )
            first_answered_on = oslo_today(first)
        batch.follow_ups.append(
            (follow_up_id, checkpoint_id, contract_id, due, state.value, next_action, step,
             first_answered_on, supplier_id, unit, owner)
        )  # fmt: skip


def _answers_for(
    rng: random.Random,
    batch: _Batch,
    counters: _Counters,
    follow_up_id: str,
    contract_id: str,
    owner: str,
    due: date,
    state: FollowUpState,
    now: datetime,
) -> datetime:
    """The answers to one follow-up; returns when the first was given."""
    on_time = rng.random() < 0.8
    offset = -rng.randint(0, 5) if on_time else rng.randint(1, 30)
    # Between 06:00 and 22:59 UTC: some answers land in the evening, near the day's end in Oslo.
    at = datetime.combine(due + timedelta(days=offset), NOW.timetz()).replace(
        hour=rng.randint(6, 22), minute=rng.randint(0, 59)
    )
    at = min(at, now - timedelta(minutes=rng.randint(1, 600)))
    kind = (
        AnswerKind.DEVIATION if state is FollowUpState.DEVIATION_REPORTED else AnswerKind.DELIVERED
    )
    if kind is AnswerKind.DELIVERED and rng.random() < 0.05:
        kind = rng.choice((AnswerKind.PARTLY_DELIVERED, AnswerKind.DOCUMENTS))
    versions = 2 if rng.random() < 0.04 else 1
    for version in range(1, versions + 1):
        answer_id = _id(6, counters.answers)
        counters.answers += 1
        answered_at = min(at + timedelta(days=2 * (version - 1)), now)
        batch.answers.append(
            (answer_id, follow_up_id, version, kind.value, owner, None, answered_at,
             "Levert som avtalt" if version == 1 else "Rettet: delvis levert", "msteams")
        )  # fmt: skip
        if rng.random() < 0.04:
            batch.documents.append((answer_id, follow_up_id, owner, answered_at))
    if kind is AnswerKind.DEVIATION or rng.random() < 0.01:
        _deviation(rng, batch, counters, contract_id, follow_up_id, owner, due, at, now)
    return at


def _deviation(
    rng: random.Random,
    batch: _Batch,
    counters: _Counters,
    contract_id: str,
    follow_up_id: str | None,
    owner: str,
    occurred: date,
    reported: datetime,
    now: datetime,
) -> None:
    deviation_id = _id(7, counters.deviations)
    counters.deviations += 1
    status = rng.choices(list(DeviationStatus), (30, 15, 55))[0]
    closed = status is DeviationStatus.CLOSED
    batch.deviations.append(
        (deviation_id, contract_id, follow_up_id, rng.choice(DEVIATION_CATEGORIES),
         rng.choices(list(Severity), (40, 35, 20, 5))[0].value, occurred,
         "Avvik registrert ved oppfølging", rng.choice(REMEDIES),
         status.value, owner, reported, owner if closed else None,
         min(reported + timedelta(days=14), now) if closed else None)
    )  # fmt: skip


def _document_rows(
    documents: Sequence[tuple[str, str, str, datetime]],
) -> tuple[tuple[str, ...], Iterator[tuple[Any, ...]]]:
    """Documents on answers; with the follow-up and uploader columns when the schema has them."""
    table = _table(DocumentRow)
    extra = tuple(c for c in ("follow_up_id", "uploaded_by_id") if c in table.c)
    columns = (
        "id", "answer_id", "file_name", "media_type", "size_bytes", "sha256", "storage_key",
        "uploaded_at", *extra,
    )  # fmt: skip

    def rows() -> Iterator[tuple[Any, ...]]:
        for answer_id, follow_up_id, uploaded_by, at in documents:
            digest = hashlib.sha256(answer_id.encode()).hexdigest()
            values: dict[str, str] = {"follow_up_id": follow_up_id, "uploaded_by_id": uploaded_by}
            yield (
                "d" + answer_id[1:], answer_id, "dokumentasjon.pdf", "application/pdf", 120_000,
                digest, f"sha256/{digest}", at, *(values[c] for c in extra),
            )  # fmt: skip

    return columns, rows()


def _absences(rng: random.Random, owners: Sequence[str], today: date) -> list[Any]:
    rows = []
    for number, person_id in enumerate(rng.sample(list(owners), min(100, len(owners) // 10))):
        deputy = rng.choice(owners)
        rows.append(
            (_id(8, number), person_id, today - timedelta(days=rng.randint(0, 10)),
             today + timedelta(days=rng.randint(0, 20)), deputy if deputy != person_id else None)
        )  # fmt: skip
    return rows
