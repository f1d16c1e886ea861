"""Words of the owner's commands: absence and deputies, the calendar feed (added to
`bot.conversation.texts`)."""

from __future__ import annotations

from bot.conversation.texts import Plural, Words, add_words

NB: Words = {
    "absence.usage": (
        "Skriv «fravær fra 7.12 til 18.12» når du skal være borte, «fravær» for å se fraværet "
        "ditt, og «tilbake» når du er tilbake."
    ),
    "absence.registered": "Registrert: du er borte {period}.",
    "absence.registered_with_deputy": "Registrert: {deputy} svarer for deg {period}.",
    "absence.standing_covers": (
        "Mens du er borte går oppfølgingene til {deputy}, som er den faste stedfortrederen din."
    ),
    "absence.default_covers": (
        "Mens du er borte går oppfølgingene til kontraktens stedfortreder eller "
        "kontraktsforvalter. Skriv «stedfortreder» og e-postadressen til den som skal svare for "
        "deg, for å velge en fast stedfortreder."
    ),
    "absence.none": "Du har ikke registrert noe fravær fremover.",
    "absence.list": "Fraværet ditt:",
    "absence.item_deputy": "{period}: {deputy} svarer",
    "absence.item_default": "{period}: fast stedfortreder, ellers kontraktens stedfortreder",
    "absence.ended": (
        "Velkommen tilbake! Fraværet ditt {period} er avsluttet, og oppfølgingene går til deg "
        "igjen."
    ),
    "absence.planned_stays": (
        "Det planlagte fraværet ditt {period} står fortsatt, med samme stedfortreder. Skriv "
        "«fravær» for å se det."
    ),
    "absence.nothing_to_end": "Du har ikke noe registrert fravær nå, så oppfølgingene går til deg.",
    "tasks.answered": "Besvart",
    "plan.waiting": "Venter på svar fra deg ({count})",
    "plan.checkpoints": "Kontrollpunktene",
    "deputy.usage": (
        "Skriv «stedfortreder kari.nordmann@kommune.no fra 7.12 til 18.12» for en periode, "
        "«stedfortreder kari.nordmann@kommune.no» for fast stedfortreder, eller "
        "«stedfortreder ingen» for å fjerne den faste."
    ),
    "deputy.standing": "Din faste stedfortreder er {name}.",
    "deputy.standing_none": (
        "Du har ingen fast stedfortreder. Skriv «stedfortreder» og e-postadressen for å velge en, "
        "for eksempel «stedfortreder kari.nordmann@kommune.no»."
    ),
    "deputy.set": "{name} er nå din faste stedfortreder og svarer når du er borte.",
    "deputy.cleared": "Du har ikke lenger noen fast stedfortreder.",
    "calendar.link": (
        "Her er den private kalenderadressen din:\n\n{url}\n\n"
        "Slik legger du den inn i Outlook: åpne Kalender, velg «Legg til kalender» → "
        "«Abonner fra nettet», lim inn adressen og gi kalenderen et navn. Outlook henter "
        "endringer selv, vanligvis noen ganger i døgnet.\n\n"
        "Ikke del adressen: den som har den, ser oppfølgingene dine. Jeg lagrer den ikke og kan "
        "ikke vise den igjen. Skriv «kalenderlenke ny» hvis du mister den: da lager jeg en ny, "
        "og den gamle slutter å virke."
    ),
    "calendar.exists": (
        "Du har allerede en kalenderadresse. Jeg lagrer den ikke i klartekst, så jeg kan ikke vise "
        "den igjen. Skriv «kalenderlenke ny» for å få en ny adresse; den gamle slutter da å virke, "
        "og du må abonnere på nytt i Outlook."
    ),
    "calendar.renewed": (
        "Ny kalenderadresse er laget, og den gamle virker ikke lenger. Fjern den gamle "
        "kalenderen i Outlook og abonner på den nye:\n\n{url}\n\n"
        "I Outlook: «Legg til kalender» → «Abonner fra nettet»."
    ),
    "calendar.name": "Kontraktsvakt – {name}",
    "calendar.event": "{title} – {reference}",
    "calendar.event_for": "{title} – {reference} (for {name})",
    "calendar.description": "{contract}\nLeverandør: {supplier}\n{question}",
    "absence.end_before_start": (
        "Sluttdatoen kommer før startdatoen. Skriv for eksempel «fra 7.12 til 18.12»."
    ),
    "absence.in_past": ("Den perioden er allerede over. Fravær registreres fra i dag og fremover."),
    "absence.too_long": Plural(
        one="Fraværet er for langt: høyst {days} dag om gangen.",
        other="Fraværet er for langt: høyst {days} dager om gangen.",
        by="days",
    ),
    "absence.too_far_ahead": "Så langt frem kan jeg ikke registrere fravær: høyst to år frem.",
    "deputy.bad_address": (
        "«{address}» er ikke en e-postadresse. Skriv for eksempel "
        "«stedfortreder kari.nordmann@kommune.no»."
    ),
    "deputy.self": "Du kan ikke være din egen stedfortreder.",
    "deputy.unknown": (
        "Jeg finner ingen med adressen {address}. Stedfortrederen må stå i kontraktsregisteret "
        "eller ha brukt Kontraktsvakt i Teams."
    ),
}

EN: Words = {
    "absence.usage": (
        'Type "away from 7.12 to 18.12" before you go, "away" to list your absences, and '
        '"back" when you are back.'
    ),
    "absence.registered": "Recorded: you are away {period}.",
    "absence.registered_with_deputy": "Recorded: {deputy} answers for you {period}.",
    "absence.standing_covers": (
        "While you are away your follow-ups go to {deputy}, your standing deputy."
    ),
    "absence.default_covers": (
        "While you are away your follow-ups go to the contract's deputy or manager. Type "
        '"deputy" and their e-mail address to choose a standing deputy.'
    ),
    "absence.none": "You have no absences recorded from today on.",
    "absence.list": "Your absences:",
    "absence.item_deputy": "{period}: {deputy} answers",
    "absence.item_default": "{period}: your standing deputy, else the contract's deputy",
    "absence.ended": (
        "Welcome back! Your absence {period} has ended; follow-ups come to you again."
    ),
    "absence.planned_stays": (
        'Your planned absence {period} stays, with the same deputy. Type "away" to see it.'
    ),
    "absence.nothing_to_end": "You have no absence recorded now, so follow-ups come to you.",
    "tasks.answered": "Answered",
    "plan.waiting": "Waiting for your answer ({count})",
    "plan.checkpoints": "The checkpoints",
    "deputy.usage": (
        'Type "deputy kari.nordmann@kommune.no from 7.12 to 18.12" for a period, '
        '"deputy kari.nordmann@kommune.no" for a standing deputy, or "deputy none" to clear it.'
    ),
    "deputy.standing": "Your standing deputy is {name}.",
    "deputy.standing_none": (
        'You have no standing deputy. Type "deputy" and their e-mail address to choose one, for '
        'example "deputy kari.nordmann@kommune.no".'
    ),
    "deputy.set": "{name} is now your standing deputy and answers while you are away.",
    "deputy.cleared": "You no longer have a standing deputy.",
    "calendar.link": (
        "Here is your private calendar address:\n\n{url}\n\n"
        'To add it in Outlook: open Calendar, choose "Add calendar" → "Subscribe from web", '
        "paste the address and give the calendar a name. Outlook fetches changes itself, "
        "usually a few times a day.\n\n"
        "Do not share the address: whoever has it sees your follow-ups. I do not keep it and "
        'cannot show it again. Type "calendar link new" if you lose it: I then make a new one '
        "and the old one stops working."
    ),
    "calendar.exists": (
        "You already have a calendar address. I do not keep it in clear text, so I cannot show "
        'it again. Type "calendar link new" for a new address; the old one then stops working '
        "and you need to subscribe again in Outlook."
    ),
    "calendar.renewed": (
        "A new calendar address is made, and the old one no longer works. Remove the old "
        "calendar in Outlook and subscribe to the new one:\n\n{url}\n\n"
        'In Outlook: "Add calendar" → "Subscribe from web".'
    ),
    "calendar.name": "Kontraktsvakt – {name}",
    "calendar.event": "{title} – {reference}",
    "calendar.event_for": "{title} – {reference} (for {name})",
    "calendar.description": "{contract}\nSupplier: {supplier}\n{question}",
    "absence.end_before_start": 'The end comes before the start. Write e.g. "from 7.12 to 18.12".',
    "absence.in_past": "That period is already over. Absences are recorded from today on.",
    "absence.too_long": Plural(
        one="The absence is too long: at most {days} day at a time.",
        other="The absence is too long: at most {days} days at a time.",
        by="days",
    ),
    "absence.too_far_ahead": "I cannot record an absence that far ahead: two years at most.",
    "deputy.bad_address": (
        '"{address}" is not an e-mail address. Write e.g. "deputy kari.nordmann@kommune.no".'
    ),
    "deputy.self": "You cannot be your own deputy.",
    "deputy.unknown": (
        "I find nobody with the address {address}. The deputy must be in the contract register "
        "or have used Kontraktsvakt in Teams."
    ),
}

add_words(NB, EN)
