"""Words for the domain's deviation vocabulary (category, severity, remedy, status), shared by
every room that shows a deviation."""

from __future__ import annotations

from typing import Final

from bot.conversation.texts import text
from followup.models import (
    Contract,
    ContractStatus,
    DeviationCategory,
    DeviationStatus,
    Remedy,
    Severity,
)

SERIOUS: Final = frozenset({Severity.HIGH, Severity.CRITICAL})
ENDED: Final = frozenset({ContractStatus.EXPIRED, ContractStatus.TERMINATED})


def category_label(category: DeviationCategory, locale: str | None) -> str:
    return text(f"deviation.category.{category.value}", locale)


def severity_label(severity: Severity, locale: str | None) -> str:
    """The severity on its own: `Høy` (a fact, a button, `alvorlighetsgrad høy`)."""
    return text(f"deviation.severity.{severity.value}", locale)


def severity_before_noun(severity: Severity, locale: str | None) -> str:
    """The severity in front of «avvik» (neuter), as in a title: `Høyt` (avvik)."""
    return text(f"deviation.severity_attributive.{severity.value}", locale)


def remedy_label(remedy: Remedy | None, locale: str | None) -> str:
    if remedy is None:
        return text("deviation.no_remedy", locale)
    return text(f"deviation.remedy.{remedy.value}", locale)


def status_label(status: DeviationStatus, locale: str | None) -> str:
    return text(f"deviation.status.{status.value}", locale)


def with_ended_mark(name: str, contract: Contract, locale: str | None) -> str:
    """A contract's name as listed, marked when it has ended: `KOM-2023-0012 Renhold
    (utløpt)`, `… (avsluttet)`; a running or planned contract's name as it is."""
    if contract.status not in ENDED:
        return name
    return f"{name} " + text(f"contract.ended.{contract.status.value}", locale)
