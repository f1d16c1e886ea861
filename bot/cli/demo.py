"""`kontraktsvakt demo [--load-only]`: Fjordvik kommune, with six months of follow-up history,
in the configured database (`storage.demo_data.load_demo`, one transaction).

The demo's procurement channel is posted to through the dev chat's connector stand-in on this
process's port, so every start points it there again (`point_demo_channel`).

Exit codes of `--load-only`: 0 when the demo was loaded, or was there already (nothing is then
changed); 1 when the database holds people or contracts that are not the demo's (nothing is
written: made-up data is never mixed with a real register).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Final, TextIO

from bot.app import DEV_BOT_ID, DEV_TENANT_ID
from bot.devchannel import CONNECTOR_PREFIX
from bot.deviations.cards import DeviationCards
from bot.settings import Settings, reminder_settings
from storage.db import create_db_engine
from storage.demo_data import DemoLoad, DemoRefused, load_demo, point_demo_channel
from storage.demo_history import DemoChannel, DemoServices, demo_documents

EXIT_OK: Final = 0
EXIT_REFUSED: Final = 1

T_LOADED = (
    "Fjordvik kommune er lastet inn på {seconds} s: {contracts} kontrakter, {owners} "
    "kontraktseiere, {procurement} i innkjøp og {suppliers} leverandører."
)
T_HISTORY = (
    "Et halvt år med oppfølging: {answers} svar ({late} etter fristen), {documents} dokumenter "
    "og {deviations} avvik. Nå er {overdue} oppfølginger forfalt, {escalated} av dem eskalert."
)
T_CHECKS = (
    "Vurderinger og kontroller: {assessments} risikovurderinger av {assessed} kontrakter "
    "({overruled} med et annet nivå enn forslaget), {onsite} stedlige kontroller "
    "({onsite_deviations} med avvik) og {evaluations} leverandørevalueringer."
)
T_ALREADY = "Fjordvik kommune er allerede lastet inn i denne databasen; ingenting er endret."
T_REFUSED = (
    "Databasen har allerede personer eller kontrakter som ikke er demoens, så demodata lastes "
    "ikke inn. Bruk en tom database (DATABASE_URL) til demoen."
)


def demo_channel(settings: Settings) -> DemoChannel:
    """Procurement's channel in the demo, reached through this process's connector stand-in."""
    return DemoChannel(
        service_url=f"http://127.0.0.1:{settings.port}{CONNECTOR_PREFIX}/",
        tenant_id=DEV_TENANT_ID,
        bot_id=DEV_BOT_ID,
    )


def demo_services(settings: Settings) -> DemoServices:
    return DemoServices(
        plan=settings.plan(),
        documents=demo_documents(settings.effective_documents_dir),
        alerts=DeviationCards(),
        channel=demo_channel(settings),
        reminders=reminder_settings(settings),
    )


def run_demo_load(settings: Settings, now: datetime, *, stdout: TextIO, stderr: TextIO) -> int:
    """Load the demo into `settings`' database (migrated) and say what it holds."""
    engine = create_db_engine(settings.effective_database_url)
    started = time.perf_counter()
    try:
        loaded = load_demo(engine, now=now, services=demo_services(settings))
        point_demo_channel(engine, now, demo_channel(settings))
    except DemoRefused:
        stderr.write(T_REFUSED + "\n")
        return EXIT_REFUSED
    finally:
        engine.dispose()
    stdout.write(_report(loaded, time.perf_counter() - started))
    return EXIT_OK


def _report(loaded: DemoLoad, seconds: float) -> str:
    summary, history = loaded.summary, loaded.history
    if history is None:
        return T_ALREADY + "\n"
    lines = [
        T_LOADED.format(
            seconds=f"{seconds:.1f}".replace(".", ","),
            contracts=summary.contracts,
            owners=summary.owners,
            procurement=summary.procurement,
            suppliers=summary.suppliers,
        ),
        T_HISTORY.format(
            answers=history.answers,
            late=history.answered_late,
            documents=history.documents,
            deviations=history.deviations,
            overdue=history.open_overdue,
            escalated=history.escalated,
        ),
        T_CHECKS.format(
            assessments=history.risk_assessments,
            assessed=history.risk_contracts,
            overruled=history.risk_overruled,
            onsite=history.onsite_checks,
            onsite_deviations=history.onsite_deviations,
            evaluations=history.evaluations,
        ),
    ]
    return "\n".join(lines) + "\n"


__all__ = ["EXIT_OK", "EXIT_REFUSED", "demo_channel", "demo_services", "run_demo_load"]
