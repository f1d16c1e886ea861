"""Purchase analysis (issue 16): importing price lists, sales statistics and ledger extracts,
and the figures of an agreement (`analyse`) and of leakage across the register (`lekkasje`)."""

from bot.analysis import texts as texts  # the room's words join the catalogue
