"""Procurement's questions in the chat, in a 1:1 chat and in a channel by @mention:
`status [avtalenr | leverandør | enhet | eier]`, `forfalt [...]`, the lists of
`avvik [åpne | alle] [kategori] [alvorlighet]` (`bot.deviations.commands` owns the word `avvik`
and hands its lists here; `avvik <avtalenr>` in a 1:1 chat still reports one), `mer`, and the
administrators' `rolle gi | fjern <e-post> innkjøp | admin`.

**Who sees what** (`followup.access`): procurement sees the whole portfolio, an owner their own
contracts and those they cover as deputy, anyone else a polite refusal. In a channel (or group
chat) only what every member may see is posted: the members come from the Bot Connector (paged),
are mapped to people (`followup.channel_members`) and kept for `MEMBERS_TTL`, and the channel's
scope (`channel_scope`) is intersected with the asker's own.

**Lists** come a page at a time. Every list card's `Mer` and filter buttons carry the question
in their data (`bot.portfolio.cards`); the next page of the conversation's last list is also
kept in the conversation state (in the database), so `mer` typed continues it. Nothing in a
card's data is trusted: the scope is worked out again for every question, and a contract named
by a card is refused when it is outside it.

Every question is one unit of work in a worker thread, through the domain's functions
(`followup.portfolio`), which answer in SQL a page at a time.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Final, TypeVar

from botbuilder.core import InvokeResponse

from bot.conversation.cards import Card
from bot.conversation.dependencies import BotDependencies
from bot.conversation.domain_commands import DomainCommands, NotRegistered, guarded
from bot.conversation.markdown import echo, unescape
from bot.conversation.replies import card_reply, error_reply
from bot.conversation.router import (
    Command,
    CommandRouter,
    Reply,
    TurnRequest,
    card_action_card,
    card_action_message,
    scope_of,
)
from bot.conversation.texts import text
from bot.portfolio.cards import (
    DEVIATIONS_VERB,
    FILTER_CATEGORY,
    FILTER_OPEN,
    FILTER_SEVERITY,
    HISTORY_VERB,
    OVERDUE_VERB,
    STATUS_VERB,
    DeviationQuery,
    candidates_card,
    deviations_card,
    history_card,
    overdue_card,
    overview_card,
    status_card,
)
from bot.portfolio.evaluations import supplier_evaluations, with_evaluations
from bot.teams.connector import ConnectorError
from bot.teams.members import conversation_members
from followup.access import (
    CHANNEL_MEMBERS_UNKNOWN,
    GrantRole,
    RevokeRole,
    Viewer,
    grant_role,
    resolve_viewer,
    revoke_role,
    scope_in_channel,
)
from followup.calendar.workdays import oslo_today
from followup.channel_members import ChannelPeople, people_in_channel
from followup.conversations import channel_conversation_id
from followup.deviations.intake import normalise, read_category, read_severity
from followup.errors import FollowUpError, NotAllowed
from followup.models import DeviationCategory, Role, Severity
from followup.portfolio import (
    ContractOverview,
    ResolutionKind,
    list_deviations,
    list_overdue,
    portfolio_status,
    resolve_status_target,
    status_for,
    target_from_card,
)
from followup.ports import UnitOfWork
from followup.tasks import waiting_follow_ups
from followup.views import WHOLE, PageRequest, Scope, StatusTarget, TargetKind

log = logging.getLogger(__name__)

T = TypeVar("T")

PAGE_SIZE: Final = 10
LAST_LIST: Final = "portfolio/last-list/"
"""Where (`BotDependencies.state_storage`, key + the conversation id) the next page of a
conversation's (a channel's) last list is kept."""
MEMBERS_TTL: Final = timedelta(minutes=2)
MAX_CACHED_CHANNELS: Final = 500
MAX_TEXT: Final = 200
MAX_KEY: Final = 200
MAX_CURSOR: Final = 400
MAX_OFFSET: Final = 10_000_000


OPEN_WORDS: Final = frozenset({"åpne", "åpen", "åpent", "apne", "apen", "apent", "open"})
ALL_WORDS: Final = frozenset({"alle", "all", "alt"})
GRANT_WORDS: Final = frozenset({"gi", "legg til", "tildel", "grant", "add", "give"})
REVOKE_WORDS: Final = frozenset({"fjern", "ta bort", "frata", "revoke", "remove"})
ROLE_WORDS: Final = {
    "innkjøp": Role.PROCUREMENT,
    "innkjop": Role.PROCUREMENT,
    "innkjøpsteamet": Role.PROCUREMENT,
    "procurement": Role.PROCUREMENT,
    "admin": Role.ADMIN,
    "administrator": Role.ADMIN,
    "eier": Role.OWNER,
    "kontraktseier": Role.OWNER,
    "owner": Role.OWNER,
}
_TAG: Final = re.compile(r"<[^<>]{0,500}>")


# --- what `avvik …` asks ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeviationWords:
    """`avvik [åpne | alle] [kategori] [alvorlighet] [avtalenr | leverandør | …]` read."""

    query: DeviationQuery
    rest: str
    """The words that are no filter (what to narrow the list to)."""


def _filter_word(phrase: str) -> tuple[str, Any] | None:
    wanted = normalise(phrase)
    if not wanted or any(ch.isdigit() for ch in wanted):
        return None  # numbers are references, never filters
    if wanted in OPEN_WORDS:
        return "open", True
    if wanted in ALL_WORDS:
        return "open", False
    severity = read_severity(wanted)
    if severity is not None:
        return "severity", severity
    category = read_category(wanted)
    if category is not None:
        return "category", category
    return None


def read_deviation_words(rest: str) -> DeviationWords:
    """The filters in `rest` (phrases of up to three words, e.g. `feil mengde`), and the words
    left over."""
    words = rest.split()
    found: dict[str, Any] = {}
    left: list[str] = []
    i = 0
    while i < len(words):
        for size in (3, 2, 1):
            if i + size > len(words):
                continue
            read = _filter_word(" ".join(words[i : i + size]))
            if read is not None and read[0] not in found:
                found[read[0]] = read[1]
                i += size
                break
        else:
            left.append(words[i])
            i += 1
    query = DeviationQuery(
        open_only=bool(found.get("open", True)),
        category=found.get("category"),
        severity=found.get("severity"),
    )
    return DeviationWords(query, " ".join(left))


def is_deviation_list(rest: str) -> bool:
    """`avvik` alone or with filters only: a list (anything else in a 1:1 chat reports one)."""
    return not read_deviation_words(rest).rest


# --- what a question carries -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ask:
    text: str | None = None
    """Typed words naming a contract, supplier, unit or owner."""
    target: TargetKind | None = None
    key: str | None = None
    cursor: str | None = None
    offset: int = 0
    query: DeviationQuery = field(default_factory=DeviationQuery)


def _string(data: dict[str, Any], key: str, limit: int) -> str | None:
    value = data.get(key)
    if isinstance(value, str) and value.strip() and len(value) <= limit:
        return value.strip()
    return None


def _ask_from(data: dict[str, Any]) -> _Ask:
    """A question from a card's data (or the conversation's last list): every field guarded.
    The deviation list's «Filtrer» (`filter` in its data) asks with what its drop-downs say
    (`FILTER_OPEN`, `FILTER_SEVERITY`, `FILTER_CATEGORY`); every other button with its data."""
    kind = _string(data, "target", 20)
    target = TargetKind(kind) if kind in {k.value for k in TargetKind} else None
    key = _string(data, "key", MAX_KEY) if target else None
    offset = data.get("offset")
    if data.get("filter") is True:
        data = {
            "open": data.get(FILTER_OPEN) != "false",
            "category": data.get(FILTER_CATEGORY),
            "severity": data.get(FILTER_SEVERITY),
        }
        offset = 0
    category = _string(data, "category", 40)
    severity = _string(data, "severity", 20)
    return _Ask(
        text=_string(data, "text", MAX_TEXT),
        target=target if key else None,
        key=key,
        cursor=_string(data, "cursor", MAX_CURSOR),
        offset=offset if isinstance(offset, int) and 0 <= offset <= MAX_OFFSET else 0,
        query=DeviationQuery(
            open_only=data.get("open") is not False,
            category=(
                DeviationCategory(category)
                if category in {c.value for c in DeviationCategory}
                else None
            ),
            severity=Severity(severity) if severity in {s.value for s in Severity} else None,
        ),
    )


def _ask_data(ask: _Ask) -> dict[str, Any]:
    data: dict[str, Any] = {**ask.query.data(), "offset": ask.offset}
    if ask.text:
        data["text"] = ask.text
    if ask.target and ask.key:
        data.update({"target": ask.target.value, "key": ask.key})
    if ask.cursor:
        data["cursor"] = ask.cursor
    return data


# --- who is asking, and where ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Access:
    viewer: Viewer
    scope: Scope
    narrowed: bool
    """In a channel that may see less than the asker."""
    answerer_id: str | None = None
    """The asker in a 1:1 chat (a contract's follow-ups waiting for their answer come with
    their actions); None in a channel."""


@dataclass(frozen=True, slots=True)
class _Answer:
    shown: Card | str
    next_page: dict[str, Any] | None = None
    """What the next page asks (None: none)."""
    listed: bool = False
    """A page of a list: what `mer` continues."""


class ChannelPeopleCache:
    """The people of a few hundred channels, each for `MEMBERS_TTL` (by the bot's clock)."""

    def __init__(self, ttl: timedelta = MEMBERS_TTL, size: int = MAX_CACHED_CHANNELS) -> None:
        self._ttl = ttl
        self._size = size
        self._entries: OrderedDict[str, tuple[datetime, ChannelPeople]] = OrderedDict()

    def get(self, conversation_id: str, now: datetime) -> ChannelPeople | None:
        entry = self._entries.get(conversation_id)
        if entry is None:
            return None
        if now >= entry[0]:
            del self._entries[conversation_id]
            return None
        return entry[1]

    def put(self, conversation_id: str, people: ChannelPeople, now: datetime) -> None:
        self._entries[conversation_id] = (now + self._ttl, people)
        self._entries.move_to_end(conversation_id)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)


# --- the commands ------------------------------------------------------------------------------


class PortfolioCommands(DomainCommands):
    """`status`, `forfalt`, the lists of `avvik`, `mer`, `rolle`, and their cards' buttons."""

    def __init__(self, deps: BotDependencies) -> None:
        super().__init__(deps)
        self._channels = ChannelPeopleCache()
        self._storage = deps.state_storage

    def register(self, router: CommandRouter) -> None:
        everywhere = ("personal", "team")
        for command in (
            Command(
                "status",
                ("portefølje", "portfolio"),
                text("command.status"),
                everywhere,
                self.status,
            ),
            Command(
                "forfalt",
                ("forfalte", "overdue"),
                text("command.forfalt"),
                everywhere,
                self.overdue,
            ),
            Command(
                "mer",
                ("more", "neste side", "next page"),
                text("command.mer"),
                everywhere,
                self.more,
                in_menu=False,
            ),
            Command(
                "rolle",
                ("roller", "role", "roles"),
                text("command.rolle"),
                ("personal",),
                self.role,
                in_menu=False,
                admin_only=True,
            ),
        ):
            router.register(replace(command, handler=guarded(command.handler)))
        for verb in (STATUS_VERB, OVERDUE_VERB, DEVIATIONS_VERB, HISTORY_VERB):
            router.register_card_action(verb, self._card_action(verb))

    # --- typed ---------------------------------------------------------------------------------

    async def status(self, rest: str, request: TurnRequest) -> Reply:
        """`status`: the portfolio in scope; `status <tekst>`: one contract, supplier, unit or
        owner (several matches: a card to pick from)."""
        return _reply(await self._answer(STATUS_VERB, _Ask(text=_words(rest)), request))

    async def overdue(self, rest: str, request: TurnRequest) -> Reply:
        """`forfalt [avtalenr | leverandør | enhet | eier]`: overdue follow-ups, oldest first."""
        return _reply(await self._answer(OVERDUE_VERB, _Ask(text=_words(rest)), request))

    async def deviations(self, rest: str, request: TurnRequest) -> Reply:
        """`avvik [åpne | alle] [kategori] [alvorlighet] [avtalenr | leverandør | …]`."""
        words = read_deviation_words(rest)
        ask = _Ask(text=_words(words.rest), query=words.query)
        return _reply(await self._answer(DEVIATIONS_VERB, ask, request))

    async def more(self, _rest: str, request: TurnRequest) -> Reply:
        """`mer`: the next page of the conversation's last list."""
        locale = request.locale
        key = _list_key(request)
        last = (await self._storage.read([key])).get(key) if key else None
        if not isinstance(last, dict) or last.get("verb") not in _LISTS:
            return text("portfolio.more.nothing", locale)
        data = last.get("data")
        if not isinstance(data, dict):
            return text("portfolio.more.done", locale)
        return _reply(await self._answer(str(last["verb"]), _ask_from(data), request))

    # --- buttons -------------------------------------------------------------------------------

    def _card_action(self, verb: str) -> Callable[[dict[str, Any], TurnRequest], Any]:
        async def run(data: dict[str, Any], request: TurnRequest) -> InvokeResponse:
            locale = request.locale
            try:
                answer = await self._answer(verb, _ask_from(data), request)
            except NotRegistered:
                return card_action_message(text("person.not_registered", locale))
            except FollowUpError as error:
                return card_action_message(error_reply(error, locale, markdown=False))
            if isinstance(answer, str):
                # Written for the chat (what it quotes is escaped for Markdown); Teams shows a
                # card action's message as it is.
                return card_action_message(unescape(answer))
            return card_action_card(answer)

        return run

    # --- the questions -------------------------------------------------------------------------

    async def _answer(self, verb: str, ask: _Ask, request: TurnRequest) -> Card | str:
        locale = request.locale
        today = oslo_today(request.now)
        channel = await self._channel_people(request) if scope_of(request.kind) == "team" else None
        ask_question = _QUESTIONS[verb]

        def work(uow: UnitOfWork) -> _Answer:
            access = self._access(uow, request, today, channel)
            return ask_question(self, uow, ask, access, today, locale)

        answer = await self._read(work)
        if answer.listed:
            await self._remember(request, verb, answer.next_page)
        return answer.shown

    async def _remember(
        self, request: TurnRequest, verb: str, next_page: dict[str, Any] | None
    ) -> None:
        """Keep what `mer` asks next in this conversation (None: the list is done). Written
        without an e-tag, so two presses at once cannot make a turn fail: the last one wins."""
        key = _list_key(request)
        if key:
            await self._storage.write({key: {"verb": verb, "data": next_page}})

    def _access(
        self,
        uow: UnitOfWork,
        request: TurnRequest,
        today: date,
        channel: ChannelPeople | None,
    ) -> _Access:
        person = self._person(uow, request)
        addresses = self._deps.procurement_addresses
        viewer = resolve_viewer(uow, person.id, today, procurement_addresses=addresses)
        if channel is None:
            return _Access(viewer, viewer.scope, narrowed=False, answerer_id=person.id)
        scope = scope_in_channel(
            uow,
            viewer,
            channel.person_ids,
            today,
            procurement_addresses=addresses,
            unresolved_members=channel.unresolved,
        )
        return _Access(viewer, scope, narrowed=scope != viewer.scope)

    def _status(
        self, uow: UnitOfWork, ask: _Ask, access: _Access, today: date, locale: str | None
    ) -> _Answer:
        found = self._target(uow, ask, access, STATUS_VERB, {}, locale)
        if isinstance(found, str | dict):
            return _Answer(found)
        note = _note(access, locale)
        if found is None:
            status = portfolio_status(uow, access.scope, today)
            return _Answer(status_card(status, _heading(access, locale), locale, note=note))
        result = status_for(uow, found, access.scope, today)
        if isinstance(result, ContractOverview):
            waiting = (
                waiting_follow_ups(uow, access.answerer_id, result.contract, today)
                if access.answerer_id
                else []
            )
            card = overview_card(result, locale, note=note, waiting=waiting, today=today)
            return _Answer(card)
        card = status_card(result, _heading(access, locale), locale, note=note)
        if found.kind is TargetKind.SUPPLIER:
            evaluations = supplier_evaluations(uow, found.key, access.scope)
            card = with_evaluations(card, evaluations, locale)
        return _Answer(card)

    def _overdue(
        self, uow: UnitOfWork, ask: _Ask, access: _Access, today: date, locale: str | None
    ) -> _Answer:
        found = self._target(uow, ask, access, OVERDUE_VERB, {}, locale)
        if isinstance(found, str | dict):
            return _Answer(found)
        page = list_overdue(
            uow,
            access.scope,
            today,
            PageRequest(ask.cursor, PAGE_SIZE),
            subset=found.subset() if found else WHOLE,
        )
        card = overdue_card(
            page,
            _heading(access, locale),
            found,
            locale,
            offset=ask.offset,
            note=_note(access, locale),
        )
        return _Answer(card, _next(found, ask, page.next_cursor, len(page.items)), listed=True)

    def _deviations(
        self, uow: UnitOfWork, ask: _Ask, access: _Access, today: date, locale: str | None
    ) -> _Answer:
        query = ask.query
        found = self._target(uow, ask, access, DEVIATIONS_VERB, query.data(), locale)
        if isinstance(found, str | dict):
            return _Answer(found)
        listing = list_deviations(
            uow,
            access.scope,
            open_only=query.open_only,
            category=query.category.value if query.category else None,
            severity=query.severity,
            page=PageRequest(ask.cursor, PAGE_SIZE),
            subset=found.subset() if found else WHOLE,
        )
        first_plain = found is None and ask.cursor is None and not query.filtered
        if listing.page.total == 0 and first_plain and query.open_only:
            return _Answer(text("portfolio.deviations.none_open", locale))
        card = deviations_card(
            listing,
            query,
            _heading(access, locale),
            found,
            locale,
            offset=ask.offset,
            note=_note(access, locale),
        )
        return _Answer(
            card, _next(found, ask, listing.page.next_cursor, len(listing.page.items)), listed=True
        )

    def _history(
        self, uow: UnitOfWork, ask: _Ask, access: _Access, today: date, locale: str | None
    ) -> _Answer:
        found = self._target(uow, ask, access, STATUS_VERB, {}, locale)
        if isinstance(found, str | dict) or found is None:
            return _Answer(text("card.unknown_action", locale))
        if found.kind is not TargetKind.CONTRACT:
            return _Answer(text("card.unknown_action", locale))
        overview = status_for(
            uow, found, access.scope, today, history=PageRequest(ask.cursor, PAGE_SIZE)
        )
        if not isinstance(overview, ContractOverview):  # pragma: no cover - a contract's is one
            return _Answer(text("card.unknown_action", locale))
        card = history_card(overview, locale, offset=ask.offset)
        items = len(overview.history.items)
        return _Answer(card, _next(found, ask, overview.history.next_cursor, items), listed=True)

    def _target(
        self,
        uow: UnitOfWork,
        ask: _Ask,
        access: _Access,
        verb: str,
        extra: dict[str, Any],
        locale: str | None,
    ) -> StatusTarget | Card | str | None:
        """What the question is about: nothing (the whole scope), a target, a card to pick
        from (several matched) or a message (nothing matched)."""
        if ask.target is not None and ask.key is not None:
            return target_from_card(uow, ask.target, ask.key, access.scope)
        if not ask.text:
            return None
        resolution = resolve_status_target(uow, ask.text, access.scope)
        if resolution.kind is ResolutionKind.FOUND and resolution.target is not None:
            return resolution.target
        if resolution.kind is ResolutionKind.AMBIGUOUS:
            return candidates_card(ask.text, resolution.candidates, verb, extra, locale)
        return text("portfolio.not_found", locale, text=echo(ask.text))

    # --- the channel's members -----------------------------------------------------------------

    async def _channel_people(self, request: TurnRequest) -> ChannelPeople:
        conversation = channel_conversation_id(request.conversation_id or "")
        cached = self._channels.get(conversation, request.now)
        if cached is not None:
            return cached
        try:
            members = await conversation_members(request.turn_context, conversation)
        except (ConnectorError, ValueError, TypeError) as error:
            log.info("could not read a channel's members", extra={"error": str(error)[:200]})
            raise NotAllowed("members unknown", code=CHANNEL_MEMBERS_UNKNOWN) from error
        people = await self._read(lambda uow: people_in_channel(uow, members))
        self._channels.put(conversation, people, request.now)
        return people

    # --- rolle ---------------------------------------------------------------------------------

    async def role(self, rest: str, request: TurnRequest) -> Reply:
        """`rolle gi <e-post> innkjøp | admin`, `rolle fjern <e-post> innkjøp | admin`."""
        locale = request.locale
        words = _TAG.sub(" ", rest).split()
        address = next((w for w in words if "@" in w), None)
        others = [w for w in words if w is not address]
        change = " ".join(others[:-1]).casefold() if len(others) >= 2 else ""
        role = ROLE_WORDS.get(others[-1].casefold()) if others else None
        grant = change in GRANT_WORDS
        if address is None or role is None or not (grant or change in REVOKE_WORDS):
            return text("portfolio.role.usage", locale)
        actor = await self._read(lambda uow: self._person(uow, request))
        if grant:
            granting = GrantRole(actor.id, address, role)
            change_made = await self._write(lambda uow: grant_role(granting, uow, request.now))
        else:
            revoking = RevokeRole(actor.id, address, role, self._deps.procurement_addresses)
            change_made = await self._write(lambda uow: revoke_role(revoking, uow, request.now))
        person = change_made.person
        key = (
            ("granted" if grant else "revoked")
            if change_made.changed
            else ("already" if grant else "not_had")
        )
        return text(
            f"portfolio.role.{key}",
            locale,
            name=person.display_name,
            address=person.email or person.upn or address,
            role=text(f"portfolio.role.name.{role.value}", locale),
        )


_Question = Callable[[PortfolioCommands, UnitOfWork, _Ask, _Access, date, str | None], _Answer]
_QUESTIONS: Final[dict[str, _Question]] = {
    STATUS_VERB: PortfolioCommands._status,
    OVERDUE_VERB: PortfolioCommands._overdue,
    DEVIATIONS_VERB: PortfolioCommands._deviations,
    HISTORY_VERB: PortfolioCommands._history,
}
_LISTS: Final = frozenset({OVERDUE_VERB, DEVIATIONS_VERB, HISTORY_VERB})


def _list_key(request: TurnRequest) -> str | None:
    """A channel's threads share one key (its id without `;messageid=`)."""
    conversation = channel_conversation_id(request.conversation_id or "")
    return LAST_LIST + conversation if conversation else None


def _words(rest: str) -> str | None:
    cleaned = " ".join(_TAG.sub(" ", rest).split())[:MAX_TEXT]
    return cleaned or None


def _reply(answer: Card | str) -> Reply:
    return answer if isinstance(answer, str) else card_reply(answer)


def _next(
    target: StatusTarget | None, ask: _Ask, cursor: str | None, shown: int
) -> dict[str, Any] | None:
    """What the next page asks (None: this was the last)."""
    if cursor is None:
        return None
    following = replace(ask, text=None, cursor=cursor, offset=ask.offset + shown)
    if target is not None:
        following = replace(following, target=target.kind, key=target.key)
    return _ask_data(following)


def _heading(access: _Access, locale: str | None) -> str:
    if access.narrowed:
        return text("portfolio.scope.channel", locale)
    if access.viewer.procurement and access.scope.is_everything:
        return text("portfolio.scope.everything", locale)
    if access.viewer.covering_for:
        return text("portfolio.scope.own_and_covered", locale)
    return text("portfolio.scope.own", locale)


def _note(access: _Access, locale: str | None) -> str | None:
    return text("portfolio.channel.narrowed", locale) if access.narrowed else None


__all__ = [
    "DeviationWords",
    "PortfolioCommands",
    "is_deviation_list",
    "read_deviation_words",
]
