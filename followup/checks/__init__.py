"""Structured checks of a contract (issue 19): the risk assessment (`followup.checks.risk`)."""
