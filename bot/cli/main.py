"""The `kontraktsvakt` command: serve, demo, db upgrade, import, plan, admin, audit, arkiv,
manifest."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger(__name__)

EXIT_USAGE = 2


def _positive(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _fail(message: str) -> int:
    sys.stderr.write(f"kontraktsvakt: {message}\n")
    return EXIT_USAGE


def _settings(**overrides: object) -> Settings:
    return load_settings(**overrides)


def _schema_is_current(settings: Settings) -> bool:
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config, create_db_engine, current_revision

    engine = create_db_engine(settings.effective_database_url)
    try:
        current = current_revision(engine)
    finally:
        engine.dispose()
    head = ScriptDirectory.from_config(
        alembic_config(settings.effective_database_url)
    ).get_current_head()
    return current == head


def _clock(settings: Settings) -> Callable[[], datetime]:
    """The system clock; in local mode with CLOCK_SPEED, one that runs faster (the demo)."""
    from bot.app import system_clock

    if settings.local_mode and settings.clock_speed != 1:
        from scheduler.clock import MovableClock

        log.warning("the clock runs %g times faster than real time", settings.clock_speed)
        return MovableClock(speed=settings.clock_speed)
    return system_clock


def _run(settings: Settings, *, banner: str | None = None, scheduler: bool = True) -> int:
    from aiohttp import web

    from bot.app import create_app, settle_heap, system_clock
    from bot.teams import endpoint

    # Follow-ups run on `_clock` (fast in the demo); what expires keeps real time.
    app = create_app(
        settings, clock=_clock(settings), lifetime_clock=system_clock, scheduler=scheduler
    )
    host, port = settings.bind_host, settings.port

    async def announce(_app: web.Application) -> None:
        if banner:
            log.info(banner)

    app.on_startup.append(announce)
    app.on_startup.append(settle_heap)
    # aiohttp's keep-alive timeout also drops a connection stalled in its headers.
    web.run_app(
        app,
        host=host,
        port=port,
        shutdown_timeout=10,
        print=None,
        access_log=None,
        keepalive_timeout=endpoint.HEADER_TIMEOUT_SECONDS,
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    overrides = {k: v for k, v in {"HOST": args.host, "PORT": args.port}.items() if v is not None}
    settings = _settings(**overrides)
    _configure_logging(settings)
    if not _schema_is_current(settings):
        return _fail("the database schema is not up to date: run `kontraktsvakt db upgrade` first")
    return _run(settings, scheduler=not args.no_scheduler)


def cmd_scheduler(_args: argparse.Namespace) -> int:
    from bot.wiring import run_scheduler_process

    settings = _settings()
    _configure_logging(settings)
    if not _schema_is_current(settings):
        return _fail("the database schema is not up to date: run `kontraktsvakt db upgrade` first")
    from bot.app import system_clock

    return run_scheduler_process(settings, _clock(settings), lifetime_clock=system_clock)


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.cli.demo import EXIT_OK, run_demo_load
    from storage.db import create_db_engine, upgrade_database
    from storage.demo_data import load_demo_calendar

    overrides: dict[str, object] = {"MicrosoftAppId": "", "MicrosoftAppPassword": ""}
    if args.port is not None:
        overrides["PORT"] = args.port
    if args.clock_speed is not None:
        overrides["CLOCK_SPEED"] = args.clock_speed
    if "SCHEDULER_TICK_SECONDS" not in os.environ:
        overrides["SCHEDULER_TICK_SECONDS"] = 5  # reminders show up soon after a person logs in
    settings = _settings(**overrides)
    _configure_logging(settings)
    url = settings.effective_database_url
    upgrade_database(url)
    loaded = run_demo_load(settings, datetime.now(UTC), stdout=sys.stdout, stderr=sys.stderr)
    if args.load_only:
        return loaded
    if loaded != EXIT_OK:
        log.warning("demo data not loaded: the dev chat runs on what the database holds")
    engine = create_db_engine(url)
    try:
        made = load_demo_calendar(engine, datetime.now(UTC), settings.plan())
    finally:
        engine.dispose()
    log.info("demo calendar: %d follow-ups made", made)
    address = f"http://{settings.bind_host}:{settings.port}/dev"
    sys.stdout.write(f"\nKontraktsvakt demo: open {address} in your browser (Ctrl+C stops it)\n\n")
    sys.stdout.flush()
    return _run(settings, banner=f"dev chat at {address}")


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from storage.db import upgrade_database

    settings = _settings()
    _configure_logging(settings)
    upgrade_database(settings.effective_database_url, args.revision)
    sys.stdout.write(f"database upgraded to {args.revision}\n")
    return 0


def cmd_manifest(args: argparse.Namespace) -> int:
    from manifest import ManifestError, build_package

    try:
        out = build_package(
            args.app_id,
            Path(args.out),
            version=args.version,
            public_base_url=args.public_base_url,
        )
    except ManifestError as exc:
        return _fail(str(exc))
    sys.stdout.write(f"Teams app package written to {out}\n")
    return 0


def cmd_plan_check(args: argparse.Namespace) -> int:
    from bot.cli.plan import run_plan_check

    path = Path(args.file) if args.file else _settings().plan_file
    return run_plan_check(path, stdout=sys.stdout, stderr=sys.stderr)


def cmd_plan_apply(_args: argparse.Namespace) -> int:
    from bot.cli.plan import run_plan_apply

    settings = _settings()
    _configure_logging(settings)
    if not _schema_is_current(settings):
        return _fail("the database schema is not up to date: run `kontraktsvakt db upgrade` first")
    return run_plan_apply(
        settings.effective_database_url, settings.plan(), datetime.now(UTC), stdout=sys.stdout
    )


def cmd_import_contracts(args: argparse.Namespace) -> int:
    from bot.cli.plan import after_import
    from bot.cli.register_import import run_import_contracts

    settings = _settings()
    _configure_logging(settings)
    path = Path(args.file)
    now = datetime.now(UTC)
    actor = f"import:{path.name}"
    return run_import_contracts(
        path,
        dry_run=args.dry_run,
        database_url=settings.effective_database_url,
        now=now,
        stdout=sys.stdout,
        stderr=sys.stderr,
        actor=actor,
        on_contracts_changed=after_import(
            settings.effective_database_url, settings.plan(), now, stdout=sys.stdout, actor=actor
        ),
    )


def cmd_import_analysis(args: argparse.Namespace) -> int:
    from bot.cli.analysis import KINDS, run_import_analysis

    settings = _settings()
    _configure_logging(settings)
    path = Path(args.file)
    return run_import_analysis(
        KINDS[args.import_command],
        path,
        reference=getattr(args, "avtale", None),
        dry_run=args.dry_run,
        database_url=settings.effective_database_url,
        now=datetime.now(UTC),
        stdout=sys.stdout,
        stderr=sys.stderr,
        thresholds=settings.analysis_thresholds(),
    )


def cmd_analyse(args: argparse.Namespace) -> int:
    from bot.cli.analysis import run_analyse

    workbook = Path(args.xlsx) if args.xlsx else None
    return _run_analysis_read(
        args, lambda **kw: run_analyse(args.avtalenr, workbook=workbook, **kw)
    )


def cmd_leakage(args: argparse.Namespace) -> int:
    from bot.cli.analysis import run_leakage

    return _run_analysis_read(args, run_leakage)


def _run_analysis_read(args: argparse.Namespace, run: Callable[..., int]) -> int:
    """`analyse` and `lekkasje`: the settings, the period read from the options, then `run`."""
    from bot.cli.analysis import read_period
    from followup.calendar.workdays import oslo_today
    from followup.register.reading import InvalidCell

    settings = _settings()
    _configure_logging(settings)
    now = datetime.now(UTC)
    try:
        period = read_period(args.fra, args.til, args.periode, oslo_today(now))
    except InvalidCell as exc:
        return _fail(str(exc))
    return run(
        period=period,
        as_json=args.json,
        database_url=settings.effective_database_url,
        now=now,
        thresholds=settings.analysis_thresholds(),
        stdout=sys.stdout,
        stderr=sys.stderr,
    )


def _add_period_options(parser: Any) -> None:
    parser.add_argument("--fra", help="first day, e.g. 01.01.2026")
    parser.add_argument("--til", help="last day, e.g. 31.03.2026")
    parser.add_argument("--periode", help='a period instead, e.g. "1. kvartal 2026", 2026-Q1')
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _add_analysis_parsers(sub: Any, import_sub: Any) -> None:
    for word, what in (
        ("prisliste", "an agreement's price list"),
        ("statistikk", "a supplier's sales statistics for an agreement"),
        ("regnskap", "a ledger extract (for agreement leakage)"),
    ):
        kind = import_sub.add_parser(word, help=f"import {what} from CSV or Excel (.xlsx)")
        kind.add_argument("file", help="the file (.csv or .xlsx)")
        if word != "regnskap":
            kind.add_argument("--avtale", required=True, help="the agreement's reference")
        kind.add_argument("--dry-run", action="store_true", help="check the file; write nothing")
        kind.set_defaults(func=cmd_import_analysis)
    analyse = sub.add_parser(
        "analyse", help="an agreement's core share, prices, ceiling and leakage for a period"
    )
    analyse.add_argument("avtalenr", help="the agreement's reference")
    _add_period_options(analyse)
    analyse.add_argument("--xlsx", help="also write the figures and their lines to this .xlsx")
    analyse.set_defaults(func=cmd_analyse)
    leakage = sub.add_parser("lekkasje", help="loyalty and leakage of every framework agreement")
    _add_period_options(leakage)
    leakage.set_defaults(func=cmd_leakage)


def cmd_admin_grant(args: argparse.Namespace) -> int:
    from bot.cli.admin import run_admin_grant

    settings = _settings()
    _configure_logging(settings)
    if not _schema_is_current(settings):
        return _fail("the database schema is not up to date: run `kontraktsvakt db upgrade` first")
    return run_admin_grant(
        settings.effective_database_url,
        args.address,
        datetime.now(UTC),
        stdout=sys.stdout,
        stderr=sys.stderr,
    )


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from bot.cli.audit import run_audit_verify

    settings = _settings()
    _configure_logging(settings)
    if not _schema_is_current(settings):
        return _fail("the database schema is not up to date: run `kontraktsvakt db upgrade` first")
    return run_audit_verify(
        settings.effective_database_url,
        known_head=args.known_head,
        batch=args.batch,
        stdout=sys.stdout,
        stderr=sys.stderr,
    )


def cmd_archive_export(args: argparse.Namespace) -> int:
    from bot.cli.archive import T_NO_CONTRACTS, run_archive_export

    if bool(args.alle) == bool(args.avtalenr):
        return _fail(T_NO_CONTRACTS)
    settings = _settings()
    _configure_logging(settings)
    return run_archive_export(
        settings,
        [] if args.alle else list(args.avtalenr),
        Path(args.ut),
        now=datetime.now(UTC),
        stdout=sys.stdout,
        stderr=sys.stderr,
    )


def cmd_archive_send(args: argparse.Namespace) -> int:
    from bot.cli.archive import run_archive_send

    settings = _settings()
    _configure_logging(settings)
    return run_archive_send(
        settings,
        now=datetime.now(UTC),
        stdout=sys.stdout,
        stderr=sys.stderr,
        retry_failed=args.feilede,
    )


def cmd_archive_status(_args: argparse.Namespace) -> int:
    from bot.cli.archive import run_archive_status

    settings = _settings()
    _configure_logging(settings)
    return run_archive_status(settings, stdout=sys.stdout, stderr=sys.stderr)


def _add_archive_parser(sub: Any) -> None:
    from bot.cli.archive import add_archive_parser

    add_archive_parser(
        sub,
        {"eksport": cmd_archive_export, "send": cmd_archive_send, "status": cmd_archive_status},
    )


def _configure_logging(settings: Settings) -> None:
    from bot.logging_setup import configure_logging

    configure_logging(settings.log_level, settings.log_format)


def _add_audit_parser(sub: Any) -> None:
    audit = sub.add_parser("audit", help="the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser(
        "verify", help="check the audit trail's hash chain; exit 1 naming the first bad event"
    )
    verify.add_argument(
        "--known-head",
        metavar="SEQ:HASH",
        help="a head printed by an earlier run (kept in the archive) the chain must still pass",
    )
    verify.add_argument(
        "--batch", type=_positive, default=10_000, help="events read per query (default 10000)"
    )
    verify.set_defaults(func=cmd_audit_verify)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kontraktsvakt", description="Contract follow-up assistant for Microsoft Teams."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the bot (POST /api/messages)")
    serve.add_argument("--host", help="bind address (default: HOST, or 127.0.0.1 in local mode)")
    serve.add_argument("--port", type=int, help="port (default: PORT, 3978)")
    serve.add_argument(
        "--no-scheduler",
        action="store_true",
        help="do not send reminders from this process (run `kontraktsvakt scheduler` instead)",
    )
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser(
        "demo", help="migrate the database, load the demo municipality, run with the dev chat"
    )
    demo.add_argument("--port", type=int, help="port (default: PORT, 3978)")
    demo.add_argument(
        "--clock-speed",
        type=float,
        help="run the follow-up clock N times faster, so reminders arrive without waiting for "
        "days (e.g. 3600: an hour a second); links and leases keep real time",
    )
    demo.add_argument(
        "--load-only",
        action="store_true",
        help="load the demo (with six months of history) into the configured database and exit",
    )
    sched = sub.add_parser("scheduler", help="run only the reminder scheduler (no HTTP endpoint)")
    sched.set_defaults(func=cmd_scheduler)
    demo.set_defaults(func=cmd_demo)

    db = sub.add_parser("db", help="database administration")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_sub.add_parser("upgrade", help="apply schema migrations (Alembic)")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(func=cmd_db_upgrade)

    plan = sub.add_parser("plan", help="the follow-up plan (checkpoint templates)")
    plan_sub = plan.add_subparsers(dest="plan_command", required=True)
    check = plan_sub.add_parser("check", help="validate a plan file (default: PLAN_FILE)")
    check.add_argument("file", nargs="?", help="the TOML file to check")
    check.set_defaults(func=cmd_plan_check)
    apply = plan_sub.add_parser(
        "apply", help="bring every contract's checkpoints and follow-up calendar up to date"
    )
    apply.set_defaults(func=cmd_plan_apply)

    imports = sub.add_parser("import", help="import data from files")
    import_sub = imports.add_subparsers(dest="import_command", required=True)
    contracts = import_sub.add_parser(
        "contracts", help="import the contract register from CSV or Excel (.xlsx)"
    )
    contracts.add_argument("file", help="the register file (.csv or .xlsx)")
    contracts.add_argument(
        "--dry-run", action="store_true", help="show what would change; write nothing"
    )
    contracts.set_defaults(func=cmd_import_contracts)
    _add_analysis_parsers(sub, import_sub)

    admin = sub.add_parser("admin", help="administrators")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True)
    grant = admin_sub.add_parser(
        "grant", help="make the first administrator (then: `rolle gi` in the chat)"
    )
    grant.add_argument("address", help="the person's e-mail or UPN (in the register)")
    grant.set_defaults(func=cmd_admin_grant)
    _add_audit_parser(sub)
    _add_archive_parser(sub)

    manifest = sub.add_parser("manifest", help="build the Teams app package (.zip)")
    manifest.add_argument("--app-id", required=True, help="the bot's Microsoft App ID (a GUID)")
    manifest.add_argument("--out", required=True, help="where to write the .zip")
    manifest.add_argument("--version", default="1.0.0", help="app version, e.g. 1.0.0")
    manifest.add_argument("--public-base-url", help="https address of your installation")
    manifest.set_defaults(func=cmd_manifest)

    from bot.cli.dates import cmd_dates

    dates = sub.add_parser("dates", help="read Norwegian date phrases (stdin) as JSON lines")
    dates.add_argument("--now", required=True, help="reference time, ISO 8601 (no offset: Oslo)")
    dates.set_defaults(func=cmd_dates)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except SettingsError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
