"""Uploads: documents sent to the bot as Teams files or links, filed against a follow-up."""

from bot.uploads import texts as texts  # the room's words join the catalogue
