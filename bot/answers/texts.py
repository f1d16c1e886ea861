"""Words of the answer cards and the answer commands (added to `bot.conversation.texts`)."""

from __future__ import annotations

from bot.conversation.texts import add_words

NB: dict[str, str] = {
    "command.levert": "Svar «levert» på en oppfølging",
    "command.delvis": "Svar «delvis levert» på en oppfølging",
    "command.ikke levert": "Svar «ikke levert» på en oppfølging",
    "command.ikke relevant": "Svar «ikke relevant» på en oppfølging",
    "help.cmd.levert": (
        "«levert KOM-2025-0147 [kommentar]» – svar at det som skulle leveres, er levert "
        "(også «delvis KOM-…», «ikke levert KOM-…», «ikke relevant KOM-…»)"
    ),
    "help.cmd.delvis": "«delvis KOM-2025-0147 [kommentar]» – svar delvis levert",
    "help.cmd.ikke levert": "«ikke levert KOM-2025-0147 [kommentar]» – svar ikke levert",
    "help.cmd.ikke relevant": "«ikke relevant KOM-2025-0147» – oppfølgingen gjelder ikke nå",
}

EN: dict[str, str] = {
    "command.levert": "Answer “delivered” to a follow-up",
    "command.delvis": "Answer “partly delivered” to a follow-up",
    "command.ikke levert": "Answer “not delivered” to a follow-up",
    "command.ikke relevant": "Answer “not applicable” to a follow-up",
    "help.cmd.levert": (
        "“delivered KOM-2025-0147 [comment]” – answer that what was due is delivered "
        "(also “partly KOM-…”, “not delivered KOM-…”, “not applicable KOM-…”)"
    ),
    "help.cmd.delvis": "“partly KOM-2025-0147 [comment]” – answer partly delivered",
    "help.cmd.ikke levert": "“not delivered KOM-2025-0147 [comment]” – answer not delivered",
    "help.cmd.ikke relevant": "“not applicable KOM-2025-0147” – the follow-up does not apply now",
}

add_words(NB, EN)
