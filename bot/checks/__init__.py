"""Structured checks in the chat (issue 19): the risk assessment (`risiko`)."""

from bot.checks import texts as texts  # the room's words join the catalogue
