"""Words of procurement's questions (`status`, `forfalt`, the lists of `avvik`, `mer`) and of
roles (`rolle`), merged into `bot.conversation.texts`. Refusals are keyed by the domain's codes
(`followup.access.AccessRefusal`, `followup.portfolio.PortfolioRefusal`)."""

from __future__ import annotations

from bot.conversation.texts import Plural, Words, add_words

NB: Words = {
    # --- commands ------------------------------------------------------------------------------
    "command.status": (
        "Porteføljen med ett blikk, eller én kontrakt, leverandør eller enhet: status KOM-2025-0147"
    ),
    "command.forfalt": "Forfalte oppfølginger, eldste først, med eier og dager forfalt",
    "command.mer": "Neste side av den siste listen",
    "command.rolle": (
        "Administrator: rolle gi kari.nordmann@kommune.no innkjøp (eller fjern, admin)"
    ),
    "help.cmd.status": (
        "«status» – porteføljen med ett blikk: kontrakter som følges opp, frister denne uken, "
        "besvart i tide, forfalt, eskalert, åpne avvik og eiere jeg ikke når (innkjøp ser alt, "
        "kontraktseiere sine egne kontrakter); «status *avtalenr, leverandør, enhet eller eier*» "
        "viser én kontrakt med plan, svar, dokumenter og avvik, eller summen for en leverandør, "
        "enhet eller eier"
    ),
    "help.cmd.forfalt": (
        "«forfalt [*leverandør, enhet eller eier*]» – forfalte oppfølginger, eldste først, med "
        "eier og dager forfalt"
    ),
    "help.cmd.mer": "«mer» – neste side av listen du så sist (eller trykk «Mer» på kortet)",
    "help.cmd.rolle": (
        "«rolle gi *e-post* innkjøp | admin» og «rolle fjern *e-post* innkjøp | admin» – gi "
        "eller ta fra noen en rolle (bare administratorer; alt logges)"
    ),
    # --- procurement channels (`bot.portfolio.channel_commands`) --------------------------------
    "command.innkjøpskanal": "Innkjøp: få varsler i denne kanalen – innkjøpskanal på | av",
    "help.cmd.innkjøpskanal": (
        "«innkjøpskanal på» og «innkjøpskanal av» – i en kanal: innkjøp registrerer kanalen for "
        "varsler om alvorlige avvik, eskaleringer og ukentlige sammendrag, eller fjerner den "
        "(alt logges); «innkjøpskanal» sier om den er det"
    ),
    "channel.on": (
        "Denne kanalen er nå en innkjøpskanal: her kommer varsler om alvorlige avvik, "
        "eskaleringer og det ukentlige sammendraget. Varsler som nevner en kontrakt, postes bare "
        "når alle i kanalen har lov til å se den. «innkjøpskanal av» fjerner den. Endringen er "
        "logget."
    ),
    "channel.already_on": (
        "Denne kanalen er allerede en innkjøpskanal. «innkjøpskanal av» fjerner den."
    ),
    "channel.is_on": (
        "Denne kanalen er en innkjøpskanal: her kommer varsler om alvorlige avvik, eskaleringer "
        "og det ukentlige sammendraget. «innkjøpskanal av» fjerner den (bare innkjøpsteamet)."
    ),
    "channel.off": (
        "Denne kanalen er ikke lenger en innkjøpskanal: varsler og sammendrag kommer ikke hit. "
        "Endringen er logget."
    ),
    "channel.is_off": (
        "Denne kanalen er ikke en innkjøpskanal. Et medlem av innkjøpsteamet kan skrive "
        "«innkjøpskanal på» her for å få varsler om alvorlige avvik, eskaleringer og ukentlige "
        "sammendrag."
    ),
    "channel.usage": (
        "Skriv «innkjøpskanal på» eller «innkjøpskanal av» (med @Kontraktsvakt foran)."
    ),
    "channel.not_everyone": (
        "Merk: ikke alle i kanalen er i innkjøpsteamet, eller noen er gjester. Varsler om "
        "kontrakter noen av dem ikke har lov til å se, postes ikke her. Bruk helst en kanal der "
        "bare innkjøpsteamet er med."
    ),
    "channel.members_unknown": (
        "Merk: jeg fikk ikke lest medlemslisten nå. Varsler som nevner en kontrakt, postes bare "
        "når jeg ser at alle i kanalen har lov til å se den."
    ),
    "channel.not_procurement": (
        "Bare innkjøpsteamet kan gjøre en kanal til innkjøpskanal eller fjerne den. Ta kontakt "
        "med dem."
    ),
    "channel.not_a_channel": (
        "«innkjøpskanal» skrives i kanalen som skal få varslene, med @Kontraktsvakt foran. En "
        "personlig chat eller en gruppechat kan ikke være innkjøpskanal."
    ),
    "channel.unknown": "Jeg kjenner ikke denne kanalen ennå. Prøv igjen om litt.",
    # --- who sees what -------------------------------------------------------------------------
    "portfolio.channel.narrowed": (
        "I kanalen viser jeg bare kontraktene alle medlemmene har lov til å se."
    ),
    "portfolio.scope.everything": "Hele porteføljen",
    "portfolio.scope.own": "Kontraktene du følger opp",
    "portfolio.scope.own_and_covered": "Kontraktene du følger opp og dem du er stedfortreder for",
    "portfolio.scope.channel": "Kontraktene alle i kanalen kan se",
    "portfolio.bad_cursor": "Den listen er utdatert. Skriv kommandoen på nytt.",
    "portfolio.not_visible": "Den kontrakten har du ikke tilgang til.",
    "portfolio.unknown_contract": "Den kontrakten finnes ikke (lenger).",
    "portfolio.target_gone": "Det kortet viser til noe som ikke finnes lenger. Skriv «status».",
    "portfolio.not_found": (
        "Jeg fant ingen kontrakt, leverandør, enhet eller kontraktseier som passer «{text}» blant "
        "kontraktene du kan se. Skriv avtalenummeret, organisasjonsnummeret eller en del av "
        "navnet."
    ),
    "portfolio.target.contract": "kontrakt",
    "portfolio.target.supplier": "leverandør",
    "portfolio.target.unit": "enhet",
    "portfolio.target.owner": "kontraktseier",
    "portfolio.organisation_number": "organisasjonsnummer {number}",
    "portfolio.pick.title": "Flere treff på «{text}»",
    "portfolio.pick.hint": "Velg den du mente:",
    "portfolio.showing": "viser {first}–{last} av {total}",
    "portfolio.showing_none": "ingen å vise (av {total})",
    "portfolio.more_names": "… og {count} til.",
    # --- status ---------------------------------------------------------------------------------
    "portfolio.status.title": "Status for kontraktsoppfølgingen",
    "portfolio.status.subtitle": "{about} · per {today}",
    "portfolio.status.contracts": "Kontrakter som følges opp",
    "portfolio.status.due_this_week": "Frister denne uken (uke {week})",
    "portfolio.status.on_time": "Besvart i tide, siste 90 dager",
    "portfolio.status.on_time_value": "{on_time} av {due} ({percent} %)",
    "portfolio.status.nothing_due": "ingen frister i perioden",
    "portfolio.status.overdue": "Forfalt",
    "portfolio.status.escalated": "Eskalert",
    "portfolio.status.deviations": "Åpne avvik",
    "portfolio.status.unreachable": "Kontraktseiere jeg ikke når",
    "portfolio.status.unreachable_names": "Jeg når ikke: {names}.",
    "portfolio.status.explained": Plural(
        one=(
            "Besvart i tide: første svar senest på fristen, av oppfølgingene med frist den siste "
            "{days} dagen. Forfalt: åpne oppfølginger med frist før i dag."
        ),
        other=(
            "Besvart i tide: første svar senest på fristen, av oppfølgingene med frist de siste "
            "{days} dagene. Forfalt: åpne oppfølginger med frist før i dag."
        ),
        by="days",
    ),
    "portfolio.chart.answers.title": Plural(
        one="Svar på frister den siste {days} dagen",
        other="Svar på frister de siste {days} dagene",
        by="days",
    ),
    "portfolio.chart.answers.on_time": "Besvart i tide",
    "portfolio.chart.answers.late": "Besvart for sent",
    "portfolio.chart.answers.open": "Ikke besvart",
    "portfolio.chart.answers.text": Plural(
        one=(
            "Frister den siste {days} dagen: {on_time} besvart i tide, {late} for sent, {open} "
            "ikke besvart."
        ),
        other=(
            "Frister de siste {days} dagene: {on_time} besvart i tide, {late} for sent, {open} "
            "ikke besvart."
        ),
        by="days",
    ),
    "portfolio.chart.deviations.title": "Åpne avvik etter alvorlighet",
    "portfolio.button.overdue": "Forfalt ({count})",
    "portfolio.button.open_deviations": "Åpne avvik ({count})",
    "portfolio.button.all_deviations": "Alle avvik",
    "portfolio.button.whole": "Hele oversikten",
    "portfolio.button.status": "Status",
    "portfolio.button.more": "Mer",
    "portfolio.button.more_history": "Mer historikk",
    "portfolio.button.back_to_contract": "Tilbake til kontrakten",
    "portfolio.button.all_overdue": "Alle forfalte",
    # --- one contract ---------------------------------------------------------------------------
    "portfolio.contract.title": "{reference} {title}",
    "portfolio.contract.unit": "Enhet",
    "portfolio.contract.manager": "Kontraktsforvalter",
    "portfolio.contract.deputy": "Stedfortreder",
    "portfolio.contract.value": "Estimert verdi",
    "portfolio.contract.value_nok": "{value} kr",
    "portfolio.contract.risk": "Risiko",
    "portfolio.contract.status": "Status",
    "portfolio.contract.case_number": "Saksnummer",
    "portfolio.contract.archived": "I arkivet",
    "portfolio.contract.risk.register": "{level} (fra registeret, ikke vurdert)",
    "portfolio.contract.risk.assessed": "{level} – vurdert {when} av {who} (versjon {version})",
    "evaluation.status.title": "Leverandørevalueringer",
    "evaluation.status.line": "{when} – {reference}: samlet {overall} av 5",
    "portfolio.contract.archived.value": Plural(
        one="sak {case}: {records} journalpost, sist {journal} «{title}»",
        other="sak {case}: {records} journalposter, sist {journal} «{title}»",
        by="records",
    ),
    "portfolio.contract.option_decision": "Opsjon",
    "portfolio.contract.expiry_decision": "Ved utløp",
    "portfolio.contract.plan": "Oppfølgingsplan",
    "portfolio.contract.no_plan": "Ingen kontrollpunkter.",
    "portfolio.contract.upcoming": "Neste frister",
    "portfolio.contract.waiting": "Venter på svar fra deg ({count})",
    "portfolio.contract.history": Plural(
        one="Historikk ({total} oppfølging)", other="Historikk ({total} oppfølginger)", by="total"
    ),
    "portfolio.contract.documents": "Dokumenter",
    "portfolio.contract.deviations": "Avvik",
    "portfolio.contract.none": "Ingen.",
    "portfolio.risk.lav": "lav",
    "portfolio.risk.middels": "middels",
    "portfolio.risk.høy": "høy",
    "portfolio.contract_status.aktiv": "aktiv",
    "portfolio.contract_status.planlagt": "planlagt",
    "portfolio.contract_status.utløpt": "utløpt",
    "portfolio.contract_status.avsluttet": "avsluttet",
    "portfolio.state.planned": "planlagt",
    "portfolio.state.notified": "varslet, ikke besvart",
    "portfolio.state.reminded": "purret, ikke besvart",
    "portfolio.state.answered": "besvart",
    "portfolio.state.deviation_reported": "avvik meldt",
    "portfolio.state.escalated": "eskalert, ikke besvart",
    "portfolio.state.snoozed": "utsatt",
    "portfolio.state.skipped": "utgått",
    "portfolio.history.title": "Historikk: {reference} {title}",
    "portfolio.history.answer": "{answer} – {name}, {at}",
    "portfolio.history.for": "{name} for {owner}",
    "portfolio.history.on_time": "i tide",
    "portfolio.history.late": "for sent",
    "portfolio.history.versions": Plural(one="{count} versjon", other="{count} versjoner"),
    "portfolio.history.documents": "{count} dok.",
    # --- overdue --------------------------------------------------------------------------------
    "portfolio.overdue.title": "Forfalte oppfølginger ({total})",
    "portfolio.overdue.days": "{count} d forfalt",
    "portfolio.overdue.due": "frist {date}",
    "portfolio.overdue.owner": "kontraktseier {name}",
    "portfolio.overdue.no_owner": "ingen kontraktseier",
    "portfolio.overdue.escalated": "eskalert",
    "portfolio.overdue.none": "Ingen forfalte oppfølginger. Bra!",
    # --- deviations -----------------------------------------------------------------------------
    "portfolio.deviations.title_open": "Åpne avvik ({total})",
    "portfolio.deviations.title": "Alle avvik ({total})",
    "portfolio.deviations.open": "Åpne",
    "portfolio.deviations.all": "Alle",
    "portfolio.deviations.any_severity": "Alle grader",
    "portfolio.deviations.any_category": "Alle kategorier",
    "portfolio.deviations.filter_state": "Vis",
    "portfolio.deviations.filter_severity": "Alvorlighet",
    "portfolio.deviations.filter_category": "Kategori",
    "portfolio.button.filter": "Filtrer",
    "portfolio.deviations.none_open": (
        "Det er ingen åpne avvik på kontraktene du kan se. Skriv «meld avvik» for å melde et nytt."
    ),
    "portfolio.deviations.none_filtered": "Ingen avvik med disse filtrene.",
    "portfolio.deviations.hint": (
        "Koden står først; «avviksstatus *kode* lukket» lukker et avvik. Filtrer med knappene "
        "under, eller skriv «avvik alle høy forsinkelse»."
    ),
    # --- mer ------------------------------------------------------------------------------------
    "portfolio.more.nothing": (
        "Jeg har ingen liste å fortsette her. Skriv «forfalt» eller «avvik» først."
    ),
    "portfolio.more.done": "Det var hele listen.",
    # --- rolle ----------------------------------------------------------------------------------
    "portfolio.role.usage": (
        "Skriv «rolle gi *e-post* innkjøp» eller «rolle gi *e-post* admin» for å gi en rolle, "
        "og «rolle fjern *e-post* innkjøp» (eller admin) for å ta den bort. Bare administratorer "
        "kan endre roller, og hver endring logges."
    ),
    "portfolio.role.granted": "{name} ({address}) har nå rollen {role}. Endringen er logget.",
    "portfolio.role.already": "{name} ({address}) hadde allerede rollen {role}.",
    "portfolio.role.revoked": (
        "{name} ({address}) har ikke lenger rollen {role}. Endringen er logget."
    ),
    "portfolio.role.not_had": "{name} ({address}) hadde ikke rollen {role}.",
    "portfolio.role.name.procurement": "innkjøp",
    "portfolio.role.name.admin": "administrator",
    "portfolio.role.name.owner": "kontraktseier",
    "role.not_admin": "Bare administratorer kan gi og ta fra roller.",
    "role.bad_address": "«{address}» er ikke en e-postadresse. Skriv for eksempel ola@kommune.no.",
    "role.unknown_person": (
        "Jeg finner ingen med e-postadressen {address}. Personen må stå i kontraktsregisteret "
        "eller ha skrevet til meg først."
    ),
    "role.not_grantable": (
        "Rollen kontraktseier kommer fra kontraktsregisteret og gis ikke her. Du kan gi "
        "«innkjøp» eller «admin»."
    ),
    "role.last_admin": (
        "Du er den siste administratoren. Gi noen andre rollen admin før du fjerner din egen."
    ),
    "role.configured": (
        "Personen er med i innkjøpsteamet gjennom innstillingen PROCUREMENT_MEMBERS. Fjern "
        "adressen der; ellers kommer rollen tilbake."
    ),
    "role.admin_exists": "Det finnes allerede en administrator; roller gis nå i chatten.",
}

EN: Words = {
    "command.status": (
        "The portfolio at a glance, or one contract, supplier or unit: status KOM-2025-0147"
    ),
    "command.forfalt": "Overdue follow-ups, oldest first, with owner and days overdue",
    "command.mer": "The next page of the last list",
    "command.rolle": (
        "Administrators: role grant kari.nordmann@kommune.no procurement (or revoke, admin)"
    ),
    "help.cmd.status": (
        "“status” – the portfolio at a glance: contracts followed up, due this week, answered on "
        "time, overdue, escalated, open deviations and owners I cannot reach (procurement sees "
        "everything, owners their own contracts); “status *contract, supplier, unit or owner*” "
        "shows one contract with its plan, answers, documents and deviations, or the sums for a "
        "supplier, unit or owner"
    ),
    "help.cmd.forfalt": (
        "“overdue [*supplier, unit or owner*]” – overdue follow-ups, oldest first, with owner and "
        "days overdue"
    ),
    "help.cmd.mer": "“more” – the next page of the list you saw last (or press “More”)",
    "help.cmd.rolle": (
        "“role grant *e-mail* procurement | admin” and “role revoke *e-mail* procurement | "
        "admin” – give or take a role (administrators only; every change is logged)"
    ),
    "command.innkjøpskanal": "Procurement: alerts in this channel – procurement channel on | off",
    "help.cmd.innkjøpskanal": (
        "“procurement channel on” and “procurement channel off” – in a channel: procurement "
        "registers the channel for serious deviations, escalations and weekly digests, or "
        "removes it (logged); “procurement channel” says whether it is one"
    ),
    "channel.on": (
        "This channel is now a procurement channel: serious deviations, escalations and the "
        "weekly digest come here. Alerts that name a contract are posted only when everyone in "
        "the channel may see it. “procurement channel off” removes it. The change is logged."
    ),
    "channel.already_on": (
        "This channel already is a procurement channel. “procurement channel off” removes it."
    ),
    "channel.is_on": (
        "This channel is a procurement channel: serious deviations, escalations and the weekly "
        "digest come here. “procurement channel off” removes it (procurement only)."
    ),
    "channel.off": (
        "This channel is no longer a procurement channel: alerts and digests do not come here. "
        "The change is logged."
    ),
    "channel.is_off": (
        "This channel is not a procurement channel. A member of the procurement team can type "
        "“procurement channel on” here to get serious deviations, escalations and weekly "
        "digests."
    ),
    "channel.usage": (
        "Type “procurement channel on” or “procurement channel off” (mention me first)."
    ),
    "channel.not_everyone": (
        "Note: not everyone in the channel is in the procurement team, or some are guests. "
        "Alerts about contracts some of them may not see are not posted here. Preferably use a "
        "channel of the procurement team only."
    ),
    "channel.members_unknown": (
        "Note: I could not read the channel's members just now. Alerts that name a contract are "
        "posted only when I see that everyone in the channel may see it."
    ),
    "channel.not_procurement": (
        "Only the procurement team can make a channel a procurement channel or remove it. "
        "Contact them."
    ),
    "channel.not_a_channel": (
        "“procurement channel” is typed in the channel that is to get the alerts, mentioning me "
        "first. A personal chat or a group chat cannot be a procurement channel."
    ),
    "channel.unknown": "I do not know this channel yet. Try again shortly.",
    "portfolio.channel.narrowed": (
        "In the channel I show only the contracts every member may see."
    ),
    "portfolio.scope.everything": "The whole portfolio",
    "portfolio.scope.own": "The contracts you follow up",
    "portfolio.scope.own_and_covered": "The contracts you follow up and those you stand in for",
    "portfolio.scope.channel": "The contracts everyone in the channel may see",
    "portfolio.bad_cursor": "That list is out of date. Type the command again.",
    "portfolio.not_visible": "You do not have access to that contract.",
    "portfolio.unknown_contract": "That contract does not exist (any more).",
    "portfolio.target_gone": "That card points to something that is gone. Type “status”.",
    "portfolio.not_found": (
        "I found no contract, supplier, unit or owner matching “{text}” among the contracts you "
        "may see. Type the contract number, the organisation number or part of the name."
    ),
    "portfolio.target.contract": "contract",
    "portfolio.target.supplier": "supplier",
    "portfolio.target.unit": "unit",
    "portfolio.target.owner": "owner",
    "portfolio.organisation_number": "organisation number {number}",
    "portfolio.pick.title": "Several matches for “{text}”",
    "portfolio.pick.hint": "Pick the one you meant:",
    "portfolio.showing": "showing {first}–{last} of {total}",
    "portfolio.showing_none": "nothing to show (of {total})",
    "portfolio.more_names": "… and {count} more.",
    "portfolio.status.title": "Contract follow-up status",
    "portfolio.status.subtitle": "{about} · as of {today}",
    "portfolio.status.contracts": "Contracts followed up",
    "portfolio.status.due_this_week": "Due this week (week {week})",
    "portfolio.status.on_time": "Answered on time, last 90 days",
    "portfolio.status.on_time_value": "{on_time} of {due} ({percent} %)",
    "portfolio.status.nothing_due": "nothing due in the period",
    "portfolio.status.overdue": "Overdue",
    "portfolio.status.escalated": "Escalated",
    "portfolio.status.deviations": "Open deviations",
    "portfolio.status.unreachable": "Owners I cannot reach",
    "portfolio.status.unreachable_names": "I cannot reach: {names}.",
    "portfolio.status.explained": Plural(
        one=(
            "Answered on time: first answer on or before the due date, of the follow-ups due in "
            "the last {days} day. Overdue: open follow-ups due before today."
        ),
        other=(
            "Answered on time: first answer on or before the due date, of the follow-ups due in "
            "the last {days} days. Overdue: open follow-ups due before today."
        ),
        by="days",
    ),
    "portfolio.chart.answers.title": Plural(
        one="Answers to what was due in the last {days} day",
        other="Answers to what was due in the last {days} days",
        by="days",
    ),
    "portfolio.chart.answers.on_time": "Answered on time",
    "portfolio.chart.answers.late": "Answered late",
    "portfolio.chart.answers.open": "Not answered",
    "portfolio.chart.answers.text": Plural(
        one=(
            "Due in the last {days} day: {on_time} answered on time, {late} late, {open} not "
            "answered."
        ),
        other=(
            "Due in the last {days} days: {on_time} answered on time, {late} late, {open} not "
            "answered."
        ),
        by="days",
    ),
    "portfolio.chart.deviations.title": "Open deviations by severity",
    "portfolio.button.overdue": "Overdue ({count})",
    "portfolio.button.open_deviations": "Open deviations ({count})",
    "portfolio.button.all_deviations": "All deviations",
    "portfolio.button.whole": "Whole overview",
    "portfolio.button.status": "Status",
    "portfolio.button.more": "More",
    "portfolio.button.more_history": "More history",
    "portfolio.button.back_to_contract": "Back to the contract",
    "portfolio.button.all_overdue": "All overdue",
    "portfolio.contract.title": "{reference} {title}",
    "portfolio.contract.unit": "Unit",
    "portfolio.contract.manager": "Contract manager",
    "portfolio.contract.deputy": "Deputy",
    "portfolio.contract.value": "Estimated value",
    "portfolio.contract.value_nok": "NOK {value}",
    "portfolio.contract.risk": "Risk",
    "portfolio.contract.status": "Status",
    "portfolio.contract.case_number": "Case number",
    "portfolio.contract.archived": "In the archive",
    "portfolio.contract.risk.register": "{level} (from the register, not assessed)",
    "portfolio.contract.risk.assessed": "{level} – assessed {when} by {who} (version {version})",
    "evaluation.status.title": "Supplier evaluations",
    "evaluation.status.line": "{when} – {reference}: overall {overall} of 5",
    "portfolio.contract.archived.value": Plural(
        one="case {case}: {records} record, latest {journal} “{title}”",
        other="case {case}: {records} records, latest {journal} “{title}”",
        by="records",
    ),
    "portfolio.contract.option_decision": "Option",
    "portfolio.contract.expiry_decision": "At expiry",
    "portfolio.contract.plan": "Follow-up plan",
    "portfolio.contract.no_plan": "No checkpoints.",
    "portfolio.contract.upcoming": "Next due",
    "portfolio.contract.waiting": "Waiting for your answer ({count})",
    "portfolio.contract.history": Plural(
        one="History ({total} follow-up)", other="History ({total} follow-ups)", by="total"
    ),
    "portfolio.contract.documents": "Documents",
    "portfolio.contract.deviations": "Deviations",
    "portfolio.contract.none": "None.",
    "portfolio.risk.lav": "low",
    "portfolio.risk.middels": "medium",
    "portfolio.risk.høy": "high",
    "portfolio.contract_status.aktiv": "active",
    "portfolio.contract_status.planlagt": "planned",
    "portfolio.contract_status.utløpt": "expired",
    "portfolio.contract_status.avsluttet": "terminated",
    "portfolio.state.planned": "planned",
    "portfolio.state.notified": "notified, not answered",
    "portfolio.state.reminded": "reminded, not answered",
    "portfolio.state.answered": "answered",
    "portfolio.state.deviation_reported": "deviation reported",
    "portfolio.state.escalated": "escalated, not answered",
    "portfolio.state.snoozed": "snoozed",
    "portfolio.state.skipped": "skipped",
    "portfolio.history.title": "History: {reference} {title}",
    "portfolio.history.answer": "{answer} – {name}, {at}",
    "portfolio.history.for": "{name} for {owner}",
    "portfolio.history.on_time": "on time",
    "portfolio.history.late": "late",
    "portfolio.history.versions": Plural(one="{count} version", other="{count} versions"),
    "portfolio.history.documents": "{count} doc.",
    "portfolio.overdue.title": "Overdue follow-ups ({total})",
    "portfolio.overdue.days": "{count} d overdue",
    "portfolio.overdue.due": "due {date}",
    "portfolio.overdue.owner": "owner {name}",
    "portfolio.overdue.no_owner": "no owner",
    "portfolio.overdue.escalated": "escalated",
    "portfolio.overdue.none": "Nothing overdue. Well done!",
    "portfolio.deviations.title_open": "Open deviations ({total})",
    "portfolio.deviations.title": "All deviations ({total})",
    "portfolio.deviations.open": "Open",
    "portfolio.deviations.all": "All",
    "portfolio.deviations.any_severity": "Any severity",
    "portfolio.deviations.any_category": "Any category",
    "portfolio.deviations.filter_state": "Show",
    "portfolio.deviations.filter_severity": "Severity",
    "portfolio.deviations.filter_category": "Category",
    "portfolio.button.filter": "Filter",
    "portfolio.deviations.none_open": (
        "There are no open deviations on the contracts you may see. Type “report deviation” to "
        "report one."
    ),
    "portfolio.deviations.none_filtered": "No deviations with these filters.",
    "portfolio.deviations.hint": (
        "The code comes first; “deviation status *code* closed” closes one. Filter with the "
        "buttons below, or type “deviations all high delay”."
    ),
    "portfolio.more.nothing": (
        "I have no list to continue here. Type “overdue” or “deviations” first."
    ),
    "portfolio.more.done": "That was the whole list.",
    "portfolio.role.usage": (
        "Type “role grant *e-mail* procurement” or “role grant *e-mail* admin” to give a role, "
        "and “role revoke *e-mail* procurement” (or admin) to take it away. Only administrators "
        "may change roles, and every change is logged."
    ),
    "portfolio.role.granted": "{name} ({address}) now has the role {role}. The change is logged.",
    "portfolio.role.already": "{name} ({address}) already had the role {role}.",
    "portfolio.role.revoked": "{name} ({address}) no longer has the role {role}. Logged.",
    "portfolio.role.not_had": "{name} ({address}) did not have the role {role}.",
    "portfolio.role.name.procurement": "procurement",
    "portfolio.role.name.admin": "administrator",
    "portfolio.role.name.owner": "owner",
    "role.not_admin": "Only administrators may give and take roles.",
    "role.bad_address": "“{address}” is not an e-mail address. Type e.g. ola@kommune.no.",
    "role.unknown_person": (
        "I find nobody with the address {address}. They must be in the contract register or "
        "have written to me first."
    ),
    "role.not_grantable": (
        "The owner role comes from the contract register and is not given here. You can give "
        "“procurement” or “admin”."
    ),
    "role.last_admin": (
        "You are the last administrator. Make someone else admin before removing your own role."
    ),
    "role.configured": (
        "This person is in the procurement team through the PROCUREMENT_MEMBERS setting. Remove "
        "the address there; otherwise the role comes back."
    ),
    "role.admin_exists": "An administrator exists already; roles are now given in the chat.",
}

add_words(NB, EN)
