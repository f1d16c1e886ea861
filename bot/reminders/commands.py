"""What a person says about their reminders: `påminnelser` (status, pause, fortsett, flere),
`pause`, `fortsett`, `utsett <avtalenr> <dato>`, and the `Utsett` buttons on reminder cards
(`Action.Execute`, verb `snooze`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from botbuilder.core import InvokeResponse

from bot.conversation import formatting
from bot.conversation.domain_commands import DomainCommands, NotRegistered, guarded
from bot.conversation.replies import DateProblem, error_reply, read_one_date
from bot.conversation.router import Command, CommandRouter, Reply, TurnRequest, card_action_message
from bot.conversation.texts import text
from bot.reminders.cards import (
    SNOOZE_DATE,
    SNOOZE_DAY,
    SNOOZE_VERB,
    SNOOZE_WEEK,
    snooze_input_id,
)
from followup.calendar.workdays import oslo_today
from followup.errors import FollowUpError
from followup.models import Person
from followup.ports import UnitOfWork
from followup.reminders.controls import (
    Snoozed,
    open_follow_ups_to_snooze,
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
        locale = request.locale
        words = rest.split(maxsplit=1)
        if len(words) < 2:
            return text("reminder.snooze_usage", locale)
        reference, phrase = words
        today = oslo_today(request.now)
        until = read_one_date(phrase, request.now, today, locale)

        def work(uow: UnitOfWork) -> Snoozed | None:
            person = self._person(uow, request)
            contract = find_contract(uow, reference)
            open_ones = open_follow_ups_to_snooze(uow, person, contract, today)
            if not open_ones:
                return None
            return snooze_follow_up(
                uow,
                person,
                open_ones[0].id,
                until,
                request.now,
                calendar=self._deps.calendar,
                settings=self._deps.reminders,
            )

        snoozed = await self._write(work)
        if snoozed is None:
            return text("reminder.snooze_none", locale, reference=reference[:MAX_ID])
        return _snoozed(snoozed, locale)

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
            return card_action_message(error_reply(error, locale))
        return card_action_message(_snoozed(snoozed, locale))


def _status(person: Person, locale: str | None) -> str:
    state = "reminder.state_paused" if person.reminders_paused else "reminder.state_on"
    return text(
        "reminder.status", locale, state=text(state, locale), count=person.reminders_per_day
    )


def _snoozed(snoozed: Snoozed, locale: str | None) -> str:
    values = {
        "date": formatting.due(snoozed.until, locale),
        "reference": snoozed.contract.reference,
        "title": snoozed.checkpoint.title,
        "due": formatting.due(snoozed.follow_up.due_date, locale),
    }
    key = "reminder.snooze_ok_overdue" if snoozed.overdue else "reminder.snooze_ok"
    return text(key, locale, **values)
