"""Words of `historikk` (added to `bot.conversation.texts`)."""

from __future__ import annotations

from bot.conversation.texts import add_words

NB: dict[str, str] = {
    "command.historikk": "Historikken til en kontrakt: hvem endret hva, når og for hvem",
    "help.cmd.historikk": (
        "«historikk *avtalenr*» – alt som er registrert på kontrakten: hvem, for hvem, når "
        "og hva som ble endret, nyeste først"
    ),
    "history.usage": (
        "Skriv «historikk» og avtalenummeret, for eksempel «historikk KOM-2025-0147»."
    ),
    "history.title": "Historikk: {reference} {title}",
    "history.empty": "Ingenting er registrert på {reference} ennå.",
    "history.by": "{who}",
    "history.by_for": "{who} for {owner}",
    "history.more": "Eldre",
    "history.unknown_contract": "Jeg finner ingen kontrakt med avtalenummer «{reference}».",
    "history.bad_cursor": "Kortet er utdatert. Skriv «historikk» og avtalenummeret på nytt.",
    "history.field.state": "status",
    "history.field.next_action_at": "neste påminnelse",
    "history.field.kind": "svar",
    "history.field.status": "status",
    "history.field.remedy": "tiltak",
    "history.field.severity": "alvorlighet",
    "history.field.category": "type",
    "history.field.occurred_on": "dato",
    "history.field.note": "merknad",
    "history.field.file_name": "fil",
    "history.field.checkpoints": "kontrollpunkter",
    "history.field.decided_by": "besluttet av",
    "history.field.decided_on": "besluttet",
    "history.state.planned": "planlagt",
    "history.state.notified": "varslet",
    "history.state.reminded": "purret",
    "history.state.answered": "besvart",
    "history.state.deviation_reported": "avvik meldt",
    "history.state.escalated": "eskalert",
    "history.state.snoozed": "utsatt",
    "history.state.skipped": "utgått",
    "history.entity.contract": "kontrakt",
    "history.entity.follow_up": "oppfølging",
    "history.entity.deviation": "avvik",
    "history.entity.document": "dokument",
    "history.action.answer.recorded": "Svar registrert",
    "history.action.follow_up.snoozed": "Oppfølging utsatt",
    "history.action.deviation.reported": "Avvik meldt",
    "history.action.deviation.updated": "Avvik endret",
    "history.action.document.stored": "Dokument lagret",
    "history.action.plan.created": "Oppfølgingsplan laget",
    "history.action.plan.updated": "Oppfølgingsplan oppdatert",
    "history.action.contract.created": "Kontrakt registrert",
    "history.action.contract.updated": "Kontrakt endret",
}

EN: dict[str, str] = {
    "command.historikk": "A contract's history: who changed what, when and for whom",
    "help.cmd.historikk": (
        "“history *reference*” – everything recorded on the contract: who, for whom, when and "
        "what changed, newest first"
    ),
    "history.usage": (
        "Type “history” and the contract number, for example “history KOM-2025-0147”."
    ),
    "history.title": "History: {reference} {title}",
    "history.empty": "Nothing is recorded on {reference} yet.",
    "history.by": "{who}",
    "history.by_for": "{who} for {owner}",
    "history.more": "Older",
    "history.unknown_contract": "I find no contract with the number “{reference}”.",
    "history.bad_cursor": "The card is out of date. Type “history” and the contract number again.",
    "history.field.state": "state",
    "history.field.next_action_at": "next reminder",
    "history.field.kind": "answer",
    "history.field.status": "status",
    "history.field.remedy": "remedy",
    "history.field.severity": "severity",
    "history.field.category": "type",
    "history.field.occurred_on": "date",
    "history.field.note": "note",
    "history.field.file_name": "file",
    "history.field.checkpoints": "checkpoints",
    "history.field.decided_by": "decided by",
    "history.field.decided_on": "decided on",
    "history.state.planned": "planned",
    "history.state.notified": "notified",
    "history.state.reminded": "reminded",
    "history.state.answered": "answered",
    "history.state.deviation_reported": "deviation reported",
    "history.state.escalated": "escalated",
    "history.state.snoozed": "snoozed",
    "history.state.skipped": "skipped",
    "history.entity.contract": "contract",
    "history.entity.follow_up": "follow-up",
    "history.entity.deviation": "deviation",
    "history.entity.document": "document",
    "history.action.answer.recorded": "Answer recorded",
    "history.action.follow_up.snoozed": "Follow-up snoozed",
    "history.action.deviation.reported": "Deviation reported",
    "history.action.deviation.updated": "Deviation changed",
    "history.action.document.stored": "Document stored",
    "history.action.plan.created": "Follow-up plan made",
    "history.action.plan.updated": "Follow-up plan updated",
    "history.action.contract.created": "Contract registered",
    "history.action.contract.updated": "Contract changed",
}

add_words(NB, EN)
