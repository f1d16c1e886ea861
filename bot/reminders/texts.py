"""Words of the reminder cards: the weekly summary, escalations and unreachable owners (added to
`bot.conversation.texts`)."""

from __future__ import annotations

from bot.conversation.texts import Plural, Words, add_words

NB: Words = {
    "escalation.title": Plural(
        one="Forfalt uten svar: {count} oppfølging",
        other="Forfalt uten svar: {count} oppfølginger",
    ),
    "escalation.intro": "Disse har gått gjennom hele påminnelsesstigen uten svar.",
    "escalation.item": Plural(
        one="{days} dag forfalt · kontraktseier {owner}",
        other="{days} dager forfalt · kontraktseier {owner}",
        by="days",
    ),
    "escalation.responsible": "svarer nå: {name}",
    "unreachable.title": "Når ikke {name}",
    "unreachable.title_nobody": "Oppfølginger uten kontraktseier",
    "unreachable.intro": (
        "Boten kan ikke sende til {name} ({reason}). Disse oppfølgingene står fast:"
    ),
    "unreachable.intro_nobody": (
        "Disse oppfølgingene har ingen kontraktseier eller kontraktsforvalter:"
    ),
    "evaluation.reminder.latest": "Siste leverandørevaluering: {when}, samlet {overall} av 5",
    "weekly.title": "Ukesoppsummering for uke {week}",
    "weekly.title_weeks": "Ukesoppsummering for uke {first}–{last}",
    "weekly.period": "Uken {period}. Forfalt, eskalert og avvik: slik det står i dag.",
    "weekly.answered": "Besvart i uken",
    "weekly.answered_value": "{count} ({on_time} innen fristen)",
    "weekly.overdue": "Forfalt nå",
    "weekly.escalated": "Eskalert",
    "weekly.deviations": "Åpne avvik",
    "weekly.deviations_none": "ingen",
    "weekly.unreachable": "Når ikke",
    "weekly.unreachable_none": "ingen",
    # «1 høyt, 2 kritiske» (avvik): the adjective agrees with the neuter noun and the number.
    "weekly.severity.lav": Plural(one="{count} lavt", other="{count} lave"),
    "weekly.severity.middels": Plural(one="{count} middels", other="{count} middels"),
    "weekly.severity.høy": Plural(one="{count} høyt", other="{count} høye"),
    "weekly.severity.kritisk": Plural(one="{count} kritisk", other="{count} kritiske"),
    "reminder.snooze_choice_title": "Hvilken oppfølging på {reference} vil du utsette til {date}?",
    "reminder.snooze_choice_button": "Utsett denne",
    "reminder.snooze_choice_hint": (
        "Du kan også skrive kontrollpunktet før datoen, for eksempel «utsett {reference} "
        "{checkpoint} fredag»."
    ),
}

EN: Words = {
    "escalation.title": Plural(
        one="Overdue without an answer: {count} follow-up",
        other="Overdue without an answer: {count} follow-ups",
    ),
    "escalation.intro": "These went through the whole reminder ladder without an answer.",
    "escalation.item": Plural(
        one="{days} day overdue · owner {owner}",
        other="{days} days overdue · owner {owner}",
        by="days",
    ),
    "escalation.responsible": "answering now: {name}",
    "unreachable.title": "Cannot reach {name}",
    "unreachable.title_nobody": "Follow-ups without an owner",
    "unreachable.intro": "The bot cannot send to {name} ({reason}). These follow-ups are stuck:",
    "unreachable.intro_nobody": "These follow-ups have no contract owner or manager:",
    "evaluation.reminder.latest": "Latest supplier evaluation: {when}, overall {overall} of 5",
    "weekly.title": "Weekly summary for week {week}",
    "weekly.title_weeks": "Weekly summary for weeks {first}–{last}",
    "weekly.period": "The week {period}. Overdue, escalated and deviations: as they stand today.",
    "weekly.answered": "Answered in the week",
    "weekly.answered_value": "{count} ({on_time} on time)",
    "weekly.overdue": "Overdue now",
    "weekly.escalated": "Escalated",
    "weekly.deviations": "Open deviations",
    "weekly.deviations_none": "none",
    "weekly.unreachable": "Cannot reach",
    "weekly.unreachable_none": "nobody",
    "weekly.severity.lav": Plural(one="{count} low", other="{count} low"),
    "weekly.severity.middels": Plural(one="{count} medium", other="{count} medium"),
    "weekly.severity.høy": Plural(one="{count} high", other="{count} high"),
    "weekly.severity.kritisk": Plural(one="{count} critical", other="{count} critical"),
    "reminder.snooze_choice_title": (
        "Which follow-up on {reference} do you want to snooze to {date}?"
    ),
    "reminder.snooze_choice_button": "Snooze this one",
    "reminder.snooze_choice_hint": (
        "You can also type the checkpoint before the date, for example “snooze {reference} "
        "{checkpoint} friday”."
    ),
}

add_words(NB, EN)
