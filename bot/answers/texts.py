"""Words of the answer cards and the answer commands (added to `bot.conversation.texts`)."""

from __future__ import annotations

from bot.conversation.texts import add_words

NB: dict[str, str] = {
    "command.levert": "Svar «levert» på en oppfølging",
    "command.delvis": "Svar «delvis levert» på en oppfølging",
    "command.ikke levert": "Svar «ikke levert» på en oppfølging",
    "command.ikke relevant": "Svar «ikke relevant» på en oppfølging",
    "help.cmd.levert": (
        "«levert *avtalenr* [kommentar]» – svar at det som skulle leveres, er levert "
        "(også «delvis …», «ikke levert …», «ikke relevant …»)"
    ),
    "help.cmd.delvis": "«delvis *avtalenr* [kommentar]» – svar delvis levert",
    "help.cmd.ikke levert": "«ikke levert *avtalenr* [kommentar]» – svar ikke levert",
    "help.cmd.ikke relevant": "«ikke relevant *avtalenr*» – oppfølgingen gjelder ikke nå",
    "command.endre svar": "Endre et svar du har gitt, for eksempel endre svar KOM-2025-0147",
    "help.cmd.endre svar": (
        "«endre svar *avtalenr* [kontrollpunkt]» – endre et svar du har gitt, så lenge "
        "oppfølgingen ikke er avsluttet"
    ),
    "answer.change.usage": (
        "Skriv avtalenummeret etter «endre svar», for eksempel «endre svar KOM-2025-0147» eller "
        "«endre svar KOM-2025-0147 skatteattest»."
    ),
    "answer.change.none": "Du har ingen besvarte oppfølginger på {reference} som kan endres.",
    "answer.change.choice_title": "Hvilket svar på {reference} vil du endre?",
    "answer.change.example": "«endre svar {reference} {checkpoint}»",
    "answer.choice.title": "Hvilken oppfølging på {reference} gjelder «{what}»?",
    "answer.choice.title_change": (
        "Ingen oppfølginger på {reference} venter på svar. Hvilket svar vil du endre til «{what}»?"
    ),
    "answer.choice.comment": "Kommentar som følger svaret",
    "answer.choice.button": "Svar «{what}»",
    "answer.choice.answered": "Svart nå: {what}",
    "answer.choice.more": "… og {count} til.",
    "answer.choice.hint": (
        "Du kan også skrive kontrollpunktet etter avtalenummeret, for eksempel {example}."
    ),
    "answer.choice.stale": (
        "Den oppfølgingen tar ikke lenger dette svaret. Skriv «mine oppgaver» for å se hva den "
        "venter på."
    ),
    "answer.none_fits": (
        "Ingen av de åpne oppfølgingene på {reference} tar svaret «{what}», så ingenting er "
        "lagret. Slik svarer du på dem:"
    ),
}

EN: dict[str, str] = {
    "command.levert": "Answer “delivered” to a follow-up",
    "command.delvis": "Answer “partly delivered” to a follow-up",
    "command.ikke levert": "Answer “not delivered” to a follow-up",
    "command.ikke relevant": "Answer “not applicable” to a follow-up",
    "help.cmd.levert": (
        "“delivered *reference* [comment]” – answer that what was due is delivered "
        "(also “partly …”, “not delivered …”, “not applicable …”)"
    ),
    "help.cmd.delvis": "“partly *reference* [comment]” – answer partly delivered",
    "help.cmd.ikke levert": "“not delivered *reference* [comment]” – answer not delivered",
    "help.cmd.ikke relevant": "“not applicable *reference*” – the follow-up does not apply now",
    "command.endre svar": "Change an answer you gave, for example change answer KOM-2025-0147",
    "help.cmd.endre svar": (
        "“change answer *reference* [checkpoint]” – change an answer you gave, as long as the "
        "follow-up is not closed"
    ),
    "answer.change.usage": (
        "Type the contract number after “change answer”, for example “change answer "
        "KOM-2025-0147” or “change answer KOM-2025-0147 skatteattest”."
    ),
    "answer.change.none": "You have no answered follow-ups on {reference} that can be changed.",
    "answer.change.choice_title": "Which answer on {reference} do you want to change?",
    "answer.change.example": "“change answer {reference} {checkpoint}”",
    "answer.choice.title": "Which follow-up on {reference} is “{what}” about?",
    "answer.choice.title_change": (
        "No follow-ups on {reference} wait for an answer. Which answer do you want to change to "
        "“{what}”?"
    ),
    "answer.choice.comment": "Comment that goes with the answer",
    "answer.choice.button": "Answer “{what}”",
    "answer.choice.answered": "Answered now: {what}",
    "answer.choice.more": "… and {count} more.",
    "answer.choice.hint": (
        "You can also type the checkpoint after the contract number, for example {example}."
    ),
    "answer.choice.stale": (
        "That follow-up no longer takes this answer. Type “my tasks” to see what it waits for."
    ),
    "answer.none_fits": (
        "None of the open follow-ups on {reference} takes the answer “{what}”, so nothing is "
        "stored. This is how you answer them:"
    ),
}

add_words(NB, EN)
