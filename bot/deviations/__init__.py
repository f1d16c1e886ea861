"""Deviations: the report-deviation dialog and form, alerts and procurement's status changes."""

from bot.deviations import texts as texts  # the room's words join the catalogue
