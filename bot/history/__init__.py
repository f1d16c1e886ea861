"""History: `historikk <avtalenr>`, a contract's audit trail (who, for whom, when, what changed),
a page at a time, to whoever may see the contract."""

from bot.history import texts as texts  # the room's words join the catalogue
