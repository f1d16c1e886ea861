"""Portfolio: procurement's `status`, `forfalt`, `avvik` and `rolle`, limited to what each may
see."""

from bot.portfolio import texts as texts  # the room's words join the catalogue
