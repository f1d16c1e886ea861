"""Words of the reminder cards: the weekly summary, escalations and unreachable owners (added to
`bot.conversation.texts`)."""

from __future__ import annotations

from bot.conversation.texts import add_words

NB: dict[str, str] = {
    "escalation.title": "Forfalt uten svar: {count} oppfølginger",
    "escalation.intro": "Disse har gått gjennom hele påminnelsesstigen uten svar.",
    "escalation.item": "{days} dager forfalt · eier {owner}",
    "escalation.responsible": "svarer nå: {name}",
    "unreachable.title": "Når ikke {name}",
    "unreachable.title_nobody": "Oppfølginger uten avtaleeier",
    "unreachable.intro": (
        "Boten kan ikke sende til {name} ({reason}). Disse oppfølgingene står fast:"
    ),
    "unreachable.intro_nobody": (
        "Disse oppfølgingene har ingen avtaleeier eller kontraktsforvalter:"
    ),
    "weekly.title": "Ukesoppsummering {week}",
    "weekly.period": "{since} – {today}",
    "weekly.answered": "Besvart siste uke",
    "weekly.answered_value": "{count} ({on_time} innen fristen)",
    "weekly.overdue": "Forfalt nå",
    "weekly.escalated": "Eskalert",
    "weekly.deviations": "Åpne avvik",
    "weekly.deviations_none": "ingen",
    "weekly.unreachable": "Når ikke",
    "weekly.unreachable_none": "ingen",
    "weekly.severity.lav": "lav",
    "weekly.severity.middels": "middels",
    "weekly.severity.høy": "høy",
    "weekly.severity.kritisk": "kritisk",
}

EN: dict[str, str] = {
    "escalation.title": "Overdue without an answer: {count} follow-ups",
    "escalation.intro": "These went through the whole reminder ladder without an answer.",
    "escalation.item": "{days} days overdue · owner {owner}",
    "escalation.responsible": "answering now: {name}",
    "unreachable.title": "Cannot reach {name}",
    "unreachable.title_nobody": "Follow-ups without an owner",
    "unreachable.intro": "The bot cannot send to {name} ({reason}). These follow-ups are stuck:",
    "unreachable.intro_nobody": "These follow-ups have no contract owner or manager:",
    "weekly.title": "Weekly summary {week}",
    "weekly.period": "{since} – {today}",
    "weekly.answered": "Answered last week",
    "weekly.answered_value": "{count} ({on_time} on time)",
    "weekly.overdue": "Overdue now",
    "weekly.escalated": "Escalated",
    "weekly.deviations": "Open deviations",
    "weekly.deviations_none": "none",
    "weekly.unreachable": "Cannot reach",
    "weekly.unreachable_none": "nobody",
    "weekly.severity.lav": "low",
    "weekly.severity.middels": "medium",
    "weekly.severity.høy": "high",
    "weekly.severity.kritisk": "critical",
}

add_words(NB, EN)
