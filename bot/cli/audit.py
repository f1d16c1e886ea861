"""`kontraktsvakt audit verify [--known-head SEQ:HASH]`: check the audit trail's hash chain.

Walks every audit event in sequence order (streamed, a batch at a time), recomputes each hash
from the event's content and the previous hash (`followup.audit`), and checks the chain ends
at the head the database keeps. Prints the head to note outside the database (the archive):
given back with `--known-head`, a later run also catches a chain rewritten from the start by
someone who could switch off the triggers.

Exit codes: 0 when every event matches (with the count and the head), 1 naming the first event
that does not (its id, sequence number and what is wrong), 2 for a malformed `--known-head`.
"""

from __future__ import annotations

import re
import time
from typing import Final, TextIO

from followup.audit import ChainFault, ChainHead, ChainProblem, ChainReport
from storage.audit_log import VERIFY_BATCH, verify_audit_trail
from storage.db import create_db_engine

EXIT_OK: Final = 0
EXIT_BROKEN: Final = 1
EXIT_USAGE: Final = 2

_HEAD: Final = re.compile(r"^\s*(\d+):([0-9a-fA-F]{64})\s*$")

T_OK = (
    "Revisjonssporet er i orden: {count} hendelser kontrollert ({seconds:.1f} s).\n"
    "Kjedehode: {seq}:{hash}\n"
    "Noter kjedehodet utenfor databasen (f.eks. i arkivet); neste kontroll kan ta det med: "
    "kontraktsvakt audit verify --known-head {seq}:{hash}\n"
)
T_BROKEN = "Revisjonssporet er ikke i orden [{fault}]: {what}\n"
T_CHECKED = "{count} hendelser før den stemmer{last}.\n"
WHAT: Final = {
    ChainFault.CONTENT_CHANGED: (
        "hendelse {event_id} (sekvens {seq}) er endret: hashen stemmer ikke med innholdet "
        "(lagret {found}, beregnet {expected})."
    ),
    ChainFault.CHAIN_BROKEN: (
        "kjeden er brutt ved hendelse {event_id} (sekvens {seq}): prev_hash {found} er ikke "
        "hashen til hendelsen før ({expected}); den kan være skrevet om, eller denne satt inn."
    ),
    ChainFault.HEAD_MISMATCH: (
        "kjedehodet stemmer ikke ved sekvens {seq} (hendelse {event_id}): forventet "
        "{expected}, funnet {found}."
    ),
}
T_GAP = "hendelse {event_id} (sekvens {seq}): hendelse {first}–{last} mangler foran den."
T_TAIL = "hendelse {first}–{last} mangler på slutten (kjedehodet sier {last})."
T_BAD_HEAD = "--known-head må være SEKVENS:HASH (64 heksadesimale tegn), ikke «{value}»."


def parse_head(value: str) -> ChainHead | None:
    found = _HEAD.match(value)
    return ChainHead(int(found[1]), found[2].lower()) if found else None


def describe(problem: ChainProblem) -> str:
    if problem.fault is ChainFault.MISSING and problem.missing is not None:
        first, last = problem.missing
        template = T_TAIL if problem.event_id is None else T_GAP
        return template.format(event_id=problem.event_id, seq=problem.seq, first=first, last=last)
    return WHAT[problem.fault].format(
        event_id=problem.event_id or "–",
        seq=problem.seq,
        expected=problem.expected,
        found=problem.found,
    )


def run_audit_verify(
    database_url: str,
    *,
    known_head: str | None = None,
    batch: int = VERIFY_BATCH,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    noted = None
    if known_head is not None:
        noted = parse_head(known_head)
        if noted is None:
            stderr.write(T_BAD_HEAD.format(value=known_head) + "\n")
            return EXIT_USAGE
    engine = create_db_engine(database_url)
    started = time.perf_counter()
    try:
        report = verify_audit_trail(engine, known_head=noted, batch=batch)
    finally:
        engine.dispose()
    return _report(report, time.perf_counter() - started, stdout=stdout, stderr=stderr)


def _report(report: ChainReport, seconds: float, *, stdout: TextIO, stderr: TextIO) -> int:
    problem = report.problem
    if problem is None:
        stdout.write(
            T_OK.format(
                count=_number(report.checked),
                seconds=seconds,
                seq=report.head.seq,
                hash=report.head.hash,
            )
        )
        return EXIT_OK
    stderr.write(T_BROKEN.format(fault=problem.fault.value, what=describe(problem)))
    good = problem.last_good
    last = f" (siste: sekvens {good[0]}, {good[1]})" if good is not None else ""
    stderr.write(T_CHECKED.format(count=_number(report.checked), last=last))
    return EXIT_BROKEN


def _number(value: int) -> str:
    return f"{value:,}".replace(",", " ")
