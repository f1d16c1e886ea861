"""Words of deviations: the report dialog, the form, the commands, the lists and the alert to
procurement (added to `bot.conversation.texts`). The labels of categories, severities, remedies
and statuses are in the core catalogue (`bot.conversation.labels`)."""

from __future__ import annotations

from bot.conversation.texts import Plural, Words, add_words

NB: Words = {
    # --- commands ------------------------------------------------------------------------------
    "command.meld avvik": "Meld et avvik på en kontrakt, for eksempel meld avvik KOM-2025-0147",
    "command.avvik": "Avvik på kontraktene du ser: avvik [åpne | alle] [kategori] [alvorlighet]",
    "command.avviksstatus": (
        "Endre status på et avvik, for eksempel avviksstatus AV-2026-0042 lukket"
    ),
    "command.avbryt": "Avbryt det du holder på med",
    "help.cmd.meld avvik": (
        "«meld avvik [*avtalenr*]» – meld et avvik (forsinkelse, mangel, feil mengde …); jeg "
        "spør om det jeg trenger, og ingenting lagres før du bekrefter"
    ),
    "help.cmd.avvik": (
        "«avvik [åpne | alle] [kategori] [alvorlighet]» – avvikene på kontraktene du kan se "
        "(innkjøp: alle), med kode og filterknapper; i 1:1-chat melder «avvik *avtalenr*» et "
        "nytt"
    ),
    "help.cmd.avviksstatus": (
        "«avviksstatus *kode* under behandling | lukket | åpen [notat]» – endre status på et "
        "avvik (innkjøp, kontraktseier og forvalter); «avviksstatus *kode*» viser historikken"
    ),
    "help.cmd.avbryt": "«avbryt» – stopp et avvik du holder på å melde; ingenting lagres",
    # --- labels --------------------------------------------------------------------------------
    # --- refusals (codes from followup.deviations.services and followup.deviations.intake)
    # -----------------
    "deviation.unknown_contract": (
        "Jeg finner ikke kontrakten. Sjekk avtalenummeret; «kontrakter» viser kontraktene dine."
    ),
    "deviation.unknown_follow_up": "Jeg finner ikke denne oppfølgingen. Den kan være slettet.",
    "deviation.follow_up_mismatch": (
        "Oppfølgingen hører til en annen kontrakt enn den som er oppgitt. Ingenting er lagret."
    ),
    "deviation.unknown": (
        "Jeg finner ikke det avviket. Koden står på avviket, for eksempel «AV-2026-0042»; «avvik» "
        "viser de åpne avvikene dine."
    ),
    "deviation.not_allowed": (
        "Det har du ikke tilgang til: avvik på en kontrakt meldes og endres av kontraktseier, "
        "stedfortreder og forvalter, og av innkjøpsteamet."
    ),
    "deviation.unknown_category": "Avvikstypen «{value}» kjenner jeg ikke.",
    "deviation.unknown_severity": (
        "Alvorlighetsgraden «{value}» kjenner jeg ikke. Velg lav, middels, høy eller kritisk."
    ),
    "deviation.unknown_remedy": "Tiltaket «{value}» kjenner jeg ikke.",
    "deviation.unknown_status": (
        "Statusen «{value}» kjenner jeg ikke. Velg åpen, under behandling eller lukket."
    ),
    "deviation.description_missing": "Beskrivelsen kan ikke være tom. Skriv hva som skjedde.",
    "deviation.description_too_long": Plural(
        one="Beskrivelsen er for lang ({length} tegn; grensen er {limit}). Skriv kortere.",
        other="Beskrivelsen er for lang ({length} tegn; grensen er {limit}). Skriv kortere.",
        by="length",
    ),
    "deviation.note_too_long": Plural(
        one="Notatet er for langt ({length} tegn; grensen er {limit}). Skriv kortere.",
        other="Notatet er for langt ({length} tegn; grensen er {limit}). Skriv kortere.",
        by="length",
    ),
    "deviation.date_in_future": (
        "Den datoen er frem i tid. Et avvik har allerede skjedd: skriv datoen det skjedde eller "
        "ble oppdaget, for eksempel «i dag» eller «i går»."
    ),
    "deviation.date_too_old": Plural(
        one=(
            "Den datoen er mer enn {years} år tilbake. Så gamle avvik tar jeg ikke imot her; "
            "kontakt innkjøp."
        ),
        other=(
            "Den datoen er mer enn {years} år tilbake. Så gamle avvik tar jeg ikke imot her; "
            "kontakt innkjøp."
        ),
        by="years",
    ),
    "deviation.date_before_contract": (
        "Den datoen er lenge før kontrakten startet ({start}). Skriv datoen avviket skjedde."
    ),
    "deviation.invalid_transition": "Avviket kan ikke gå fra «{from_status}» til «{to_status}».",
    "deviation.follow_up_closed": (
        "Denne oppfølgingen er avsluttet, så den tar ikke imot avvik. Skriv «meld avvik "
        "{reference}» for å melde avviket på kontrakten. Ingenting er lagret."
    ),
    "deviation.code_ambiguous": Plural(
        one="{count} avvik har den eldre koden «{short}». Skriv avviksnummeret i stedet, "
        "for eksempel «AV-2026-0042»; «avvik» viser numrene.",
        other="{count} avvik har den eldre koden «{short}». Skriv avviksnummeret i stedet, "
        "for eksempel «AV-2026-0042»; «avvik» viser numrene.",
    ),
    # --- the dialog ----------------------------------------------------------------------------
    "deviation.dialog.intro": (
        "Du melder et avvik. Skriv «avbryt» når som helst for å stoppe, eller «hjelp» hvis du "
        "står fast."
    ),
    "deviation.dialog.intro_contract": "Avvik på {contract}.",
    "deviation.dialog.intro_follow_up": "Avvik på {contract} – {checkpoint} (frist {due}).",
    "deviation.dialog.answer_with": "Svar med nummer eller navn: {options}",
    "deviation.dialog.ask.contract": (
        "Hvilken kontrakt gjelder avviket? Skriv avtalenummeret, for eksempel «KOM-2025-0147»."
    ),
    "deviation.dialog.ask.contract_choices": (
        "Hvilken kontrakt gjelder avviket? Svar med nummeret eller avtalenummeret: {options}"
    ),
    "deviation.dialog.busy": (
        "Du holder på å melde et avvik her i chatten, så jeg tok ikke det som beskrivelsen. "
        "Beskriv avviket, eller skriv «avbryt» og så kommandoen på nytt for å begynne på noe "
        "annet."
    ),
    "deviation.dialog.ask.category": "Hva slags avvik er det?",
    "deviation.dialog.ask.severity": "Hvor alvorlig er avviket?",
    "deviation.dialog.ask.date": (
        "Når skjedde det (eller når ble det oppdaget)? Skriv for eksempel «i dag», «i går», "
        "«12.9» eller «forrige fredag»."
    ),
    "deviation.dialog.ask.description": Plural(
        one=(
            "Beskriv hva som skjedde, med det innkjøp og leverandøren trenger å vite (høyst "
            "{limit} tegn)."
        ),
        other=(
            "Beskriv hva som skjedde, med det innkjøp og leverandøren trenger å vite (høyst "
            "{limit} tegn)."
        ),
        by="limit",
    ),
    "deviation.dialog.ask.remedy": "Hvilket tiltak foreslår du? Sanksjonstrappen, mildest først.",
    "deviation.dialog.ask.confirm": (
        "Stemmer dette? Svar «ja» for å melde avviket, eller «nei» for å la være."
    ),
    "deviation.dialog.summary": "Avviket du melder:",
    "deviation.dialog.yes": "Ja, meld avviket",
    "deviation.dialog.no": "Nei",
    "deviation.dialog.not_read": (
        "Jeg forstod ikke «{text}». Skriv «hjelp» for hjelp eller «avbryt» for å stoppe."
    ),
    "deviation.dialog.not_read_yes_no": "Svar «ja» eller «nei».",
    "deviation.dialog.unknown_reference": "Jeg finner ingen kontrakt med avtalenummer «{text}».",
    "deviation.dialog.help.contract": (
        "Jeg trenger avtalenummeret til kontrakten avviket gjelder, slik det står i "
        "kontraktsregisteret (for eksempel «KOM-2025-0147»), eller nummeret på et av valgene."
    ),
    "deviation.dialog.help.category": (
        "Velg hva slags avvik det er: forsinkelse, mangel eller kvalitetsavvik, feil mengde, "
        "pris- eller fakturaavvik, avtalelekkasje (kjøp utenfor avtalen), dokumentasjonsavvik, "
        "seriøsitetsavvik (lønn, HMS-kort, lærlinger, underleverandører), HMS-avvik eller annet."
    ),
    "deviation.dialog.help.severity": (
        "Velg hvor alvorlig avviket er. Høye og kritiske avvik varsles til innkjøp med en gang."
    ),
    "deviation.dialog.help.date": Plural(
        one=(
            "Skriv datoen avviket skjedde eller ble oppdaget. Den kan ikke være frem i tid eller "
            "mer enn {years} år tilbake."
        ),
        other=(
            "Skriv datoen avviket skjedde eller ble oppdaget. Den kan ikke være frem i tid eller "
            "mer enn {years} år tilbake."
        ),
        by="years",
    ),
    "deviation.dialog.help.description": (
        "Skriv med egne ord hva som skjedde: hva som mangler eller er feil, hvor mye og hvor. "
        "Teksten lagres som ren tekst."
    ),
    "deviation.dialog.help.remedy": (
        "Foreslå et tiltak fra sanksjonstrappen: reklamasjon først, så retting, omlevering "
        "eller prisavslag, handlingsplan, dagmulkt eller tilbakeholdelse, erstatning og til "
        "sist heving. Innkjøp og kontraktseier bestemmer; «ingen forslag» går også."
    ),
    "deviation.dialog.help.confirm": (
        "Se over sammendraget. «ja» melder avviket, «nei» lar det være."
    ),
    "deviation.dialog.stored": (
        "Avvik {code} er registrert på {contract}: {category}, alvorlighetsgrad {severity}, "
        "skjedde {date}."
    ),
    "deviation.dialog.stored_remedy": "Foreslått tiltak: {remedy}.",
    "deviation.dialog.answered_follow_up": (
        "Oppfølgingen «{checkpoint}» er besvart med «Avvik meldt»."
    ),
    "deviation.dialog.alerted": "Innkjøp er varslet.",
    "deviation.dialog.alert_nowhere": (
        "Innkjøp skal varsles om så alvorlige avvik, men ingen innkjøpskanal er registrert "
        "ennå. Si fra til innkjøp."
    ),
    "deviation.dialog.already": "Dette avviket var allerede registrert.",
    "deviation.dialog.status_hint": (
        "Koden brukes til å endre status: «avviksstatus {code} under behandling»."
    ),
    "deviation.dialog.not_stored": "Ingenting er lagret.",
    "deviation.dialog.declined": "Greit, avviket er ikke meldt. Ingenting er lagret.",
    "deviation.dialog.in_chat": "Svar på spørsmålene i chatten for å melde avviket.",
    "deviation.dialog.personal_only": (
        "Avvik meldes i den personlige chatten med meg, så ikke hele kanalen ser det. Skriv "
        "«meld avvik» til meg direkte."
    ),
    "deviation.dialog.restarted": "Det avviket du holdt på med, er lagt bort; vi begynner på nytt.",
    "deviation.field.contract": "Kontrakt",
    "deviation.field.supplier": "Leverandør",
    "deviation.field.follow_up": "Oppfølging",
    "deviation.field.category": "Type",
    "deviation.field.severity": "Alvorlighetsgrad",
    "deviation.field.date": "Skjedde",
    "deviation.field.description": "Beskrivelse",
    "deviation.field.remedy": "Foreslått tiltak",
    "deviation.field.reporter": "Meldt av",
    "deviation.field.status": "Status",
    "deviation.field.code": "Kode",
    "deviation.follow_up_value": "{checkpoint}, frist {due}",
    "deviation.reported_at": "{name}, {at}",
    # --- the form (Action.Submit "rapporterAvvik") ------------------------------------------------
    "deviation.form.incomplete": "Skjemaet manglet noe, så jeg spør om resten her.",
    "deviation.form.unread_category": "Jeg kjente ikke igjen avvikstypen «{value}» i skjemaet.",
    "deviation.form.new_deadline": "Ny frist: {date}.",
    # --- lists and the status command ------------------------------------------------------------
    "deviation.list.title": "Åpne avvik ({count})",
    "deviation.list.none": "Du har ingen åpne avvik. Skriv «meld avvik» for å melde et nytt.",
    "deviation.list.hint": (
        "Skriv «meld avvik» for å melde et nytt, og «avviksstatus *kode* lukket» for å lukke."
    ),
    "deviation.list.more": "… og {count} til.",
    "deviation.history.title": "Avvik {code} – {reference}",
    "deviation.history.reported": "Meldt av {name}, {at}",
    "deviation.history.updated": "{name}, {at}: «{before}» → «{after}»",
    "deviation.history.note": "«{note}»",
    # --- the alert to procurement ---------------------------------------------------------------
    "deviation.alert.title": "{severity} avvik på {reference}",
    "deviation.alert.intro": "Meldt av {name} {at}. Innkjøp varsles om høye og kritiske avvik.",
    "deviation.alert.how_to": (
        "Endre status: skriv «@Kontraktsvakt avviksstatus {code} under behandling» eller "
        "«… lukket [notat]»."
    ),
}

EN: Words = {
    # --- commands ------------------------------------------------------------------------------
    "command.meld avvik": (
        "Report a deviation on a contract, for example report deviation KOM-2025-0147"
    ),
    "command.avvik": "Deviations you may see: deviations [open | all] [category] [severity]",
    "command.avviksstatus": (
        "Change a deviation's status, for example deviation status AV-2026-0042 closed"
    ),
    "command.avbryt": "Cancel what you are doing",
    "help.cmd.meld avvik": (
        "“report deviation [contract no.]” – report a deviation (late, defect, wrong "
        "quantity …); I ask for what I need, and nothing is stored until you confirm"
    ),
    "help.cmd.avvik": (
        "“deviations [open | all] [category] [severity]” – the deviations on the contracts you "
        "may see (procurement: all), with codes and filter buttons; in a 1:1 chat "
        "“deviation *reference*” reports a new one"
    ),
    "help.cmd.avviksstatus": (
        "“deviation status *code* in progress | closed | open [note]” – change a deviation's "
        "status (procurement, owner and manager); “deviation status *code*” shows its history"
    ),
    "help.cmd.avbryt": "“cancel” – stop reporting a deviation; nothing is stored",
    # --- labels --------------------------------------------------------------------------------
    # --- refusals --------------------------------------------------------------------------------
    "deviation.unknown_contract": (
        "I cannot find the contract. Check the contract number; “contracts” lists yours."
    ),
    "deviation.unknown_follow_up": "I cannot find this follow-up. It may have been removed.",
    "deviation.follow_up_mismatch": (
        "The follow-up belongs to another contract than the one given. Nothing was stored."
    ),
    "deviation.unknown": (
        "I cannot find that deviation. Its code is on the deviation, e.g. “AV-2026-0042”; "
        "“deviations” lists your open ones."
    ),
    "deviation.not_allowed": (
        "You do not have access to that: deviations on a contract are reported and changed by "
        "its owner, deputy and manager, and by the procurement team."
    ),
    "deviation.unknown_category": "I do not know the deviation type “{value}”.",
    "deviation.unknown_severity": (
        "I do not know the severity “{value}”. Choose low, medium, high or critical."
    ),
    "deviation.unknown_remedy": "I do not know the remedy “{value}”.",
    "deviation.unknown_status": (
        "I do not know the status “{value}”. Choose open, in progress or closed."
    ),
    "deviation.description_missing": "The description cannot be empty. Write what happened.",
    "deviation.description_too_long": Plural(
        one="The description is too long ({length} character; the limit is {limit}). Shorten it.",
        other=(
            "The description is too long ({length} characters; the limit is {limit}). Shorten it."
        ),
        by="length",
    ),
    "deviation.note_too_long": Plural(
        one="The note is too long ({length} character; the limit is {limit}). Shorten it.",
        other="The note is too long ({length} characters; the limit is {limit}). Shorten it.",
        by="length",
    ),
    "deviation.date_in_future": (
        "That date is in the future. A deviation has already happened: write the date it "
        "happened or was found, e.g. “today” or “yesterday”."
    ),
    "deviation.date_too_old": Plural(
        one=(
            "That date is more than {years} year ago. I do not take deviations that old here; "
            "contact procurement."
        ),
        other=(
            "That date is more than {years} years ago. I do not take deviations that old here; "
            "contact procurement."
        ),
        by="years",
    ),
    "deviation.date_before_contract": (
        "That date is long before the contract started ({start}). Write the date it happened."
    ),
    "deviation.invalid_transition": (
        "The deviation cannot go from “{from_status}” to “{to_status}”."
    ),
    "deviation.follow_up_closed": (
        "This follow-up is closed, so it takes no deviation. Type “report deviation "
        "{reference}” to report it on the contract. Nothing was stored."
    ),
    "deviation.code_ambiguous": Plural(
        one="{count} deviation has the older code “{short}”. Write its number instead, e.g. "
        "“AV-2026-0042”; “deviations” lists the numbers.",
        other="{count} deviations have the older code “{short}”. Write the number instead, "
        "e.g. “AV-2026-0042”; “deviations” lists the numbers.",
    ),
    # --- the dialog ----------------------------------------------------------------------------
    "deviation.dialog.intro": (
        "You are reporting a deviation. Type “cancel” at any time to stop, or “help” if you "
        "are stuck."
    ),
    "deviation.dialog.intro_contract": "Deviation on {contract}.",
    "deviation.dialog.intro_follow_up": "Deviation on {contract} – {checkpoint} (due {due}).",
    "deviation.dialog.answer_with": "Answer with a number or a name: {options}",
    "deviation.dialog.ask.contract": (
        "Which contract is the deviation on? Type its contract number, e.g. “KOM-2025-0147”."
    ),
    "deviation.dialog.ask.contract_choices": (
        "Which contract is the deviation on? Answer with the number or the contract number: "
        "{options}"
    ),
    "deviation.dialog.busy": (
        "You are reporting a deviation here in the chat, so I did not take that as its "
        "description. Describe the deviation, or type “cancel” and then the command again to "
        "start something else."
    ),
    "deviation.dialog.ask.category": "What kind of deviation is it?",
    "deviation.dialog.ask.severity": "How serious is it?",
    "deviation.dialog.ask.date": (
        "When did it happen (or when was it found)? Write e.g. “today”, “yesterday”, "
        "“12.9” or “20.11.2026”."
    ),
    "deviation.dialog.ask.description": Plural(
        one=(
            "Describe what happened, with what procurement and the supplier need to know (at "
            "most {limit} character)."
        ),
        other=(
            "Describe what happened, with what procurement and the supplier need to know (at "
            "most {limit} characters)."
        ),
        by="limit",
    ),
    "deviation.dialog.ask.remedy": (
        "Which remedy do you propose? The sanction ladder, mildest first."
    ),
    "deviation.dialog.ask.confirm": (
        "Is this right? Answer “yes” to report the deviation, or “no” to leave it."
    ),
    "deviation.dialog.summary": "The deviation you are reporting:",
    "deviation.dialog.yes": "Yes, report it",
    "deviation.dialog.no": "No",
    "deviation.dialog.not_read": (
        "I did not understand “{text}”. Type “help” for help or “cancel” to stop."
    ),
    "deviation.dialog.not_read_yes_no": "Answer “yes” or “no”.",
    "deviation.dialog.unknown_reference": "I cannot find a contract numbered “{text}”.",
    "deviation.dialog.help.contract": (
        "I need the number of the contract the deviation is on, as the contract register has "
        "it (e.g. “KOM-2025-0147”), or the number of one of the choices."
    ),
    "deviation.dialog.help.category": (
        "Choose the kind of deviation: delay, defect or quality, wrong quantity, price or "
        "invoice, purchase outside the agreement, documentation, pay and conditions, health "
        "and safety, or other."
    ),
    "deviation.dialog.help.severity": (
        "Choose how serious it is. High and critical deviations are sent to procurement at once."
    ),
    "deviation.dialog.help.date": Plural(
        one=(
            "Write the date the deviation happened or was found. It cannot be in the future or "
            "more than {years} year ago."
        ),
        other=(
            "Write the date the deviation happened or was found. It cannot be in the future or "
            "more than {years} years ago."
        ),
        by="years",
    ),
    "deviation.dialog.help.description": (
        "Write in your own words what happened: what is missing or wrong, how much and where. "
        "The text is stored as plain text."
    ),
    "deviation.dialog.help.remedy": (
        "Propose a remedy from the sanction ladder: a notice of defect first, then correction, "
        "redelivery or a price reduction, an action plan, a daily penalty or withholding "
        "payment, damages and last termination. Procurement and the owner decide; “none” is "
        "fine too."
    ),
    "deviation.dialog.help.confirm": (
        "Check the summary. “yes” reports the deviation, “no” leaves it."
    ),
    "deviation.dialog.stored": (
        "Deviation {code} is recorded on {contract}: {category}, severity {severity}, "
        "happened {date}."
    ),
    "deviation.dialog.stored_remedy": "Proposed remedy: {remedy}.",
    "deviation.dialog.answered_follow_up": (
        "The follow-up “{checkpoint}” is answered with “Deviation reported”."
    ),
    "deviation.dialog.alerted": "Procurement has been alerted.",
    "deviation.dialog.alert_nowhere": (
        "Procurement should be alerted to deviations this serious, but no procurement channel "
        "is registered yet. Please tell procurement."
    ),
    "deviation.dialog.already": "This deviation was already recorded.",
    "deviation.dialog.status_hint": (
        "Use the code to change its status: “deviation status {code} in progress”."
    ),
    "deviation.dialog.not_stored": "Nothing was stored.",
    "deviation.dialog.declined": "All right, the deviation is not reported. Nothing was stored.",
    "deviation.dialog.in_chat": "Answer the questions in the chat to report the deviation.",
    "deviation.dialog.personal_only": (
        "Deviations are reported in your personal chat with me, so the whole channel does not "
        "see them. Type “report deviation” to me directly."
    ),
    "deviation.dialog.restarted": (
        "The deviation you were reporting is put aside; we start again."
    ),
    "deviation.field.contract": "Contract",
    "deviation.field.supplier": "Supplier",
    "deviation.field.follow_up": "Follow-up",
    "deviation.field.category": "Type",
    "deviation.field.severity": "Severity",
    "deviation.field.date": "Happened",
    "deviation.field.description": "Description",
    "deviation.field.remedy": "Proposed remedy",
    "deviation.field.reporter": "Reported by",
    "deviation.field.status": "Status",
    "deviation.field.code": "Code",
    "deviation.follow_up_value": "{checkpoint}, due {due}",
    "deviation.reported_at": "{name}, {at}",
    # --- the form ------------------------------------------------------------------------------
    "deviation.form.incomplete": "The form was missing something, so I ask for the rest here.",
    "deviation.form.unread_category": "I did not recognise the deviation type “{value}”.",
    "deviation.form.new_deadline": "New deadline: {date}.",
    # --- lists and the status command ------------------------------------------------------------
    "deviation.list.title": "Open deviations ({count})",
    "deviation.list.none": "You have no open deviations. Type “report deviation” to report one.",
    "deviation.list.hint": (
        "Type “report deviation” to report a new one, and “deviation status *code* closed” to "
        "close one."
    ),
    "deviation.list.more": "… and {count} more.",
    "deviation.history.title": "Deviation {code} – {reference}",
    "deviation.history.reported": "Reported by {name}, {at}",
    "deviation.history.updated": "{name}, {at}: “{before}” → “{after}”",
    "deviation.history.note": "“{note}”",
    # --- the alert to procurement ---------------------------------------------------------------
    "deviation.alert.title": "{severity} deviation on {reference}",
    "deviation.alert.intro": (
        "Reported by {name} {at}. Procurement is alerted to high and critical deviations."
    ),
    "deviation.alert.how_to": (
        "Change its status: type “@Kontraktsvakt deviation status {code} in progress” or "
        "“… closed [note]”."
    ),
}

add_words(NB, EN)
