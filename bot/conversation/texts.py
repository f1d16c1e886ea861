"""User-facing text: one catalogue per language, Norwegian Bokmål first, English second.

An entry is a `str.format` template, or a `Plural` when its words follow a number
(«1 kontrakt», «2 kontrakter»): Babel picks the CLDR plural form for the language, and every
number filled in is written the language's way (`1 234` with a no-break space in Bokmål,
`1,234` in English). Dates are formatted by `bot.conversation.formatting`, also with Babel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Final, TypeAlias

from babel.core import Locale
from babel.numbers import format_decimal

from followup.views import (
    CATEGORY_LABELS,
    REMEDY_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
)


@dataclass(frozen=True, slots=True)
class Plural:
    """A text whose words agree with a number: the CLDR plural forms Bokmål and English have
    (`one`, `other`), chosen by the number in the parameter `by` (`count` unless told)."""

    one: str
    other: str
    by: str = "count"

    @property
    def forms(self) -> tuple[str, str]:
        return (self.one, self.other)

    def pick(self, form: str) -> str:
        """The template for a CLDR plural category (`one`, `other`; any other falls back to
        `other`, which every language has)."""
        return self.one if form == "one" else self.other


Entry: TypeAlias = str | Plural
Words: TypeAlias = dict[str, Entry]

NB: Words = {
    **{f"deviation.category.{k.value}": v for k, v in CATEGORY_LABELS.items()},
    **{f"deviation.severity.{k.value}": v for k, v in SEVERITY_LABELS.items()},
    **{f"deviation.remedy.{k.value}": v for k, v in REMEDY_LABELS.items()},
    **{f"deviation.status.{k.value}": v for k, v in STATUS_LABELS.items()},
    "welcome.person": (
        "Hei, {name}! Jeg er Kontraktsvakt. Jeg holder oversikt over oppfølgingen av kontraktene "
        "dine, minner deg på det som skal sjekkes, og tar imot svar, dokumentasjon og avvik her "
        "i chatten. Skriv «hjelp» for å se hva du kan spørre om."
    ),
    "welcome.owner": Plural(
        one="Du står som kontraktseier for {count} kontrakt i kontraktsregisteret.",
        other="Du står som kontraktseier for {count} kontrakter i kontraktsregisteret.",
    ),
    "welcome.unknown": (
        "Jeg fant deg ikke i kontraktsregisteret ennå. Når innkjøp har registrert deg som "
        "kontraktseier eller stedfortreder, får du påminnelser her."
    ),
    "welcome.procurement": "Du er registrert som medlem av innkjøpsteamet.",
    "welcome.channel": (
        "Kontraktsvakt er lagt til i kanalen «{name}». Nevn meg (@Kontraktsvakt) og skriv "
        "«hjelp» for å se hva jeg kan svare på.\n\n"
        "Kanalen får ingen varsler ennå. Skal den få alvorlige avvik, eskaleringer og ukentlige "
        "sammendrag fra kontraktsoppfølgingen, skriver et medlem av innkjøpsteamet "
        "«@Kontraktsvakt innkjøpskanal på» her. Varsler som nevner en kontrakt, postes bare når "
        "alle i kanalen har lov til å se den."
    ),
    "help.title": "Slik bruker du Kontraktsvakt",
    "help.intro": (
        "Jeg følger opp kontraktene dine: jeg sender deg påminnelser når noe skal kontrolleres, "
        "og du svarer med ett klikk eller ved å skrive."
    ),
    "help.commands": "Dette skriver du oftest:",
    "help.more": (
        "Ord i kursiv bytter du ut med ditt eget. Skriv «vis alle kommandoer» (eller trykk på "
        "knappen) for resten."
    ),
    "help.button.all": "Vis alle kommandoer",
    "help.placeholder.unit": "*enhet*",
    "help.cmd.hjelp": "«hjelp» – en kort oversikt over det du bruker mest",
    "help.cmd.vis alle kommandoer": "«vis alle kommandoer» – denne listen",
    # --- the short help, by role (bot/conversation/help_cards.py) ------------------------------
    "help.owner.tasks": "«mine oppgaver» – oppfølgingene dine de neste 30 dagene, uke for uke",
    "help.owner.contracts": "«kontrakter» – kontraktene dine med neste frist",
    "help.owner.status": (
        "«status {reference}» – kontrakten med plan, svar, dokumenter og avvik; "
        "«plan {reference}» viser bare kontrollpunktene"
    ),
    "help.owner.answer": (
        "«levert {reference}» – svar at det som skulle leveres, er levert (eller «delvis "
        "{reference}» og «ikke levert {reference}», gjerne med en kommentar etter)"
    ),
    "help.owner.document": (
        "«dokument {reference}» – legg ved filen i samme melding, eller lim inn en lenke"
    ),
    "help.owner.deviation": (
        "«meld avvik {reference}» – meld et avvik; jeg spør om det jeg trenger"
    ),
    "help.owner.snooze": (
        "«utsett {reference} fredag» – neste påminnelse om oppfølgingen kommer da"
    ),
    "help.owner.away": (
        "«fravær fra {start} til {end}» – når du er borte; «stedfortreder *e-postadresse*» "
        "velger hvem som svarer for deg"
    ),
    "help.procurement.intro": (
        "Du er med i innkjøpsteamet og ser hele porteføljen. Eskaleringer og ukentlige "
        "sammendrag kommer i kanalen som er registrert for innkjøp."
    ),
    "help.procurement.status": (
        "«status» – porteføljen med ett blikk; «status {reference}» viser én kontrakt, "
        "«status {unit}» én enhet"
    ),
    "help.procurement.overdue": (
        "«forfalt» – forfalte oppfølginger, eldste først, med eier; «forfalt {unit}» for én enhet"
    ),
    "help.procurement.deviations": (
        "«avvik» – åpne avvik med filterknapper; «avvik kritisk» viser bare de kritiske"
    ),
    "help.procurement.export": (
        "«eksport forfalt» – listen som Excel-fil; også «eksport svar fra 1.1», «eksport avvik» "
        "og «eksport kontrakter»"
    ),
    "help.procurement.history": (
        "«historikk {reference}» – alt som er registrert på kontrakten, nyeste først"
    ),
    "help.procurement.checkpoint": (
        "«kontrollpunkt {reference} legg til skatteattest» – endre oppfølgingsplanen; "
        "«plan {reference}» viser kontrollpunktene"
    ),
    "help.procurement.channel": (
        "«innkjøpskanal på» – skrevet i en kanal: varsler om alvorlige avvik, eskaleringer og "
        "ukesoppsummeringen kommer dit"
    ),
    "help.procurement.own": (
        "«mine oppgaver» og «kontrakter» – oppfølgingen av kontrakter du selv er eier av"
    ),
    "help.admin.role": (
        "«rolle gi *e-postadresse* innkjøp» – gi noen en rolle; «rolle fjern …» tar den bort "
        "(bare administratorer)"
    ),
    "help.channel.intro": (
        "Her i kanalen nevner du meg først, for eksempel «@Kontraktsvakt status». Jeg viser bare "
        "det alle i kanalen har lov til å se."
    ),
    "help.channel.status": (
        "«status» – porteføljen med ett blikk; «status *avtalenr, leverandør eller enhet*» for "
        "en del av den"
    ),
    "help.channel.overdue": "«forfalt» – forfalte oppfølginger, eldste først, med eier",
    "help.channel.deviations": "«avvik» – åpne avvik med filterknapper",
    "help.channel.plan": (
        "«plan *avtalenr*» og «historikk *avtalenr*» – én kontrakts plan og historikk"
    ),
    "help.channel.export": "«eksport forfalt» – listen som Excel-fil (innkjøp)",
    "help.channel.procurement": (
        "«innkjøpskanal på» – varsler om alvorlige avvik, eskaleringer og ukesoppsummeringen "
        "kommer hit; «innkjøpskanal av» stopper dem"
    ),
    "help.channel.checkpoint": (
        "«kontrollpunkt *avtalenr* legg til *kode eller tittel*» – endre oppfølgingsplanen"
    ),
    "help.unregistered": (
        "Jeg finner deg ikke i kontraktsregisteret ennå. Slik blir du registrert: be "
        "innkjøpsteamet føre deg opp som kontraktseier, kontraktsforvalter eller stedfortreder "
        "på kontraktene du følger opp, med e-postadressen du bruker i Teams. Da får du "
        "påminnelsene her, og «hjelp» viser kommandoene med dine egne avtalenumre."
    ),
    "help.newcomer": (
        "Du er registrert, men står ikke som kontraktseier, kontraktsforvalter eller "
        "stedfortreder på noen kontrakt. Når innkjøp har ført deg opp på en kontrakt, får du "
        "påminnelsene her."
    ),
    "help.newcomer.tasks": "«mine oppgaver» – oppfølgingene dine, når du har fått noen",
    # --- every command, by topic ---------------------------------------------------------------
    "help.all.title": "Alle kommandoer",
    "help.all.intro": (
        "Ord i kursiv bytter du ut med ditt eget, for eksempel *avtalenr* med avtalenummeret; "
        "det som står i [klammer], kan du la være."
    ),
    "help.all.channel": (
        "Nevn meg først (@Kontraktsvakt). Ord i kursiv bytter du ut med ditt eget; det som står "
        "i [klammer], kan du la være."
    ),
    "help.topic.follow_up": "Oppfølgingen din",
    "help.topic.answer": "Svar, dokumenter og avvik",
    "help.topic.reminders": "Påminnelser",
    "help.topic.away": "Fravær og stedfortreder",
    "help.topic.portfolio": "Status og lister",
    "help.topic.procurement": "For innkjøp og administratorer",
    "help.topic.help": "Hjelp",
    "help.topic.other": "Annet",
    "unknown.command": ("Jeg forstod ikke «{text}». Skriv «hjelp» for å se hva du kan skrive."),
    "empty.message": "Meldingen var tom. Skriv «hjelp» for å se hva du kan skrive.",
    "too.long": Plural(
        one="Meldingen er for lang ({length} tegn; grensen er {limit}). Skriv kortere.",
        other=(
            "Meldingen er for lang ({length} tegn; grensen er {limit}). Skriv kortere, eller del "
            "den opp."
        ),
        by="length",
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
    "help.cmd.mine oppgaver": (
        "«mine oppgaver» (eller «kalender») – oppfølgingene dine de neste 30 dagene, uke for uke"
    ),
    "help.cmd.kontrakter": "«kontrakter» – kontraktene dine med neste frist",
    "help.cmd.plan": "«plan *avtalenr*» – kontrollpunktene i én kontrakts oppfølgingsplan",
    "help.cmd.stedfortreder": (
        "«stedfortreder *e-post* fra *dato* til *dato*» – hvem som svarer for deg mens du er "
        "borte; «stedfortreder *e-post*» setter fast stedfortreder, «stedfortreder ingen» "
        "fjerner den"
    ),
    "help.cmd.fravær": (
        "«fravær fra *dato* til *dato*» – registrer at du er borte; «fravær» viser fraværet ditt"
    ),
    "help.cmd.påminnelser": (
        "«påminnelser» – om du får påminnelser; «påminnelser flere» gir opptil tre om dagen"
    ),
    "help.cmd.pause": "«pause» – ingen påminnelser før du skriver «fortsett»",
    "help.cmd.fortsett": "«fortsett» – påminnelser igjen",
    "help.cmd.utsett": (
        "«utsett *avtalenr* [kontrollpunkt] *dato*» – neste påminnelse om en oppfølging kommer da"
    ),
    "help.cmd.tilbake": "«tilbake» – du er tilbake, og oppfølgingene går til deg igjen",
    "help.cmd.kontrollpunkt": (
        "«kontrollpunkt *avtalenr* legg til *kode eller tittel* [hyppighet]», "
        "«kontrollpunkt *avtalenr* *kode* kadens *hyppighet*» og "
        "«kontrollpunkt *avtalenr* *kode* pause / fortsett / fjern» – endre oppfølgingsplanen "
        "(bare innkjøpsteamet)"
    ),
    "help.cmd.kalenderlenke": (
        "«kalenderlenke» – en privat adresse som viser oppfølgingene dine i Outlook-kalenderen"
    ),
    "command.personal_only": (
        "Dette svarer jeg bare på i en personlig chat med meg, så ikke alle i kanalen ser det. "
        "Skriv «{word}» til meg direkte."
    ),
    "person.not_registered": (
        "Jeg fant deg ikke i kontraktsregisteret. Når innkjøp har registrert deg som "
        "kontraktseier eller stedfortreder, kan du se oppfølgingene dine her."
    ),
    "error.domain": "Det gikk ikke: forespørselen kunne ikke utføres. Skriv «hjelp» for eksempler.",
    # --- dates in words (the dates themselves: bot.conversation.formatting, with Babel) ------
    "fmt.period": "fra {start} til {end}",
    "fmt.on_day": "{day}",
    "fmt.week": "Uke {week} ({span})",
    # --- dates typed by the user --------------------------------------------------------------
    "date.not_understood": (
        "Jeg forstod ikke datoen «{text}». Skriv for eksempel «7.12», «07.12.2026», "
        "«mandag», «i morgen», «uke 50» eller «fra 7.12 til 18.12»."
    ),
    "date.ambiguous": "Mente du {options}? Skriv datoen som dd.mm.åååå.",
    # --- my follow-ups ------------------------------------------------------------------------
    "tasks.title": "Mine oppfølginger",
    "tasks.subtitle": Plural(
        one="Frister i dag og i morgen, fra {today}.",
        other="Frister de neste {days} dagene, fra {today}.",
        by="days",
    ),
    "tasks.subtitle_filtered": Plural(
        one="Frister i dag og i morgen, fra {today}, som passer «{filter}».",
        other="Frister de neste {days} dagene, fra {today}, som passer «{filter}».",
        by="days",
    ),
    "tasks.overdue": "Forfalt",
    "tasks.due": "Frist {date}",
    "tasks.overdue_since": "Forfalt {date}",
    "tasks.supplier": "Leverandør: {name}",
    "tasks.covered_by": "{name} svarer mens du er borte",
    "tasks.covering_for": "for {name}",
    "tasks.more": (
        "… og {count} til. Skriv «mine oppgaver 7» for bare de neste 7 dagene, eller "
        "«mine oppgaver *avtalenr eller leverandør*» for å snevre inn."
    ),
    "tasks.empty": Plural(
        one="Du har ingen oppfølginger i dag eller i morgen, og ingenting har forfalt.",
        other="Du har ingen oppfølginger de neste {days} dagene, og ingenting har forfalt.",
        by="days",
    ),
    "tasks.empty_filtered": Plural(
        one="Ingen av oppfølgingene dine i dag eller i morgen passer «{filter}».",
        other="Ingen av oppfølgingene dine de neste {days} dagene passer «{filter}».",
        by="days",
    ),
    "tasks.no_contracts": (
        "Jeg finner ingen kontrakter der du er kontraktseier, kontraktsforvalter eller "
        "stedfortreder. Når innkjøp har registrert deg, ser du oppfølgingene dine her."
    ),
    # --- my contracts -------------------------------------------------------------------------
    "contracts.title": "Mine kontrakter ({count})",
    "contracts.role.owner": "kontraktseier",
    "contracts.role.manager": "kontraktsforvalter",
    "contracts.role.deputy": "stedfortreder",
    "contracts.fact.role": "Rolle",
    "contracts.fact.supplier": "Leverandør",
    "contracts.fact.end": "Slutt",
    "contracts.fact.open": "Åpne oppfølginger",
    "contracts.fact.next": "Neste frist",
    "contracts.ongoing": "løpende",
    "contracts.no_end": "ikke satt",
    "contracts.no_supplier": "ikke registrert",
    "contracts.none": "ingen",
    "contracts.more": (
        "… og {count} til. Skriv «plan *avtalenr*» for å se én kontrakt, eller "
        "«kontrakter *avtalenr eller leverandør*» for å snevre inn."
    ),
    "contracts.empty_filtered": "Ingen av kontraktene dine passer «{filter}».",
    # --- after an ended contract's name in a list (bot.conversation.labels) -------------------
    "contract.ended.utløpt": "(utløpt)",
    "contract.ended.avsluttet": "(avsluttet)",
    # --- a contract's plan --------------------------------------------------------------------
    "plan.title": "Oppfølgingsplan: {reference} {title}",
    "plan.fact.supplier": "Leverandør",
    "plan.fact.owner": "Kontraktseier",
    "plan.fact.period": "Periode",
    "plan.fact.cadence": "Hyppighet",
    "plan.fact.evidence": "Dokumentasjon",
    "plan.fact.next": "Neste frist",
    "plan.fact.status": "Status",
    "plan.status.active": "aktiv",
    "plan.status.paused": "pauset",
    "plan.no_next": "ingen planlagt",
    "plan.no_owner": "ikke registrert",
    "plan.period": "{start} – {end}",
    "plan.period_open": "fra {start}",
    "plan.unknown_date": "?",
    "plan.empty": "{reference} {title} har ingen kontrollpunkter ennå.",
    "plan.more": Plural(
        one="… og {count} kontrollpunkt til.", other="… og {count} kontrollpunkter til."
    ),
    "plan.usage": "Skriv «plan» og avtalenummeret, for eksempel «plan KOM-2025-0147».",
    # --- absence and deputies -----------------------------------------------------------------
    # --- procurement edits the plan -----------------------------------------------------------
    "checkpoint.usage": (
        "Slik endrer innkjøp oppfølgingsplanen:\n\n"
        "- «kontrollpunkt *avtalenr* legg til *kode eller tittel* [hyppighet]», for eksempel "
        "«kontrollpunkt KOM-2025-0147 legg til skatteattest»\n"
        "- «kontrollpunkt *avtalenr* *kode* kadens *hyppighet*», for eksempel "
        "«kontrollpunkt KOM-2025-0147 levering kadens kvartalsvis»\n"
        "- «kontrollpunkt *avtalenr* *kode* pause», «… fortsett» eller «… fjern»\n\n"
        "Skriv «plan *avtalenr*» for å se kodene."
    ),
    "checkpoint.added": "La til «{title}» på {reference}, {cadence}.",
    "checkpoint.cadence": "«{title}» på {reference} følges nå opp {cadence}.",
    "checkpoint.paused": "«{title}» på {reference} er satt på pause.",
    "checkpoint.resumed": "«{title}» på {reference} følges opp igjen, {cadence}.",
    "checkpoint.removed": "«{title}» er fjernet fra oppfølgingsplanen for {reference}.",
    "checkpoint.dropped": Plural(
        one="{count} fremtidig oppfølging uten svar er fjernet; besvarte oppfølginger beholdes.",
        other=(
            "{count} fremtidige oppfølginger uten svar er fjernet; besvarte oppfølginger beholdes."
        ),
    ),
    "checkpoint.next_due": "Neste frister: {dates}.",
    "checkpoint.no_next": "Ingen frister innenfor planens horisont.",
    "checkpoint.audited": "Endringen er logget.",
    # --- calendar feed ------------------------------------------------------------------------
    # --- domain errors, by their `code` (followup/errors.py) ---------------------------------
    "contract.unknown": (
        "Jeg finner ingen kontrakt med avtalenummer «{reference}». Skriv «kontrakter» for å se "
        "kontraktene dine."
    ),
    "delivery.failed": "Meldingen kunne ikke leveres i Teams.",
    "person.unknown": (
        "Jeg fant deg ikke i kontraktsregisteret. Når innkjøp har registrert deg, kan du bruke "
        "denne kommandoen."
    ),
    "plan.cadence_missing": (
        "Hvor ofte skal det følges opp? Skriv for eksempel «månedlig», «kvartalsvis», "
        "«halvårlig» eller «årlig»."
    ),
    "plan.checkpoint_exists": (
        "{reference} har allerede kontrollpunktet «{checkpoint}». Skriv «kontrollpunkt "
        "{reference} {checkpoint} kadens *hyppighet*» for å endre hyppigheten."
    ),
    "plan.procurement_only": (
        "Bare innkjøpsteamet kan endre oppfølgingsplaner. Ta kontakt med innkjøp hvis planen "
        "bør endres."
    ),
    "plan.title_missing": (
        "Skriv hva som skal følges opp: «kontrollpunkt *avtalenr* legg til *kode eller tittel*»."
    ),
    "plan.unknown_checkpoint": (
        "{reference} har ikke noe kontrollpunkt «{checkpoint}». Skriv «plan {reference}» for å "
        "se kontrollpunktene."
    ),
    "cadence.not_understood": (
        "Jeg forstod ikke «{text}» som en hyppighet. Skriv for eksempel ukentlig, annenhver uke, "
        "månedlig, hver 2. måned, kvartalsvis, tertialvis, halvårlig, årlig, annethvert år "
        "eller en gang."
    ),
    "cadence.too_frequent": (
        "Det hyppigste er ukentlig: skriv for eksempel «ukentlig» eller «annenhver uke»."
    ),
    "cadence.too_long": Plural(
        one="Hyppigheten er for lang (høyst {limit} tegn).",
        other="Hyppigheten er for lang (høyst {limit} tegn).",
        by="limit",
    ),
    "cadence.invalid_rule": (
        "Den regelen kan jeg ikke bruke. Skriv hyppigheten med ord, for eksempel «kvartalsvis» "
        "eller «hver 2. måned»."
    ),
    "plan.code": "kode: {code}",
    "command.hjelp": "Vis hva du kan spørre om",
    "command.vis alle kommandoer": "Alle kommandoene, ordnet etter tema",
    "command.mine oppgaver": "Oppfølgingene dine de neste 30 dagene",
    "command.kontrakter": "Kontraktene dine med neste frist",
    "command.plan": "Oppfølgingsplanen for én kontrakt, for eksempel plan KOM-2025-0147",
    "command.stedfortreder": (
        "Hvem som svarer for deg, for eksempel stedfortreder kari.nordmann@kommune.no fra 7.12 "
        "til 18.12"
    ),
    "command.fravær": "Registrer fravær, for eksempel fravær fra 7.12 til 18.12",
    "command.tilbake": "Du er tilbake: oppfølgingene går til deg igjen",
    "command.kalenderlenke": "Privat kalenderadresse for Outlook",
    "command.kontrollpunkt": (
        "Innkjøp endrer oppfølgingsplanen: kontrollpunkt KOM-2025-0147 legg til skatteattest"
    ),
    # reminders
    "command.påminnelser": "Påminnelser: pause, fortsett, eller flere per dag",
    "command.pause": "Sett påminnelsene dine på pause",
    "command.fortsett": "Få påminnelser igjen",
    "command.utsett": "Utsett en oppfølging, for eksempel utsett KOM-2025-0147 fredag",
    "reminder.title": Plural(
        one="Påminnelse: {count} oppfølging", other="Påminnelse: {count} oppfølginger"
    ),
    "reminder.intro": (
        "Dette venter på svar fra deg. Svar på kortet, eller skriv for eksempel «utsett "
        "{reference} fredag»."
    ),
    "reminder.due_in": "Frist {date}",
    "reminder.due_today": "Frist i dag",
    "reminder.overdue": Plural(
        one="Forfalt {date} (for {days} dag siden)",
        other="Forfalt {date} (for {days} dager siden)",
        by="days",
    ),
    "reminder.covering_for": "Du svarer for {name}, som er borte",
    "reminder.escalated": "Eskalert til deg: {name} har ikke svart",
    "reminder.escalated_nobody": "Eskalert til deg: ingen har svart",
    "reminder.snoozed": "Utsatt",
    "reminder.group.overdue": "Forfalt",
    "reminder.group.today": "Frist i dag",
    "reminder.group.coming": "Kommende frister",
    "reminder.more": "… og {count} til. Skriv «mine oppgaver» for hele listen.",
    "reminder.snooze": "Utsett",
    "reminder.snooze_day": "1 arbeidsdag",
    "reminder.snooze_week": "1 uke",
    "reminder.snooze_date": "Til dato",
    "reminder.snooze_date_placeholder": "f.eks. fredag, 15.12 eller neste uke",
    "reminder.snooze_ok": "Utsatt til {date}: {reference} {title}. Du får en ny påminnelse da.",
    "reminder.snooze_ok_overdue": (
        "Utsatt til {date}: {reference} {title}. Merk: fristen var {due}, så oppfølgingen står "
        "som forfalt til den er besvart."
    ),
    "reminder.snooze_ok_after_due": (
        "Utsatt til {date}: {reference} {title}. Merk: fristen er {due}, så oppfølgingen står "
        "som forfalt fra da til den er besvart."
    ),
    "reminder.snooze_missing_date": (
        "Skriv når du vil bli minnet på, for eksempel «fredag» eller «15.12»."
    ),
    "reminder.snooze_usage": (
        "Skriv «utsett», avtalenummeret og en dato, for eksempel «utsett KOM-2025-0147 fredag»."
    ),
    "reminder.snooze_none": "Du har ingen åpne oppfølginger på {reference} å utsette.",
    "reminder.paused": (
        "Påminnelsene dine er satt på pause. Du kan fortsatt skrive «mine oppgaver». Skriv "
        "«fortsett» når du vil ha dem igjen."
    ),
    "reminder.already_paused": (
        "Påminnelsene dine er allerede på pause. Skriv «fortsett» for å få dem igjen."
    ),
    "reminder.resumed": "Du får påminnelser igjen, høyst {count} per dag.",
    "reminder.per_day": Plural(
        one="Du får nå høyst {count} påminnelse per dag.",
        other="Du får nå høyst {count} påminnelser per dag.",
    ),
    "reminder.status": (
        "Påminnelser: {state}, høyst {count} per dag. Skriv «påminnelser pause», «påminnelser "
        "fortsett» eller «påminnelser flere»."
    ),
    "reminder.state_on": "på",
    "reminder.state_paused": "på pause",
    "follow_up.not_found": (
        "Finner ikke den oppfølgingen. Kortet kan være utdatert: skriv «mine oppgaver»."
    ),
    "follow_up.not_yours": "Den oppfølgingen er ikke din, og du er ikke stedfortreder for den.",
    "follow_up.closed": "Den oppfølgingen er allerede besvart eller lukket.",
    "follow_up.snooze_past": "Datoen må være etter i dag.",
    "follow_up.snooze_too_far": "Du kan utsette høyst ett år fram.",
    "reminder.more_stuck": "… og {count} til.",
    "answer.action.levert": "Levert",
    "answer.action.delvis_levert": "Delvis levert",
    "answer.action.ikke_levert": "Ikke levert",
    "answer.action.ikke_relevant": "Ikke relevant",
    "answer.action.opsjon_utloses": "Opsjonen utløses",
    "answer.action.opsjon_utloses_ikke": "Opsjonen utløses ikke",
    "answer.action.ny_anskaffelse": "Ny anskaffelse startet",
    "answer.action.forlenges": "Forlenges",
    "answer.action.avsluttes": "Avsluttes",
    "answer.action.i_samsvar": "I samsvar",
    "answer.action.holdt": "Møtet er holdt",
    "answer.action.deviation_found": "Avvik funnet",
    "answer.decision.by": "Besluttet av",
    "answer.decision.by_placeholder": "Navn (tomt: deg)",
    "answer.decision.on": "Dato for beslutningen",
    "answer.decision.on_placeholder": "Tomt: i dag",
    "answer.decision.confirm": "Registrer: {what}",
    "answer.decided": "besluttet av {name} {date}",
    "answer.action.upload": "Last opp dokumentasjon",
    "answer.action.deviation": "Meld avvik",
    "answer.action.change": "Endre svar",
    "answer.comment_placeholder": "Kommentar (valgfritt)",
    "answer.action.comment": "Legg til kommentar",
    "answer.typed.levert": "«levert {reference}»",
    "answer.typed.delvis_levert": "«delvis {reference}»",
    "answer.typed.ikke_levert": "«ikke levert {reference}»",
    "answer.typed.ikke_relevant": "«ikke relevant {reference}»",
    "answer.typed.dokumentasjon": "«dokument {reference}»",
    "answer.typed.avvik": "«meld avvik {reference}»",
    "answer.typed.utsett": "«utsett {reference} fredag»",
    "answer.typed.card": "svar på kortet (skriv «mine oppgaver»)",
    "answer.typed.or": "{first} eller {last}",
    "answer.actions_first": Plural(
        one=(
            "Svarknappene står på den første. Svar på de andre ved å skrive, for eksempel "
            "{example}, eller snevre inn listen."
        ),
        other=(
            "Svarknappene står på de {count} første. Svar på de andre ved å skrive, for eksempel "
            "{example}, eller snevre inn listen."
        ),
    ),
    "answer.at": "{date} kl. {time}",
    "answer.time_separator": ".",
    "answer.kind.delivered": "Levert",
    "answer.kind.partly_delivered": "Delvis levert",
    "answer.kind.not_delivered": "Ikke levert",
    "answer.kind.documents": "Dokumentasjon levert",
    "answer.kind.deviation": "Avvik meldt",
    "answer.kind.not_applicable": "Ikke relevant",
    "answer.kind.option_exercised": "Opsjonen utløses",
    "answer.kind.option_not_exercised": "Opsjonen utløses ikke",
    "answer.kind.new_procurement": "Ny anskaffelse startet",
    "answer.kind.extended": "Kontrakten forlenges",
    "answer.kind.ending": "Kontrakten avsluttes",
    "answer.kind.in_order": "I samsvar",
    "answer.kind.meeting_held": "Møtet er holdt",
    "answer.by": "svart av {name}",
    "answer.by_for": "svart av {name} for {owner}",
    "answer.version": "(endret, svar nr. {version})",
    "answer.documents": Plural(one="Dokument: {names}", other="Dokumenter ({count}): {names}"),
    "answer.missing": "Mangler fortsatt: {names}",
    "answer.deviations": Plural(
        one="{count} åpent avvik på denne oppfølgingen",
        other="{count} åpne avvik på denne oppfølgingen",
    ),
    "answer.closed": "Denne oppfølgingen er avsluttet og kan ikke besvares.",
    "answer.card_title": Plural(
        one="{count} oppfølging venter på svar", other="{count} oppfølginger venter på svar"
    ),
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
    "answer.others_open": Plural(
        one="{count} annen oppfølging på {reference} venter også på svar.",
        other="{count} andre oppfølginger på {reference} venter også på svar.",
    ),
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
    "answer.text_too_long": Plural(
        one="Kommentaren er for lang (grensen er {limit} tegn). Skriv kortere.",
        other="Kommentaren er for lang (grensen er {limit} tegn). Skriv kortere.",
        by="limit",
    ),
    "answer.unknown_kind": "Det svaret kjenner jeg ikke. Velg et av svarene på kortet.",
    "answer.decided_by_too_long": Plural(
        one=(
            "Navnet under «Besluttet av» er for langt (grensen er {limit} tegn). Ingenting er "
            "lagret."
        ),
        other=(
            "Navnet under «Besluttet av» er for langt (grensen er {limit} tegn). Ingenting er "
            "lagret."
        ),
        by="limit",
    ),
    "answer.decided_on_unreadable": (
        "Jeg forstod ikke datoen «{value}». Skriv datoen for beslutningen som for eksempel "
        "3.12.2026. Ingenting er lagret."
    ),
    "answer.decided_on_future": (
        "Datoen for beslutningen kan ikke være etter i dag. Ingenting er lagret."
    ),
    "dialog.cancelled": "Avbrutt. Ingenting er lagret.",
    "dialog.nothing_to_cancel": "Det er ingenting å avbryte.",
    "dialog.stale_answer": (
        "Det spørsmålet er ikke aktivt lenger. Skriv kommandoen på nytt (for eksempel "
        "«meld avvik») for å begynne igjen."
    ),
    "dialog.step": "Steg {number} av {total}.",
    "dialog.help.stop": (
        "Skriv «avbryt» for å stoppe; ingenting lagres før du svarer «ja» til slutt."
    ),
    "form_dialog.step": "spørsmål {number} av {total}",
    "form_dialog.restarted": (
        "Skjemaet du holdt på med i chatten, er lagt bort uten å lagres; vi begynner på nytt."
    ),
    "form_dialog.keep": "Behold: {value}",
    "form_dialog.keep_hint": "«behold» beholder det som står nå ({value}).",
    "form_dialog.skip": "Hopp over",
    "form_dialog.skip_hint": "Kan stå tomt: svar «hopp over».",
    "form_dialog.confirm": (
        "**{heading}**: dette lagres.\n\n{facts}\n\nLagre? Svar «ja» eller «nei»."
    ),
    "form_dialog.save": "Ja, lagre",
    "form_dialog.discard": "Nei, ikke lagre",
    "form_dialog.discarded": "Ikke lagret. Ingenting er endret.",
    "form_dialog.ended_by_card": (
        "Du sendte skjemaet fra kortet, så jeg stiller ikke flere spørsmål om det her i chatten."
    ),
    "form_dialog.not_yes_no": "Svar «ja» for å lagre eller «nei» for å la være.",
    "form_dialog.nothing_to_keep": "Her står det ingenting ennå som kan beholdes.",
    "form_dialog.empty": "Jeg fikk ikke noe svar.",
    "form_dialog.required": "Dette spørsmålet må besvares; det kan ikke hoppes over.",
    "form_dialog.stale_button": (
        "Den knappen hører til et spørsmål som allerede er besvart eller avsluttet, så jeg "
        "brukte den ikke. Svar på dette:"
    ),
    "form_dialog.busy": (
        "Du holder på med **{heading}** her i chatten. Svar på spørsmålet under, eller skriv "
        "«avbryt» og så kommandoen på nytt for å begynne på noe annet."
    ),
    "form_dialog.help.step": (
        "Svar på spørsmålet med tekst eller en av knappene. Ingenting lagres før du har sett "
        "alt samlet og svart «ja»."
    ),
    "form_dialog.help.confirm": (
        "Svar «ja» for å lagre det som står over, eller «nei» for å la være."
    ),
    "deviation.no_remedy": "Ingen forslag",
    # A severity in front of «avvik», which is neuter: «Høyt avvik», «Lavt avvik».
    "deviation.severity_attributive.lav": "Lavt",
    "deviation.severity_attributive.middels": "Middels",
    "deviation.severity_attributive.høy": "Høyt",
    "deviation.severity_attributive.kritisk": "Kritisk",
    "deviation.status.usage": (
        "Skriv «avviksstatus *kode* under behandling», «avviksstatus *kode* lukket [notat]» "
        "eller «avviksstatus *kode* åpen». Koden står på avviket; «avvik» viser dine åpne."
    ),
    "deviation.status.changed": (
        "Avvik {code} på {reference}: «{before}» → «{after}». Endret av {name}, {at}."
    ),
    "deviation.status.changed_channel": (
        "Avvik {code}: «{before}» → «{after}». Endret av {name}, {at}."
    ),
    "deviation.status.unchanged": "Avvik {code} har allerede status «{status}». Ingenting endret.",
    "deviation.status.note": "Notat: {note}",
    "deviation.status.not_code": (
        "«{text}» er ikke en avvikskode. Koden står på avviket, for eksempel «AV-2026-0042»."
    ),
    "deviation.status.invalid": (
        "Avvik {code} har status «{before}» og kan ikke bli «{after}» direkte."
    ),
    "access.not_registered": (
        "Jeg fant deg ikke i kontraktsregisteret, så jeg kan ikke vise deg kontraktene. Ta "
        "kontakt med innkjøp hvis du skal følge opp kontrakter."
    ),
    "access.no_contracts": (
        "Beklager, her har du ikke tilgang: oversikten viser kontraktene du er kontraktseier, "
        "forvalter eller stedfortreder for, og du står ikke på noen. Innkjøpsteamet ser hele "
        "porteføljen; ta kontakt med dem hvis du trenger tilgang."
    ),
    "portfolio.channel_nothing": (
        "Beklager, det kan jeg ikke vise i denne kanalen: ikke alle medlemmene har lov til å se "
        "de samme kontraktene. Spør meg i en 1:1-chat i stedet."
    ),
    "portfolio.channel_members_unknown": (
        "Beklager, jeg fikk ikke hentet medlemslisten til kanalen, så jeg vet ikke hva alle her "
        "har lov til å se. Prøv igjen om litt, eller spør meg i en 1:1-chat."
    ),
}

EN: Words = {
    "welcome.person": (
        "Hi, {name}! I am Kontraktsvakt. I keep track of the follow-up of your contracts, remind "
        "you of what must be checked, and take answers, documents and deviations here in the "
        'chat. Type "help" to see what you can ask.'
    ),
    "welcome.owner": Plural(
        one="You are the contract owner of {count} contract in the contract register.",
        other="You are the contract owner of {count} contracts in the contract register.",
    ),
    "welcome.unknown": (
        "I did not find you in the contract register yet. Once procurement registers you as an "
        "owner or deputy, you will get reminders here."
    ),
    "welcome.procurement": "You are registered as a member of the procurement team.",
    "welcome.channel": (
        'Kontraktsvakt was added to the channel "{name}". Mention me (@Kontraktsvakt) and type '
        '"help".\n\n'
        "The channel gets no alerts yet. For serious deviations, escalations and weekly digests "
        'here, a member of the procurement team types "@Kontraktsvakt procurement channel on" in '
        "this channel. Alerts that name a contract are posted only when everyone in the channel "
        "may see it."
    ),
    "help.title": "How to use Kontraktsvakt",
    "help.intro": (
        "I follow up your contracts: I remind you when something must be checked, and you answer "
        "with one click or by typing."
    ),
    "help.commands": "What you will type most:",
    "help.more": (
        'Replace the words in italics with your own. Type "show all commands" (or press the '
        "button) for the rest."
    ),
    "help.button.all": "Show all commands",
    "help.placeholder.unit": "*unit*",
    "help.cmd.hjelp": '"help" – a short overview of what you use most',
    "help.cmd.vis alle kommandoer": '"show all commands" – this list',
    # --- the short help, by role (bot/conversation/help_cards.py) ------------------------------
    "help.owner.tasks": '"my tasks" – your follow-ups for the next 30 days, week by week',
    "help.owner.contracts": '"contracts" – your contracts and their next due dates',
    "help.owner.status": (
        '"status {reference}" – the contract with its plan, answers, documents and deviations; '
        '"plan {reference}" shows only the checkpoints'
    ),
    "help.owner.answer": (
        '"delivered {reference}" – answer that what was due is delivered (or "partly '
        '{reference}" and "not delivered {reference}", with a comment after if you like)'
    ),
    "help.owner.document": (
        '"document {reference}" – attach the file to the same message, or paste a link'
    ),
    "help.owner.deviation": (
        '"report deviation {reference}" – report a deviation; I ask for what I need'
    ),
    "help.owner.snooze": (
        '"snooze {reference} friday" – the next reminder of the follow-up comes then'
    ),
    "help.owner.away": (
        '"away from {start} to {end}" – when you are away; "deputy *e-mail address*" chooses '
        "who answers for you"
    ),
    "help.procurement.intro": (
        "You are on the procurement team and see the whole portfolio. Escalations and weekly "
        "digests arrive in the channel registered for procurement."
    ),
    "help.procurement.status": (
        '"status" – the portfolio at a glance; "status {reference}" shows one contract, '
        '"status {unit}" one unit'
    ),
    "help.procurement.overdue": (
        '"overdue" – overdue follow-ups, oldest first, with their owners; "overdue {unit}" for '
        "one unit"
    ),
    "help.procurement.deviations": (
        '"deviations" – open deviations with filter buttons; "deviations critical" shows only '
        "the critical ones"
    ),
    "help.procurement.export": (
        '"export overdue" – the list as an Excel file; also "export answers from 1.1", '
        '"export deviations" and "export contracts"'
    ),
    "help.procurement.history": (
        '"history {reference}" – everything recorded on the contract, newest first'
    ),
    "help.procurement.checkpoint": (
        '"checkpoint {reference} add skatteattest" – edit the follow-up plan; '
        '"plan {reference}" shows the checkpoints'
    ),
    "help.procurement.channel": (
        '"procurement channel on" – typed in a channel: alerts on serious deviations, '
        "escalations and the weekly digest go there"
    ),
    "help.procurement.own": (
        '"my tasks" and "contracts" – the follow-up of contracts you own yourself'
    ),
    "help.admin.role": (
        '"role grant *e-mail address* procurement" – give someone a role; "role revoke …" '
        "takes it away (administrators only)"
    ),
    "help.channel.intro": (
        'In the channel, mention me first, for example "@Kontraktsvakt status". I show only '
        "what everyone in the channel may see."
    ),
    "help.channel.status": (
        '"status" – the portfolio at a glance; "status *reference, supplier or unit*" for a '
        "part of it"
    ),
    "help.channel.overdue": '"overdue" – overdue follow-ups, oldest first, with their owners',
    "help.channel.deviations": '"deviations" – open deviations with filter buttons',
    "help.channel.plan": (
        '"plan *reference*" and "history *reference*" – one contract\'s plan and history'
    ),
    "help.channel.export": '"export overdue" – the list as an Excel file (procurement)',
    "help.channel.procurement": (
        '"procurement channel on" – alerts on serious deviations, escalations and the weekly '
        'digest come here; "procurement channel off" stops them'
    ),
    "help.channel.checkpoint": (
        '"checkpoint *reference* add *code or title*" – edit the follow-up plan'
    ),
    "help.unregistered": (
        "I do not find you in the contract register yet. To get registered, ask the procurement "
        "team to enter you as contract owner, contract manager or deputy on the contracts you "
        "follow up, with the e-mail address you use in Teams. Then your reminders come here, "
        'and "help" shows the commands with your own contract numbers.'
    ),
    "help.newcomer": (
        "You are registered, but you are not the owner, manager or deputy of any contract. When "
        "procurement has entered you on a contract, your reminders come here."
    ),
    "help.newcomer.tasks": '"my tasks" – your follow-ups, once you have some',
    # --- every command, by topic ---------------------------------------------------------------
    "help.all.title": "All commands",
    "help.all.intro": (
        "Replace the words in italics with your own, for example *reference* with the contract "
        "number; what is in [brackets] you may leave out."
    ),
    "help.all.channel": (
        "Mention me first (@Kontraktsvakt). Replace the words in italics with your own; what is "
        "in [brackets] you may leave out."
    ),
    "help.topic.follow_up": "Your follow-up",
    "help.topic.answer": "Answers, documents and deviations",
    "help.topic.reminders": "Reminders",
    "help.topic.away": "Absence and deputies",
    "help.topic.portfolio": "Status and lists",
    "help.topic.procurement": "For procurement and administrators",
    "help.topic.help": "Help",
    "help.topic.other": "Other",
    "unknown.command": 'I did not understand "{text}". Type "help" to see what you can type.',
    "empty.message": 'The message was empty. Type "help" to see what you can type.',
    "too.long": Plural(
        one="The message is too long ({length} character; the limit is {limit}).",
        other="The message is too long ({length} characters; the limit is {limit}).",
        by="length",
    ),
    "card.unknown_action": "I do not recognise this action, or the card is out of date.",
    "form.unknown": "I could not accept this form: it does not belong to anything I sent you.",
    "file.no_pending": "I have no file waiting for your consent.",
    "file.declined": "All right, I will not send the file.",
    "error.sorry": "Sorry, something went wrong on my side. Nothing was saved; please try again.",
    "farewell.channel": "Kontraktsvakt was removed from the channel.",
    "help.cmd.mine oppgaver": '"my tasks" (or "calendar") – your follow-ups for the next 30 days',
    "help.cmd.kontrakter": '"contracts" – your contracts and their next due dates',
    "help.cmd.plan": '"plan *reference*" – the checkpoints of one contract\'s follow-up plan',
    "help.cmd.stedfortreder": (
        '"deputy *e-mail* from *date* to *date*" – who answers for you while you are away; '
        '"deputy *e-mail*" sets your standing deputy, "deputy none" clears it'
    ),
    "help.cmd.fravær": '"away from *date* to *date*" – record an absence; "away" lists them',
    "help.cmd.påminnelser": (
        '"reminders" – whether you get reminders; "reminders more" allows up to three a day'
    ),
    "help.cmd.pause": '"pause" – no reminders until you type "resume"',
    "help.cmd.fortsett": '"resume" – reminders again',
    "help.cmd.utsett": (
        '"snooze *reference* [checkpoint] *date*" – the next reminder of a follow-up comes then'
    ),
    "help.cmd.tilbake": '"back" – you are back, and your follow-ups come to you again',
    "help.cmd.kontrollpunkt": (
        '"checkpoint *reference* add *code or title* [cadence]", '
        '"checkpoint *reference* *code* cadence *cadence*" and '
        '"checkpoint *reference* *code* pause / resume / remove" – edit the follow-up plan '
        "(procurement team only)"
    ),
    "help.cmd.kalenderlenke": (
        '"calendar link" – a private address that shows your follow-ups in Outlook'
    ),
    "command.personal_only": (
        "I answer this in a personal chat with me only, so the whole channel does not see it. "
        'Send "{word}" to me directly.'
    ),
    "person.not_registered": (
        "I did not find you in the contract register. Once procurement registers you as an "
        "owner or deputy, you can see your follow-ups here."
    ),
    "error.domain": 'That did not work: the request could not be carried out. Type "help".',
    "fmt.period": "from {start} to {end}",
    "fmt.on_day": "on {day}",
    "fmt.week": "Week {week} ({span})",
    "date.not_understood": (
        'I did not understand the date "{text}". Write for example "7.12", "07.12.2026", '
        '"mandag", "i morgen", "uke 50" or "from 7.12 to 18.12".'
    ),
    "date.ambiguous": "Did you mean {options}? Write the date as dd.mm.yyyy.",
    "tasks.title": "My follow-ups",
    "tasks.subtitle": Plural(
        one="Due today and tomorrow, from {today}.",
        other="Due in the next {days} days, from {today}.",
        by="days",
    ),
    "tasks.subtitle_filtered": Plural(
        one='Due today and tomorrow, from {today}, matching "{filter}".',
        other='Due in the next {days} days, from {today}, matching "{filter}".',
        by="days",
    ),
    "tasks.overdue": "Overdue",
    "tasks.due": "Due {date}",
    "tasks.overdue_since": "Overdue since {date}",
    "tasks.supplier": "Supplier: {name}",
    "tasks.covered_by": "{name} answers while you are away",
    "tasks.covering_for": "for {name}",
    "tasks.more": (
        '… and {count} more. Type "my tasks 7" for the next 7 days only, or '
        '"my tasks *reference or supplier*" to narrow it down.'
    ),
    "tasks.empty": Plural(
        one="You have no follow-ups today or tomorrow, and nothing is overdue.",
        other="You have no follow-ups in the next {days} days, and nothing is overdue.",
        by="days",
    ),
    "tasks.empty_filtered": Plural(
        one='None of your follow-ups today or tomorrow match "{filter}".',
        other='None of your follow-ups in the next {days} days match "{filter}".',
        by="days",
    ),
    "tasks.no_contracts": (
        "I find no contracts where you are the owner, manager or deputy. Once procurement "
        "registers you, your follow-ups show up here."
    ),
    "contracts.title": "My contracts ({count})",
    "contracts.role.owner": "owner",
    "contracts.role.manager": "manager",
    "contracts.role.deputy": "deputy",
    "contracts.fact.role": "Role",
    "contracts.fact.supplier": "Supplier",
    "contracts.fact.end": "Ends",
    "contracts.fact.open": "Open follow-ups",
    "contracts.fact.next": "Next due",
    "contracts.ongoing": "ongoing",
    "contracts.no_end": "not set",
    "contracts.no_supplier": "not registered",
    "contracts.none": "none",
    "contracts.more": (
        '… and {count} more. Type "plan *reference*" for one contract, or '
        '"contracts *reference or supplier*" to narrow it down.'
    ),
    "contracts.empty_filtered": 'None of your contracts match "{filter}".',
    "contract.ended.utløpt": "(expired)",
    "contract.ended.avsluttet": "(terminated)",
    "plan.title": "Follow-up plan: {reference} {title}",
    "plan.fact.supplier": "Supplier",
    "plan.fact.owner": "Owner",
    "plan.fact.period": "Period",
    "plan.fact.cadence": "Cadence",
    "plan.fact.evidence": "Evidence",
    "plan.fact.next": "Next due",
    "plan.fact.status": "Status",
    "plan.status.active": "active",
    "plan.status.paused": "paused",
    "plan.no_next": "none planned",
    "plan.no_owner": "not registered",
    "plan.period": "{start} – {end}",
    "plan.period_open": "from {start}",
    "plan.unknown_date": "?",
    "plan.empty": "{reference} {title} has no checkpoints yet.",
    "plan.more": Plural(
        one="… and {count} more checkpoint.", other="… and {count} more checkpoints."
    ),
    "plan.usage": 'Type "plan" and the contract number, for example "plan KOM-2025-0147".',
    "checkpoint.usage": (
        "How procurement edits a follow-up plan:\n\n"
        '- "checkpoint *reference* add *code or title* [cadence]", for example '
        '"checkpoint KOM-2025-0147 add skatteattest"\n'
        '- "checkpoint *reference* *code* cadence *cadence*", for example '
        '"checkpoint KOM-2025-0147 levering cadence kvartalsvis"\n'
        '- "checkpoint *reference* *code* pause", "… resume" or "… remove"\n\n'
        'Type "plan *reference*" to see the codes.'
    ),
    "checkpoint.added": 'Added "{title}" to {reference}, {cadence}.',
    "checkpoint.cadence": '"{title}" on {reference} is now followed up {cadence}.',
    "checkpoint.paused": '"{title}" on {reference} is paused.',
    "checkpoint.resumed": '"{title}" on {reference} is followed up again, {cadence}.',
    "checkpoint.removed": '"{title}" was removed from the follow-up plan of {reference}.',
    "checkpoint.dropped": Plural(
        one="{count} future follow-up without an answer was removed; answered ones are kept.",
        other="{count} future follow-ups without an answer were removed; answered ones are kept.",
    ),
    "checkpoint.next_due": "Next due dates: {dates}.",
    "checkpoint.no_next": "No due dates within the plan's horizon.",
    "checkpoint.audited": "The change is logged.",
    "contract.unknown": (
        'I find no contract with the reference "{reference}". Type "contracts" to see yours.'
    ),
    "delivery.failed": "The message could not be delivered in Teams.",
    "person.unknown": (
        "I did not find you in the contract register. Once procurement registers you, you can "
        "use this command."
    ),
    "plan.cadence_missing": (
        'How often should it be followed up? Write e.g. "månedlig" (monthly), "kvartalsvis" '
        '(quarterly), "halvårlig" (twice a year) or "årlig" (yearly).'
    ),
    "plan.checkpoint_exists": (
        '{reference} already has the checkpoint "{checkpoint}". Type "checkpoint {reference} '
        '{checkpoint} cadence *cadence*" to change how often.'
    ),
    "plan.procurement_only": (
        "Only the procurement team can edit follow-up plans. Contact procurement if the plan "
        "should change."
    ),
    "plan.title_missing": ('Say what to follow up: "checkpoint *reference* add *code or title*".'),
    "plan.unknown_checkpoint": (
        '{reference} has no checkpoint "{checkpoint}". Type "plan {reference}" to see them.'
    ),
    "cadence.not_understood": (
        'I did not understand "{text}" as a cadence. Write e.g. ukentlig (weekly), månedlig '
        "(monthly), kvartalsvis (quarterly), halvårlig (twice a year), årlig (yearly) or en gang "
        "(once)."
    ),
    "cadence.too_frequent": 'Weekly is the most frequent: write e.g. "weekly" or "ukentlig".',
    "cadence.too_long": Plural(
        one="The cadence is too long (at most {limit} character).",
        other="The cadence is too long (at most {limit} characters).",
        by="limit",
    ),
    "cadence.invalid_rule": (
        'I cannot use that rule. Write the cadence in words, e.g. "quarterly" or "every 2 months".'
    ),
    "plan.code": "code: {code}",
    "command.hjelp": "Show what you can ask",
    "command.vis alle kommandoer": "Every command, grouped by topic",
    "command.mine oppgaver": "Your follow-ups for the next 30 days",
    "command.kontrakter": "Your contracts with their next due date",
    "command.plan": "One contract's follow-up plan, for example plan KOM-2025-0147",
    "command.stedfortreder": (
        "Who answers for you, for example deputy kari.nordmann@kommune.no from 7.12 to 18.12"
    ),
    "command.fravær": "Record an absence, for example away from 7.12 to 18.12",
    "command.tilbake": "You are back: follow-ups come to you again",
    "command.kalenderlenke": "A private calendar address for Outlook",
    "command.kontrollpunkt": (
        "Procurement edits a plan: checkpoint KOM-2025-0147 add skatteattest"
    ),
    # reminders
    "command.påminnelser": "Reminders: pause, resume, or more per day",
    "command.pause": "Pause your reminders",
    "command.fortsett": "Get reminders again",
    "command.utsett": "Snooze a follow-up, for example snooze KOM-2025-0147 friday",
    "reminder.title": Plural(
        one="Reminder: {count} follow-up", other="Reminder: {count} follow-ups"
    ),
    "reminder.intro": (
        'These wait for your answer. Answer on the card, or type for example "snooze {reference} '
        'friday".'
    ),
    "reminder.due_in": "Due {date}",
    "reminder.due_today": "Due today",
    "reminder.overdue": Plural(
        one="Overdue since {date} ({days} day)",
        other="Overdue since {date} ({days} days)",
        by="days",
    ),
    "reminder.covering_for": "You answer for {name}, who is away",
    "reminder.escalated": "Escalated to you: {name} has not answered",
    "reminder.escalated_nobody": "Escalated to you: nobody has answered",
    "reminder.snoozed": "Snoozed",
    "reminder.group.overdue": "Overdue",
    "reminder.group.today": "Due today",
    "reminder.group.coming": "Coming up",
    "reminder.more": '… and {count} more. Type "my tasks" for the whole list.',
    "reminder.snooze": "Snooze",
    "reminder.snooze_day": "1 working day",
    "reminder.snooze_week": "1 week",
    "reminder.snooze_date": "Until date",
    "reminder.snooze_date_placeholder": "e.g. friday, 15.12 or next week",
    "reminder.snooze_ok": "Snoozed until {date}: {reference} {title}. You will be reminded then.",
    "reminder.snooze_ok_overdue": (
        "Snoozed until {date}: {reference} {title}. Note: it was due {due}, so it shows as "
        "overdue until answered."
    ),
    "reminder.snooze_ok_after_due": (
        "Snoozed until {date}: {reference} {title}. Note: it is due {due}, so from then on it "
        "shows as overdue until answered."
    ),
    "reminder.snooze_missing_date": 'Type when to be reminded, for example "friday" or "15.12".',
    "reminder.snooze_usage": (
        'Type "snooze", the contract number and a date, for example "snooze KOM-2025-0147 friday".'
    ),
    "reminder.snooze_none": "You have no open follow-ups on {reference} to snooze.",
    "reminder.paused": (
        'Your reminders are paused. You can still type "my tasks". Type "resume" to get them again.'
    ),
    "reminder.already_paused": (
        'Your reminders are already paused. Type "resume" to get them again.'
    ),
    "reminder.resumed": "You will get reminders again, at most {count} a day.",
    "reminder.per_day": Plural(
        one="You will now get at most {count} reminder a day.",
        other="You will now get at most {count} reminders a day.",
    ),
    "reminder.status": (
        'Reminders: {state}, at most {count} a day. Type "reminders pause", "reminders resume" or'
        ' "reminders more".'
    ),
    "reminder.state_on": "on",
    "reminder.state_paused": "paused",
    "follow_up.not_found": (
        'That follow-up was not found. The card may be out of date: type "my tasks".'
    ),
    "follow_up.not_yours": "That follow-up is not yours, and you are not covering for it.",
    "follow_up.closed": "That follow-up is already answered or closed.",
    "follow_up.snooze_past": "The date must be after today.",
    "follow_up.snooze_too_far": "You can snooze at most one year ahead.",
    "reminder.more_stuck": "… and {count} more.",
    "answer.action.levert": "Delivered",
    "answer.action.delvis_levert": "Partly delivered",
    "answer.action.ikke_levert": "Not delivered",
    "answer.action.ikke_relevant": "Not applicable",
    "answer.action.opsjon_utloses": "Exercise the option",
    "answer.action.opsjon_utloses_ikke": "Do not exercise the option",
    "answer.action.ny_anskaffelse": "New procurement started",
    "answer.action.forlenges": "Extended",
    "answer.action.avsluttes": "Ending",
    "answer.action.i_samsvar": "In order",
    "answer.action.holdt": "Meeting held",
    "answer.action.deviation_found": "Deviation found",
    "answer.decision.by": "Decided by",
    "answer.decision.by_placeholder": "Name (empty: you)",
    "answer.decision.on": "Date of the decision",
    "answer.decision.on_placeholder": "Empty: today",
    "answer.decision.confirm": "Record: {what}",
    "answer.decided": "decided by {name} {date}",
    "answer.action.upload": "Upload documents",
    "answer.action.deviation": "Report deviation",
    "answer.action.change": "Change answer",
    "answer.comment_placeholder": "Comment (optional)",
    "answer.action.comment": "Add a comment",
    "answer.typed.levert": "“delivered {reference}”",
    "answer.typed.delvis_levert": "“partly {reference}”",
    "answer.typed.ikke_levert": "“not delivered {reference}”",
    "answer.typed.ikke_relevant": "“not applicable {reference}”",
    "answer.typed.dokumentasjon": "“document {reference}”",
    "answer.typed.avvik": "“report deviation {reference}”",
    "answer.typed.utsett": "“snooze {reference} friday”",
    "answer.typed.card": "answer on the card (type “my tasks”)",
    "answer.typed.or": "{first} or {last}",
    "answer.actions_first": Plural(
        one=(
            "The answer buttons are on the first one. Answer the others by typing, for "
            "example {example}, or narrow the list down."
        ),
        other=(
            "The answer buttons are on the first {count}. Answer the others by typing, for "
            "example {example}, or narrow the list down."
        ),
    ),
    "answer.at": "{date} at {time}",
    "answer.time_separator": ":",
    "answer.kind.delivered": "Delivered",
    "answer.kind.partly_delivered": "Partly delivered",
    "answer.kind.not_delivered": "Not delivered",
    "answer.kind.documents": "Documents delivered",
    "answer.kind.deviation": "Deviation reported",
    "answer.kind.not_applicable": "Not applicable",
    "answer.kind.option_exercised": "Option exercised",
    "answer.kind.option_not_exercised": "Option not exercised",
    "answer.kind.new_procurement": "New procurement started",
    "answer.kind.extended": "Contract extended",
    "answer.kind.ending": "Contract ending",
    "answer.kind.in_order": "In order",
    "answer.kind.meeting_held": "Meeting held",
    "answer.by": "answered by {name}",
    "answer.by_for": "answered by {name} for {owner}",
    "answer.version": "(changed, answer no. {version})",
    "answer.documents": Plural(one="Document: {names}", other="Documents ({count}): {names}"),
    "answer.missing": "Still missing: {names}",
    "answer.deviations": Plural(
        one="{count} open deviation on this follow-up",
        other="{count} open deviations on this follow-up",
    ),
    "answer.closed": "This follow-up is closed and cannot be answered.",
    "answer.card_title": Plural(
        one="{count} follow-up waiting for an answer",
        other="{count} follow-ups waiting for an answer",
    ),
    "answer.card_title_done": "Follow-up answered",
    "answer.saved": "Recorded: “{what}” on {reference} {title} (due {due}).",
    "answer.already": "This answer was already recorded.",
    "answer.changing": "Choose a new answer for {reference}. The old answer stays in the history.",
    "answer.usage": (
        "Put the contract number after the answer, for example “delivered KOM-2025-0147” or "
        "“not delivered KOM-2025-0147 3 of 12 pallets missing”."
    ),
    "answer.none_open": "You have no follow-ups on {reference} to answer.",
    "answer.others_open": Plural(
        one="{count} more follow-up on {reference} is waiting for an answer.",
        other="{count} more follow-ups on {reference} are waiting for an answer.",
    ),
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
    "answer.text_too_long": Plural(
        one="The comment is too long (the limit is {limit} character).",
        other="The comment is too long (the limit is {limit} characters).",
        by="limit",
    ),
    "answer.unknown_kind": "I do not know that answer. Choose one of the answers on the card.",
    "answer.decided_by_too_long": Plural(
        one="The name under “Decided by” is too long (the limit is {limit} character).",
        other="The name under “Decided by” is too long (the limit is {limit} characters).",
        by="limit",
    ),
    "answer.decided_on_unreadable": (
        "I did not understand the date “{value}”. Write the date of the decision as, for "
        "example, 3.12.2026. Nothing was stored."
    ),
    "answer.decided_on_future": (
        "The date of the decision cannot be after today. Nothing was stored."
    ),
    "dialog.cancelled": "Cancelled. Nothing was stored.",
    "dialog.nothing_to_cancel": "There is nothing to cancel.",
    "dialog.stale_answer": (
        "That question is no longer open. Type the command again (for example “report "
        "deviation”) to start again."
    ),
    "dialog.step": "Step {number} of {total}.",
    "dialog.help.stop": (
        "Type “cancel” to stop; nothing is stored until you answer “yes” at the end."
    ),
    "form_dialog.step": "question {number} of {total}",
    "form_dialog.restarted": (
        "The form you were filling in in the chat is put aside unsaved; we start again."
    ),
    "form_dialog.keep": "Keep: {value}",
    "form_dialog.keep_hint": "“keep” keeps what is there now ({value}).",
    "form_dialog.skip": "Skip",
    "form_dialog.skip_hint": "May be left empty: answer “skip”.",
    "form_dialog.confirm": (
        "**{heading}**: this will be saved.\n\n{facts}\n\nSave? Answer “yes” or “no”."
    ),
    "form_dialog.save": "Yes, save",
    "form_dialog.discard": "No, don't save",
    "form_dialog.discarded": "Not saved. Nothing has changed.",
    "form_dialog.ended_by_card": (
        "You sent the form from its card, so I will not ask about it here in the chat any more."
    ),
    "form_dialog.not_yes_no": "Answer “yes” to save or “no” not to.",
    "form_dialog.nothing_to_keep": "There is nothing here yet to keep.",
    "form_dialog.empty": "I got no answer.",
    "form_dialog.required": "This question must be answered; it cannot be skipped.",
    "form_dialog.stale_button": (
        "That button belongs to a question already answered or ended, so I did not use it. "
        "Answer this one:"
    ),
    "form_dialog.busy": (
        "You are filling in **{heading}** here in the chat. Answer the question below, or type "
        "“cancel” and then the command again to start something else."
    ),
    "form_dialog.help.step": (
        "Answer the question in text or with one of the buttons. Nothing is saved until you have "
        "seen it all together and answered “yes”."
    ),
    "form_dialog.help.confirm": "Answer “yes” to save what is shown above, or “no” not to.",
    "deviation.category.forsinkelse": "Delay",
    "deviation.category.mangel": "Defect / quality",
    "deviation.category.feil_mengde": "Wrong quantity",
    "deviation.category.prisavvik": "Price / invoice",
    "deviation.category.avtalelekkasje": "Purchase outside the agreement",
    "deviation.category.dokumentasjonsavvik": "Documentation",
    "deviation.category.seriositetsavvik": "Pay and conditions (seriøsitet)",
    "deviation.category.hms": "Health and safety",
    "deviation.category.annet": "Other",
    "deviation.severity.lav": "Low",
    "deviation.severity.middels": "Medium",
    "deviation.severity.høy": "High",
    "deviation.severity.kritisk": "Critical",
    "deviation.remedy.reklamasjon": "Notice of defect",
    "deviation.remedy.retting": "Correction",
    "deviation.remedy.omlevering": "Redelivery",
    "deviation.remedy.prisavslag": "Price reduction",
    "deviation.remedy.handlingsplan": "Action plan",
    "deviation.remedy.dagmulkt": "Daily penalty",
    "deviation.remedy.tilbakeholdelse": "Withholding payment",
    "deviation.remedy.erstatning": "Damages",
    "deviation.remedy.heving": "Termination",
    "deviation.remedy.ikke_prolongere": "Do not renew",
    "deviation.status.open": "Open",
    "deviation.status.in_progress": "In progress",
    "deviation.status.closed": "Closed",
    "deviation.no_remedy": "No proposal",
    "deviation.severity_attributive.lav": "Low",
    "deviation.severity_attributive.middels": "Medium",
    "deviation.severity_attributive.høy": "High",
    "deviation.severity_attributive.kritisk": "Critical",
    "deviation.status.usage": (
        "Type “deviation status *code* in progress”, “deviation status *code* closed [note]” "
        "or “deviation status *code* open”. The code is on the deviation; “deviations” lists "
        "your open ones."
    ),
    "deviation.status.changed": (
        "Deviation {code} on {reference}: “{before}” → “{after}”. Changed by {name}, {at}."
    ),
    "deviation.status.changed_channel": (
        "Deviation {code}: “{before}” → “{after}”. Changed by {name}, {at}."
    ),
    "deviation.status.unchanged": (
        "Deviation {code} already has the status “{status}”. Nothing changed."
    ),
    "deviation.status.note": "Note: {note}",
    "deviation.status.not_code": (
        "“{text}” is not a deviation code. The code is on the deviation, e.g. “AV-2026-0042”."
    ),
    "deviation.status.invalid": (
        "Deviation {code} is “{before}” and cannot become “{after}” directly."
    ),
    "access.not_registered": (
        "I did not find you in the contract register, so I cannot show you contracts. Contact "
        "procurement if you follow up contracts."
    ),
    "access.no_contracts": (
        "Sorry, you do not have access here: the overview shows the contracts you own, manage "
        "or stand in for, and you are on none. The procurement team sees the whole portfolio; "
        "contact them if you need access."
    ),
    "portfolio.channel_nothing": (
        "Sorry, I cannot show that in this channel: not all of its members may see the same "
        "contracts. Ask me in a 1:1 chat instead."
    ),
    "portfolio.channel_members_unknown": (
        "Sorry, I could not read the channel's members, so I do not know what everyone here may "
        "see. Try again shortly, or ask me in a 1:1 chat."
    ),
}


def add_words(nb: Mapping[str, Entry], en: Mapping[str, Entry]) -> None:
    """Add a capability's words (its `texts.py`, with `NB` and `EN`) to the catalogue; each room
    adds its own when it is imported (its package `__init__`). A key defined twice is an error."""
    for base, extra in ((NB, nb), (EN, en)):
        clash = base.keys() & extra.keys()
        if clash:
            raise RuntimeError(f"text keys defined twice: {sorted(clash)}")
        base.update(extra)


CATALOGUES = {"nb": NB, "en": EN}


def language_of(locale: str | None) -> str:
    """Bokmål unless the client clearly asks for English."""
    if locale and locale.lower().startswith("en"):
        return "en"
    return "nb"


BABEL_LOCALES: Final = {"nb": "nb", "en": "en"}
"""The Babel (CLDR) locale of each catalogue."""


@cache
def babel_locale(language: str) -> Locale:
    locale: Locale = Locale.parse(BABEL_LOCALES[language])
    return locale


def templates(entry: Entry) -> tuple[str, ...]:
    """Every template an entry may give: one, or a plural's forms."""
    return entry.forms if isinstance(entry, Plural) else (entry,)


def _shown(value: Any, language: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return format_decimal(value, locale=babel_locale(language))


def _plural_form(value: Any, language: str) -> str:
    """The CLDR plural category of `value`; `other` for what is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        try:
            value = Decimal(str(value))
        except InvalidOperation:
            return "other"
    return str(babel_locale(language).plural_form(value))


def render(entry: Entry, locale: str | None = None, **values: Any) -> str:
    """`entry` with `values` filled in, in the language of `locale`: a `Plural` takes the form
    that agrees with its number, and numbers are written the language's way."""
    language = language_of(locale)
    if isinstance(entry, Plural):
        # Without its number (`text(key)`, to read the template's fields): the `other` form.
        form = _plural_form(values[entry.by], language) if entry.by in values else "other"
        entry = entry.pick(form)
    if not values:
        return entry
    return entry.format(**{name: _shown(value, language) for name, value in values.items()})


def text(key: str, locale: str | None = None, **values: Any) -> str:
    """The catalogue's words for `key` in the user's language (Bokmål when the key has no
    English), with `values` filled in (`render`)."""
    entry = CATALOGUES[language_of(locale)].get(key) or NB[key]
    return render(entry, locale, **values)
