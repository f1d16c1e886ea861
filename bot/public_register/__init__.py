"""The public register of framework agreements (issue 18): its pages and open data."""

from bot.public_register import texts as texts  # the room's words join the catalogue
