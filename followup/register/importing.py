"""Importing the contract register: create and update contracts, suppliers and people from rows.

`import_contracts` reads rows (from `storage.register_files`, or any iterable of
`(row_number, {header: value})`), parses them with `followup.register.reading`, and writes them in
chunks: one unit of work per chunk, with one query each for the chunk's contracts (by
reference), suppliers (by organisation number) and people (by e-mail or UPN). Memory stays
flat: only the chunk, the references seen (to catch one used twice) and the ids of the
contracts created or updated grow with the file.

- A contract is found by its *avtalenr* (exactly as written). A new one is created with a
  `contract.created` audit event holding its fields. An existing one is compared field by
  field, for the columns the file has (see `followup.register.reading`); when something differs it
  is
  updated with ONE `contract.updated` event whose `before`/`after` hold only the changed fields.
  An unchanged row writes nothing, so importing the same file twice changes nothing.
- A supplier is found by organisation number; a new one needs a name (`supplier.created`). A
  different name updates it (`supplier.updated`); when one file gives one organisation number
  several names, the first wins and the others are warned about.
- A person is found by e-mail or UPN (lower case). A new one is created with the address as
  e-mail (`person.created`); an owner gets the owner role if missing (`person.updated`). Roles
  are only ever added.
- A bad row never stops the others: its problems are in the report. When a chunk fails to
  write (a `Conflict`), it is retried row by row and only the rows that still fail are
  reported.
- A cell read one way of several (an ambiguous options cell, see `followup.register.reading`)
  is imported, and the report warns about it with the reading (`row_warning`).
- `dry_run` reads and compares everything and writes nothing (no unit of work is committed).

Follow-up plans are not made here: the caller gets the ids of the contracts created or
updated (`ImportReport.contract_ids`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, Final

from followup.errors import Conflict
from followup.models import (
    AuditEvent,
    Contract,
    ContractStatus,
    Person,
    RiskLevel,
    Role,
    Supplier,
    new_ids,
)
from followup.orgnr import format_organisation_number
from followup.ports import UnitOfWork, UnitOfWorkFactory
from followup.register.reading import (
    COMPLIANCE_FIELDS,
    ColumnMap,
    ContractRecord,
    ParsedRow,
    PersonCell,
    RegisterColumn,
    RegisterParser,
    RowProblem,
    contract_type_from_title,
)

log = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE: Final = 2_500
"""Rows a unit of work. Larger chunks write each hot index page (a supplier's, an owner's) to
SQLite's WAL fewer times and look suppliers and people up fewer times a row: the writing
process of a 100 000-row import used ~10 % less CPU with 2 500 than with 1 000, and 5 000
saved ~8 % more for ~25 MB more peak memory and SQLite's write lock held twice as long."""
_ID_BATCH: Final = 256
MAX_LISTED_CHANGES: Final = 200
MAX_WARNINGS: Final = 50


@dataclass(frozen=True, slots=True)
class ContractChange:
    """A contract the import created or changed (or would, in a dry run)."""

    row: int
    reference: str
    title: str
    contract_id: str
    created: bool
    fields: tuple[str, ...] = ()
    """The changed contract attributes (see `followup.register.reading.CONTRACT_FIELDS`); empty for
    a
    new contract."""


@dataclass(slots=True)
class ImportReport:
    """What an import did (or would do). `rows_read` = created + updated + unchanged + failed."""

    dry_run: bool
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    suppliers_created: int = 0
    suppliers_updated: int = 0
    people_created: int = 0
    people_updated: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """The first `MAX_WARNINGS` warnings: columns not read, a supplier with several names, a
    cell read one way of several (`ContractRecord.warnings`)."""
    warnings_left_out: int = 0
    """Warnings beyond `MAX_WARNINGS`, counted."""
    contract_ids: list[str] = field(default_factory=list)
    """Contracts created or updated, in file order (for the caller to apply plans to)."""
    changes: list[ContractChange] = field(default_factory=list)
    """The first `MAX_LISTED_CHANGES` contracts created or updated, with what changed."""

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def _fail(self, problems: Sequence[RowProblem]) -> None:
        self.failed += 1
        self.problems.extend(problems)

    def _warn(self, message: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)
        else:
            self.warnings_left_out += 1


# Keeps a unit-of-work factory: a bulk import committed chunk by chunk (a chunk retried by row).
def import_contracts(
    rows: Iterable[tuple[int, Mapping[str, object]]],
    headers: Sequence[str],
    uow_factory: UnitOfWorkFactory,
    now: datetime,
    *,
    actor: str,
    dry_run: bool,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> ImportReport:
    """Parse and import the register's rows; raises `InvalidRegister` when the headers will
    not do."""
    columns = importable_columns(headers)
    return import_parsed(
        RegisterParser(columns).parse_all(rows),
        columns,
        uow_factory,
        now,
        actor=actor,
        dry_run=dry_run,
        chunk_size=chunk_size,
    )


def importable_columns(headers: Sequence[str]) -> ColumnMap:
    """The file's columns; raises `InvalidRegister` when they will not do for an import."""
    columns = ColumnMap.from_headers(headers)
    columns.require_importable()
    return columns


# Keeps a unit-of-work factory, as `import_contracts` does (the same bulk import).
def import_parsed(
    parsed: Iterable[ParsedRow],
    columns: ColumnMap,
    uow_factory: UnitOfWorkFactory,
    now: datetime,
    *,
    actor: str,
    dry_run: bool,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> ImportReport:
    """Import rows already parsed by a `RegisterParser` for `columns` (which may run in another
    process, see `storage.register_files.parse_register`), in file order."""
    report = ImportReport(dry_run=dry_run, warnings=columns.warnings())
    state = _ImportState()
    batch: list[ContractRecord] = []
    for result in parsed:
        report.rows_read += 1
        if isinstance(result, list):
            report._fail(result)
            continue
        for warning in result.warnings:
            report._warn(row_warning(warning))
        batch.append(result)
        if len(batch) >= chunk_size:
            _import_chunk(batch, columns, uow_factory, state, report, now, actor, dry_run)
            batch = []
    if batch:
        _import_chunk(batch, columns, uow_factory, state, report, now, actor, dry_run)
    report.problems.sort(key=lambda p: p.row)
    log.info(
        "contract register imported",
        extra={
            "dry_run": dry_run,
            "rows": report.rows_read,
            "contracts_created": report.created,
            "contracts_updated": report.updated,
            "unchanged": report.unchanged,
            "failed": report.failed,
        },
    )
    return report


def row_warning(warning: RowProblem) -> str:
    """A cell imported with a reading a person should check, as a line of the report."""
    return f"rad {warning.row}, {warning.column}: {warning.message}"


# --- state across chunks -----------------------------------------------------------------------


@dataclass(slots=True)
class _ImportState:
    """What this import has made or changed so far, by chunks that succeeded.

    Grows with the number of suppliers and people, not with the rows. A dry run commits
    nothing, so its later chunks read the suppliers and people it would have made or changed
    from here rather than from the database (a real import keeps only the names).
    """

    suppliers: dict[str, Supplier] = field(default_factory=dict)  # by organisation number
    people: dict[str, Person] = field(default_factory=dict)  # by id
    addresses: dict[str, str] = field(default_factory=dict)  # address -> person id
    supplier_names: dict[str, tuple[str, int]] = field(default_factory=dict)  # first name, row
    warned_names: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _ChunkResult:
    """A chunk's outcome, merged into the report and the state only once it is committed."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    suppliers_created: int = 0
    suppliers_updated: int = 0
    people_created: int = 0
    people_updated: int = 0
    failed: list[list[RowProblem]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    contract_ids: list[str] = field(default_factory=list)
    changes: list[ContractChange] = field(default_factory=list)
    """The first `MAX_LISTED_CHANGES` of `contract_ids`, with what changed (no report lists
    more)."""
    state: _ImportState = field(default_factory=_ImportState)

    def note_change(self, row: int, contract: Contract, fields: tuple[str, ...] | None) -> None:
        """A contract created (`fields` None) or updated."""
        self.contract_ids.append(contract.id)
        if len(self.changes) < MAX_LISTED_CHANGES:
            self.changes.append(
                ContractChange(
                    row,
                    contract.reference,
                    contract.title,
                    contract.id,
                    fields is None,
                    fields or (),
                )
            )

    def merge_into(self, report: ImportReport, state: _ImportState) -> None:
        report.created += self.created
        report.updated += self.updated
        report.unchanged += self.unchanged
        report.suppliers_created += self.suppliers_created
        report.suppliers_updated += self.suppliers_updated
        report.people_created += self.people_created
        report.people_updated += self.people_updated
        for problems in self.failed:
            report._fail(problems)
        for warning in self.warnings:
            report._warn(warning)
        report.contract_ids.extend(self.contract_ids)
        report.changes.extend(self.changes[: MAX_LISTED_CHANGES - len(report.changes)])
        if report.dry_run:  # otherwise the database has them
            state.suppliers.update(self.state.suppliers)
            state.people.update(self.state.people)
            state.addresses.update(self.state.addresses)
        state.supplier_names.update(self.state.supplier_names)
        state.warned_names.update(self.state.warned_names)


def _import_chunk(
    records: Sequence[ContractRecord],
    columns: ColumnMap,
    uow_factory: UnitOfWorkFactory,
    state: _ImportState,
    report: ImportReport,
    now: datetime,
    actor: str,
    dry_run: bool,
) -> None:
    try:
        result = _write_chunk(records, columns, uow_factory, state, now, actor, dry_run)
    except Conflict:
        log.warning("chunk failed to write; retrying row by row", extra={"rows": len(records)})
    else:
        result.merge_into(report, state)
        return
    for record in records:
        try:
            result = _write_chunk([record], columns, uow_factory, state, now, actor, dry_run)
        except Conflict as exc:
            log.warning("row failed to write", extra={"row": record.row, "error": str(exc)})
            report._fail(
                [
                    RowProblem(
                        record.row,
                        columns.header(RegisterColumn.REFERENCE),
                        record.reference,
                        "kunne ikke lagres: noen andre endret det samme samtidig, eller "
                        "e-postadressen eller organisasjonsnummeret er allerede i bruk. "
                        "Prøv å importere filen på nytt.",
                    )
                ]
            )
        else:
            result.merge_into(report, state)


def _write_chunk(
    records: Sequence[ContractRecord],
    columns: ColumnMap,
    uow_factory: UnitOfWorkFactory,
    state: _ImportState,
    now: datetime,
    actor: str,
    dry_run: bool,
) -> _ChunkResult:
    result = _ChunkResult()
    with uow_factory() as uow:
        writer = _ChunkWriter(uow, records, columns, state, result, now, actor, dry_run)
        # Suppliers and people first, contracts after: the contracts refer to them.
        prepared = [p for p in map(writer.prepare, records) if p is not None]
        if not dry_run:
            writer.save_new_suppliers_and_people()
        # In file order, each row's values let go once written (a chunk's peak memory).
        prepared.reverse()
        while prepared:
            writer.write(*prepared.pop())
        if not dry_run:
            writer.save_new_contracts_and_events()
            uow.commit()
    return result


# --- one chunk ---------------------------------------------------------------------------------


def _json(value: Any) -> Any:
    """A value as it goes into an audit event (JSON: dates as ISO text, enums as values)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def contract_snapshot(contract: Contract) -> dict[str, Any]:
    """The contract's importable fields as JSON values (the audit events' `before`/`after`),
    the compliance flags by their own names (see `followup.register.reading.CONTRACT_FIELDS`)."""
    values = contract.model_dump(mode="json")
    del values["id"]
    values.update(values.pop("compliance"))
    return values


class _ChunkWriter:
    def __init__(
        self,
        uow: UnitOfWork,
        records: Sequence[ContractRecord],
        columns: ColumnMap,
        state: _ImportState,
        result: _ChunkResult,
        now: datetime,
        actor: str,
        dry_run: bool,
    ) -> None:
        self.uow = uow
        self.columns = columns
        self.state = state
        self.result = result
        self.now = now
        self.actor = actor
        self.dry_run = dry_run
        self.contracts = dict(uow.contracts.by_references([r.reference for r in records]))
        self.new_suppliers: list[Supplier] = []
        self.new_people: list[Person] = []
        self.created_people: dict[str, int] = {}  # person id -> index in new_people
        self.new_contracts: list[Contract] = []
        self.events: list[AuditEvent] = []
        self._ids: Iterator[str] = iter(())
        numbers = {r.supplier_organisation_number for r in records}
        self.suppliers: dict[str, Supplier] = dict(uow.suppliers.by_organisation_numbers(numbers))
        self.suppliers.update((n, s) for n, s in state.suppliers.items() if n in numbers)
        addresses = {
            cell.address
            for r in records
            for cell in (r.owner, r.manager, r.deputy)
            if cell is not None
        }
        self.people: dict[str, Person] = {}
        self.owners: set[str] = set()
        """Ids of the people known to have the owner role (a check a row, cheaper by id)."""
        for address, person in uow.people.by_addresses(addresses).items():
            self.people[address.lower()] = state.people.get(person.id, person)
        for address in addresses - self.people.keys():
            person_id = state.addresses.get(address)
            if person_id is not None:
                self.people[address] = state.people[person_id]

    def _new_id(self) -> str:
        """An id for a contract or an event, from batches (`new_ids`)."""
        for id_ in self._ids:
            return id_
        self._ids = iter(new_ids(_ID_BATCH))
        return next(self._ids)

    def _audit(
        self,
        action: str,
        entity: str,
        entity_id: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        # Built from values this module made (no validation to do): many per chunk. Every
        # field is given: a default left to pydantic inspects its factory's signature each time
        # (a fifth of an import's time went there).
        self.events.append(
            AuditEvent.model_construct(
                id=self._new_id(),
                at=self.now,
                actor=self.actor,
                action=action,
                entity=entity,
                entity_id=entity_id,
                before=before,
                after=after,
                seq=None,
                prev_hash=None,
                hash=None,
            )
        )

    def save_new_suppliers_and_people(self) -> None:
        """Hand the chunk's new suppliers and people to the repositories, before any contract
        that refers to them."""
        self.uow.suppliers.add_many(self.new_suppliers)
        for person in self.new_people:
            self.uow.people.add(person, self.now)
            self._audit(
                "person.created",
                "person",
                person.id,
                None,
                {
                    "display_name": person.display_name,
                    "email": person.email,
                    "roles": sorted(r.value for r in person.roles),
                },
            )

    def save_new_contracts_and_events(self) -> None:
        """Hand the chunk's new contracts and its audit events to the repositories at once
        in bulk (the contracts are let go once stored: the chunk's peak memory is when the
        events are chained, at commit)."""
        self.uow.contracts.add_many(self.new_contracts, self.now)
        self.new_contracts = []
        self.contracts.clear()
        self.uow.audit.append_many(self.events)
        self.events = []

    def _problem(
        self, record: ContractRecord, column: RegisterColumn, value: str, message: str
    ) -> None:
        self.result.failed.append(
            [RowProblem(record.row, self.columns.header(column), value, message)]
        )

    def prepare(self, record: ContractRecord) -> tuple[ContractRecord, dict[str, Any]] | None:
        """Check the row against what exists, make its supplier and people, and return the
        contract values it asks for; None (and a problem) when the row cannot be imported."""
        existing = self.contracts.get(record.reference)
        if existing is None and record.category is None:
            self._problem(
                record,
                RegisterColumn.CATEGORY,
                "",
                "mangler kategori for ny avtale: skriv varer, tjenester eller bygg og anlegg "
                "(eller fyll inn CPV-kode)",
            )
            return None
        supplier = self._supplier(record)
        if supplier is None:
            return None
        values: dict[str, Any] = {
            "reference": record.reference,
            "title": record.title,
            "supplier_id": supplier.id,
            "owner_id": self._person(record.owner, owner=True).id,
            "manager_id": self._person_id(record.manager),
            "deputy_id": self._person_id(record.deputy),
            "case_number": record.case_number,
            "contract_type": record.contract_type,
            "category": record.category,
            "cpv_code": record.cpv_code,
            "unit": record.unit,
            "start_date": record.start_date,
            "end_date": record.end_date,
            "options": list(record.options),
            "value_nok": record.value_nok,
            "maximum_value_nok": record.maximum_value_nok,
            "ledger_accounts": record.ledger_accounts,
            "ongoing": record.ongoing,
            "notice_months": record.notice_months,
            "risk": record.risk,
            "status": record.status,
            "public": record.public,
            "scope": record.scope,
            "how_to_order": record.how_to_order,
            "contact_email": record.contact_email,
            "doffin_notice": record.doffin_notice,
            "pay_and_conditions": record.pay_and_conditions,
            "apprentices": record.apprentices,
            "hms_card": record.hms_card,
            "supply_chain": record.supply_chain,
        }
        return record, values

    def write(self, record: ContractRecord, values: dict[str, Any]) -> None:
        existing = self.contracts.get(record.reference)
        if existing is None:
            self._create(record, values)
        else:
            self._update(record, existing, {k: v for k, v in values.items() if k in record.given})

    def _create(self, record: ContractRecord, values: dict[str, Any]) -> None:
        values["compliance"] = {name: values.pop(name) for name in COMPLIANCE_FIELDS}
        values["contract_type"] = values["contract_type"] or contract_type_from_title(record.title)
        values["risk"] = values["risk"] or RiskLevel.MEDIUM
        values["status"] = values["status"] or ContractStatus.ACTIVE
        values["id"] = self._new_id()
        # Validated from the dict as it is (no keyword arguments to pack and unpack: half the
        # time of `Contract(**values)`).
        contract = Contract.model_validate(values)
        if not self.dry_run:
            self.new_contracts.append(contract)
            self._audit(
                "contract.created", "contract", contract.id, None, contract_snapshot(contract)
            )
        self.contracts[contract.reference] = contract
        self.result.created += 1
        self.result.note_change(record.row, contract, None)

    def _update(self, record: ContractRecord, existing: Contract, values: dict[str, Any]) -> None:
        current = contract_snapshot(existing)
        wanted = {name: _json(value) for name, value in values.items()}
        changed = [name for name, value in wanted.items() if current[name] != value]
        if not changed:
            self.result.unchanged += 1
            return
        flags = {n: values[n] for n in changed if n in COMPLIANCE_FIELDS}
        update = {n: values[n] for n in changed if n not in COMPLIANCE_FIELDS}
        if flags:
            update["compliance"] = existing.compliance.model_copy(update=flags)
        contract = existing.model_copy(update=update)
        if not self.dry_run:
            self.uow.contracts.update(contract, self.now)
            self._audit(
                "contract.updated",
                "contract",
                contract.id,
                {n: current[n] for n in changed},
                {n: wanted[n] for n in changed},
            )
        self.contracts[contract.reference] = contract
        self.result.updated += 1
        self.result.note_change(record.row, contract, tuple(changed))

    # suppliers

    def _supplier_name(self, record: ContractRecord) -> str | None:
        """The name this import uses for the record's supplier: the first the file gives."""
        name = record.supplier_name
        number = record.supplier_organisation_number
        if name is None:
            return None
        first = self.result.state.supplier_names.get(number) or self.state.supplier_names.get(
            number
        )
        if first is None:
            self.result.state.supplier_names[number] = (name, record.row)
            return name
        if first[0] != name and number not in self.state.warned_names | (
            self.result.state.warned_names
        ):
            self.result.state.warned_names.add(number)
            self.result.warnings.append(
                f"Leverandøren med org.nr {format_organisation_number(number)} har flere navn "
                f"i filen («{first[0]}» på rad {first[1]}, «{name}» på rad {record.row}); "
                f"navnet fra rad {first[1]} er brukt."
            )
        return first[0]

    def _supplier(self, record: ContractRecord) -> Supplier | None:
        number = record.supplier_organisation_number
        name = self._supplier_name(record)
        supplier = self.suppliers.get(number)
        if supplier is None:
            if name is None:
                self._problem(
                    record,
                    RegisterColumn.SUPPLIER_NAME,
                    "",
                    f"leverandøren med org.nr {format_organisation_number(number)} finnes ikke "
                    "fra før: fyll inn leverandørens navn",
                )
                return None
            supplier = Supplier(name=name, organisation_number=number)
            if not self.dry_run:
                self.new_suppliers.append(supplier)
                self._audit(
                    "supplier.created",
                    "supplier",
                    supplier.id,
                    None,
                    {"name": supplier.name, "organisation_number": number},
                )
            self.result.suppliers_created += 1
        elif name is not None and supplier.name != name:
            before = supplier.name
            supplier = supplier.model_copy(update={"name": name})
            if not self.dry_run:
                self.uow.suppliers.update(supplier)
                self._audit(
                    "supplier.updated", "supplier", supplier.id, {"name": before}, {"name": name}
                )
            self.result.suppliers_updated += 1
        else:
            return supplier
        self.suppliers[number] = supplier
        self.result.state.suppliers[number] = supplier
        return supplier

    # people

    def _person_id(self, cell: PersonCell | None) -> str | None:
        return None if cell is None else self._person(cell, owner=False).id

    def _person(self, cell: PersonCell, *, owner: bool) -> Person:
        person = self.people.get(cell.address)
        if person is None:
            person = Person(display_name=cell.name, email=cell.address)
            self.created_people[person.id] = len(self.new_people)
            self.new_people.append(person)
            self.result.people_created += 1
            self.result.state.addresses[cell.address] = person.id
            self.people[cell.address] = person
            self.result.state.people[person.id] = person
        if owner and person.id not in self.owners:
            if Role.OWNER not in person.roles:
                person = self._add_owner_role(person)
            self.owners.add(person.id)
        return person

    def _add_owner_role(self, person: Person) -> Person:
        updated = person.model_copy(update={"roles": person.roles | {Role.OWNER}})
        if person.id in self.created_people:  # not saved yet: it is created with the role
            self.new_people[self.created_people[person.id]] = updated
        else:
            if not self.dry_run:
                self.uow.people.update(updated, self.now)
                self._audit(
                    "person.updated",
                    "person",
                    person.id,
                    {"roles": sorted(r.value for r in person.roles)},
                    {"roles": sorted(r.value for r in updated.roles)},
                )
            self.result.people_updated += 1
        for address, known in list(self.people.items()):
            if known.id == person.id:
                self.people[address] = updated
        self.result.state.people[person.id] = updated
        return updated


__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "MAX_LISTED_CHANGES",
    "ContractChange",
    "ImportReport",
    "contract_snapshot",
    "import_contracts",
    "import_parsed",
    "importable_columns",
]
