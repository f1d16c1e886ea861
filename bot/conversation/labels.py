"""Words for the domain's deviation vocabulary (category, severity, remedy, status), shared by
every room that shows a deviation."""

from __future__ import annotations

from typing import Final

from bot.conversation.texts import text
from followup.models import DeviationCategory, DeviationStatus, Remedy, Severity

SERIOUS: Final = frozenset({Severity.HIGH, Severity.CRITICAL})


def category_label(category: DeviationCategory, locale: str | None) -> str:
    return text(f"deviation.category.{category.value}", locale)


def severity_label(severity: Severity, locale: str | None) -> str:
    return text(f"deviation.severity.{severity.value}", locale)


def remedy_label(remedy: Remedy | None, locale: str | None) -> str:
    if remedy is None:
        return text("deviation.no_remedy", locale)
    return text(f"deviation.remedy.{remedy.value}", locale)


def status_label(status: DeviationStatus, locale: str | None) -> str:
    return text(f"deviation.status.{status.value}", locale)
