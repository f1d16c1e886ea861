"""Which typed messages begin a dialog, told by the commands' own words.

Where a dialog waits for a free-text answer (a checks form's reason, a deviation's
description), a command that begins another dialog is not taken as the answer: the person is
told to finish or `avbryt` first (`FormSpec.interrupts`, `ReportDeviationDialog(interrupts=…)`).
The composition root (`bot.commands`) builds one `DialogStarters` from each capability's
command words, so a new alias of a command is known here the day it is registered.

A sentence that merely begins with such a word («Kontroll utført trinnvis», «Meld avvik
straks») is an answer: where a contract number stands in a command, it must look like one
(`reference_like`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


def reference_like(word: str) -> bool:
    """A contract number as registers write them: with a digit (`KOM-2026-0042`, `2023/145`)
    or a code in capitals joined by `-`, `/`, `_` or `.` (`RAMME-IKT`), not a plain word."""
    word = word.strip("«»\"'")
    if any(character.isdigit() for character in word):
        return True
    return any(mark in word for mark in "-/_.") and word.upper() == word and word.lower() != word


@dataclass(frozen=True, slots=True)
class DialogStarters:
    """The commands that begin a dialog, by how they are typed."""

    alone_or_with_reference: Sequence[str] = ()
    """Begin one as they are, or with a contract number (`meld avvik [avtalenr]`)."""
    with_reference: Sequence[str] = ()
    """Begin one with a contract number and nothing else (`avvik <avtalenr>`)."""
    step_by_step: Sequence[str] = ()
    """Begin one with a contract number and words that ask for the chat (`risiko <avtalenr>
    steg`): `asks_in_chat(words after the command)`."""
    asks_in_chat: Callable[[list[str]], bool] = lambda _words: False

    def __call__(self, answer: str) -> bool:
        """Whether `answer` is one of these commands."""
        words = " ".join(answer.split()).strip(" .!").split()
        said = " ".join(words).casefold()

        def after(command: str) -> list[str] | None:
            """The words after `command` when `answer` begins with it; None when it does not."""
            if said == command or said.startswith(command + " "):
                return words[len(command.split()) :]
            return None

        def a_reference(rest: list[str] | None) -> bool:
            return rest is not None and len(rest) == 1 and reference_like(rest[0])

        return (
            any(
                after(command) == [] or a_reference(after(command))
                for command in self.alone_or_with_reference
            )
            or any(a_reference(after(command)) for command in self.with_reference)
            or any(
                (rest := after(command)) is not None
                and self.asks_in_chat(rest)
                and reference_like(rest[0])
                for command in self.step_by_step
            )
        )


__all__ = ["DialogStarters", "reference_like"]
