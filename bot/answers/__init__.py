"""Answers: owners answer follow-ups by card click or typed command."""

from bot.answers import texts as texts  # the room's words join the catalogue
