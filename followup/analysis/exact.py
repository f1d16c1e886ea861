"""Decimal arithmetic at full precision for the analysis, whatever the process has set.

botbuilder-dialogs' number recogniser (`recognizers-text-number`, imported with the dialogs)
sets the process's decimal context to 15 significant digits when it is imported: sums of money
then round, and quantising a large amount raises `InvalidOperation`. The analysis' entry points
run in a local context of their own (`exact`), so its figures do not depend on what else the
process imported."""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Context, DivisionByZero, InvalidOperation, Overflow, localcontext
from typing import Final, ParamSpec, TypeVar

EXACT: Final = Context(prec=40, traps=[InvalidOperation, DivisionByZero, Overflow])
P = ParamSpec("P")
R = TypeVar("R")


def exact(function: Callable[P, R]) -> Callable[P, R]:
    """`function`, run in the full-precision decimal context `EXACT`."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with localcontext(EXACT):
            return function(*args, **kwargs)

    return run
