"""The archive hand-off in chat (issue 17): `arkiv` for procurement, and the alert card that
tells the procurement channels of messages the archive would not take."""

from bot.archive import texts as texts  # the room's words join the catalogue
