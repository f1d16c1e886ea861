"""User-facing text: one catalogue per language, Norwegian Bokmål first, English second."""

from __future__ import annotations

from typing import Any

NB: dict[str, str] = {
    "welcome.person": (
        "Hei, {name}! Jeg er Kontraktsvakt. Jeg holder oversikt over oppfølgingen av kontraktene "
        "dine, minner deg på det som skal sjekkes, og tar imot svar, dokumentasjon og avvik her "
        "i chatten. Skriv «hjelp» for å se hva du kan spørre om."
    ),
    "welcome.owner": "Du står som kontraktseier for {count} kontrakter i kontraktsregisteret.",
    "welcome.unknown": (
        "Jeg fant deg ikke i kontraktsregisteret ennå. Når innkjøp har registrert deg som "
        "kontraktseier eller stedfortreder, får du påminnelser her."
    ),
    "welcome.procurement": "Du er registrert som medlem av innkjøpsteamet.",
    "welcome.channel": (
        "Kontraktsvakt er lagt til i kanalen «{name}». Kanalen er registrert for eskaleringer og "
        "ukentlige sammendrag fra kontraktsoppfølgingen. Nevn meg (@Kontraktsvakt) og skriv "
        "«hjelp» for å se hva jeg kan svare på."
    ),
    "help.title": "Slik bruker du Kontraktsvakt",
    "help.intro": (
        "Jeg følger opp kontraktene dine: jeg sender deg påminnelser når noe skal kontrolleres, "
        "og du svarer med ett klikk eller ved å skrive."
    ),
    "help.commands": "Dette kan du skrive nå:",
    "help.cmd.hjelp": "«hjelp» – denne oversikten",
    "help.procurement": (
        "Du er med i innkjøpsteamet. Eskaleringer og ukentlige sammendrag kommer i kanalen som "
        "er registrert for innkjøp."
    ),
    "unknown.command": ("Jeg forstod ikke «{text}». Skriv «hjelp» for å se hva du kan skrive."),
    "empty.message": "Meldingen var tom. Skriv «hjelp» for å se hva du kan skrive.",
    "too.long": (
        "Meldingen er for lang ({length} tegn; grensen er {limit}). Skriv kortere, eller del "
        "den opp."
    ),
    "card.unknown_action": (
        "Denne handlingen kjenner jeg ikke igjen, eller kortet er utdatert. Skriv «hjelp» for å "
        "se hva du kan gjøre."
    ),
    "form.unknown": (
        "Jeg kunne ikke ta imot dette skjemaet: det hører ikke til noe jeg har sendt deg. "
        "Skriv «hjelp» for å se hva du kan gjøre."
    ),
    "file.no_pending": "Jeg har ingen fil som venter på samtykke fra deg.",
    "file.declined": "Greit, jeg sender ikke filen.",
    "error.sorry": (
        "Beklager, noe gikk galt hos meg. Svaret ditt er ikke lagret; prøv igjen om litt. "
        "Feilen er logget."
    ),
    "farewell.channel": "Kontraktsvakt er fjernet fra kanalen.",
}

EN: dict[str, str] = {
    "welcome.person": (
        "Hi, {name}! I am Kontraktsvakt. I keep track of the follow-up of your contracts, remind "
        "you of what must be checked, and take answers, documents and deviations here in the "
        'chat. Type "help" to see what you can ask.'
    ),
    "welcome.owner": "You are the contract owner of {count} contracts in the contract register.",
    "welcome.unknown": (
        "I did not find you in the contract register yet. Once procurement registers you as an "
        "owner or deputy, you will get reminders here."
    ),
    "welcome.procurement": "You are registered as a member of the procurement team.",
    "welcome.channel": (
        'Kontraktsvakt was added to the channel "{name}". The channel is registered for '
        'escalations and weekly digests. Mention me (@Kontraktsvakt) and type "help".'
    ),
    "help.title": "How to use Kontraktsvakt",
    "help.intro": (
        "I follow up your contracts: I remind you when something must be checked, and you answer "
        "with one click or by typing."
    ),
    "help.commands": "What you can type now:",
    "help.cmd.hjelp": '"help" – this overview',
    "help.procurement": (
        "You are on the procurement team. Escalations and weekly digests arrive in the channel "
        "registered for procurement."
    ),
    "unknown.command": 'I did not understand "{text}". Type "help" to see what you can type.',
    "empty.message": 'The message was empty. Type "help" to see what you can type.',
    "too.long": "The message is too long ({length} characters; the limit is {limit}).",
    "card.unknown_action": "I do not recognise this action, or the card is out of date.",
    "form.unknown": "I could not accept this form: it does not belong to anything I sent you.",
    "file.no_pending": "I have no file waiting for your consent.",
    "file.declined": "All right, I will not send the file.",
    "error.sorry": "Sorry, something went wrong on my side. Nothing was saved; please try again.",
    "farewell.channel": "Kontraktsvakt was removed from the channel.",
}

CATALOGUES = {"nb": NB, "en": EN}


def language_of(locale: str | None) -> str:
    """Bokmål unless the client clearly asks for English."""
    if locale and locale.lower().startswith("en"):
        return "en"
    return "nb"


def text(key: str, locale: str | None = None, **values: Any) -> str:
    catalogue = CATALOGUES[language_of(locale)]
    template = catalogue.get(key) or NB[key]
    return template.format(**values) if values else template
