"""Words of the structured checks: the risk assessment (added to `bot.conversation.texts`)."""

from __future__ import annotations

from bot.conversation.texts import Plural, Words, add_words

NB: Words = {
    "command.risiko": (
        "Risikovurdering av en avtale: skjema med konsekvens og sannsynlighet per risiko. "
        "«risiko» alene (innkjøp): avtaler som mangler vurdering."
    ),
    "help.cmd.risiko": "«risiko *avtalenr*» – vurder kontraktens risiko; «risiko»: det som mangler",
    "risk.area.leveranse": "Leveranse og kvalitet",
    "risk.area.pris": "Pris og økonomi",
    "risk.area.arbeidsvilkar": "Lønns- og arbeidsvilkår (sosial dumping)",
    "risk.area.hms": "Helse, miljø og sikkerhet",
    "risk.area.leverandorkjede": "Leverandørkjede",
    "risk.area.omdomme": "Omdømme",
    "risk.level.lav": "lav",
    "risk.level.middels": "middels",
    "risk.level.høy": "høy",
    "risk.consequence": "Konsekvens",
    "risk.likelihood": "Sannsynlighet",
    "risk.consequence.1": "1 liten",
    "risk.consequence.2": "2 moderat",
    "risk.consequence.3": "3 alvorlig",
    "risk.consequence.4": "4 svært alvorlig",
    "risk.likelihood.1": "1 lite sannsynlig",
    "risk.likelihood.2": "2 mulig",
    "risk.likelihood.3": "3 sannsynlig",
    "risk.likelihood.4": "4 svært sannsynlig",
    "risk.form.title": "Risikovurdering: {reference}",
    "risk.form.subtitle": "{title}. Nåværende risikonivå: {level} ({source}).",
    "risk.form.source.register": "fra registeret, ikke vurdert her",
    "risk.form.source.chat": "vurdert {when} av {who}",
    "risk.form.rule": (
        "Forslaget regnes ut fra risikoen med høyest konsekvens × sannsynlighet: 9–16 gir høy, "
        "4–8 middels og 1–3 lav."
    ),
    "risk.form.suggested": "Foreslått nivå ut fra det du har fylt inn: {level}.",
    "risk.form.level": "Risikonivå",
    "risk.form.level.suggested": "Bruk det foreslåtte nivået",
    "risk.form.level.other": "Sett nivået til {level}",
    "risk.form.reason": "Begrunnelse (må fylles ut når du velger et annet nivå enn forslaget)",
    "risk.form.comment": "Kommentar",
    "risk.form.submit": "Lagre risikovurdering",
    "risk.form.fallback": (
        "Risikovurdering av {reference}. Skjemaet vises ikke her: skriv «risiko {reference} "
        "lav, middels eller høy fordi *begrunnelse*»."
    ),
    "risk.usage": (
        "Skriv «risiko *avtalenr*» for skjemaet, eller «risiko *avtalenr* høy fordi "
        "*begrunnelse*» for å sette nivået direkte."
    ),
    "risk.not_allowed": (
        "Bare avtalens kontraktseier, forvalter, stedfortreder og innkjøp kan vurdere risikoen."
    ),
    "risk.overview_procurement_only": (
        "Oversikten over risikovurderinger er for innkjøp. Skriv «risiko *avtalenr*» for å "
        "vurdere en avtale du følger opp."
    ),
    "risk.score_missing": "Velg konsekvens og sannsynlighet for «{area}».",
    "risk.score_invalid": "Konsekvens og sannsynlighet for «{area}» må være fra 1 til 4.",
    "risk.reason_missing": (
        "Skriv en begrunnelse når du velger et annet nivå enn forslaget (eller setter nivået "
        "uten å fylle ut skjemaet)."
    ),
    "risk.level_missing": "Velg et risikonivå: lav, middels eller høy.",
    "risk.too_long": "Begrunnelsen kan være høyst 1000 tegn og kommentaren høyst 4000.",
    "risk.not_stored": "Ingenting er lagret ennå; det du fylte inn, står i skjemaet.",
    "risk.stored": "Risikovurderingen av {reference} er lagret (versjon {version}): {level}.",
    "risk.stored.suggested": "Forslaget ut fra skjemaet var {level}.",
    "risk.stored.overruled": "Du valgte et annet nivå enn forslaget ({level}): «{reason}».",
    "risk.stored.unchanged": "Risikonivået er uendret, så oppfølgingsplanen er den samme.",
    "risk.stored.changed": "Risikonivået er endret fra {before} til {after}.",
    "risk.plan.added": "Nye kontrollpunkter: {titles}.",
    "risk.plan.removed": "Kontrollpunkter som faller bort: {titles}.",
    "risk.plan.cadence": "Ny hyppighet for: {titles}.",
    "risk.plan.same": "Kontrollpunktene i planen er de samme.",
    "risk.plan.ladder": (
        "Purring og eskalering (stedfortreder, så innkjøp) kommer nå {steps} arbeidsdager etter "
        "fristen (før {before})."
    ),
    "risk.plan.follow_ups": "Oppfølginger lagt til: {added}, fjernet: {removed}.",
    "risk.overview.title": "Risikovurderinger som mangler",
    "risk.overview.never": Plural(
        one="{count} avtale er aldri vurdert (bare risikonivå fra registeret):",
        other="{count} avtaler er aldri vurdert (bare risikonivå fra registeret):",
        by="count",
    ),
    "risk.overview.stale": Plural(
        one="{count} avtale har en vurdering eldre enn 12 måneder:",
        other="{count} avtaler har en vurdering eldre enn 12 måneder:",
        by="count",
    ),
    "risk.overview.line": "{reference} {title} ({level})",
    "risk.overview.line_dated": "{reference} {title} ({level}, vurdert {when})",
    "risk.overview.none": "Alle avtaler i kraft har en risikovurdering fra de siste 12 månedene.",
    "risk.overview.hint": "Skriv «risiko *avtalenr*» for å vurdere en avtale.",
    # --- supplier evaluation (`evaluer`) ---
    "command.evaluer": (
        "Leverandørevaluering av en avtale: skjema med karakter og kommentar per tema, "
        "og brev til leverandøren."
    ),
    "help.cmd.evaluer": "«evaluer *avtalenr*» – evaluer leverandøren; «… brev»: brev til dem",
    "evaluation.heading.leveringssikkerhet": "Leveringssikkerhet",
    "evaluation.heading.kvalitet": "Kvalitet og kompetanse",
    "evaluation.heading.samarbeid": "Samarbeid",
    "evaluation.heading.fakturering": "Fakturering og økonomi",
    "evaluation.heading.samfunnsansvar": "Samfunnsansvar",
    "evaluation.heading.samlet": "Samlet vurdering",
    "evaluation.score.1": "1 svært dårlig",
    "evaluation.score.2": "2 dårlig",
    "evaluation.score.3": "3 som avtalt",
    "evaluation.score.4": "4 godt",
    "evaluation.score.5": "5 svært godt",
    "evaluation.form.title": "Leverandørevaluering: {reference}",
    "evaluation.form.subtitle": "{title} – {supplier}. {previous}",
    "evaluation.form.previous": "Forrige evaluering: {when}, samlet {overall} av 5.",
    "evaluation.form.previous_none": "Ikke evaluert før.",
    "evaluation.form.rule": (
        "Gi karakter fra 1 til 5 for hvert tema (3 er som avtalt). Ved 1 eller 2 må du skrive "
        "en kommentar: evalueringen kan sendes leverandøren som brev."
    ),
    "evaluation.form.score": "Karakter",
    "evaluation.form.score_required": "Velg en karakter for «{heading}».",
    "evaluation.form.comment": "Kommentar",
    "evaluation.form.submit": "Lagre evaluering",
    "evaluation.form.fallback": (
        "Leverandørevaluering av {reference}. Skjemaet vises ikke her: skriv «evaluer "
        "{reference}» fulgt av seks karakterer fra 1 til 5 i denne rekkefølgen: "
        "leveringssikkerhet, kvalitet, samarbeid, fakturering, samfunnsansvar, samlet."
    ),
    "evaluation.no_supplier": "ingen leverandør registrert",
    "evaluation.usage": (
        "Skriv «evaluer *avtalenr*» for skjemaet, eller «evaluer *avtalenr* 4 4 3 5 4 4 "
        "*kommentar*» med seks karakterer fra 1 til 5 (leveringssikkerhet, kvalitet, "
        "samarbeid, fakturering, samfunnsansvar, samlet). «evaluer *avtalenr* brev» lager brev "
        "til leverandøren."
    ),
    "evaluation.not_allowed": (
        "Bare avtalens kontraktseier, forvalter, stedfortreder og innkjøp kan evaluere "
        "leverandøren."
    ),
    "evaluation.score_missing": "Velg en karakter for «{heading}».",
    "evaluation.score_invalid": "Karakteren for «{heading}» må være fra 1 til 5.",
    "evaluation.comment_missing": (
        "Skriv en kommentar til «{heading}»: en karakter på 1 eller 2 må begrunnes."
    ),
    "evaluation.too_long": "Kommentaren til «{heading}» kan være høyst 2000 tegn.",
    "evaluation.not_stored": "Ingenting er lagret ennå; det du fylte inn, står i skjemaet.",
    "evaluation.stored": (
        "Leverandørevalueringen av {reference} er lagret (versjon {version}): samlet "
        "{overall} av 5."
    ),
    "evaluation.stored.answered": "Den åpne oppfølgingen «{title}» ({due}) er besvart.",
    "evaluation.title": "Leverandørevaluering",
    "evaluation.stored.letter": (
        "Trykk «Lag brev til leverandøren» eller skriv «evaluer {reference} brev» for et brev "
        "leverandøren kan kommentere."
    ),
    "evaluation.result.title": "Leverandørevaluering: {reference}",
    "evaluation.result.letter": "Lag brev til leverandøren",
    "evaluation.letter.unavailable": "Brev til leverandøren kan ikke lages her.",
    "evaluation.letter.none": (
        "{reference} er ikke evaluert ennå. Skriv «evaluer {reference}» for skjemaet."
    ),
    "evaluation.letter.summary": "Brev med leverandørevalueringen av {reference}",
    "evaluation.letter.sheet": "Evaluering",
    "evaluation.letter.to": "Til: {supplier}, organisasjonsnummer {number}",
    "evaluation.letter.about": "Gjelder: evaluering av leveransen på avtale {reference} {title}",
    "evaluation.letter.when": "Evaluert {day} av {who} (versjon {version})",
    "evaluation.letter.intro": (
        "Vi har evaluert leveransen etter avtalen. Under står vår vurdering per tema. Vi ber "
        "om leverandørens kommentarer i kolonnen til høyre innen 14 dager."
    ),
    "evaluation.letter.scale": (
        "Skala: 1 svært dårlig, 2 dårlig, 3 som avtalt, 4 godt, 5 svært godt."
    ),
    "evaluation.letter.column.heading": "Tema",
    "evaluation.letter.column.score": "Karakter",
    "evaluation.letter.column.comment": "Vår kommentar",
    "evaluation.letter.column.supplier": "Leverandørens kommentar",
    "evaluation.letter.closing": "Med vennlig hilsen kontraktsoppfølgingen",
    # On-site checks (`bot.checks.onsite_commands`).
    "command.kontroll": (
        "Stedlig kontroll av en avtale: skjema med HMS-kort, mannskapsliste og avvik."
    ),
    "help.cmd.kontroll": "«kontroll *avtalenr*» – registrer en stedlig kontroll (HMS-kort)",
    "export.kind.kontroller": "stedlige kontroller",
    "onsite.form.title": "Stedlig kontroll: {reference}",
    "onsite.form.dato": "Dato for kontrollen",
    "onsite.form.sted": "Sted (adresse eller byggeplass)",
    "onsite.form.deltakere": "Hvem deltok",
    "onsite.form.arbeidere": "Antall arbeidere på stedet",
    "onsite.form.hms_kort_kontrollert": "Antall HMS-kort kontrollert",
    "onsite.form.uten_hms_kort": "Antall uten gyldig HMS-kort",
    "onsite.form.mannskapsliste": "Stemte mannskapslisten?",
    "onsite.form.notater": "Notater",
    "onsite.form.avvik": "Registrer et avvik",
    "onsite.form.avvik.nei": "Nei, ikke noe avvik",
    "onsite.form.avvik.severity": "Ja, alvorlighetsgrad {severity}",
    "onsite.form.deviation_rule": (
        "Avviket blir et seriøsitetsavvik når noen mangler gyldig HMS-kort eller "
        "mannskapslisten ikke stemte, ellers et HMS-avvik."
    ),
    "onsite.form.documents": (
        "Bilder og dokumenter: send dem her i chatten etterpå, så lagres de på kontrollen."
    ),
    "onsite.form.submit": "Lagre kontrollen",
    "onsite.form.fallback": (
        "Stedlig kontroll av {reference}. Skjemaet vises ikke her: skriv «kontroll {reference} "
        "*dato* *antall* arbeidere, *antall* uten HMS-kort»."
    ),
    "onsite.crew.ja": "Ja, den stemte",
    "onsite.crew.nei": "Nei, den stemte ikke",
    "onsite.crew.ikke_kontrollert": "Ikke kontrollert",
    "onsite.field.workers": "antall arbeidere",
    "onsite.field.cards_checked": "antall HMS-kort kontrollert",
    "onsite.field.without_card": "antall uten gyldig HMS-kort",
    "onsite.usage": (
        "Skriv «kontroll *avtalenr*» for skjemaet, eller for eksempel «kontroll *avtalenr* "
        "3.12 12 arbeidere, 2 uten HMS-kort» (alle kortene regnes som kontrollert; legg til "
        "«, avvik høy» for å registrere et avvik)."
    ),
    "onsite.not_allowed": (
        "Bare avtalens kontraktseier, forvalter, stedfortreder og innkjøp kan registrere "
        "stedlige kontroller."
    ),
    "onsite.date_missing": "Fyll inn datoen for kontrollen.",
    "onsite.date_future": "Datoen for kontrollen kan ikke være fram i tid.",
    "onsite.date_old": "Datoen for kontrollen kan ikke være mer enn ett år tilbake.",
    "onsite.number_missing": "Fyll inn {field}.",
    "onsite.number_invalid": "{field} må være et helt tall fra 0 til 10 000.",
    "onsite.cards_over_workers": (
        "Det kan ikke være kontrollert flere HMS-kort enn det var arbeidere på stedet."
    ),
    "onsite.without_over_cards": (
        "Antallet uten gyldig HMS-kort kan ikke være større enn antallet kort som er kontrollert."
    ),
    "onsite.too_long": "Sted og deltakere kan være høyst 300 tegn, notatene høyst 4000.",
    "onsite.severity_unknown": (
        "Velg alvorlighetsgrad for avviket: lav, middels, høy eller kritisk."
    ),
    "onsite.not_stored": "Ingenting er lagret ennå; det du fylte inn, står i skjemaet.",
    "onsite.stored": (
        "Stedlig kontroll nr. {number} av {reference} er lagret ({when}): {workers} arbeidere, "
        "{cards} HMS-kort kontrollert, {without} uten gyldig kort."
    ),
    "onsite.stored.deviation": "Avvik {code} er registrert: {category}, {severity}.",
    "onsite.stored.findings_no_deviation": (
        "Kontrollen fant mangler, men du registrerte ikke avvik. Skriv «meld avvik» hvis det "
        "trengs."
    ),
    "onsite.stored.answered": "Den åpne oppfølgingen «Stedlig kontroll» er besvart.",
    "onsite.stored.documents": (
        "Har du bilder eller dokumenter? Send dem her i chatten med «dokument {reference}»."
    ),
    "portfolio.contract.onsite": "Siste stedlige kontroll",
    "portfolio.contract.onsite.value": "{when}: {workers} arbeidere, {without} uten HMS-kort",
    # The forms asked one question at a time (`… <avtalenr> steg`, bot/checks/dialogs.py).
    "checks.dialog.in_chat": "Svar i chatten, ett spørsmål om gangen",
    "checks.dialog.intro": (
        "Vi tar skjemaet her i chatten, ett spørsmål om gangen. Ingenting lagres før du har sett "
        "alt samlet og svart «ja»; «avbryt» stopper."
    ),
    "checks.dialog.too_long": Plural(
        one="Svaret er {length} tegn; det kan være høyst {limit}.",
        other="Svaret er {length} tegn; det kan være høyst {limit}.",
        by="length",
    ),
    "checks.dialog.not_choice": (
        "Det svaret kjente jeg ikke igjen: velg en av knappene eller skriv et av valgene."
    ),
    "checks.dialog.risk.heading": "Risikovurdering av {reference}",
    "checks.dialog.risk.area": (
        "**{area}**: hvor alvorlig blir det om noe går galt (konsekvens), og hvor sannsynlig er "
        "det? Skriv to tall fra 1 til 4, konsekvens først: for eksempel «3 2»."
    ),
    "checks.dialog.risk.scale": (
        "Konsekvens: 1 liten, 2 moderat, 3 alvorlig, 4 svært alvorlig. "
        "Sannsynlighet: 1 lite sannsynlig, 2 mulig, 3 sannsynlig, 4 svært sannsynlig."
    ),
    "checks.dialog.risk.not_scores": (
        "Skriv to tall fra 1 til 4, konsekvens først og så sannsynlighet: for eksempel «3 2»."
    ),
    "checks.dialog.risk.kept": "konsekvens {consequence}, sannsynlighet {likelihood}",
    "checks.dialog.risk.level": (
        "Ut fra svarene dine foreslås risikonivå **{level}**. Bruk forslaget, eller velg et annet "
        "nivå (da ber jeg om en begrunnelse)."
    ),
    "checks.dialog.risk.level_no_suggestion": "Hvilket risikonivå skal avtalen ha?",
    "checks.dialog.risk.use_suggestion": "Bruk forslaget: {level}",
    "checks.dialog.risk.no_suggestion": (
        "Det er ikke noe forslag å bruke; velg lav, middels eller høy."
    ),
    "checks.dialog.risk.not_level": "Svar «forslaget», «lav», «middels» eller «høy».",
    "checks.dialog.risk.reason": (
        "Hvorfor **{level}** og ikke {suggested}? Begrunnelsen lagres med vurderingen."
    ),
    "checks.dialog.risk.none": "forslaget",
    "checks.dialog.risk.reason_or_suggestion": "Eller svar «forslaget» for å bruke {suggested}.",
    "checks.dialog.risk.comment": "En kommentar til vurderingen (hva som ligger bak, tiltak)?",
    "checks.dialog.risk.level_suggested": "{level} (forslaget)",
    "checks.dialog.risk.level_overruled": "{level}, begrunnet: {reason}",
    "checks.dialog.onsite.heading": "Stedlig kontroll av {reference}",
    "checks.dialog.onsite.date": (
        "Hvilken dag var kontrollen? For eksempel «i dag», «i går» eller «3.12»."
    ),
    "checks.dialog.onsite.place": "Hvor var kontrollen (adresse eller byggeplass)?",
    "checks.dialog.onsite.participants": "Hvem deltok i kontrollen?",
    "checks.dialog.onsite.workers": "Hvor mange arbeidere var på stedet?",
    "checks.dialog.onsite.cards": "Hvor mange HMS-kort ble kontrollert?",
    "checks.dialog.onsite.without": "Hvor mange av dem var uten gyldig HMS-kort?",
    "checks.dialog.onsite.crew": "Stemte mannskapslisten med dem som var på stedet?",
    "checks.dialog.onsite.notes": (
        "Notater fra kontrollen (funn, hva som ble sagt, hva som følges opp)?"
    ),
    "checks.dialog.onsite.deviation": (
        "Skal funnene registreres som et avvik, og hvor alvorlig? Det blir et seriøsitetsavvik "
        "når noen mangler gyldig HMS-kort eller mannskapslisten ikke stemte, ellers et HMS-avvik."
    ),
    "checks.dialog.onsite.not_number": "Skriv et helt tall, for eksempel «12».",
    "checks.dialog.onsite.above_limit": "Det kan være høyst {limit}.",
    "checks.dialog.onsite.more_than_workers": (
        "Det kan ikke være flere enn antall arbeidere på stedet ({limit})."
    ),
    "checks.dialog.onsite.more_than_cards": (
        "Det kan ikke være flere enn antall HMS-kort som ble kontrollert ({limit})."
    ),
    "checks.dialog.onsite.all": "Alle ({count})",
    "checks.dialog.onsite.none": "Ingen",
    "checks.dialog.evaluation.heading_title": "Leverandørevaluering av {reference}",
    "checks.dialog.evaluation.heading": (
        "**{heading}**: gi en karakter fra 1 til 5 (1 svært dårlig, 3 som avtalt, 5 svært godt), "
        "gjerne fulgt av en kommentar: for eksempel «4 leverte alltid til avtalt tid»."
    ),
    "checks.dialog.evaluation.not_score": (
        "Begynn svaret med en karakter fra 1 til 5, gjerne fulgt av en kommentar: «4 leverte til "
        "avtalt tid»."
    ),
    "checks.dialog.evaluation.comment_needed": (
        "Karakter {score} må begrunnes, for evalueringen sendes til leverandøren. Skriv karakteren "
        "og hvorfor, for eksempel «{score} tre leveranser kom over en uke for sent»."
    ),
}

EN: Words = {
    "command.risiko": (
        "Risk assessment of a contract: a form with consequence and likelihood per risk. "
        "“risiko” alone (procurement): contracts missing an assessment."
    ),
    "help.cmd.risiko": "“risiko *contract no.*” – assess its risk; “risiko”: what is due",
    "risk.area.leveranse": "Delivery and quality",
    "risk.area.pris": "Price and economy",
    "risk.area.arbeidsvilkar": "Pay and working conditions (social dumping)",
    "risk.area.hms": "Health and safety",
    "risk.area.leverandorkjede": "Supply chain",
    "risk.area.omdomme": "Reputation",
    "risk.level.lav": "low",
    "risk.level.middels": "medium",
    "risk.level.høy": "high",
    "risk.consequence": "Consequence",
    "risk.likelihood": "Likelihood",
    "risk.consequence.1": "1 small",
    "risk.consequence.2": "2 moderate",
    "risk.consequence.3": "3 serious",
    "risk.consequence.4": "4 very serious",
    "risk.likelihood.1": "1 unlikely",
    "risk.likelihood.2": "2 possible",
    "risk.likelihood.3": "3 likely",
    "risk.likelihood.4": "4 very likely",
    "risk.form.title": "Risk assessment: {reference}",
    "risk.form.subtitle": "{title}. Current risk level: {level} ({source}).",
    "risk.form.source.register": "from the register, not assessed here",
    "risk.form.source.chat": "assessed {when} by {who}",
    "risk.form.rule": (
        "The suggestion comes from the risk with the highest consequence × likelihood: 9–16 is "
        "high, 4–8 medium and 1–3 low."
    ),
    "risk.form.suggested": "Suggested level from what you entered: {level}.",
    "risk.form.level": "Risk level",
    "risk.form.level.suggested": "Use the suggested level",
    "risk.form.level.other": "Set the level to {level}",
    "risk.form.reason": "Reason (required when you choose another level than the suggestion)",
    "risk.form.comment": "Comment",
    "risk.form.submit": "Save risk assessment",
    "risk.form.fallback": (
        "Risk assessment of {reference}. The form cannot be shown here: type “risiko "
        "{reference} lav, middels eller høy fordi *reason*”."
    ),
    "risk.usage": (
        "Type “risiko *contract no.*” for the form, or “risiko *contract no.* høy fordi "
        "*reason*” to set the level directly."
    ),
    "risk.not_allowed": (
        "Only the contract's owner, manager, deputy and procurement may assess its risk."
    ),
    "risk.overview_procurement_only": (
        "The overview of risk assessments is for procurement. Type “risiko *contract no.*” to "
        "assess a contract you follow up."
    ),
    "risk.score_missing": "Choose consequence and likelihood for “{area}”.",
    "risk.score_invalid": "Consequence and likelihood for “{area}” must be from 1 to 4.",
    "risk.reason_missing": (
        "Give a reason when you choose another level than the suggestion (or set the level "
        "without the form)."
    ),
    "risk.level_missing": "Choose a risk level: lav, middels or høy.",
    "risk.too_long": "The reason may be at most 1000 characters and the comment at most 4000.",
    "risk.not_stored": "Nothing is stored yet; what you entered is still in the form.",
    "risk.stored": "The risk assessment of {reference} is saved (version {version}): {level}.",
    "risk.stored.suggested": "The form suggested {level}.",
    "risk.stored.overruled": "You chose another level than the suggestion ({level}): “{reason}”.",
    "risk.stored.unchanged": "The risk level is unchanged, so the follow-up plan stays the same.",
    "risk.stored.changed": "The risk level changed from {before} to {after}.",
    "risk.plan.added": "New checkpoints: {titles}.",
    "risk.plan.removed": "Checkpoints dropped: {titles}.",
    "risk.plan.cadence": "New cadence for: {titles}.",
    "risk.plan.same": "The plan's checkpoints are the same.",
    "risk.plan.ladder": (
        "Reminders and escalation (deputy, then procurement) now come {steps} working days after "
        "the due date (before: {before})."
    ),
    "risk.plan.follow_ups": "Follow-ups added: {added}, removed: {removed}.",
    "risk.overview.title": "Risk assessments missing",
    "risk.overview.never": Plural(
        one="{count} contract was never assessed (only the register's risk level):",
        other="{count} contracts were never assessed (only the register's risk level):",
        by="count",
    ),
    "risk.overview.stale": Plural(
        one="{count} contract has an assessment older than 12 months:",
        other="{count} contracts have an assessment older than 12 months:",
        by="count",
    ),
    "risk.overview.line": "{reference} {title} ({level})",
    "risk.overview.line_dated": "{reference} {title} ({level}, assessed {when})",
    "risk.overview.none": "Every contract in force has a risk assessment from the last 12 months.",
    "risk.overview.hint": "Type “risiko *contract no.*” to assess a contract.",
    # --- supplier evaluation (`evaluer`) ---
    "command.evaluer": (
        "Supplier evaluation of a contract: a form with a score and a comment per heading, "
        "and a letter to the supplier."
    ),
    "help.cmd.evaluer": "“evaluer *contract no.*” – evaluate the supplier; “… brev”: a letter",
    "evaluation.heading.leveringssikkerhet": "Reliability of delivery",
    "evaluation.heading.kvalitet": "Quality and competence",
    "evaluation.heading.samarbeid": "Cooperation",
    "evaluation.heading.fakturering": "Invoicing and economy",
    "evaluation.heading.samfunnsansvar": "Social responsibility",
    "evaluation.heading.samlet": "Overall assessment",
    "evaluation.score.1": "1 very poor",
    "evaluation.score.2": "2 poor",
    "evaluation.score.3": "3 as agreed",
    "evaluation.score.4": "4 good",
    "evaluation.score.5": "5 very good",
    "evaluation.form.title": "Supplier evaluation: {reference}",
    "evaluation.form.subtitle": "{title} – {supplier}. {previous}",
    "evaluation.form.previous": "Previous evaluation: {when}, overall {overall} of 5.",
    "evaluation.form.previous_none": "Not evaluated before.",
    "evaluation.form.rule": (
        "Score each heading from 1 to 5 (3 is as agreed). A 1 or 2 needs a comment: the "
        "evaluation may be sent to the supplier as a letter."
    ),
    "evaluation.form.score": "Score",
    "evaluation.form.score_required": "Choose a score for “{heading}”.",
    "evaluation.form.comment": "Comment",
    "evaluation.form.submit": "Save evaluation",
    "evaluation.form.fallback": (
        "Supplier evaluation of {reference}. The form cannot be shown here: type “evaluer "
        "{reference}” followed by six scores from 1 to 5 in this order: delivery, quality, "
        "cooperation, invoicing, social responsibility, overall."
    ),
    "evaluation.no_supplier": "no supplier registered",
    "evaluation.usage": (
        "Type “evaluer *contract no.*” for the form, or “evaluer *contract no.* 4 4 3 5 4 4 "
        "*comment*” with six scores from 1 to 5 (delivery, quality, cooperation, invoicing, "
        "social responsibility, overall). “evaluer *contract no.* brev” makes a letter to the "
        "supplier."
    ),
    "evaluation.not_allowed": (
        "Only the contract's owner, manager, deputy and procurement may evaluate the supplier."
    ),
    "evaluation.score_missing": "Choose a score for “{heading}”.",
    "evaluation.score_invalid": "The score for “{heading}” must be from 1 to 5.",
    "evaluation.comment_missing": "Write a comment on “{heading}”: a 1 or 2 needs a reason.",
    "evaluation.too_long": "The comment on “{heading}” may be at most 2000 characters.",
    "evaluation.not_stored": "Nothing is stored yet; what you entered is still in the form.",
    "evaluation.stored": (
        "The supplier evaluation of {reference} is saved (version {version}): overall "
        "{overall} of 5."
    ),
    "evaluation.stored.answered": "The open follow-up “{title}” ({due}) is answered.",
    "evaluation.title": "Supplier evaluation",
    "evaluation.stored.letter": (
        "Press “Make a letter to the supplier” or type “evaluer {reference} brev” for a letter "
        "the supplier can comment on."
    ),
    "evaluation.result.title": "Supplier evaluation: {reference}",
    "evaluation.result.letter": "Make a letter to the supplier",
    "evaluation.letter.unavailable": "A letter to the supplier cannot be made here.",
    "evaluation.letter.none": (
        "{reference} has not been evaluated yet. Type “evaluer {reference}” for the form."
    ),
    "evaluation.letter.summary": "A letter with the supplier evaluation of {reference}",
    "evaluation.letter.sheet": "Evaluation",
    "evaluation.letter.to": "To: {supplier}, organisation number {number}",
    "evaluation.letter.about": "Re: evaluation of the delivery under contract {reference} {title}",
    "evaluation.letter.when": "Evaluated {day} by {who} (version {version})",
    "evaluation.letter.intro": (
        "We have evaluated the delivery under the contract. Our assessment per heading is "
        "below. Please give the supplier's comments in the right-hand column within 14 days."
    ),
    "evaluation.letter.scale": "Scale: 1 very poor, 2 poor, 3 as agreed, 4 good, 5 very good.",
    "evaluation.letter.column.heading": "Heading",
    "evaluation.letter.column.score": "Score",
    "evaluation.letter.column.comment": "Our comment",
    "evaluation.letter.column.supplier": "The supplier's comment",
    "evaluation.letter.closing": "Kind regards, contract follow-up",
    # On-site checks (`bot.checks.onsite_commands`).
    "command.kontroll": (
        "On-site check of a contract: a form for HSE cards, crew list and deviations."
    ),
    "help.cmd.kontroll": "“kontroll *contract no.*” – record an on-site check (HSE cards)",
    "export.kind.kontroller": "on-site checks",
    "onsite.form.title": "On-site check: {reference}",
    "onsite.form.dato": "Date of the check",
    "onsite.form.sted": "Place (address or site)",
    "onsite.form.deltakere": "Who took part",
    "onsite.form.arbeidere": "Workers on site",
    "onsite.form.hms_kort_kontrollert": "HSE cards (HMS-kort) checked",
    "onsite.form.uten_hms_kort": "Without a valid HSE card",
    "onsite.form.mannskapsliste": "Did the crew list match?",
    "onsite.form.notater": "Notes",
    "onsite.form.avvik": "Register a deviation",
    "onsite.form.avvik.nei": "No deviation",
    "onsite.form.avvik.severity": "Yes, severity {severity}",
    "onsite.form.deviation_rule": (
        "The deviation is a seriousness deviation (seriøsitetsavvik) when someone lacks a valid "
        "HSE card or the crew list did not match, otherwise an HSE deviation."
    ),
    "onsite.form.documents": (
        "Photos and documents: send them in this chat afterwards and they are kept with the check."
    ),
    "onsite.form.submit": "Save the check",
    "onsite.form.fallback": (
        "On-site check of {reference}. The form is not shown here: type “kontroll {reference} "
        "*date* *number* arbeidere, *number* uten HMS-kort”."
    ),
    "onsite.crew.ja": "Yes, it matched",
    "onsite.crew.nei": "No, it did not match",
    "onsite.crew.ikke_kontrollert": "Not checked",
    "onsite.field.workers": "the number of workers",
    "onsite.field.cards_checked": "the number of HSE cards checked",
    "onsite.field.without_card": "the number without a valid HSE card",
    "onsite.usage": (
        "Type “kontroll *contract no.*” for the form, or e.g. “kontroll *contract no.* 3.12 "
        "12 arbeidere, 2 uten HMS-kort” (all cards count as checked; add “, avvik høy” to "
        "register a deviation)."
    ),
    "onsite.not_allowed": (
        "Only the contract's owner, manager, deputy and procurement may record on-site checks."
    ),
    "onsite.date_missing": "Fill in the date of the check.",
    "onsite.date_future": "The date of the check cannot be in the future.",
    "onsite.date_old": "The date of the check cannot be more than a year back.",
    "onsite.number_missing": "Fill in {field}.",
    "onsite.number_invalid": "{field} must be a whole number from 0 to 10,000.",
    "onsite.cards_over_workers": "More HSE cards cannot have been checked than there were workers.",
    "onsite.without_over_cards": (
        "The number without a valid HSE card cannot exceed the number of cards checked."
    ),
    "onsite.too_long": "Place and participants take at most 300 characters, notes 4000.",
    "onsite.severity_unknown": "Choose the deviation's severity: low, medium, high or critical.",
    "onsite.not_stored": "Nothing is stored yet; what you entered is in the form.",
    "onsite.stored": (
        "On-site check no. {number} of {reference} is saved ({when}): {workers} workers, "
        "{cards} HSE cards checked, {without} without a valid card."
    ),
    "onsite.stored.deviation": "Deviation {code} is registered: {category}, {severity}.",
    "onsite.stored.findings_no_deviation": (
        "The check found shortcomings, but you registered no deviation. Type “meld avvik” if "
        "one is needed."
    ),
    "onsite.stored.answered": "The open follow-up “Stedlig kontroll” is answered.",
    "onsite.stored.documents": (
        "Any photos or documents? Send them in this chat with “dokument {reference}”."
    ),
    "portfolio.contract.onsite": "Latest on-site check",
    "portfolio.contract.onsite.value": "{when}: {workers} workers, {without} without an HSE card",
    "checks.dialog.in_chat": "Answer in the chat, one question at a time",
    "checks.dialog.intro": (
        "We'll fill in the form here in the chat, one question at a time. Nothing is saved until "
        "you have seen it all together and answered “yes”; “cancel” stops."
    ),
    "checks.dialog.too_long": Plural(
        one="The answer is {length} character; it may be at most {limit}.",
        other="The answer is {length} characters; it may be at most {limit}.",
        by="length",
    ),
    "checks.dialog.not_choice": (
        "I did not recognise that answer: pick one of the buttons or type one of the choices."
    ),
    "checks.dialog.risk.heading": "Risk assessment of {reference}",
    "checks.dialog.risk.area": (
        "**{area}**: how serious would it be if something went wrong (consequence), and how "
        "likely is it? Type two numbers from 1 to 4, consequence first: for example “3 2”."
    ),
    "checks.dialog.risk.scale": (
        "Consequence: 1 minor, 2 moderate, 3 serious, 4 very serious. "
        "Likelihood: 1 unlikely, 2 possible, 3 likely, 4 very likely."
    ),
    "checks.dialog.risk.not_scores": (
        "Type two numbers from 1 to 4, consequence first and then likelihood: for example “3 2”."
    ),
    "checks.dialog.risk.kept": "consequence {consequence}, likelihood {likelihood}",
    "checks.dialog.risk.level": (
        "From your answers the suggested risk level is **{level}**. Use the suggestion, or pick "
        "another level (then I'll ask for a reason)."
    ),
    "checks.dialog.risk.level_no_suggestion": "Which risk level should the contract have?",
    "checks.dialog.risk.use_suggestion": "Use the suggestion: {level}",
    "checks.dialog.risk.no_suggestion": "There is no suggestion to use; pick low, medium or high.",
    "checks.dialog.risk.not_level": "Answer “suggestion”, “low”, “medium” or “high”.",
    "checks.dialog.risk.reason": (
        "Why **{level}** and not {suggested}? The reason is stored with the assessment."
    ),
    "checks.dialog.risk.none": "the suggestion",
    "checks.dialog.risk.reason_or_suggestion": "Or answer “suggestion” to use {suggested}.",
    "checks.dialog.risk.comment": "A comment on the assessment (what lies behind it, measures)?",
    "checks.dialog.risk.level_suggested": "{level} (the suggestion)",
    "checks.dialog.risk.level_overruled": "{level}, because: {reason}",
    "checks.dialog.onsite.heading": "On-site check of {reference}",
    "checks.dialog.onsite.date": (
        "Which day was the check? For example “today”, “yesterday” or “3.12”."
    ),
    "checks.dialog.onsite.place": "Where was the check (address or site)?",
    "checks.dialog.onsite.participants": "Who took part in the check?",
    "checks.dialog.onsite.workers": "How many workers were on site?",
    "checks.dialog.onsite.cards": "How many HMS cards were checked?",
    "checks.dialog.onsite.without": "How many of them had no valid HMS card?",
    "checks.dialog.onsite.crew": "Did the crew list match who was on site?",
    "checks.dialog.onsite.notes": "Notes from the check (findings, what was said, what follows)?",
    "checks.dialog.onsite.deviation": (
        "Should the findings be registered as a deviation, and how serious? It is a compliance "
        "deviation when someone lacks a valid HMS card or the crew list did not match, else a "
        "health and safety deviation."
    ),
    "checks.dialog.onsite.not_number": "Type a whole number, for example “12”.",
    "checks.dialog.onsite.above_limit": "It can be at most {limit}.",
    "checks.dialog.onsite.more_than_workers": (
        "It cannot be more than the number of workers on site ({limit})."
    ),
    "checks.dialog.onsite.more_than_cards": (
        "It cannot be more than the number of HMS cards checked ({limit})."
    ),
    "checks.dialog.onsite.all": "All ({count})",
    "checks.dialog.onsite.none": "None",
    "checks.dialog.evaluation.heading_title": "Supplier evaluation of {reference}",
    "checks.dialog.evaluation.heading": (
        "**{heading}**: give a score from 1 to 5 (1 very poor, 3 as agreed, 5 very good), "
        "perhaps followed by a comment: for example “4 always delivered on time”."
    ),
    "checks.dialog.evaluation.not_score": (
        "Start the answer with a score from 1 to 5, perhaps followed by a comment: “4 delivered "
        "on time”."
    ),
    "checks.dialog.evaluation.comment_needed": (
        "A score of {score} needs a reason, as the evaluation is sent to the supplier. Type the "
        "score and why, for example “{score} three deliveries were over a week late”."
    ),
}

add_words(NB, EN)
