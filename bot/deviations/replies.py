"""What the bot says about deviations in messages: a refusal by its code, and what was stored.

Shared by the report dialog (`bot.deviations.report_deviation_dialog`) and the commands
(`bot.deviations.commands`)."""

from __future__ import annotations

from datetime import date

from bot.conversation import formatting
from bot.conversation.labels import category_label, remedy_label, severity_label, status_label
from bot.conversation.markdown import plain
from bot.conversation.replies import error_reply
from bot.conversation.texts import text
from bot.deviations.cards import day_label
from followup.deviations.codes import shown_code
from followup.deviations.services import ALERT_SEVERITIES, DeviationRefusal, DeviationReported
from followup.errors import FollowUpError
from followup.models import DeviationStatus


def refusal_reply(error: FollowUpError, locale: str | None, *, markdown: bool = True) -> str:
    """The text for a refused report or change; dates and statuses in words."""
    reason = getattr(error, "reason", None)
    if reason is DeviationRefusal.DATE_BEFORE_CONTRACT:
        start = error.values.get("start")
        try:
            shown = formatting.numeric(date.fromisoformat(str(start)), locale)
        except ValueError:
            shown = str(start)
        return text(reason.value, locale, start=shown)
    if reason is DeviationRefusal.INVALID_TRANSITION:
        return text(
            reason.value,
            locale,
            from_status=_status(error.values.get("from_status"), locale),
            to_status=_status(error.values.get("to_status"), locale),
        )
    return error_reply(error, locale, markdown=markdown)


def _status(value: object, locale: str | None) -> str:
    try:
        return status_label(DeviationStatus(str(value)), locale)
    except ValueError:
        return str(value)


def stored_reply(
    reported: DeviationReported, locale: str | None, *, checkpoint_title: str | None = None
) -> str:
    """`Avvik AV-2026-0042 er registrert på …`, what it answered, and whether procurement knows."""
    deviation, contract = reported.deviation, reported.contract
    code = shown_code(deviation)
    parts = []
    if not reported.created:
        parts.append(text("deviation.dialog.already", locale))
    parts.append(
        text(
            "deviation.dialog.stored",
            locale,
            code=code,
            contract=f"{contract.reference} {plain(contract.title)}",
            category=category_label(deviation.category, locale),
            severity=severity_label(deviation.severity, locale).lower(),
            date=day_label(deviation.occurred_on, locale),
        )
    )
    if deviation.remedy is not None:
        remedy = remedy_label(deviation.remedy, locale)
        parts.append(text("deviation.dialog.stored_remedy", locale, remedy=remedy))
    if reported.answer is not None:
        parts.append(
            text(
                "deviation.dialog.answered_follow_up",
                locale,
                checkpoint=plain(checkpoint_title or ""),
            )
        )
    if deviation.severity in ALERT_SEVERITIES and reported.created:
        key = "deviation.dialog.alerted" if reported.alerts else "deviation.dialog.alert_nowhere"
        parts.append(text(key, locale))
    parts.append(text("deviation.dialog.status_hint", locale, code=code))
    return "\n\n".join(parts)


__all__ = ["refusal_reply", "stored_reply"]
