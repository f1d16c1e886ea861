"""Ledger accounts (*artskontoer*) an agreement covers: the register's *Kontoer* column.

A municipality books each purchase on an account of its chart; an agreement covers the
accounts its goods are booked on (`1250, 1251` or a range `1200-1209`). Purchase analysis
compares all spend on those accounts with the spend at the agreement's supplier (leakage).
Read from a cell by `followup.register.reading.parse_accounts`; stored on the contract as
`accounts_text`, which that parser reads back to the same ranges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

MAX_ACCOUNT_CHARS: Final = 32


@dataclass(frozen=True, slots=True)
class AccountRange:
    """One account (`first == last`) or a range of accounts."""

    first: str
    last: str

    def covers(self, account: str) -> bool:
        if self.first == self.last:
            return account == self.first
        # Accounts are digit strings of one length within a chart: compare as numbers when
        # all are digits, else as text.
        if account.isdigit() and self.first.isdigit() and self.last.isdigit():
            return int(self.first) <= int(account) <= int(self.last)
        return self.first <= account <= self.last


def accounts_text(accounts: Sequence[AccountRange]) -> str:
    """«1250, 1300–1309»: single accounts as they are, ranges with an en dash."""
    return ", ".join(
        account.first if account.first == account.last else f"{account.first}–{account.last}"
        for account in accounts
    )
