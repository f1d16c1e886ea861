"""Reminders: the reminder and summary cards, snooze, pause and resume."""

from bot.reminders import texts as texts  # the room's words join the catalogue
