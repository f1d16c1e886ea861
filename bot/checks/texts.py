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
}

add_words(NB, EN)
