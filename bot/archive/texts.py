"""Words of the archive hand-off in chat (added to `bot.conversation.texts`)."""

from __future__ import annotations

from bot.conversation.texts import Plural, Words, add_words

NB: Words = {
    "command.arkiv": "Arkivering til sak/arkiv: hva som er sendt, bekreftet og feilet",
    "help.cmd.arkiv": "«arkiv» – hva arkivet har fått, og hva som feilet (innkjøp)",
    "archive.off": (
        "Arkivering er ikke slått på. Administratoren setter ARCHIVE_TRANSPORT (folder eller "
        "fiksio) og ARCHIVE_SCHEMA_DIR; se README, «Arkiv»."
    ),
    "archive.not_allowed": "Bare innkjøp kan se arkiveringen.",
    "archive.unknown_contracts": "Finner ikke avtalenr {references} i kontraktsregisteret.",
    "archive.usage": (
        "Skriv «arkiv» for status, eller «arkiv prøv igjen [avtalenr]» når en feil er rettet."
    ),
    "archive.status.title": "Arkivering til sak/arkiv",
    "archive.state.pending": "Venter på sending",
    "archive.state.sent": "Sendt, venter på kvittering",
    "archive.state.confirmed": "Arkivert (kvittert)",
    "archive.state.failed": "Feilet",
    "archive.nothing": "Ingenting er lagt i kø for arkivet ennå.",
    "archive.waiting_long": Plural(
        one="{count} melding har ventet over et døgn på kvittering: sjekk at arkivet henter fra "
        "mappen.",
        other="{count} meldinger har ventet over et døgn på kvittering: sjekk at arkivet henter "
        "fra mappen.",
        by="count",
    ),
    "archive.failed.heading": Plural(
        one="{count} melding feilet og sendes ikke igjen av seg selv:",
        other="{count} meldinger feilet og sendes ikke igjen av seg selv:",
        by="count",
    ),
    "archive.failed.line": "{reference} – {title}: {why} ({attempts} forsøk, {when}).",
    "archive.failed.more": Plural(one="… og {count} til.", other="… og {count} til.", by="count"),
    "archive.failed.hint": (
        "Rett årsaken, og skriv «arkiv prøv igjen» (eller «arkiv prøv igjen AVTALENR»)."
    ),
    "archive.why.unavailable": "arkivet svarte ikke",
    "archive.why.refused": "arkivet avviste meldingen",
    "archive.why.archive_failed": "arkivet kunne ikke opprette saken eller journalposten",
    "archive.why.file_missing": "en fil mangler eller er endret i dokumentlageret",
    "archive.why.record_gone": "det meldingen ble laget av, finnes ikke lenger",
    "archive.why.unknown": "ukjent feil",
    "archive.retry.done": Plural(
        one="{count} melding er lagt i kø igjen og sendes ved neste runde.",
        other="{count} meldinger er lagt i kø igjen og sendes ved neste runde.",
        by="count",
    ),
    "archive.retry.none": "Ingen feilede meldinger å prøve igjen.",
    "archive.alert.title": Plural(
        one="Arkivet tok ikke imot {count} melding",
        other="Arkivet tok ikke imot {count} meldinger",
        by="count",
    ),
    "archive.alert.text": (
        "Disse journalpostene er ikke arkivert. Skriv «arkiv» til meg for detaljer, og "
        "«arkiv prøv igjen» når årsaken er rettet."
    ),
}

EN: Words = {
    "command.arkiv": "Archive hand-off: what is sent, confirmed and failed",
    "help.cmd.arkiv": "“arkiv” – what the archive has received, and what failed (procurement)",
    "archive.off": (
        "Archiving is not switched on. The administrator sets ARCHIVE_TRANSPORT (folder or "
        "fiksio) and ARCHIVE_SCHEMA_DIR; see the README, “Archive”."
    ),
    "archive.not_allowed": "Only procurement can see the archive hand-off.",
    "archive.unknown_contracts": "No contract {references} in the contract register.",
    "archive.usage": (
        "Type “arkiv” for the status, or “arkiv prøv igjen [contract no.]” once a failure is "
        "mended."
    ),
    "archive.status.title": "Archive hand-off",
    "archive.state.pending": "Waiting to be sent",
    "archive.state.sent": "Sent, waiting for the receipt",
    "archive.state.confirmed": "Archived (receipt stored)",
    "archive.state.failed": "Failed",
    "archive.nothing": "Nothing has been queued for the archive yet.",
    "archive.waiting_long": Plural(
        one="{count} message has waited over a day for its receipt: check that the archive "
        "reads the folder.",
        other="{count} messages have waited over a day for their receipt: check that the "
        "archive reads the folder.",
        by="count",
    ),
    "archive.failed.heading": Plural(
        one="{count} message failed and will not be sent again by itself:",
        other="{count} messages failed and will not be sent again by themselves:",
        by="count",
    ),
    "archive.failed.line": "{reference} – {title}: {why} ({attempts} attempts, {when}).",
    "archive.failed.more": Plural(
        one="… and {count} more.", other="… and {count} more.", by="count"
    ),
    "archive.failed.hint": (
        "Mend the cause, then type “arkiv prøv igjen” (or “arkiv prøv igjen CONTRACT-NO”)."
    ),
    "archive.why.unavailable": "the archive did not answer",
    "archive.why.refused": "the archive refused the message",
    "archive.why.archive_failed": "the archive could not create the case or the record",
    "archive.why.file_missing": "a file is missing or changed in the document store",
    "archive.why.record_gone": "what the message was made from is no longer stored",
    "archive.why.unknown": "unknown error",
    "archive.retry.done": Plural(
        one="{count} message is queued again and goes with the next round.",
        other="{count} messages are queued again and go with the next round.",
        by="count",
    ),
    "archive.retry.none": "No failed messages to retry.",
    "archive.alert.title": Plural(
        one="The archive did not take {count} message",
        other="The archive did not take {count} messages",
        by="count",
    ),
    "archive.alert.text": (
        "These records are not archived. Message me “arkiv” for details, and “arkiv prøv "
        "igjen” once the cause is mended."
    ),
}

add_words(NB, EN)
