"""Words of the answer cards and the answer commands (added to `bot.conversation.texts`)."""

from __future__ import annotations

from bot.conversation.texts import add_words

NB: dict[str, str] = {
    "command.levert": "Svar «levert» på en oppfølging",
    "command.delvis": "Svar «delvis levert» på en oppfølging",
    "command.ikke levert": "Svar «ikke levert» på en oppfølging",
    "command.ikke relevant": "Svar «ikke relevant» på en oppfølging",
    "help.cmd.levert": (
        "«levert KOM-2025-0147 [kommentar]» – svar at det som skulle leveres, er levert "
        "(også «delvis KOM-…», «ikke levert KOM-…», «ikke relevant KOM-…»)"
    ),
    "help.cmd.delvis": "«delvis KOM-2025-0147 [kommentar]» – svar delvis levert",
    "help.cmd.ikke levert": "«ikke levert KOM-2025-0147 [kommentar]» – svar ikke levert",
    "help.cmd.ikke relevant": "«ikke relevant KOM-2025-0147» – oppfølgingen gjelder ikke nå",
    "answer.action.levert": "Levert",
    "answer.action.delvis_levert": "Delvis levert",
    "answer.action.ikke_levert": "Ikke levert",
    "answer.action.ikke_relevant": "Ikke relevant",
    "answer.action.upload": "Last opp dokumentasjon",
    "answer.action.deviation": "Meld avvik",
    "answer.action.change": "Endre svar",
    "answer.comment_placeholder": "Kommentar (valgfritt)",
    "answer.at": "{date} kl. {time}",
    "answer.time_separator": ".",
    "answer.kind.delivered": "Levert",
    "answer.kind.partly_delivered": "Delvis levert",
    "answer.kind.not_delivered": "Ikke levert",
    "answer.kind.documents": "Dokumentasjon levert",
    "answer.kind.deviation": "Avvik meldt",
    "answer.kind.not_applicable": "Ikke relevant",
    "answer.by": "svart av {name}",
    "answer.by_for": "svart av {name} for {owner}",
    "answer.version": "(endret, svar nr. {version})",
    "answer.documents": "Dokumenter ({count}): {names}",
    "answer.missing": "Mangler fortsatt: {names}",
    "answer.deviations": "{count} åpne avvik på denne oppfølgingen",
    "answer.closed": "Denne oppfølgingen er avsluttet og kan ikke besvares.",
    "answer.card_title": "{count} oppfølginger venter på svar",
    "answer.card_title_one": "1 oppfølging venter på svar",
    "answer.card_title_done": "Oppfølging besvart",
    "answer.saved": "Registrert: «{what}» på {reference} {title} (frist {due}).",
    "answer.already": "Dette svaret var allerede registrert.",
    "answer.changing": (
        "Velg nytt svar for {reference}. Det gamle svaret blir stående i historikken."
    ),
    "answer.usage": (
        "Skriv avtalenummeret etter svaret, for eksempel «levert KOM-2025-0147» eller "
        "«ikke levert KOM-2025-0147 3 av 12 paller mangler»."
    ),
    "answer.none_open": "Du har ingen oppfølginger på {reference} å svare på.",
    "answer.others_open": "{count} andre oppfølginger på {reference} venter også på svar.",
    "answer.not_delivered_hint": (
        "Ikke levert er registrert som avvik fra kontrakten. Trykk «Meld avvik» eller skriv "
        "«avvik {reference}» for å beskrive hva som skjedde."
    ),
    "answer.unknown_follow_up": "Jeg finner ikke denne oppfølgingen. Den kan være slettet.",
    "answer.not_yours": (
        "Du kan ikke svare på denne oppfølgingen: du er ikke kontraktseier, stedfortreder eller "
        "forvalter for kontrakten."
    ),
    "answer.contract_inactive": (
        "Kontrakten er ikke lenger aktiv, så oppfølgingen kan ikke besvares."
    ),
    "answer.follow_up_closed": "Denne oppfølgingen er avsluttet og kan ikke besvares.",
    "answer.text_too_long": "Kommentaren er for lang (grensen er {limit} tegn). Skriv kortere.",
    "answer.unknown_kind": "Det svaret kjenner jeg ikke. Velg et av svarene på kortet.",
}

EN: dict[str, str] = {
    "command.levert": "Answer “delivered” to a follow-up",
    "command.delvis": "Answer “partly delivered” to a follow-up",
    "command.ikke levert": "Answer “not delivered” to a follow-up",
    "command.ikke relevant": "Answer “not applicable” to a follow-up",
    "help.cmd.levert": (
        "“delivered KOM-2025-0147 [comment]” – answer that what was due is delivered "
        "(also “partly KOM-…”, “not delivered KOM-…”, “not applicable KOM-…”)"
    ),
    "help.cmd.delvis": "“partly KOM-2025-0147 [comment]” – answer partly delivered",
    "help.cmd.ikke levert": "“not delivered KOM-2025-0147 [comment]” – answer not delivered",
    "help.cmd.ikke relevant": "“not applicable KOM-2025-0147” – the follow-up does not apply now",
    "answer.action.levert": "Delivered",
    "answer.action.delvis_levert": "Partly delivered",
    "answer.action.ikke_levert": "Not delivered",
    "answer.action.ikke_relevant": "Not applicable",
    "answer.action.upload": "Upload documents",
    "answer.action.deviation": "Report deviation",
    "answer.action.change": "Change answer",
    "answer.comment_placeholder": "Comment (optional)",
    "answer.at": "{date} at {time}",
    "answer.time_separator": ":",
    "answer.kind.delivered": "Delivered",
    "answer.kind.partly_delivered": "Partly delivered",
    "answer.kind.not_delivered": "Not delivered",
    "answer.kind.documents": "Documents delivered",
    "answer.kind.deviation": "Deviation reported",
    "answer.kind.not_applicable": "Not applicable",
    "answer.by": "answered by {name}",
    "answer.by_for": "answered by {name} for {owner}",
    "answer.version": "(changed, answer no. {version})",
    "answer.documents": "Documents ({count}): {names}",
    "answer.missing": "Still missing: {names}",
    "answer.deviations": "{count} open deviations on this follow-up",
    "answer.closed": "This follow-up is closed and cannot be answered.",
    "answer.card_title": "{count} follow-ups waiting for an answer",
    "answer.card_title_one": "1 follow-up waiting for an answer",
    "answer.card_title_done": "Follow-up answered",
    "answer.saved": "Recorded: “{what}” on {reference} {title} (due {due}).",
    "answer.already": "This answer was already recorded.",
    "answer.changing": "Choose a new answer for {reference}. The old answer stays in the history.",
    "answer.usage": (
        "Put the contract number after the answer, for example “delivered KOM-2025-0147” or "
        "“not delivered KOM-2025-0147 3 of 12 pallets missing”."
    ),
    "answer.none_open": "You have no follow-ups on {reference} to answer.",
    "answer.others_open": "{count} more follow-ups on {reference} are waiting for an answer.",
    "answer.not_delivered_hint": (
        "Not delivered is recorded as a deviation from the contract. Press “Report deviation” "
        "or type “deviation {reference}” to describe what happened."
    ),
    "answer.unknown_follow_up": "I cannot find this follow-up. It may have been removed.",
    "answer.not_yours": (
        "You cannot answer this follow-up: you are not the contract's owner, deputy or manager."
    ),
    "answer.contract_inactive": "The contract is no longer active, so it cannot be answered.",
    "answer.follow_up_closed": "This follow-up is closed and cannot be answered.",
    "answer.text_too_long": "The comment is too long (the limit is {limit} characters).",
    "answer.unknown_kind": "I do not know that answer. Choose one of the answers on the card.",
}

add_words(NB, EN)
