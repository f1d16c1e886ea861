"""Exports: `eksport` to Excel/CSV through Teams' file consent or a short-lived link."""

from bot.exports import texts as texts  # the room's words join the catalogue
