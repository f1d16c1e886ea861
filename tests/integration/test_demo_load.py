"""`kontraktsvakt demo --load-only`: Fjordvik kommune with six months of history, loaded for real
into SQLite and PostgreSQL, read back through the same read models the chat commands use.

One load per store (it is the slow part); every check of what it holds reads that load.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, event, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.cli.main import main
from followup.access import resolve_viewer
from followup.calendar.workdays import oslo_today
from followup.checks.evaluation import COMMENT_BELOW
from followup.checks.risk import OVERVIEW_LIMIT, risk_overview
from followup.models import (
    OPEN_FOLLOW_UP_STATES,
    AnswerKind,
    ContractStatus,
    DeviationCategory,
    DeviationStatus,
    FollowUpState,
    Role,
    Severity,
)
from followup.portfolio import (
    StatusCount,
    export_rows,
    list_deviations,
    list_overdue,
    portfolio_status,
)
from followup.views import ExportKind, ExportQuery, PageRequest, Scope
from storage.audit_log import verify_audit_trail
from storage.db import create_db_engine, create_session_factory, upgrade_database
from storage.demo_data import DEMO_ADMIN_EMAIL, DEMO_PROCUREMENT_EMAILS, demo_people
from storage.demo_history import DEMO_CHANNEL_ID, HISTORY_MONTHS
from storage.document_store import FolderDocumentStore
from storage.tables import (
    AnswerRow,
    AuditEventRow,
    CheckpointRow,
    ContractRow,
    DeviationRow,
    DocumentRow,
    FollowUpRow,
    OnsiteCheckRow,
    PersonRow,
    RiskAssessmentRow,
    SupplierEvaluationRow,
)
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

POSTGRES_ENV = "KV_TEST_POSTGRES_URL"
ROW_TABLES = ("people", "contracts", "follow_ups", "answers", "documents", "deviations")
CPU_SECONDS_AT_MOST = 15.0
"""A generous bound on the load's processor time (it takes about 4 s): catches a slow path."""


@dataclass
class Loaded:
    url: str
    data_dir: Path
    engine: Engine
    factory: SqlAlchemyUnitOfWorkFactory
    documents: FolderDocumentStore
    output: str
    today: date
    cpu_seconds: float
    started: datetime
    """Just before the load (which reads the clock itself)."""


def _settings_env(monkeypatch: pytest.MonkeyPatch, db_url: str, data_dir: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    monkeypatch.setenv("MicrosoftAppId", "")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.setenv("PORT", "39781")


@contextlib.contextmanager
def _own_postgres_database() -> Iterator[str]:
    """A migrated PostgreSQL database for this module alone, dropped after it: the module loads
    it once and reads it in every test, while other tests empty the session's shared one."""
    admin_url = make_url(os.environ[POSTGRES_ENV])
    name = f"kv_demo_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_database(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{(tmp_path_factory.mktemp('demo') / 'kv.db').as_posix()}"
        upgrade_database(url)
        yield url
        return
    # The session's server, with the same checks (a server, or an explicit opt-out).
    request.getfixturevalue("postgres_template_url")
    with _own_postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
def loaded(store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """`kontraktsvakt demo --load-only`, once per store."""
    data_dir = tmp_path_factory.mktemp("data")
    output = io.StringIO()
    with pytest.MonkeyPatch.context() as monkeypatch, contextlib.redirect_stdout(output):
        _settings_env(monkeypatch, store_url, data_dir)
        started_at = datetime.now(UTC)
        started = time.process_time()
        assert main(["demo", "--load-only"]) == 0
        cpu = time.process_time() - started
    engine = create_db_engine(store_url)
    yield Loaded(
        store_url,
        data_dir,
        engine,
        SqlAlchemyUnitOfWorkFactory(create_session_factory(engine)),
        FolderDocumentStore(data_dir / "documents"),
        output.getvalue(),
        oslo_today(started_at),
        cpu,
        started_at,
    )
    engine.dispose()


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())  # noqa: S608
            for t in ROW_TABLES
        }


def test_the_load_tells_what_it_holds_and_is_fast(loaded: Loaded) -> None:
    match = re.search(
        r"Fjordvik kommune er lastet inn på [\d,]+ s: 300 kontrakter, 80 kontraktseiere, "
        r"5 i innkjøp og 60 leverandører\.\nEt halvt år med oppfølging: (\d+) svar \((\d+) etter "
        r"fristen\), (\d+) dokumenter og (\d+) avvik\. Nå er (\d+) oppfølginger forfalt, (\d+) av "
        r"dem eskalert\.",
        loaded.output,
    )
    assert match is not None, loaded.output
    answers, late, documents, deviations, overdue, escalated = map(int, match.groups())
    assert answers > 500
    assert 0 < late < answers / 3
    assert documents > 100
    assert deviations > 10
    assert 0 < escalated < overdue < answers / 5
    assert _counts(loaded.engine)["documents"] == documents
    assert loaded.cpu_seconds < CPU_SECONDS_AT_MOST


def test_status_forfalt_and_avvik_have_something_to_show_on_day_one(loaded: Loaded) -> None:
    today = loaded.today
    with loaded.factory() as uow:
        status = portfolio_status(uow, Scope.everything(), today)
        overdue = list_overdue(uow, Scope.everything(), today)
        open_deviations = list_deviations(uow, Scope.everything())
        every_deviation = list_deviations(uow, Scope.everything(), open_only=False)
        overdue_rows = list(
            export_rows(uow, status.export_query(StatusCount.OVERDUE), Scope.everything())
        )
        answer_rows = list(
            export_rows(
                uow,
                ExportQuery(ExportKind.SVAR, today, from_date=date(2000, 1, 1)),
                Scope.everything(),
            )
        )
    counts = status.counts
    assert counts.contracts_followed_up > 200
    assert counts.due_in_period > 0
    # Most are answered on time, not all: some late, some still open.
    assert counts.due_in_period > counts.answered > counts.answered_on_time
    assert counts.answered_on_time / counts.due_in_period > 0.6
    assert 0 < counts.escalated < counts.overdue
    assert counts.open_deviations_total > 0
    assert counts.unreachable_owners == 0

    assert overdue.total == counts.overdue
    assert len(overdue.items) == min(overdue.total, PageRequest().limit)
    assert any(item.escalated for item in overdue.items)
    assert all(item.due_date < today for item in overdue.items)
    assert len(overdue_rows) == counts.overdue

    assert open_deviations.page.total == counts.open_deviations_total
    statuses = Counter(item.status for item in every_deviation.page.items)
    assert every_deviation.page.total > open_deviations.page.total  # some are closed
    assert set(statuses) <= set(DeviationStatus)
    severities = {s for s, n in every_deviation.by_severity.items() if n}
    assert {Severity.LOW, Severity.MEDIUM, Severity.HIGH} <= severities

    assert len(answer_rows) > 500


def test_six_months_of_answers_on_time_late_by_deputies_with_documents(loaded: Loaded) -> None:
    with loaded.engine.connect() as conn:
        first_answers = conn.execute(
            select(func.min(AnswerRow.answered_at), func.max(AnswerRow.answered_at))
        ).one()
        kinds = Counter(
            dict(conn.execute(select(AnswerRow.kind, func.count()).group_by(AnswerRow.kind)).all())
        )
        on_behalf = conn.execute(
            select(func.count()).where(AnswerRow.on_behalf_of_id.is_not(None))
        ).scalar_one()
        corrected = conn.execute(
            select(func.count()).select_from(AnswerRow).where(AnswerRow.version > 1)
        ).scalar_one()
        late = conn.execute(
            select(func.count())
            .select_from(FollowUpRow)
            .where(FollowUpRow.first_answered_on > FollowUpRow.due_date)
        ).scalar_one()
        keys = [k for (k,) in conn.execute(select(DocumentRow.storage_key).limit(20))]
    earliest, latest = first_answers
    months = (loaded.today.year - earliest.year) * 12 + loaded.today.month - earliest.month
    assert HISTORY_MONTHS - 1 <= months <= HISTORY_MONTHS
    assert latest < datetime.now(UTC)
    assert {AnswerKind.DELIVERED.value, AnswerKind.DOCUMENTS.value} <= set(kinds)
    assert kinds[AnswerKind.DEVIATION.value] > 0
    assert kinds[AnswerKind.PARTLY_DELIVERED.value] > 0
    assert on_behalf > 0
    assert corrected > 0
    assert late > 0
    # The files behind the documents are there, and are PDFs.
    assert keys
    for key in keys:
        assert loaded.documents.get(key).startswith(b"%PDF-1.4")


def test_the_story_around_the_numbers(loaded: Loaded) -> None:
    today = loaded.today
    with loaded.factory() as uow:
        [channel] = uow.conversations.procurement_channels()
        admin = uow.people.find_by_email_or_upn(DEMO_ADMIN_EMAIL)
        assert admin is not None
        history = uow.audit.for_entity("conversation", channel.id)
    assert channel.conversation_id == DEMO_CHANNEL_ID
    assert channel.service_url == "http://127.0.0.1:39781/_dev/connector/"
    assert [e.action for e in history] == ["conversation.installed", "channel.procurement_on"]
    assert history[1].actor == f"person:{admin.id}"

    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(loaded.engine, "before_cursor_execute", count)
    try:
        people = demo_people(loaded.engine, today)
    finally:
        event.remove(loaded.engine, "before_cursor_execute", count)
    assert len(statements) == 1, "the picker's list is one query, not one per person"
    assert len(people) == 85
    assert {p.email for p in people[:5]} == set(DEMO_PROCUREMENT_EMAILS)
    assert any(p.overdue for p in people)
    assert any(p.due_soon for p in people)
    [away] = [p for p in people if p.away_until is not None]
    [covering] = [p for p in people if p.covering_for is not None]
    assert covering.covering_for == away.display_name
    assert "deputy" in covering.roles
    assert away.away_until is not None
    assert away.away_until > today

    # An owner with something overdue sees it in their own scope.
    owner = next(p for p in people if p.overdue and Role.OWNER.value in p.roles)
    with loaded.factory() as uow:
        viewer = resolve_viewer(uow, owner.id, today, procurement_addresses=frozenset())
        mine = list_overdue(uow, viewer.scope, today)
    assert mine.total >= owner.overdue


def test_the_audit_trail_verifies(
    loaded: Loaded, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    report = verify_audit_trail(loaded.engine)
    assert report.ok, report
    assert report.checked > 1000
    with loaded.engine.connect() as conn:
        actions = Counter(
            dict(
                conn.execute(
                    select(AuditEventRow.action, func.count()).group_by(AuditEventRow.action)
                ).all()
            )
        )
        times = [t for (t,) in conn.execute(select(AuditEventRow.at).order_by(AuditEventRow.seq))]
    for action in (
        "answer.recorded",
        "document.stored",
        "deviation.reported",
        "deviation.updated",
        "absence.registered",
        "channel.procurement_on",
        "risk.assessed",
        "onsite.recorded",
        "evaluation.recorded",
    ):
        assert actions[action] > 0, action
    # The history was made in time order: the chain's order is the order things happened.
    assert times == sorted(times)

    _settings_env(monkeypatch, loaded.url, loaded.data_dir)
    assert main(["audit", "verify"]) == 0
    checked = f"{report.checked:,}".replace(",", " ")
    assert f"Revisjonssporet er i orden: {checked} hendelser" in capsys.readouterr().out


def test_a_second_load_changes_nothing(
    loaded: Loaded, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _counts(loaded.engine)
    with loaded.engine.connect() as conn:
        head = conn.execute(text("SELECT seq, hash FROM audit_chain_head")).one()
    _settings_env(monkeypatch, loaded.url, loaded.data_dir)

    assert main(["demo", "--load-only"]) == 0

    out = capsys.readouterr().out
    assert "Fjordvik kommune er allerede lastet inn i denne databasen; ingenting er endret." in out
    assert _counts(loaded.engine) == before
    with loaded.engine.connect() as conn:
        assert conn.execute(text("SELECT seq, hash FROM audit_chain_head")).one() == head


def test_a_database_with_other_data_is_refused(
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _settings_env(monkeypatch, db_url, tmp_path / "data")
    engine = create_db_engine(db_url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(PersonRow).values(
                id="00000000-0000-4000-8000-00000000a001",
                display_name="Kari Nordmann",
                email="kari@alesund.kommune.no",
                roles=["owner"],
                locale="nb-NO",
                reminders_paused=False,
                reminders_per_day=1,
                unreachable=False,
                created_at=now,
                updated_at=now,
            )
        )

    assert main(["demo", "--load-only"]) == 1

    assert "Databasen har allerede personer eller kontrakter" in capsys.readouterr().err
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(PersonRow)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(ContractRow)).scalar_one() == 0
    engine.dispose()


def test_every_open_follow_up_in_the_past_has_climbed_the_ladder(loaded: Loaded) -> None:
    """Nothing overdue waits for a step that was due long ago: a first tick sends no backlog."""
    with loaded.engine.connect() as conn:
        stale = conn.execute(
            select(func.count())
            .select_from(FollowUpRow)
            .where(
                FollowUpRow.state == FollowUpState.PLANNED.value,
                FollowUpRow.due_date < loaded.today,
            )
        ).scalar_one()
        behind = conn.execute(
            select(func.count())
            .select_from(FollowUpRow)
            .where(FollowUpRow.next_action_at < loaded.started)
        ).scalar_one()
    assert stale == 0
    assert behind == 0


# --- the structured checks: risk assessments, on-site checks, supplier evaluations -------------

ONSITE_CODE = "stedlig-kontroll"
CHECKS_LINE = re.compile(
    r"Vurderinger og kontroller: (\d+) risikovurderinger av (\d+) kontrakter \((\d+) med et "
    r"annet nivå enn forslaget\), (\d+) stedlige kontroller \((\d+) med avvik\) og (\d+) "
    r"leverandørevalueringer\."
)


def _checks_line(loaded: Loaded) -> tuple[int, ...]:
    match = CHECKS_LINE.search(loaded.output)
    assert match is not None, loaded.output
    return tuple(map(int, match.groups()))


def test_a_third_of_the_contracts_in_force_have_a_consistent_risk_assessment(
    loaded: Loaded,
) -> None:
    with Session(loaded.engine) as session:
        versions = list(
            session.scalars(
                select(RiskAssessmentRow).order_by(
                    RiskAssessmentRow.contract_id, RiskAssessmentRow.version
                )
            )
        )
        contracts = {c.id: c for c in session.scalars(select(ContractRow))}
        procurement = {
            p.id for p in session.scalars(select(PersonRow)) if Role.PROCUREMENT.value in p.roles
        }
        risk_changes = {
            (e.entity_id, e.at)
            for e in session.scalars(
                select(AuditEventRow).where(AuditEventRow.action == "contract.updated")
            )
            if e.after is not None and "risk" in e.after
        }
    in_force = [
        c
        for c in contracts.values()
        if c.status in (ContractStatus.ACTIVE.value, ContractStatus.PLANNED.value)
    ]
    by_contract: dict[str, list[RiskAssessmentRow]] = {}
    for version in versions:
        by_contract.setdefault(version.contract_id, []).append(version)
    assessments, assessed, overruled_count, *_ = _checks_line(loaded)
    assert (len(versions), len(by_contract)) == (assessments, assessed)
    assert 0.2 < len(by_contract) / len(in_force) < 0.45, "roughly a third"
    assert all(contracts[c].status in {x.status for x in in_force} for c in by_contract)

    overruled = [v for v in versions if v.chosen != v.suggested]
    assert len(overruled) == overruled_count
    assert 2 <= len(overruled) < len(versions) / 5, "most agree with the suggestion"
    assert all(v.reason and len(v.reason) > 20 for v in overruled)
    assert all(v.reason is None for v in versions if v.chosen == v.suggested)
    assert any(v.assessed_by_id in procurement for v in versions)
    assert any(v.assessed_by_id == contracts[v.contract_id].owner_id for v in versions)
    assert all(
        loaded.started - timedelta(days=190) < v.assessed_at < loaded.started for v in versions
    )

    twice = [rows for rows in by_contract.values() if len(rows) > 1]
    assert len(twice) >= 3
    changed = 0
    for contract_id, rows in by_contract.items():
        assert [r.version for r in rows] == list(range(1, len(rows) + 1))
        assert [r.assessed_at for r in rows] == sorted(r.assessed_at for r in rows)
        # The contract's risk is what its latest assessment chose; a changed level was
        # audited as the contract's update at the same moment.
        assert contracts[contract_id].risk == rows[-1].chosen
        for row in rows:
            if row.previous != row.chosen:
                changed += 1
                assert (contract_id, row.assessed_at) in risk_changes
    assert changed >= 1, "a level was changed, which made the plan again"

    with loaded.factory() as uow:
        overview = risk_overview(uow, loaded.started, procurement=True)
    assert len(overview.never) == min(len(in_force) - len(by_contract), OVERVIEW_LIMIT)
    assert not overview.stale  # the history is half a year


def test_on_site_checks_answer_the_on_site_follow_ups_of_labour_intensive_contracts(
    loaded: Loaded,
) -> None:
    with Session(loaded.engine) as session:
        checks = list(
            session.scalars(
                select(OnsiteCheckRow).order_by(OnsiteCheckRow.contract_id, OnsiteCheckRow.number)
            )
        )
        onsite = {
            c.id: c
            for c in session.scalars(select(CheckpointRow).where(CheckpointRow.code == ONSITE_CODE))
        }
        follow_ups = {
            f.id: f
            for f in session.scalars(
                select(FollowUpRow).where(FollowUpRow.checkpoint_id.in_(list(onsite)))
            )
        }
        answers = list(
            session.scalars(select(AnswerRow).where(AnswerRow.follow_up_id.in_(list(follow_ups))))
        )
        deviations = {
            d.id: d
            for d in session.scalars(
                select(DeviationRow).where(
                    DeviationRow.id.in_([c.deviation_id for c in checks if c.deviation_id])
                )
            )
        }
    *_, count, with_deviation, _ = _checks_line(loaded)
    assert len(checks) == count >= 15
    assert sum(c.deviation_id is not None for c in checks) == with_deviation >= 3

    with_checkpoint = {c.contract_id for c in onsite.values() if c.status == "active"}
    per_contract = Counter(c.contract_id for c in checks)
    assert set(per_contract) <= with_checkpoint, "only where the plan has on-site checks"
    assert set(per_contract.values()) <= {1, 2, 3}
    assert max(per_contract.values()) > 1
    for check in checks:
        assert check.without_card <= check.cards_checked <= check.workers
        assert check.checked_on <= check.recorded_at.date()
        assert check.participants
        if check.deviation_id is not None:
            deviation = deviations[check.deviation_id]
            assert deviation.contract_id == check.contract_id
            assert deviation.occurred_on == check.checked_on
            assert deviation.follow_up_id == check.follow_up_id
        if check.follow_up_id is not None:
            answered = follow_ups[check.follow_up_id]
            assert answered.contract_id == check.contract_id
            assert answered.state not in OPEN_FOLLOW_UP_STATES

    def category(check: OnsiteCheckRow) -> str | None:
        return deviations[check.deviation_id].category if check.deviation_id else None

    missing_cards = [c for c in checks if c.without_card > 0]
    assert missing_cards
    assert all(category(c) == DeviationCategory.INTEGRITY.value for c in missing_cards)
    crew_differs = [c for c in checks if c.crew_list == "nei"]
    assert crew_differs
    assert all(category(c) == DeviationCategory.INTEGRITY.value for c in crew_differs)
    assert any(c.follow_up_id is None for c in checks), "procurement's unannounced checks"

    # Every on-site follow-up answered as done was answered by a check, which it names.
    by_check = {c.follow_up_id for c in checks if c.follow_up_id}
    done = {
        a.follow_up_id
        for a in answers
        if a.kind in (AnswerKind.DOCUMENTS.value, AnswerKind.DEVIATION.value)
    }
    assert done == by_check
    assert all(
        a.text and a.text.startswith("Stedlig kontroll")
        for a in answers
        if a.kind == AnswerKind.DOCUMENTS.value
    )


def test_supplier_evaluations_answer_the_evaluation_follow_ups_and_show_over_time(
    loaded: Loaded,
) -> None:
    with Session(loaded.engine) as session:
        evaluations = list(
            session.scalars(
                select(SupplierEvaluationRow).order_by(SupplierEvaluationRow.evaluated_at)
            )
        )
        contracts = {c.id: c for c in session.scalars(select(ContractRow))}
        evaluation_checkpoints = [
            c.id for c in session.scalars(select(CheckpointRow)) if "evaluering" in c.evidence
        ]
        answered = session.execute(
            select(AnswerRow.kind, AnswerRow.text, FollowUpRow.contract_id)
            .join(FollowUpRow, FollowUpRow.id == AnswerRow.follow_up_id)
            .where(FollowUpRow.checkpoint_id.in_(evaluation_checkpoints))
        ).all()
    *_, count = _checks_line(loaded)
    assert len(evaluations) == count >= 10
    assert all(e.supplier_id == contracts[e.contract_id].supplier_id for e in evaluations)

    # Every evaluation follow-up answered as documented was answered by an evaluation.
    documented = [a for a in answered if a.kind == AnswerKind.DOCUMENTS.value]
    assert documented
    assert all(a.text and a.text.startswith("Leverandørevaluering versjon") for a in documented)
    evaluated = {e.contract_id for e in evaluations}
    assert {a.contract_id for a in documented} <= evaluated

    scores = [score for e in evaluations for score, _ in e.scores.values()]
    assert sum(score in (3, 4) for score in scores) / len(scores) > 0.6
    weak = [e for e in evaluations if e.overall < COMMENT_BELOW]
    assert weak, "one supplier delivers below what was agreed"
    for evaluation in evaluations:
        assert evaluation.overall == evaluation.scores["samlet"][0]
        for score, comment in evaluation.scores.values():
            assert score >= COMMENT_BELOW or comment, "a low score says why"

    # `status <leverandør>`: a supplier with evaluations of several contracts over time.
    by_supplier: dict[str, set[str]] = {}
    for evaluation in evaluations:
        by_supplier.setdefault(evaluation.supplier_id or "", set()).add(evaluation.contract_id)
    supplier_id = max(sorted(by_supplier), key=lambda s: len(by_supplier[s]))
    with loaded.factory() as uow:
        lines = uow.supplier_evaluations.for_supplier(supplier_id, 50)
    assert len({line.contract_id for line in lines}) >= 2
    assert len({line.evaluated_at.date() for line in lines}) >= 2
