"""What a contract owner (or deputy) types: follow-ups, contracts, plans, absence, calendar.

Thin handlers: read the words, call a `followup` service in a worker thread (one unit of work
per command, committed only when it writes), render a card or a sentence. Every domain error
becomes a reply through `bot.conversation.replies.error_reply`, by its code.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from botbuilder.core import MessageFactory

from bot.conversation import formatting
from bot.conversation.channel import members_or_refuse
from bot.conversation.domain_commands import DomainCommands, guarded
from bot.conversation.replies import card_reply, read_period
from bot.conversation.router import Command, CommandRouter, Reply, TurnRequest
from bot.conversation.texts import text
from bot.owner.cards import contracts_card, plan_card, tasks_card
from followup.absence import (
    BackFromAbsence,
    RegisterAbsence,
    current_and_future_absences,
    end_current_absence,
    register_absence,
    set_standing_deputy,
)
from followup.access import reader_scope
from followup.calendar.feed import feed_path, has_calendar_token, issue_calendar_token
from followup.calendar.workdays import oslo_today
from followup.channel_members import people_in_channel
from followup.models import Absence, Person
from followup.ports import UnitOfWork
from followup.tasks import (
    TASK_DAYS,
    ContractLine,
    ContractPlan,
    TaskItem,
    contract_plan,
    list_contracts,
    list_tasks,
)

log = logging.getLogger(__name__)

MAX_DAYS = 366
MAX_FILTER = 60
NONE_WORDS = frozenset({"ingen", "none", "fjern", "clear", "remove"})
END_WORDS = frozenset({"slutt", "ferdig", "over", "end", "stop", "stopp"})
RENEW_WORDS = frozenset({"ny", "nytt", "fornye", "forny", "renew", "new"})
_TAG = re.compile(r"<[^<>]{0,500}>")


@dataclass(frozen=True, slots=True)
class _Tasks:
    items: list[TaskItem]
    has_contracts: bool


@dataclass(frozen=True, slots=True)
class _AbsenceView:
    standing: Person | None
    absences: list[tuple[Absence, Person | None]]


def _narrowing(rest: str) -> tuple[int, str | None]:
    """`mine oppgaver 7` (days) or `mine oppgaver <avtalenr eller leverandør>` (a filter)."""
    words = rest.strip()
    if words.isdigit() and len(words) <= 3:
        return max(1, min(int(words), MAX_DAYS)), None
    return TASK_DAYS, (" ".join(words.split())[:MAX_FILTER] or None)


def _matches_task(item: TaskItem, needle: str) -> bool:
    haystack = [item.contract.reference, item.contract.title, item.checkpoint.title]
    if item.supplier is not None:
        haystack.append(item.supplier.name)
    return any(needle in value.casefold() for value in haystack)


def _matches_contract(line: ContractLine, needle: str) -> bool:
    haystack = [line.contract.reference, line.contract.title]
    if line.supplier is not None:
        haystack.append(line.supplier.name)
    return any(needle in value.casefold() for value in haystack)


class OwnerCommands(DomainCommands):
    """`mine oppgaver`, `kontrakter`, `plan`, `stedfortreder`, `fravær`, `tilbake`,
    `kalenderlenke`."""

    def register(self, router: CommandRouter) -> None:
        personal = ("personal",)
        for command in (
            Command(
                "mine oppgaver",
                ("oppgaver", "kalender", "my tasks", "tasks", "calendar"),
                text("command.mine oppgaver"),
                personal,
                self.my_tasks,
            ),
            Command(
                "kontrakter",
                ("mine kontrakter", "contracts", "my contracts"),
                text("command.kontrakter"),
                personal,
                self.my_contracts,
            ),
            Command(
                "plan",
                (),
                text("command.plan"),
                ("personal", "team"),
                self.plan,
            ),
            Command(
                "stedfortreder",
                ("deputy",),
                text("command.stedfortreder"),
                personal,
                self.deputy,
            ),
            Command(
                "fravær",
                ("fravaer", "absence", "away"),
                text("command.fravær"),
                personal,
                self.absence,
            ),
            Command(
                "tilbake",
                ("back",),
                text("command.tilbake"),
                personal,
                self.back,
                in_menu=False,  # the personal menu is full; `fravær slutt` does the same
            ),
            Command(
                "kalenderlenke",
                ("calendar link", "ical", "kalender lenke"),
                text("command.kalenderlenke"),
                personal,
                self.calendar_link,
                in_menu=False,  # the personal menu is full; asked for once
            ),
        ):
            router.register(replace(command, handler=guarded(command.handler)))

    # --- mine oppgaver ------------------------------------------------------------------------

    async def my_tasks(self, rest: str, request: TurnRequest) -> Reply:
        locale = request.locale
        today = oslo_today(request.now)
        days, narrowed_by = _narrowing(rest)

        def work(uow: UnitOfWork) -> _Tasks:
            person = self._person(uow, request)
            items = list_tasks(uow, person.id, today, days=days)
            has_contracts = bool(items) or bool(list_contracts(uow, person.id, today))
            return _Tasks(items, has_contracts)

        found = await self._read(work)
        if not found.has_contracts:
            return text("tasks.no_contracts", locale)
        items = found.items
        if narrowed_by:
            needle = narrowed_by.casefold()
            items = [i for i in items if _matches_task(i, needle)]
            if not items:
                return text("tasks.empty_filtered", locale, days=days, filter=narrowed_by)
        if not items:
            return text("tasks.empty", locale, days=days)
        return card_reply(tasks_card(items, today, locale, days=days, narrowed_by=narrowed_by))

    # --- kontrakter ---------------------------------------------------------------------------

    async def my_contracts(self, rest: str, request: TurnRequest) -> Reply:
        locale = request.locale
        today = oslo_today(request.now)
        narrowed_by = " ".join(rest.split())[:MAX_FILTER] or None

        def work(uow: UnitOfWork) -> list[ContractLine]:
            return list_contracts(uow, self._person(uow, request).id, today)

        lines = await self._read(work)
        if not lines:
            return text("tasks.no_contracts", locale)
        if narrowed_by:
            needle = narrowed_by.casefold()
            lines = [line for line in lines if _matches_contract(line, needle)]
            if not lines:
                return text("contracts.empty_filtered", locale, filter=narrowed_by)
        return card_reply(contracts_card(lines, locale, today=today, narrowed_by=narrowed_by))

    # --- plan <avtalenr> ----------------------------------------------------------------------

    async def plan(self, rest: str, request: TurnRequest) -> Reply:
        """`plan <avtalenr>`: shown only to whom `status` would show the contract, and in a
        channel only when every member may see it (`followup.access.reader_scope`). In a 1:1
        chat the follow-ups waiting for the asker's answer come first, with their actions."""
        locale = request.locale
        reference = rest.strip()
        if not reference:
            return text("plan.usage", locale)
        today = oslo_today(request.now)
        members = await members_or_refuse(request)

        def work(uow: UnitOfWork) -> ContractPlan:
            person = self._person(uow, request)
            channel = people_in_channel(uow, members) if members is not None else None
            scope = reader_scope(
                uow,
                person.id,
                today,
                procurement_addresses=self._deps.procurement_addresses,
                channel_member_ids=channel.person_ids if channel else None,
                unresolved_members=channel.unresolved if channel else 0,
            )
            answerer = person.id if members is None else None
            return contract_plan(uow, reference, today, scope=scope, answerer_id=answerer)

        plan = await self._read(work)
        return card_reply(plan_card(plan, locale, today=today))

    # --- stedfortreder ------------------------------------------------------------------------

    async def deputy(self, rest: str, request: TurnRequest) -> Reply:
        locale = request.locale
        # Teams may turn a typed address into `<a href="mailto:…">…</a>`: keep only the text.
        words = _TAG.sub(" ", rest).split(maxsplit=1)
        if not words:
            return await self._absence_overview(request, with_standing=True)
        first = words[0].removeprefix("mailto:")
        if first.casefold() in NONE_WORDS and len(words) == 1:
            return await self._set_standing(request, None)
        if first.casefold() in {"hjelp", "help", "?"}:
            return text("deputy.usage", locale)
        if len(words) == 1:
            return await self._set_standing(request, first)
        return await self._register(request, words[1], deputy_address=first)

    async def _set_standing(self, request: TurnRequest, address: str | None) -> Reply:
        locale = request.locale

        def work(uow: UnitOfWork) -> Person | None:
            person = self._person(uow, request)
            return set_standing_deputy(uow, person.id, address, request.now)

        deputy = await self._write(work)
        if deputy is None:
            return text("deputy.cleared", locale)
        return text("deputy.set", locale, name=deputy.display_name)

    # --- fravær / tilbake ---------------------------------------------------------------------

    async def absence(self, rest: str, request: TurnRequest) -> Reply:
        phrase = rest.strip()
        if not phrase:
            return await self._absence_overview(request, with_standing=False)
        if phrase.casefold() in END_WORDS:
            return await self.back("", request)
        if phrase.casefold() in {"hjelp", "help", "?"}:
            return text("absence.usage", request.locale)
        return await self._register(request, phrase, deputy_address=None)

    async def back(self, _rest: str, request: TurnRequest) -> Reply:
        """`tilbake`: the absence going on ends; one planned for later stays (and is named)."""
        locale = request.locale

        def work(uow: UnitOfWork) -> BackFromAbsence:
            return end_current_absence(uow, self._person(uow, request).id, request.now)

        back = await self._write(work)
        if back.ended:
            first = back.ended[0]
            said = [
                text(
                    "absence.ended",
                    locale,
                    period=formatting.period(first.start, first.end, locale),
                )
            ]
        else:
            said = [text("absence.nothing_to_end", locale)]
        if back.planned:
            upcoming = back.planned[0]
            period = formatting.period(upcoming.start, upcoming.end, locale)
            said.append(text("absence.planned_stays", locale, period=period))
        return MessageFactory.text("\n\n".join(said))

    async def _register(
        self, request: TurnRequest, phrase: str, *, deputy_address: str | None
    ) -> Reply:
        locale = request.locale
        today = oslo_today(request.now)
        start, end = read_period(phrase, request.now, today, locale)

        def work(uow: UnitOfWork) -> tuple[Absence, Person | None, Person | None]:
            person = self._person(uow, request)
            absence = register_absence(
                RegisterAbsence(person.id, start, end, deputy_address), uow, request.now
            )
            deputy = uow.people.get(absence.deputy_person_id) if absence.deputy_person_id else None
            standing = uow.people.get(person.deputy_person_id) if person.deputy_person_id else None
            return absence, deputy, standing

        absence, deputy, standing = await self._write(work)
        period = formatting.period(absence.start, absence.end, locale)
        if deputy is not None:
            return text(
                "absence.registered_with_deputy", locale, deputy=deputy.display_name, period=period
            )
        covers = (
            text("absence.standing_covers", locale, deputy=standing.display_name)
            if standing is not None
            else text("absence.default_covers", locale)
        )
        return MessageFactory.text(
            "\n\n".join([text("absence.registered", locale, period=period), covers])
        )

    async def _absence_overview(self, request: TurnRequest, *, with_standing: bool) -> Reply:
        locale = request.locale
        today = oslo_today(request.now)

        def work(uow: UnitOfWork) -> _AbsenceView:
            person = self._person(uow, request)
            absences = sorted(
                current_and_future_absences(uow, person.id, today), key=lambda a: a.start
            )
            ids = {a.deputy_person_id for a in absences if a.deputy_person_id}
            if person.deputy_person_id:
                ids.add(person.deputy_person_id)
            people = uow.people.get_many(ids) if ids else {}
            standing = people.get(person.deputy_person_id) if person.deputy_person_id else None
            return _AbsenceView(
                standing=standing,
                absences=[
                    (a, people.get(a.deputy_person_id) if a.deputy_person_id else None)
                    for a in absences
                ],
            )

        view = await self._read(work)
        parts: list[str] = []
        if with_standing:
            parts.append(
                text("deputy.standing", locale, name=view.standing.display_name)
                if view.standing
                else text("deputy.standing_none", locale)
            )
        parts.append(_absence_list(view.absences, locale))
        parts.append(text("deputy.usage" if with_standing else "absence.usage", locale))
        return MessageFactory.text("\n\n".join(parts))

    # --- kalenderlenke ------------------------------------------------------------------------

    async def calendar_link(self, rest: str, request: TurnRequest) -> Reply:
        locale = request.locale
        renew = rest.strip().casefold() in RENEW_WORDS

        def work(uow: UnitOfWork) -> str | None:
            person_id = self._person(uow, request).id
            if not renew and has_calendar_token(uow, person_id):
                return None
            return issue_calendar_token(uow, person_id, request.now)

        token = await self._write(work)
        if token is None:
            return text("calendar.exists", locale)
        url = f"{self._deps.base_url.rstrip('/')}{feed_path(token)}"
        return text("calendar.renewed" if renew else "calendar.link", locale, url=url)


def _absence_list(absences: Sequence[tuple[Absence, Person | None]], locale: str | None) -> str:
    if not absences:
        return text("absence.none", locale)
    lines = [text("absence.list", locale)]
    for absence, deputy in absences:
        period = formatting.period(absence.start, absence.end, locale)
        lines.append(
            "- "
            + (
                text("absence.item_deputy", locale, period=period, deputy=deputy.display_name)
                if deputy is not None
                else text("absence.item_default", locale, period=period)
            )
        )
    return "\n".join(lines)
