"""The public register's store on real SQLite and PostgreSQL: the test set's searches give the
same hits on both, filters, the Norwegian sort, the public fields only, and agreements not
marked public, single contracts and call-offs never appear anywhere."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text, update

from followup.models import Category
from followup.public_register import (
    OptionStatus,
    PublicAgreement,
    PublicQuery,
    Validity,
)
from storage.db import create_db_engine, create_session_factory
from storage.public_register import CONTRACT_VECTOR, SUPPLIER_VECTOR, SqlPublicRegister
from storage.public_search_terms import NORWEGIAN_STOP_WORDS, document_terms, words
from storage.tables import ContractRow, SupplierRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.public_register_world import (
    HIDDEN,
    HIDDEN_WORDS,
    ORGANISATION_NUMBERS,
    PUBLIC,
    SEARCHES,
    TODAY,
    import_register,
    register_text,
)


@pytest.fixture
def register(db_engine: Engine, tmp_path: Path) -> SqlPublicRegister:
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(db_engine))
    report = import_register(factory, tmp_path / "register.csv")
    assert (report.created, report.failed) == (len(PUBLIC) + len(HIDDEN), 0), report.problems
    return SqlPublicRegister(db_engine)


def titles(register: SqlPublicRegister, query: PublicQuery) -> list[str]:
    return [a.title for a in register.search(query, TODAY).items]


def test_the_test_sets_searches_find_the_same_agreements_on_both_stores(
    register: SqlPublicRegister,
) -> None:
    found = {q: titles(register, PublicQuery(text=q, page_size=100)) for q in SEARCHES}
    assert found == {q: list(expected) for q, expected in SEARCHES.items()}


def test_agreements_not_public_single_contracts_and_call_offs_never_appear(
    register: SqlPublicRegister,
) -> None:
    hidden = {a.reference for a in HIDDEN}
    for validity in Validity:
        for word in (*HIDDEN_WORDS, "kontor", "sykkel", "brøyting", ""):
            page = register.search(PublicQuery(text=word, validity=validity, page_size=100), TODAY)
            assert not hidden & {a.reference for a in page.items}, (word, validity)
    assert all(register.get(reference, TODAY) is None for reference in hidden)
    everything = register.all(TODAY)
    assert {a.reference for a in everything} == {a.reference for a in PUBLIC}
    facets = register.facets()
    assert "Trygg Legevakt AS" not in {s.name for s in facets.suppliers}
    # Nothing of theirs in what is public either.
    assert not re.search("|".join(HIDDEN_WORDS), repr(everything), re.IGNORECASE)


def test_only_public_fields_no_values_people_or_case_numbers(
    register: SqlPublicRegister,
) -> None:
    office = register.get("PR-01", TODAY)
    assert office is not None
    assert {f.name for f in dataclasses.fields(PublicAgreement)} == {
        "reference", "title", "suppliers", "category", "cpv_code", "scope", "start_date",
        "end_date", "ongoing", "options", "valid_until", "in_force", "units", "how_to_order",
        "contact_email", "contact_is_personal", "doffin_notice",
    }  # fmt: skip
    assert (office.title, office.category, office.cpv_code) == (
        "Kontorrekvisita",
        Category.GOODS,
        "30192000-1",
    )
    assert [(s.name, s.organisation_number) for s in office.suppliers] == [
        ("Kontorpartner Vest AS", ORGANISATION_NUMBERS["Kontorpartner Vest AS"])
    ]
    assert office.scope == "Penner, papir, permer og annet kontormateriell"
    assert office.how_to_order == "Bestill i innkjøpsportalen"
    assert (office.contact_email, office.contact_is_personal) == (
        "innkjop@fjordvik.kommune.no",
        False,
    )
    assert (office.doffin_notice, office.doffin_url) == (
        "2024-123456",
        "https://doffin.no/notices/2024-123456",
    )
    assert (office.start_date, office.end_date, office.in_force) == (
        date(2025, 1, 1),
        date(2027, 12, 31),
        True,
    )
    assert office.units == ("Sentraladministrasjon",)
    shown = repr(register.all(TODAY))
    for secret in ("1250000", "1 250 000", "Kari Nordmann", "aktiv", "middels"):
        assert secret not in shown
    # A person's own address is flagged: the page shows it only when a setting allows.
    second = register.get("PR-29", TODAY)
    assert second is not None
    assert (second.contact_email, second.contact_is_personal) == (
        "kari.nordmann@fjordvik.kommune.no",
        True,
    )


def test_options_and_validity_from_what_is_stored(register: SqlPublicRegister) -> None:
    fuel, interpreters, guards, copiers, lifts = (
        register.get(r, TODAY) for r in ("PR-20", "PR-26", "PR-28", "PR-30", "PR-27")
    )
    assert fuel is not None
    assert interpreters is not None
    assert guards is not None
    assert copiers is not None
    assert lifts is not None
    # The period ended, an option runs on: in force (options counted).
    assert [(o.start, o.end, o.status) for o in fuel.options] == [
        (date(2026, 7, 1), date(2027, 6, 30), OptionStatus.OPEN)
    ]
    assert (fuel.valid_until, fuel.in_force) == (date(2027, 6, 30), True)
    # Ended in the register: its option was not exercised.
    assert [o.status for o in interpreters.options] == [OptionStatus.NOT_EXERCISED]
    assert interpreters.in_force is False
    # The option's whole period is over and never recorded as exercised.
    assert [o.status for o in guards.options] == [OptionStatus.EXPIRED]
    assert (guards.valid_until, guards.in_force) == (date(2025, 6, 30), False)
    assert copiers.in_force is False
    assert (lifts.ongoing, lifts.valid_until, lifts.in_force) == (True, None, True)


def test_filters_validity_and_paging(register: SqlPublicRegister) -> None:
    expired = titles(register, PublicQuery(validity=Validity.EXPIRED, page_size=100))
    assert expired == ["Kopimaskiner", "Tolketjenester", "Vakt og sikring"]
    in_force = register.search(PublicQuery(page_size=100), TODAY)
    assert in_force.total == len(PUBLIC) - 3
    assert register.search(PublicQuery(validity=Validity.ALL), TODAY).total == len(PUBLIC)
    assert titles(register, PublicQuery(category=Category.BUILDING)) == [
        "Asfaltering", "Elektrikertjenester", "Rørleggertjenester", "Snekkertjenester",
        "Zinktak – vedlikehold",
    ]  # fmt: skip
    supplier = ORGANISATION_NUMBERS["Idrett og Lek AS"]
    assert titles(register, PublicQuery(supplier=supplier)) == [
        "Øvingsutstyr for kroppsøving",
        "Åpen barnehage – leker",
    ]
    assert titles(register, PublicQuery(unit="Helse og omsorg")) == [
        "Frisk frukt",
        "Matvarer til sykehjem",
        "Vaskeritjenester",
    ]
    assert titles(register, PublicQuery(text="frukt", unit="Oppvekst")) == []
    assert titles(
        register, PublicQuery(text="tak", category=Category.BUILDING, unit="Eiendom")
    ) == ["Zinktak – vedlikehold"]
    assert titles(register, PublicQuery(text="tak", category=Category.GOODS)) == []
    first = register.search(PublicQuery(page=1, page_size=10), TODAY)
    third = register.search(PublicQuery(page=3, page_size=10), TODAY)
    assert (first.total, first.pages, len(first.items), len(third.items)) == (27, 3, 10, 7)
    every = [a.title for a in register.search(PublicQuery(page_size=100), TODAY).items]
    assert [a.title for a in (*first.items,)] == every[:10]
    assert [a.title for a in third.items] == every[20:]


def test_sorted_by_title_the_norwegian_way(register: SqlPublicRegister) -> None:
    every = [a.title for a in register.all(TODAY)]
    assert every[-4:] == [
        "Zinktak – vedlikehold",
        "Ærend- og budtjenester",
        "Øvingsutstyr for kroppsøving",
        "Åpen barnehage – leker",
    ]
    assert every[:3] == ["Arbeidsklær", "Asfaltering", "Brøytetjenester for skoleveier"]
    assert every.index("Kontormøbler og inventar") < every.index("Kontorrekvisita")
    facets = register.facets()
    assert facets.categories == (Category.GOODS, Category.SERVICES, Category.BUILDING)
    assert facets.units == (
        "Eiendom", "Helse og omsorg", "Oppvekst", "Sentraladministrasjon", "Teknisk drift",
    )  # fmt: skip


def test_changes_move_the_version_and_the_search_follows(
    db_engine: Engine, register: SqlPublicRegister, tmp_path: Path
) -> None:
    before = register.version()
    assert before > 0
    assert register.last_modified() is not None
    assert titles(register, PublicQuery(text="vindusvask")) == [
        "Renholdstjenester for kommunale bygg",
        "Vindusvask",
    ]
    # A non-public contract's change is not the public register's.
    with db_engine.begin() as conn:
        conn.execute(
            update(ContractRow)
            .where(ContractRow.reference == "SKJULT-1")
            .values(title="Kontorrekvisita til legevakten, ny")
        )
    assert register.version() == before
    # Unpublished by a re-import: gone at once, from search, get and all.
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(db_engine))
    changed = [
        dataclasses.replace(a, public="Nei") if a.reference == "PR-04" else a for a in PUBLIC
    ]
    report = import_register(factory, tmp_path / "second.csv", changed)
    assert (report.updated, report.failed) == (1, 0)
    assert register.version() > before
    assert titles(register, PublicQuery(text="vindusvask")) == [
        "Renholdstjenester for kommunale bygg"
    ]
    assert titles(register, PublicQuery(text="vinduer")) == ["Renholdstjenester for kommunale bygg"]
    assert register.get("PR-04", TODAY) is None
    # A supplier's new name is searched at once.
    moved = register.version()
    with db_engine.begin() as conn:
        conn.execute(
            update(SupplierRow).where(SupplierRow.name == "Heis AS").values(name="Løfteteknikk AS")
        )
    assert register.version() > moved
    assert titles(register, PublicQuery(text="løfteteknikk")) == ["Heisservice"]
    assert titles(register, PublicQuery(text="heisservice")) == ["Heisservice"]


NASTY_QUERIES = (
    '"', "*", "NEAR(kontor sykkel)", "-kontor", "^kontor", "kontor:", "terms:kontor",
    "contract_id:1", "kontor OR sykkel", "(kontor", "{terms}:kontor", "kontor & sykkel",
    "kontor | sykkel", "!kontor", "kontor <-> sykkel", "kontor:*", "' OR 1=1 --", "%", "_",
    "\\", "AND", "NOT", "og i", "ｋｏｎｔｏｒ", "kon\u200btor", "\u202ekontor", "🚲", "k" * 200,
)  # fmt: skip


@pytest.mark.parametrize("query", NASTY_QUERIES)
def test_search_syntax_of_either_store_is_only_words(
    register: SqlPublicRegister, query: str
) -> None:
    """FTS5 and tsquery syntax, SQL-looking text and odd characters are searched as words (or
    nothing), the same on both stores, never an error."""
    found = titles(register, PublicQuery(text=query, page_size=100, validity=Validity.ALL))
    expected = titles(
        register,
        PublicQuery(text=" ".join(words(query)), page_size=100, validity=Validity.ALL),
    )
    assert found == expected
    assert not re.search("|".join(HIDDEN_WORDS), " ".join(found), re.IGNORECASE)


def test_decomposed_letters_and_superscripts_search_alike_on_both_stores(
    db_engine: Engine, tmp_path: Path
) -> None:
    """«Åpen» written as «A» + a combining ring (NFD, as some exports write it) is found by
    «åpen» on PostgreSQL as on SQLite; «m²» and «½» separate words on both (PostgreSQL's
    `[:alnum:]` does not count them)."""
    factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(db_engine))
    agreements = (
        dataclasses.replace(
            PUBLIC[0], reference="NFD-1", title=unicodedata.normalize("NFD", "Åpen hall for bøker")
        ),
        dataclasses.replace(PUBLIC[0], reference="NUM-1", title="Gulvvask 500 m² ½ ② pris"),
    )
    report = import_register(factory, tmp_path / "odd.csv", agreements)
    assert report.failed == 0, report.problems
    register = SqlPublicRegister(db_engine)
    stored = register.get("NFD-1", TODAY)
    assert stored is not None
    assert stored.title == "Åpen hall for bøker"  # composed: shown and compared as typed

    def every(query: str = "") -> list[str]:
        return titles(register, PublicQuery(text=query, page_size=100, validity=Validity.ALL))

    for query in ("åpen", unicodedata.normalize("NFD", "åpen"), "hall"):
        assert every(query) == ["Åpen hall for bøker"]
    for query in ("m", "m²", "gulvvask pris", "500"):
        assert every(query) == ["Gulvvask 500 m² ½ ② pris"]
    for query in ("²", "½", "②"):
        assert every(query) == every()  # no word at all: the whole list, as an empty search


@pytest.mark.postgres
def test_python_stems_are_postgresqls_norwegian_stems(postgres_url: str) -> None:
    """The SQLite side indexes what PostgreSQL's `norwegian` configuration makes of the same
    text: every word of the test set (a stemmer upgrade that differs fails here)."""
    content = register_text(PUBLIC + HIDDEN) + " ".join(SEARCHES)
    vocabulary = sorted(set(words(content)) | NORWEGIAN_STOP_WORDS)
    engine = create_db_engine(postgres_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT w, array_to_string(tsvector_to_array("
                    "to_tsvector('norwegian', w)), ' ') FROM unnest(CAST(:ws AS text[])) AS w"
                ),
                {"ws": vocabulary},
            ).all()  # fmt: skip
    finally:
        engine.dispose()
    differ = {w: (pg, document_terms(w)) for w, pg in rows if pg != document_terms(w)}
    assert differ == {}
    assert len(rows) > 200


EXPLAIN_SEARCH = (
    "EXPLAIN SELECT id FROM contracts WHERE public AND contract_type = 'rammeavtale' "  # noqa: S608
    f"AND {CONTRACT_VECTOR} @@ to_tsquery('simple', 'kontor:*') "
    f"UNION ALL SELECT id FROM suppliers WHERE {SUPPLIER_VECTOR} @@ "
    "to_tsquery('simple', 'kontor:*')"
)


@pytest.mark.postgres
def test_postgresql_search_can_use_the_gin_indexes(postgres_url: str, tmp_path: Path) -> None:
    """The search's vectors are spelled as migration 0018's GIN indexes (else PostgreSQL would
    compute every vector per query)."""
    engine = create_db_engine(postgres_url)
    try:
        factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
        import_register(factory, tmp_path / "register.csv")
        with engine.connect() as conn:
            # Without the small btree index the tiny test table would rather use.
            conn.execute(text("DROP INDEX ix_contracts_public_register"))
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(str(row[0]) for row in conn.execute(text(EXPLAIN_SEARCH)))
            conn.rollback()
        assert "ix_contracts_public_search" in plan
        assert "ix_suppliers_public_search" in plan
        register = SqlPublicRegister(engine)
        assert [a.reference for a in register.search(PublicQuery(text="kontor"), TODAY).items]
    finally:
        engine.dispose()
