"""The `kontraktsvakt` command line (`bot.cli.main`)."""
