"""The public register's store (`followup.public_register.PublicRegister`) on SQLite and
PostgreSQL: public framework agreements only, searched with Norwegian word forms.

Public rows only, in every statement: each one that reads contracts has `PUBLIC_ONLY` (the
contract is marked public AND is a framework agreement) in its WHERE, and selects only the
public columns; nothing is read first and filtered afterwards. What Python does after a query
is the part no index helps with on ≤ a few thousand rows: whether an agreement is still in
force (its options are JSON), the Norwegian sort by title (æ, ø, å after z) and the paging.

Search (`storage.public_search_terms`):

- PostgreSQL matches each query word against two GIN-indexed vectors with the `norwegian`
  configuration (migration 0018): the agreement's title, scope (*Omfang*), CPV code and
  category (partial index: public framework agreements only), and its supplier's name. The
  query's words are stemmed in Python with the same Snowball algorithm and matched as
  prefixes (`to_tsquery('simple', 'kontor:*')`: the stems are already made).
- SQLite has no Norwegian stemmer: each connection keeps a TEMP FTS5 table of the public
  agreements' stems (`document_terms`), rebuilt when `public_register_state.version` (moved by
  triggers, migration 0018) differs from the version it was built at. It lives in the
  connection's temporary database: a search never writes to the register's file, and the
  index can never show a row the join to `contracts` with `PUBLIC_ONLY` does not allow.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    and_,
    literal_column,
    or_,
    select,
)
from sqlalchemy import text as sql_text

from followup.models import Category, ContractStatus, ContractType
from followup.public_register import (
    PublicAgreement,
    PublicFacets,
    PublicPage,
    PublicQuery,
    PublicSupplier,
    Validity,
    in_force_on,
    norwegian_sort_key,
    public_agreement,
)
from storage.public_search_terms import (
    QueryTerms,
    document_terms,
    fts5_match,
    query_terms,
    tsquery,
)
from storage.tables import (
    PUBLIC_CONTRACT_VECTOR,
    PUBLIC_SUPPLIER_VECTOR,
    ContractRow,
    PersonRow,
    PublicRegisterStateRow,
    SupplierRow,
)

_C: Final = ContractRow.__table__.alias("c")
_S: Final = SupplierRow.__table__.alias("s")
_STATE: Final = PublicRegisterStateRow.__table__

PUBLIC_ONLY: Final[ColumnElement[bool]] = and_(
    _C.c.public,
    # A literal, not a parameter: PostgreSQL then proves the partial search index applies.
    _C.c.contract_type == literal_column(f"'{ContractType.FRAMEWORK.value}'"),
)
"""A contract the public may see: marked public and a framework agreement."""

# The public columns, and nothing else.
_COLUMNS: Final = (
    _C.c.id,
    _C.c.reference,
    _C.c.title,
    _C.c.category,
    _C.c.cpv_code,
    _C.c.scope,
    _C.c.start_date,
    _C.c.end_date,
    _C.c.ongoing,
    _C.c.options,
    _C.c.status,
    _C.c.unit,
    _C.c.how_to_order,
    _C.c.contact_email,
    _C.c.doffin_notice,
    _S.c.name.label("supplier_name"),
    _S.c.organisation_number.label("supplier_organisation_number"),
)

# PostgreSQL: the vectors of migration 0018's GIN indexes, spelled exactly as there.
CONTRACT_VECTOR: Final = PUBLIC_CONTRACT_VECTOR
SUPPLIER_VECTOR: Final = PUBLIC_SUPPLIER_VECTOR
_PG_WORD: Final = (
    "(c.id IN (SELECT id FROM contracts WHERE public AND contract_type = 'rammeavtale' "
    "AND {contract} @@ to_tsquery('simple', :{name})) "
    "OR c.supplier_id IN (SELECT id FROM suppliers WHERE {supplier} @@ to_tsquery('simple', "
    ":{name})))"
)

_FTS_TABLE: Final = "temp.public_register_fts"
_FTS_VERSION_KEY: Final = "kv_public_register_fts_version"
_FTS_CREATE: Final = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {_FTS_TABLE} USING fts5("
    "contract_id UNINDEXED, terms, tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3')"
)


def _base() -> Select[Any]:
    return (
        select(*_COLUMNS)
        .select_from(_C.outerjoin(_S, _S.c.id == _C.c.supplier_id))
        .where(PUBLIC_ONLY)
    )


class SqlPublicRegister:
    """`PublicRegister` over an engine (SQLite or PostgreSQL); read-only on the register."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"

    # --- the port ---------------------------------------------------------------------------

    def search(self, query: PublicQuery, today: date) -> PublicPage:
        terms = query_terms(query.text)
        empty = PublicPage(items=(), total=0, page=query.page, page_size=query.page_size)
        if terms.had_words and not terms.words:
            return empty  # only stop words: nothing to look for
        # First what matches, in as few columns as deciding validity and order needs; then
        # the public columns of the page's agreements alone.
        statement = (
            select(_C.c.id, _C.c.title, _C.c.status, _C.c.end_date, _C.c.ongoing, _C.c.options)
            .select_from(_C.outerjoin(_S, _S.c.id == _C.c.supplier_id))
            .where(PUBLIC_ONLY)
        )
        if query.category is not None:
            statement = statement.where(_C.c.category == query.category.value)
        if query.supplier:
            statement = statement.where(_S.c.organisation_number == query.supplier)
        if query.unit:
            statement = statement.where(_C.c.unit == query.unit)
        with self._engine.connect() as conn:
            if terms.words:
                statement = self._match(conn, statement, terms)
            found = [
                (norwegian_sort_key(title), contract_id)
                for contract_id, title, status, end_date, ongoing, options in conn.execute(
                    statement
                )
                if query.validity is Validity.ALL
                or in_force_on(ContractStatus(status), end_date, ongoing, options or (), today)
                is (query.validity is Validity.VALID)
            ]
            found.sort()
            first = (query.page - 1) * query.page_size
            ids = [contract_id for _, contract_id in found[first : first + query.page_size]]
            page: list[PublicAgreement] = []
            if ids:
                order = {contract_id: n for n, contract_id in enumerate(ids)}
                rows = sorted(
                    conn.execute(_base().where(_C.c.id.in_(ids))), key=lambda r: order[r.id]
                )
                page = self._with_contacts(conn, self._agreements(rows, today))
        return dataclasses.replace(empty, items=tuple(page), total=len(found))

    def get(self, reference: str, today: date) -> PublicAgreement | None:
        with self._engine.connect() as conn:
            rows = conn.execute(_base().where(_C.c.reference == reference.strip()))
            found = self._with_contacts(conn, self._agreements(rows, today))
        return found[0] if found else None

    def all(self, today: date) -> Sequence[PublicAgreement]:
        with self._engine.connect() as conn:
            found = self._agreements(conn.execute(_base()), today)
            found.sort(key=lambda a: norwegian_sort_key(a.title))
            return self._with_contacts(conn, found)

    def facets(self) -> PublicFacets:
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(_C.c.category, _C.c.unit, _S.c.name, _S.c.organisation_number)
                .select_from(_C.outerjoin(_S, _S.c.id == _C.c.supplier_id))
                .where(PUBLIC_ONLY)
                .distinct()
            ).all()
        order = list(Category)
        suppliers = {
            PublicSupplier(name=r.name, organisation_number=r.organisation_number)
            for r in rows
            if r.organisation_number is not None
        }
        return PublicFacets(
            categories=tuple(sorted({Category(r.category) for r in rows}, key=order.index)),
            suppliers=tuple(sorted(suppliers, key=lambda s: norwegian_sort_key(s.name))),
            units=tuple(sorted({r.unit for r in rows if r.unit}, key=norwegian_sort_key)),
        )

    def last_modified(self) -> datetime | None:
        with self._engine.connect() as conn:
            changed: datetime | None = conn.execute(
                select(_STATE.c.changed_at).where(_STATE.c.id == 1)
            ).scalar()
        return changed

    def version(self) -> int:
        with self._engine.connect() as conn:
            return _version(conn)

    # --- search -----------------------------------------------------------------------------

    def _match(self, conn: Connection, statement: Select[Any], terms: QueryTerms) -> Select[Any]:
        if self._postgres:
            for number, forms in enumerate(terms):
                name = f"word_{number}"
                clause = _PG_WORD.format(
                    contract=CONTRACT_VECTOR, supplier=SUPPLIER_VECTOR, name=name
                )
                statement = statement.where(sql_text(clause).bindparams(**{name: tsquery(forms)}))
            return statement
        _refresh_sqlite_index(conn)
        matching = sql_text(
            f"SELECT contract_id FROM {_FTS_TABLE} WHERE terms MATCH :match"  # noqa: S608
        ).bindparams(match=fts5_match(terms))
        return statement.where(_C.c.id.in_(matching.columns(contract_id=ContractRow.id.type)))

    # --- rows to agreements -----------------------------------------------------------------

    @staticmethod
    def _agreements(rows: Iterable[Any], today: date) -> list[PublicAgreement]:
        return [
            public_agreement(
                reference=r.reference,
                title=r.title,
                suppliers=(
                    ()
                    if r.supplier_organisation_number is None
                    else (PublicSupplier(r.supplier_name, r.supplier_organisation_number),)
                ),
                category=Category(r.category),
                cpv_code=r.cpv_code,
                scope=r.scope,
                start_date=r.start_date,
                end_date=r.end_date,
                ongoing=bool(r.ongoing),
                options=[date.fromisoformat(d) for d in r.options or ()],
                status=ContractStatus(r.status),
                unit=r.unit,
                how_to_order=r.how_to_order,
                contact_email=r.contact_email,
                contact_is_personal=False,
                doffin_notice=r.doffin_notice,
                today=today,
            )
            for r in rows
        ]

    @staticmethod
    def _with_contacts(
        conn: Connection, agreements: Sequence[PublicAgreement]
    ) -> list[PublicAgreement]:
        """The agreements with `contact_is_personal` set: a person in the register has the
        address (as e-mail or UPN)."""
        addresses = sorted({a.contact_email for a in agreements if a.contact_email})
        personal: set[str] = set()
        if addresses:
            people = PersonRow.__table__
            for row in conn.execute(
                select(people.c.email, people.c.upn).where(
                    or_(people.c.email.in_(addresses), people.c.upn.in_(addresses))
                )
            ):
                personal.update(a for a in (row.email, row.upn) if a)
        return [
            dataclasses.replace(a, contact_is_personal=True) if a.contact_email in personal else a
            for a in agreements
        ]


def _version(conn: Connection) -> int:
    version: int | None = conn.execute(select(_STATE.c.version).where(_STATE.c.id == 1)).scalar()
    return version or 0


def _refresh_sqlite_index(conn: Connection) -> None:
    """SQLite: this connection's TEMP FTS5 index of the public agreements, rebuilt when the
    register's version moved since it was built (committed: it is the connection's own)."""
    version = _version(conn)
    info = conn.info
    if info.get(_FTS_VERSION_KEY) == version:
        return
    rows = conn.execute(
        select(_C.c.id, _C.c.title, _C.c.scope, _C.c.cpv_code, _C.c.category, _S.c.name)
        .select_from(_C.outerjoin(_S, _S.c.id == _C.c.supplier_id))
        .where(PUBLIC_ONLY)
    ).all()
    documents = [
        (
            r.id,
            document_terms(
                " ".join(
                    (
                        r.title,
                        r.scope or "",
                        r.cpv_code or "",
                        r.category.replace("_", " "),
                        r.name or "",
                    )
                )
            ),
        )
        for r in rows
    ]
    conn.exec_driver_sql(_FTS_CREATE)
    conn.exec_driver_sql(f"DELETE FROM {_FTS_TABLE}")  # noqa: S608
    if documents:
        conn.exec_driver_sql(
            f"INSERT INTO {_FTS_TABLE} (contract_id, terms) VALUES (?, ?)",  # noqa: S608
            documents,
        )
    conn.commit()
    info[_FTS_VERSION_KEY] = version


__all__ = ["CONTRACT_VECTOR", "PUBLIC_ONLY", "SUPPLIER_VECTOR", "SqlPublicRegister"]
