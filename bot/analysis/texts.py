"""Words of the purchase analysis: import reports, the figures and the findings (added to
`bot.conversation.texts`)."""

from __future__ import annotations

from bot.conversation.texts import Plural, Words, add_words

NB: Words = {
    # --- imports -------------------------------------------------------------------------------
    "analysis.kind.price_list": "prisliste",
    "analysis.kind.statistics": "salgsstatistikk",
    "analysis.kind.ledger": "regnskapsutdrag",
    "analysis.import.source": "Leser {kind} fra «{name}» ({where}).",
    "analysis.import.summary": Plural(
        one="Lest {rows} rad: {lines} god, {failed} med feil.",
        other="Lest {rows} rader: {lines} gode, {failed} med feil.",
        by="rows",
    ),
    "analysis.import.stored": Plural(
        one="Lagret {lines} linje for {target}; {replaced} tidligere linjer ble erstattet.",
        other="Lagret {lines} linjer for {target}; {replaced} tidligere linjer ble erstattet.",
        by="lines",
    ),
    "analysis.import.periods": "Perioder: {periods}.",
    "analysis.import.span": "Bilagsdatoer: {span}.",
    "analysis.import.nothing_stored": (
        "Ingenting er lagret: rett feilene i filen og importer den på nytt (det som var lagret "
        "fra før, er uendret)."
    ),
    "analysis.import.dry_run": "Tørrkjøring: ingenting er lagret.",
    "analysis.import.findings": Plural(
        one="Analysen åpnet {count} avvik (se «avvik» i chatten).",
        other="Analysen åpnet {count} avvik (se «avvik» i chatten).",
        by="count",
    ),
    "analysis.import.problems": Plural(
        one="Feil ({count} rad):", other="Feil ({count} rader):", by="count"
    ),
    "analysis.import.more_problems": Plural(
        one="… og {count} feil til", other="… og {count} feil til", by="count"
    ),
    "analysis.import.warning": "Advarsel: {message}",
    "analysis.import.file_error": "Kan ikke importere «{name}»:",
    "analysis.ledger": "regnskapet",
    # --- refusals (codes from followup.analysis.services) -------------------------------------
    "analysis.no_agreement": "Oppgi avtalen filen gjelder: --avtale AVTALENR.",
    "analysis.unknown_agreement": "Fant ingen avtale med avtalenummer «{reference}».",
    "analysis.no_statistics": (
        "Avtale {reference} har ingen salgsstatistikk ennå. Send filen hit i chatten, eller "
        "importer den med «kontraktsvakt import statistikk FIL --avtale {reference}»."
    ),
    "analysis.bad_period": "Perioden slutter før den begynner.",
    # --- the figures ---------------------------------------------------------------------------
    "analysis.heading": "Analyse av {reference} {title}, {period}",
    "analysis.turnover": Plural(
        one="Omsetning: {amount} ({lines} linje)",
        other="Omsetning: {amount} ({lines} linjer)",
        by="lines",
    ),
    "analysis.core_share": "Kjernesortiment: {share} ({amount})",
    "analysis.off_list_share": Plural(
        one="Utenfor prislisten: {share} ({amount}, {lines} linje)",
        other="Utenfor prislisten: {share} ({amount}, {lines} linjer)",
        by="lines",
    ),
    "analysis.price_deviations": Plural(
        one="Prisavvik: {lines} linje over avtalt pris, merpris {amount}",
        other="Prisavvik: {lines} linjer over avtalt pris, merpris {amount}",
        by="lines",
    ),
    "analysis.no_price_deviations": "Prisavvik: ingen",
    "analysis.unchecked": Plural(
        one="Kunne ikke prissjekkes: {lines} linje ({amount})",
        other="Kunne ikke prissjekkes: {lines} linjer ({amount})",
        by="lines",
    ),
    "analysis.ceiling": "Rammen ({source}): {ceiling}, brukt {used} ({share})",
    "analysis.ceiling.reached_on": "Med samme takt er rammen brukt opp rundt {day}.",
    "analysis.ceiling.passed": (
        "Rammen er brukt opp: avtalen kan ikke brukes videre uten ny konkurranse (ulovlig "
        "direkte anskaffelse)."
    ),
    "analysis.ceiling.none": "Rammen: ingen maksverdi eller estimert verdi i registeret",
    "analysis.ceiling.maksverdi": "maksverdi",
    "analysis.ceiling.estimert": "estimert verdi, ingen maksverdi i registeret",
    "analysis.loyalty": "Avtalelojalitet på kontoene: {share}",
    "analysis.flags": "Funn: {flags}",
    "analysis.flags.none": "Funn: ingen",
    "analysis.export.button": "Last ned som Excel",
    "analysis.worst": "Største prisavvik:",
    "analysis.worst.head": "varenr|varetekst|periode|fakturert|avtalt|antall|merpris",
    "analysis.flag.core_share_low": "lav andel kjernesortiment",
    "analysis.flag.off_list_high": "mye kjøpt utenfor prislisten",
    "analysis.flag.price_deviation": "prisavvik",
    "analysis.flag.ceiling_80": "over 80 % av rammen brukt",
    "analysis.flag.ceiling_100": "rammen er brukt opp",
    "analysis.flag.leakage_high": "høy avtalelekkasje",
    "analysis.flag.statistics_missing": "salgsstatistikk mangler (forfalt)",
    # --- leakage -------------------------------------------------------------------------------
    "leakage.heading": "Avtalelekkasje {period}",
    "leakage.none": (
        "Ingen rammeavtaler har kontoer i registeret (kolonnen Kontoer), eller regnskapet har "
        "ingen kjøp på dem i perioden."
    ),
    "leakage.group": (
        "{reference} {title} (kontoer {accounts}): kjøp {spend}, på avtalen {agreement_spend}, "
        "lojalitet {loyalty}, lekkasje {leakage}"
    ),
    "leakage.supplier": "  – {name} ({org_nr}): {spend}",
    "leakage.others": Plural(
        one="  – {count} annen leverandør: {spend}",
        other="  – {count} andre leverandører: {spend}",
        by="count",
    ),
    "leakage.no_org_nr": "uten organisasjonsnummer",
    # --- chat ----------------------------------------------------------------------------------
    "command.analyse": (
        "Analyse av en rammeavtale: kjernesortiment, priser, rammen og lekkasje, for eksempel "
        "analyse KOM-2025-0147 1. kvartal 2026"
    ),
    "command.lekkasje": "Avtalelekkasje per rammeavtale (innkjøp), for eksempel lekkasje 2026",
    "help.cmd.analyse": (
        "«analyse *avtalenr* [periode]» – omsetning, andel kjernesortiment, prisavvik, hvor mye "
        "av rammen som er brukt og lojalitet, fra leverandørens salgsstatistikk (kontraktseier og "
        "innkjøp)"
    ),
    "help.cmd.lekkasje": (
        "«lekkasje [periode]» – kjøp på rammeavtalenes kontoer hos andre leverandører enn "
        "avtalens (innkjøp)"
    ),
    "analysis.usage": (
        "Skriv «analyse *avtalenr*», eventuelt med periode: «analyse KOM-2025-0147 1. kvartal "
        "2026» eller «analyse KOM-2025-0147 01.01.2026–31.03.2026»."
    ),
    "analysis.bad_period_text": "Jeg forstår ikke perioden «{period}». {hint}",
    "analysis.not_allowed": (
        "Analysen av en avtale kan kontraktseier, kontraktsforvalter, stedfortreder og innkjøp se."
    ),
    "leakage.not_allowed": "Avtalelekkasje er for innkjøpsteamet.",
    "analysis.card.title": "Analyse av {reference}",
    "analysis.fact.turnover": "Omsetning",
    "analysis.fact.core": "Kjernesortiment",
    "analysis.fact.off_list": "Utenfor prislisten",
    "analysis.fact.deviations": "Prisavvik",
    "analysis.fact.deviations.value": Plural(
        one="{lines} linje, merpris {amount}", other="{lines} linjer, merpris {amount}", by="lines"
    ),
    "analysis.fact.ceiling": "Rammen brukt",
    "analysis.fact.ceiling.value": "{share} av {ceiling}",
    "analysis.fact.loyalty": "Avtalelojalitet",
    "analysis.worst.line": "fakturert {invoiced}, avtalt {agreed}, merpris {amount}",
    "analysis.chart.assortment.title": "Hva ble kjøpt",
    "analysis.chart.assortment.text": (
        "Kjernesortiment {core} av omsetningen; utenfor prislisten {off_list}."
    ),
    "analysis.chart.core": "Kjernesortiment",
    "analysis.chart.other": "Annet på prislisten",
    "analysis.chart.off_list": "Utenfor prislisten",
    "analysis.chart.deviations.title": "Største merpris (kr)",
    "analysis.chart.ceiling.title": "Rammen brukt (%)",
    "analysis.chart.ceiling.ok": "Under 80 %",
    "analysis.chart.ceiling.warn": "Over 80 %",
    "leakage.fact.accounts": "Kontoer",
    "leakage.fact.spend": "Kjøp på kontoene",
    "leakage.fact.loyalty": "Lojalitet",
    "leakage.fact.leakage": "Lekkasje",
    "leakage.more": Plural(
        one="… og {count} avtale til (se «kontraktsvakt lekkasje»)",
        other="… og {count} avtaler til (se «kontraktsvakt lekkasje»)",
        by="count",
    ),
    "analysis.alert.ceiling_80.title": "{reference}: over 80 % av rammen er brukt",
    "analysis.alert.ceiling_80.text": (
        "«{title}» nærmer seg maksverdien. Planlegg ny konkurranse i tide: når rammen er brukt "
        "opp, kan avtalen ikke brukes videre."
    ),
    "analysis.alert.ceiling_100.title": "{reference}: rammen er brukt opp",
    "analysis.alert.ceiling_100.text": (
        "«{title}» har passert maksverdien. Videre kjøp på avtalen er en ulovlig direkte "
        "anskaffelse: stans bestillingene og avklar med innkjøp."
    ),
    "analysis.chat.unreadable": (
        "Salgsstatistikken er lagret som dokument, men jeg kunne ikke lese den som statistikk:"
    ),
    "analysis.chat.not_imported": (
        "Salgsstatistikken er lagret som dokument, men linjene er ikke tatt inn i analysen "
        "fordi noen rader har feil. Be leverandøren rette dem og send filen på nytt:"
    ),
}

EN: Words = {
    "analysis.kind.price_list": "price list",
    "analysis.kind.statistics": "sales statistics",
    "analysis.kind.ledger": "ledger extract",
    "analysis.import.source": "Reading the {kind} from “{name}” ({where}).",
    "analysis.import.summary": Plural(
        one="Read {rows} row: {lines} good, {failed} failed.",
        other="Read {rows} rows: {lines} good, {failed} failed.",
        by="rows",
    ),
    "analysis.import.stored": Plural(
        one="Stored {lines} line for {target}; {replaced} earlier lines were replaced.",
        other="Stored {lines} lines for {target}; {replaced} earlier lines were replaced.",
        by="lines",
    ),
    "analysis.import.periods": "Periods: {periods}.",
    "analysis.import.span": "Voucher dates: {span}.",
    "analysis.import.nothing_stored": (
        "Nothing was stored: fix the file and import it again (what was stored before is "
        "unchanged)."
    ),
    "analysis.import.dry_run": "Dry run: nothing was stored.",
    "analysis.import.findings": Plural(
        one="The analysis opened {count} deviation (see “avvik” in the chat).",
        other="The analysis opened {count} deviations (see “avvik” in the chat).",
        by="count",
    ),
    "analysis.import.problems": Plural(
        one="Problems ({count} row):", other="Problems ({count} rows):", by="count"
    ),
    "analysis.import.more_problems": Plural(
        one="… and {count} more", other="… and {count} more", by="count"
    ),
    "analysis.import.warning": "Warning: {message}",
    "analysis.import.file_error": "Cannot import “{name}”:",
    "analysis.ledger": "the ledger",
    "analysis.no_agreement": "Name the agreement the file is for: --avtale REFERENCE.",
    "analysis.unknown_agreement": "No agreement has the reference “{reference}”.",
    "analysis.no_statistics": (
        "Agreement {reference} has no sales statistics yet. Send the file here in the chat, or "
        "import it with “kontraktsvakt import statistikk FILE --avtale {reference}”."
    ),
    "analysis.bad_period": "The period ends before it starts.",
    "analysis.heading": "Analysis of {reference} {title}, {period}",
    "analysis.turnover": Plural(
        one="Turnover: {amount} ({lines} line)",
        other="Turnover: {amount} ({lines} lines)",
        by="lines",
    ),
    "analysis.core_share": "Core assortment: {share} ({amount})",
    "analysis.off_list_share": Plural(
        one="Not on the price list: {share} ({amount}, {lines} line)",
        other="Not on the price list: {share} ({amount}, {lines} lines)",
        by="lines",
    ),
    "analysis.price_deviations": Plural(
        one="Price deviations: {lines} line above the agreed price, overcharge {amount}",
        other="Price deviations: {lines} lines above the agreed price, overcharge {amount}",
        by="lines",
    ),
    "analysis.no_price_deviations": "Price deviations: none",
    "analysis.unchecked": Plural(
        one="Could not be price-checked: {lines} line ({amount})",
        other="Could not be price-checked: {lines} lines ({amount})",
        by="lines",
    ),
    "analysis.ceiling": "Ceiling ({source}): {ceiling}, used {used} ({share})",
    "analysis.ceiling.reached_on": "At the same rate the ceiling is reached around {day}.",
    "analysis.ceiling.passed": (
        "The ceiling is used up: the agreement cannot be used further without a new "
        "competition (an illegal direct award)."
    ),
    "analysis.ceiling.none": "Ceiling: no maximum or estimated value in the register",
    "analysis.ceiling.maksverdi": "maximum value",
    "analysis.ceiling.estimert": "estimated value, no maximum in the register",
    "analysis.loyalty": "Agreement loyalty on its accounts: {share}",
    "analysis.flags": "Findings: {flags}",
    "analysis.flags.none": "Findings: none",
    "analysis.export.button": "Download as Excel",
    "analysis.worst": "Largest price deviations:",
    "analysis.worst.head": "article|description|period|invoiced|agreed|quantity|overcharge",
    "analysis.flag.core_share_low": "low core assortment share",
    "analysis.flag.off_list_high": "much bought outside the price list",
    "analysis.flag.price_deviation": "price deviations",
    "analysis.flag.ceiling_80": "over 80 % of the ceiling used",
    "analysis.flag.ceiling_100": "the ceiling is used up",
    "analysis.flag.leakage_high": "high agreement leakage",
    "analysis.flag.statistics_missing": "sales statistics missing (overdue)",
    "leakage.heading": "Agreement leakage {period}",
    "leakage.none": (
        "No framework agreement names its accounts in the register (the Kontoer column), or "
        "the ledger has no purchases on them in the period."
    ),
    "leakage.group": (
        "{reference} {title} (accounts {accounts}): spend {spend}, on the agreement "
        "{agreement_spend}, loyalty {loyalty}, leakage {leakage}"
    ),
    "leakage.supplier": "  – {name} ({org_nr}): {spend}",
    "leakage.others": Plural(
        one="  – {count} other supplier: {spend}",
        other="  – {count} other suppliers: {spend}",
        by="count",
    ),
    "leakage.no_org_nr": "no org. no.",
    "command.analyse": (
        "Analysis of a framework agreement: core assortment, prices, ceiling and leakage, e.g. "
        "analyse KOM-2025-0147 2026-Q1"
    ),
    "command.lekkasje": "Agreement leakage per framework agreement (procurement): lekkasje 2026",
    "help.cmd.analyse": (
        "“analyse *reference* [period]” – turnover, core assortment share, price deviations, "
        "how much of the ceiling is used and loyalty, from the supplier's sales statistics "
        "(owner and procurement)"
    ),
    "help.cmd.lekkasje": (
        "“lekkasje [period]” – purchases on the framework agreements' accounts from other "
        "suppliers (procurement)"
    ),
    "analysis.usage": (
        "Write “analyse *reference*”, optionally with a period: “analyse KOM-2025-0147 2026-Q1”."
    ),
    "analysis.bad_period_text": "I do not understand the period “{period}”. {hint}",
    "analysis.not_allowed": (
        "An agreement's analysis is for its owner, manager, deputy and procurement."
    ),
    "leakage.not_allowed": "Agreement leakage is for the procurement team.",
    "analysis.card.title": "Analysis of {reference}",
    "analysis.fact.turnover": "Turnover",
    "analysis.fact.core": "Core assortment",
    "analysis.fact.off_list": "Not on the price list",
    "analysis.fact.deviations": "Price deviations",
    "analysis.fact.deviations.value": Plural(
        one="{lines} line, overcharge {amount}",
        other="{lines} lines, overcharge {amount}",
        by="lines",
    ),
    "analysis.fact.ceiling": "Ceiling used",
    "analysis.fact.ceiling.value": "{share} of {ceiling}",
    "analysis.fact.loyalty": "Agreement loyalty",
    "analysis.worst.line": "invoiced {invoiced}, agreed {agreed}, overcharge {amount}",
    "analysis.chart.assortment.title": "What was bought",
    "analysis.chart.assortment.text": (
        "Core assortment {core} of turnover; not on the price list {off_list}."
    ),
    "analysis.chart.core": "Core assortment",
    "analysis.chart.other": "Other on the price list",
    "analysis.chart.off_list": "Not on the price list",
    "analysis.chart.deviations.title": "Largest overcharges (NOK)",
    "analysis.chart.ceiling.title": "Ceiling used (%)",
    "analysis.chart.ceiling.ok": "Below 80 %",
    "analysis.chart.ceiling.warn": "Above 80 %",
    "leakage.fact.accounts": "Accounts",
    "leakage.fact.spend": "Spend on the accounts",
    "leakage.fact.loyalty": "Loyalty",
    "leakage.fact.leakage": "Leakage",
    "leakage.more": Plural(
        one="… and {count} more agreement (see “kontraktsvakt lekkasje”)",
        other="… and {count} more agreements (see “kontraktsvakt lekkasje”)",
        by="count",
    ),
    "analysis.alert.ceiling_80.title": "{reference}: over 80 % of the ceiling is used",
    "analysis.alert.ceiling_80.text": (
        "“{title}” is nearing its maximum value. Plan a new competition in time: once the "
        "ceiling is used up, the agreement cannot be used."
    ),
    "analysis.alert.ceiling_100.title": "{reference}: the ceiling is used up",
    "analysis.alert.ceiling_100.text": (
        "“{title}” has passed its maximum value. Further purchases on it are an illegal direct "
        "award: stop the orders and talk to procurement."
    ),
    "analysis.chat.unreadable": (
        "The sales statistics are stored as a document, but I could not read them as statistics:"
    ),
    "analysis.chat.not_imported": (
        "The sales statistics are stored as a document, but their lines are not in the analysis "
        "because some rows have problems. Ask the supplier to fix them and send the file again:"
    ),
}

add_words(NB, EN)
