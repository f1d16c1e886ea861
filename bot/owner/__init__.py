"""Owner: an owner's tasks, contracts, plan, absence and deputies, and the calendar feed."""

from bot.owner import texts as texts  # the room's words join the catalogue
