"""The words of `eksport` (`bot.exports.commands`): Bokmål first, English second, same keys."""

from __future__ import annotations

from bot.conversation.texts import Plural, Words, add_words

NB: Words = {
    "command.eksport": "Last ned svar, avvik, forfalte eller kontrakter som Excel",
    "help.cmd.eksport": (
        "«eksport svar», «eksport avvik», «eksport forfalt» eller «eksport kontrakter», med "
        "[fra *dato*] [til *dato*] [csv] etter – listen som Excel-fil (eller CSV), én rad per "
        "sak (innkjøpsteamet og kontraktseiere); «eksport historikk [*avtalenr*] [fra *dato*] "
        "[til *dato*]» – alle endringer; «eksport kontroller», «eksport risiko» og «eksport "
        "evalueringer» – stedlige kontroller, risikovurderinger og leverandørevalueringer, én "
        "rad per kontroll eller versjon"
    ),
    "export.usage": (
        "Skriv hva du vil eksportere: «eksport svar», «eksport avvik», «eksport forfalt», "
        "«eksport kontrakter», «eksport historikk», «eksport kontroller», «eksport risiko» eller "
        "«eksport evalueringer». Legg til en periode med «fra» og «til» (for "
        "eksempel «eksport svar fra 1.9 til 30.11»), og «csv» hvis du vil ha CSV i stedet for "
        "Excel."
    ),
    "export.not_allowed": (
        "Eksport er for innkjøpsteamet og for dem som følger opp kontrakter. Jeg finner ingen "
        "kontrakter du kan se."
    ),
    "export.bad_period": "Perioden slutter før den begynner ({start} – {end}). Bytt om datoene.",
    "export.empty": "Det er ingenting å eksportere: ingen {what}{period} i {scope}.",
    "export.kind.svar": "svar",
    "export.kind.avvik": "åpne avvik",
    "export.kind.avvik_all": "avvik",
    "export.kind.forfalt": "forfalte oppfølginger",
    "export.kind.kontrakter": "kontrakter som følges opp",
    "export.kind.historikk": "historikk",
    "export.kind.risiko": "risikovurderinger",
    "export.kind.evalueringer": "leverandørevalueringer",
    "export.history.unknown_contract": "Jeg finner ingen kontrakt med avtalenummer «{reference}».",
    "export.period.both": " med dato {start}–{end}",
    "export.period.from": " med dato fra og med {start}",
    "export.period.to": " med dato til og med {end}",
    "export.scope.all": "hele porteføljen",
    "export.scope.own": "kontraktene du kan se",
    "export.scope.channel": "det alle i samtalen kan se",
    "export.summary": Plural(
        one="{what}{period} i {scope}: {rows} rad",
        other="{what}{period} i {scope}: {rows} rader",
        by="rows",
    ),
    "export.consent": (
        "Eksporten er klar: {summary}. Trykk «Tillat» for å lagre filen i OneDrive, så sender "
        "jeg den hit. (I Teams på engelsk heter knappen «Allow».)"
    ),
    "export.consent_description": "{summary}. Laget {made}.",
    "export.link": Plural(
        one=(
            "Eksporten er klar: {summary}.\n\n[Last ned {file}]({url}) – lenken virker i "
            "{minutes} minutt."
        ),
        other=(
            "Eksporten er klar: {summary}.\n\n[Last ned {file}]({url}) – lenken virker i "
            "{minutes} minutter."
        ),
        by="minutes",
    ),
    "export.link_channel": (
        "Her står bare det alle i samtalen har lov til å se. Skriv «eksport» til meg i en "
        "privat chat for hele utvalget ditt."
    ),
    "export.truncated": (
        "Listen hadde flere rader enn et Excel-ark rommer; filen har de første {rows}. "
        "Del opp med «fra» og «til»."
    ),
    "export.working": "Dette er en stor eksport. Jeg lager filen og sender den her straks.",
    "export.busy": "Jeg lager mange eksporter akkurat nå. Prøv igjen om et minutt.",
    "export.members_unknown": (
        "Jeg fikk ikke sjekket hvem som er med i samtalen, så jeg kan ikke eksportere her nå. "
        "Prøv igjen, eller skriv til meg i en privat chat."
    ),
    "export.uploaded": "Lagret i OneDrive: {file}.",
    "export.upload_refused": (
        "Jeg lastet ikke opp filen: adressen Teams ga meg er ikke en OneDrive-adresse jeg "
        "godtar. Skriv «eksport» på nytt, eller be IT sjekke innstillingen EXPORT_UPLOAD_HOSTS."
    ),
    "export.upload_failed": (
        "Opplastingen til OneDrive mislyktes. Skriv «eksport» på nytt for å prøve igjen."
    ),
    "export.declined": "Greit, jeg sender ikke filen, og den er slettet.",
    "export.gone": Plural(
        one=(
            "Den eksporten finnes ikke lenger (den varer {minutes} minutt). Skriv «eksport» på "
            "nytt."
        ),
        other=(
            "Den eksporten finnes ikke lenger (den varer {minutes} minutter). Skriv «eksport» på "
            "nytt."
        ),
        by="minutes",
    ),
    "export.page_gone": "Lenken er utløpt. Be om en ny eksport i Teams.",
    # --- eksport analyse (bot.exports.analysis_export) ------------------------------------------
    "command.eksport analyse": "Last ned analysen av en rammeavtale som Excel",
    "help.cmd.eksport analyse": (
        "«eksport analyse *avtalenr* [periode]» – analysen som Excel-fil: tallene, linjene med "
        "prisavvik og linjene utenfor prislisten (kontraktseier og innkjøp)"
    ),
    "export.analysis.usage": (
        "Skriv «eksport analyse *avtalenr*», eventuelt med periode: «eksport analyse "
        "KOM-2025-0147 1. kvartal 2026» eller «eksport analyse KOM-2025-0147 "
        "01.01.2026–31.03.2026»."
    ),
    "export.analysis.summary": (
        "Analysen av {reference} for {start}–{end} med tallene, linjene med prisavvik og "
        "linjene utenfor prislisten"
    ),
}

EN: Words = {
    "command.eksport": "Download answers, deviations, overdue or contracts as Excel",
    "help.cmd.eksport": (
        '"export answers", "export deviations", "export overdue" or "export contracts", with '
        "[from *date*] [to *date*] [csv] after – the list as an Excel file (or CSV), one row "
        'per item (procurement and contract owners); "export history [*reference*] '
        '[from *date*] [to *date*]" – every change; "export checks", "export risk" and '
        '"export evaluations" – on-site checks, risk assessments and supplier evaluations, one '
        "row per check or version"
    ),
    "export.usage": (
        'Say what to export: "export answers", "export deviations", "export overdue", '
        '"export contracts", "export history", "export checks", "export risk" or '
        '"export evaluations". Add a period with "from" and "to" (for example '
        '"export answers from 1.9 to 30.11"), and "csv" for CSV instead of Excel.'
    ),
    "export.not_allowed": (
        "Exports are for procurement and for people who follow up contracts. I find no "
        "contracts you can see."
    ),
    "export.bad_period": "The period ends before it starts ({start} – {end}). Swap the dates.",
    "export.empty": "Nothing to export: no {what}{period} in {scope}.",
    "export.kind.svar": "answers",
    "export.kind.avvik": "open deviations",
    "export.kind.avvik_all": "deviations",
    "export.kind.forfalt": "overdue follow-ups",
    "export.kind.kontrakter": "contracts followed up",
    "export.kind.historikk": "history",
    "export.kind.risiko": "risk assessments",
    "export.kind.evalueringer": "supplier evaluations",
    "export.history.unknown_contract": "I find no contract with the number “{reference}”.",
    "export.period.both": " dated {start}–{end}",
    "export.period.from": " dated from {start}",
    "export.period.to": " dated up to {end}",
    "export.scope.all": "the whole portfolio",
    "export.scope.own": "the contracts you can see",
    "export.scope.channel": "what everyone in this conversation may see",
    "export.summary": Plural(
        one="{what}{period} in {scope}: {rows} row",
        other="{what}{period} in {scope}: {rows} rows",
        by="rows",
    ),
    "export.consent": (
        'The export is ready: {summary}. Press "Allow" to save the file in your OneDrive, '
        "and I will send it here."
    ),
    "export.consent_description": "{summary}. Made {made}.",
    "export.link": Plural(
        one=(
            "The export is ready: {summary}.\n\n[Download {file}]({url}) – the link works for "
            "{minutes} minute."
        ),
        other=(
            "The export is ready: {summary}.\n\n[Download {file}]({url}) – the link works for "
            "{minutes} minutes."
        ),
        by="minutes",
    ),
    "export.link_channel": (
        'Only what everyone in this conversation may see is included. Write "export" to me in '
        "a private chat for everything you can see."
    ),
    "export.truncated": (
        "The list had more rows than an Excel sheet holds; the file has the first {rows}. "
        'Split it with "from" and "to".'
    ),
    "export.working": "This is a large export. I am making the file and will post it here soon.",
    "export.busy": "I am making many exports right now. Try again in a minute.",
    "export.members_unknown": (
        "I could not check who is in this conversation, so I cannot export here now. Try "
        "again, or write to me in a private chat."
    ),
    "export.uploaded": "Saved in OneDrive: {file}.",
    "export.upload_refused": (
        "I did not upload the file: the address Teams gave me is not a OneDrive address I "
        'accept. Write "export" again, or ask IT to check the EXPORT_UPLOAD_HOSTS setting.'
    ),
    "export.upload_failed": 'The upload to OneDrive failed. Write "export" again to retry.',
    "export.declined": "All right, I will not send the file, and it has been deleted.",
    "export.gone": Plural(
        one='That export no longer exists (exports last {minutes} minute). Write "export" again.',
        other=(
            'That export no longer exists (exports last {minutes} minutes). Write "export" again.'
        ),
        by="minutes",
    ),
    "export.page_gone": "The link has expired. Ask for a new export in Teams.",
    "command.eksport analyse": "Download the analysis of a framework agreement as Excel",
    "help.cmd.eksport analyse": (
        "“export analysis *reference* [period]” – the analysis as an Excel file: the figures, "
        "the lines with price deviations and the lines not on the price list (owner and "
        "procurement)"
    ),
    "export.analysis.usage": (
        "Write “export analysis *reference*”, optionally with a period: “export analysis "
        "KOM-2025-0147 2026-Q1”."
    ),
    "export.analysis.summary": (
        "The analysis of {reference} for {start}–{end} with the figures, the lines with price "
        "deviations and the lines not on the price list"
    ),
}

add_words(NB, EN)
