"""What a person says about their reminders: `påminnelser` (status, pause, fortsett, flere),
`pause`, `fortsett`, `utsett <avtalenr> [kontrollpunkt] <dato>`, and the `Utsett` buttons on
reminder cards (`Action.Execute`, verb `snooze`).

A typed `utsett` picks its follow-up as a typed answer does
(`followup.answers.targets.choose_follow_up`): with several open on the contract, and the
checkpoint not named, a card asks which (verb `snoozeChoice`, the date typed on each button)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Final

from botbuilder.core import InvokeResponse

from bot.conversation import formatting
from bot.conversation.cards import Card, adaptive_card, execute_button, text_block
from bot.conversation.choice_cards import ChoiceItem, choice_card
from bot.conversation.domain_commands import DomainCommands, NotRegistered, guarded
from bot.conversation.replies import DateProblem, card_reply, error_reply, read_one_date
from bot.conversation.router import (
    Command,
    CommandRouter,
    Reply,
    TurnRequest,
    card_action_card,
    card_action_message,
)
from bot.conversation.texts import text
from bot.reminders.cards import (
    SNOOZE_DATE,
    SNOOZE_DAY,
    SNOOZE_VERB,
    SNOOZE_WEEK,
    snooze_input_id,
)
from followup.answers.actions import SNOOZE
from followup.answers.services import AnswerRefusal, AnswerRefused
from followup.answers.targets import ChoiceKind, FollowUpChoice, choose_follow_up
from followup.calendar.workdays import oslo_today
from followup.errors import FollowUpError
from followup.models import Contract, Person
from followup.ports import UnitOfWork
from followup.reminders.controls import (
    Snoozed,
    SnoozeRefused,
    check_snooze_date,
    set_reminders_paused,
    set_reminders_per_day,
    snooze_follow_up,
)
from followup.tasks import find_contract

PAUSE_WORDS = frozenset({"pause", "stopp", "av", "off", "stop"})
RESUME_WORDS = frozenset({"fortsett", "på", "pa", "on", "resume", "start"})
MORE_WORDS = frozenset({"flere", "more"})
FEWER_WORDS = frozenset({"færre", "faerre", "fewer", "en", "one"})
MAX_ID = 64
SNOOZE_CHOICE_VERB: Final = "snoozeChoice"
"""A button of the card that asks which follow-up a typed `utsett` is about."""


@dataclass(frozen=True, slots=True)
class _SnoozeChoice:
    """A typed `utsett` that did not snooze: several to choose from (or none, or no date)."""

    contract: Contract
    choice: FollowUpChoice
    until: date | None


class ReminderCommands(DomainCommands):
    def register(self, router: CommandRouter) -> None:
        personal = ("personal",)
        for command in (
            Command(
                "påminnelser",
                ("paminnelser", "reminders"),
                text("command.påminnelser"),
                personal,
                self.reminders,
            ),
            Command(
                "pause",
                ("pause påminnelser",),
                text("command.pause"),
                personal,
                self.pause,
                in_menu=False,
            ),
            Command(
                "fortsett",
                ("resume",),
                text("command.fortsett"),
                personal,
                self.resume,
                in_menu=False,
            ),
            Command(
                "utsett",
                ("snooze",),
                text("command.utsett"),
                personal,
                self.snooze,
                in_menu=False,
            ),
        ):
            router.register(replace(command, handler=guarded(command.handler)))
        router.register_card_action(SNOOZE_VERB, self.snooze_action)
        router.register_card_action(SNOOZE_CHOICE_VERB, self.snooze_choice_action)

    # --- pause, fortsett, flere --------------------------------------------------------------

    async def reminders(self, rest: str, request: TurnRequest) -> Reply:
        words = rest.casefold().split()
        if not words:
            person = await self._read(lambda uow: self._person(uow, request))
            return _status(person, request.locale)
        first = words[0]
        if first in PAUSE_WORDS:
            return await self.pause("", request)
        if first in RESUME_WORDS:
            return await self.resume("", request)
        if first in MORE_WORDS | FEWER_WORDS or first.isdigit():
            wanted = int(first) if first.isdigit() and len(first) <= 2 else None
            if wanted is None:
                wanted = 3 if first in MORE_WORDS else 1

            def work(uow: UnitOfWork) -> int:
                return set_reminders_per_day(uow, self._person(uow, request), wanted, request.now)

            count = await self._write(work)
            return text("reminder.per_day", request.locale, count=count)
        person = await self._read(lambda uow: self._person(uow, request))
        return _status(person, request.locale)

    async def pause(self, rest: str, request: TurnRequest) -> Reply:
        def work(uow: UnitOfWork) -> bool:
            return set_reminders_paused(uow, self._person(uow, request), True, request.now)

        changed = await self._write(work)
        return text("reminder.paused" if changed else "reminder.already_paused", request.locale)

    async def resume(self, rest: str, request: TurnRequest) -> Reply:
        def work(uow: UnitOfWork) -> int:
            person = self._person(uow, request)
            set_reminders_paused(uow, person, False, request.now)
            return person.reminders_per_day

        count = await self._write(work)
        return text("reminder.resumed", request.locale, count=count)

    # --- utsett ---------------------------------------------------------------------------------

    async def snooze(self, rest: str, request: TurnRequest) -> Reply:
        """`utsett <avtalenr> [kontrollpunkt] <dato>`: the follow-up is chosen as for a typed
        answer (`choose_follow_up`, action `utsett`); with several, the person is asked which."""
        locale = request.locale
        words = rest.split(maxsplit=1)
        if len(words) < 2:
            return text("reminder.snooze_usage", locale)
        reference, after = words
        today = oslo_today(request.now)

        def work(uow: UnitOfWork) -> Snoozed | _SnoozeChoice:
            person = self._person(uow, request)
            contract = find_contract(uow, reference)
            try:
                choice = choose_follow_up(uow, person, contract, today, after, action=SNOOZE)
            except AnswerRefused as refused:
                if refused.reason is AnswerRefusal.NOT_YOURS:
                    raise SnoozeRefused("not the person's", code="follow_up.not_yours") from None
                raise
            if choice.kind is ChoiceKind.NOTHING or not choice.rest:
                return _SnoozeChoice(contract, choice, None)
            until = read_one_date(choice.rest, request.now, today, locale)
            chosen = choice.chosen
            if chosen is None:
                check_snooze_date(until, today)
                return _SnoozeChoice(contract, choice, until)
            return snooze_follow_up(
                uow,
                person,
                chosen.follow_up.id,
                until,
                request.now,
                calendar=self._deps.calendar,
                settings=self._deps.reminders,
            )

        done = await self._write(work)
        if isinstance(done, Snoozed):
            return _snoozed(done, locale)
        shown = done.contract.reference
        if done.choice.kind is ChoiceKind.NOTHING:
            return text("reminder.snooze_none", locale, reference=shown)
        if done.until is None:
            return text("reminder.snooze_usage", locale)
        return card_reply(_snooze_choice_card(done, done.until, today, locale))

    async def snooze_choice_action(
        self, data: dict[str, Any], request: TurnRequest
    ) -> InvokeResponse:
        """A button of the card that asks which follow-up `utsett` meant: that one is snoozed
        to the date typed (carried by the button), and the card says so."""
        locale = request.locale
        follow_up_id = data.get("followUpId")
        until = _iso_date(data.get("until"))
        if (
            not isinstance(follow_up_id, str)
            or not follow_up_id
            or len(follow_up_id) > MAX_ID
            or until is None
        ):
            return card_action_message(text("card.unknown_action", locale))

        def work(uow: UnitOfWork) -> Snoozed:
            return snooze_follow_up(
                uow,
                self._person(uow, request),
                follow_up_id,
                until,
                request.now,
                calendar=self._deps.calendar,
                settings=self._deps.reminders,
            )

        try:
            snoozed = await self._write(work)
        except NotRegistered:
            return card_action_message(text("person.not_registered", locale))
        except FollowUpError as error:
            return card_action_message(error_reply(error, locale, markdown=False))
        said = _snoozed(snoozed, locale)
        return card_action_card(adaptive_card([text_block(said)], said))

    async def snooze_action(self, data: dict[str, Any], request: TurnRequest) -> InvokeResponse:
        """`Utsett` on a reminder card: 1 working day, 1 week, or the typed date."""
        locale = request.locale
        follow_up_id = data.get("followUpId")
        option = data.get("option")
        if not isinstance(follow_up_id, str) or not follow_up_id or len(follow_up_id) > MAX_ID:
            return card_action_message(text("card.unknown_action", locale))
        today = oslo_today(request.now)
        calendar = self._deps.calendar
        try:
            if option == SNOOZE_DAY:
                until = calendar.add_working_days(today, 1)
            elif option == SNOOZE_WEEK:
                until = calendar.working_day_on_or_after(today + timedelta(days=7))
            elif option == SNOOZE_DATE:
                phrase = data.get(snooze_input_id(follow_up_id))
                if not isinstance(phrase, str) or not phrase.strip():
                    return card_action_message(text("reminder.snooze_missing_date", locale))
                until = read_one_date(phrase[:200], request.now, today, locale)
            else:
                return card_action_message(text("card.unknown_action", locale))

            def work(uow: UnitOfWork) -> Snoozed:
                return snooze_follow_up(
                    uow,
                    self._person(uow, request),
                    follow_up_id,
                    until,
                    request.now,
                    calendar=calendar,
                    settings=self._deps.reminders,
                )

            snoozed = await self._write(work)
        except DateProblem as problem:
            return card_action_message(problem.reply)
        except NotRegistered:
            return card_action_message(text("person.not_registered", locale))
        except FollowUpError as error:
            return card_action_message(error_reply(error, locale, markdown=False))
        return card_action_message(_snoozed(snoozed, locale))


def _status(person: Person, locale: str | None) -> str:
    state = "reminder.state_paused" if person.reminders_paused else "reminder.state_on"
    return text(
        "reminder.status", locale, state=text(state, locale), count=person.reminders_per_day
    )


def _snooze_choice_card(done: _SnoozeChoice, until: date, today: date, locale: str | None) -> Card:
    reference = done.contract.reference
    items = [
        ChoiceItem(
            candidate.checkpoint.title,
            candidate.follow_up.due_date,
            candidate.overdue(today),
            execute_button(
                text("reminder.snooze_choice_button", locale),
                SNOOZE_CHOICE_VERB,
                {"followUpId": candidate.follow_up.id, "until": until.isoformat()},
            ),
        )
        for candidate in done.choice.candidates
    ]
    title = text(
        "reminder.snooze_choice_title",
        locale,
        reference=reference,
        date=formatting.due(until, locale),
    )
    footer = None
    if len({c.checkpoint.id for c in done.choice.candidates}) > 1:
        code = done.choice.candidates[0].checkpoint.code
        footer = text("reminder.snooze_choice_hint", locale, reference=reference, checkpoint=code)
    return choice_card(title, items, today, locale, footer=footer)


def _iso_date(value: object) -> date | None:
    """A date a button carries (`2026-12-04`); None for anything else."""
    if not isinstance(value, str) or len(value) != len("2026-12-04"):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _snoozed(snoozed: Snoozed, locale: str | None) -> str:
    values = {
        "date": formatting.due(snoozed.until, locale),
        "reference": snoozed.contract.reference,
        "title": snoozed.checkpoint.title,
        "due": formatting.due(snoozed.follow_up.due_date, locale),
    }
    if not snoozed.overdue:
        key = "reminder.snooze_ok"
    elif snoozed.due_passed:
        key = "reminder.snooze_ok_overdue"  # «fristen var …»
    else:
        key = "reminder.snooze_ok_after_due"  # «fristen er …»: the due date is still ahead
    return text(key, locale, **values)
