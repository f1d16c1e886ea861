"""Answering a follow-up: the card's `Levert`, `Delvis levert`, `Ikke levert` and `Ikke
relevant` (`Action.Execute`, verb `answer`), `Endre svar` (`changeAnswer`), a card's refresh
(`refreshCard`), and the same typed: `levert KOM-2025-0147 [kommentar]`, `delvis …`,
`ikke levert …`, `ikke relevant …`.

The invoke is answered with the card drawn again (`followup.answers.services.answer_view` for each
of its follow-ups): the answered one shows who answered, when and what, and `Endre svar`. An
answer click is one unit of work: the answer is recorded and the card's follow-ups read in the
same transaction. Only database work happens before the reply, well within Teams' five seconds.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, Final

from botbuilder.core import InvokeResponse

from bot.conversation import formatting
from bot.conversation.domain_commands import DomainCommands, NotRegistered, guarded
from bot.conversation.follow_up_cards import (
    ANSWER_VERB,
    CHANGE_VERB,
    REFRESH_VERB,
    card_items_from,
    comment_input_id,
    follow_ups_card,
)
from bot.conversation.replies import card_reply, error_reply
from bot.conversation.router import (
    Command,
    CommandRouter,
    Reply,
    TurnRequest,
    card_action_card,
    card_action_message,
)
from bot.conversation.texts import text
from followup.answers.services import (
    AnswerRecorded,
    FollowUpView,
    RecordAnswer,
    answer_view,
    record_answer,
)
from followup.answers.targets import follow_up_to_answer
from followup.calendar.workdays import oslo_today
from followup.errors import FollowUpError
from followup.models import AnswerKind
from followup.ports import UnitOfWork
from followup.reminders.controls import person_may_answer
from followup.tasks import find_contract

MAX_ID: Final = 64
LEGACY_CONFIRM_VERB: Final = "bekreftLevering"
"""An older card's verb (`leveranseStatus`: levert_komplett, levert_delvis, ikke_levert)."""
LEGACY_STATUS: Final = {
    "levert_komplett": AnswerKind.DELIVERED,
    "levert": AnswerKind.DELIVERED,
    "levert_delvis": AnswerKind.PARTLY_DELIVERED,
    "delvis": AnswerKind.PARTLY_DELIVERED,
    "delvis_levert": AnswerKind.PARTLY_DELIVERED,
    "ikke_levert": AnswerKind.NOT_DELIVERED,
}
TYPED: Final = (
    ("levert", ("delivered",), AnswerKind.DELIVERED),
    ("delvis", ("delvis levert", "partly", "partly delivered"), AnswerKind.PARTLY_DELIVERED),
    ("ikke levert", ("not delivered",), AnswerKind.NOT_DELIVERED),
    ("ikke relevant", ("not applicable", "not relevant"), AnswerKind.NOT_APPLICABLE),
)
CLICKABLE: Final = frozenset(
    {
        AnswerKind.DELIVERED,
        AnswerKind.PARTLY_DELIVERED,
        AnswerKind.NOT_DELIVERED,
        AnswerKind.NOT_APPLICABLE,
    }
)


def _follow_up_id(data: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and 0 < len(value) <= MAX_ID:
            return value
    return None


class AnswerCommands(DomainCommands):
    def register(self, router: CommandRouter) -> None:
        for word, aliases, kind in TYPED:
            command = Command(
                word,
                aliases,
                text(f"command.{word}"),
                ("personal",),
                self._typed(kind),
                in_menu=False,
            )
            router.register(replace(command, handler=guarded(command.handler)))
        router.register_card_action(ANSWER_VERB, self.answer_action)
        router.register_card_action(CHANGE_VERB, self.change_action)
        router.register_card_action(REFRESH_VERB, self.refresh_action)
        router.register_card_action(LEGACY_CONFIRM_VERB, self.legacy_confirm_action)

    # --- typed -----------------------------------------------------------------------------------

    def _typed(self, kind: AnswerKind) -> Any:
        async def handler(rest: str, request: TurnRequest) -> Reply:
            return await self.answer_typed(kind, rest, request)

        return handler

    async def answer_typed(self, kind: AnswerKind, rest: str, request: TurnRequest) -> Reply:
        locale = request.locale
        words = rest.split(maxsplit=1)
        if not words:
            return text("answer.usage", locale)
        reference = words[0]
        comment = words[1] if len(words) > 1 else None
        today = oslo_today(request.now)

        def work(uow: UnitOfWork) -> tuple[AnswerRecorded, FollowUpView, int] | None:
            person = self._person(uow, request)
            contract = find_contract(uow, reference)
            choice = follow_up_to_answer(uow, person, contract, today)
            if choice.follow_up is None:
                return None
            follow_up_id = choice.follow_up.id
            recorded = record_answer(
                _command(follow_up_id, kind, person.id, request, comment), uow, request.now
            )
            return recorded, answer_view(follow_up_id, uow), choice.others_open

        done = await self._write(work)
        if done is None:
            return text("answer.none_open", locale, reference=reference[:MAX_ID])
        recorded, view, others = done
        notes = [_saved(view, kind, locale)]
        if not recorded.created:
            notes.append(text("answer.already", locale))
        if others:
            notes.append(
                text("answer.others_open", locale, count=others, reference=view.contract.reference)
            )
        if kind is AnswerKind.NOT_DELIVERED and not view.deviations:
            notes.append(
                text("answer.not_delivered_hint", locale, reference=view.contract.reference)
            )
        card = follow_ups_card([view], today, locale, notice=" ".join(notes))
        return card_reply(card)

    # --- card actions ----------------------------------------------------------------------------

    async def answer_action(self, data: dict[str, Any], request: TurnRequest) -> InvokeResponse:
        kind_value = data.get("kind")
        kind = next((k for k in CLICKABLE if k.value == kind_value), None)
        follow_up_id = _follow_up_id(data, "followUpId")
        if kind is None or follow_up_id is None:
            return card_action_message(text("card.unknown_action", request.locale))
        comment = data.get(comment_input_id(follow_up_id))
        return await self._answer_and_redraw(
            data, follow_up_id, kind, request, comment if isinstance(comment, str) else None
        )

    async def legacy_confirm_action(
        self, data: dict[str, Any], request: TurnRequest
    ) -> InvokeResponse:
        status = data.get("leveranseStatus")
        kind = LEGACY_STATUS.get(status) if isinstance(status, str) else None
        follow_up_id = _follow_up_id(data, "oppfolgingId", "followUpId")
        if kind is None or follow_up_id is None:
            return card_action_message(text("card.unknown_action", request.locale))
        comment = data.get("kommentar")
        return await self._answer_and_redraw(
            data, follow_up_id, kind, request, comment if isinstance(comment, str) else None
        )

    async def change_action(self, data: dict[str, Any], request: TurnRequest) -> InvokeResponse:
        follow_up_id = _follow_up_id(data, "followUpId")
        if follow_up_id is None:
            return card_action_message(text("card.unknown_action", request.locale))
        return await self._redraw(data, follow_up_id, request, editing=True)

    async def refresh_action(self, data: dict[str, Any], request: TurnRequest) -> InvokeResponse:
        follow_up_id = _follow_up_id(data, "followUpId", "oppfolgingId")
        if follow_up_id is None:
            return card_action_message(text("card.unknown_action", request.locale))
        return await self._redraw(data, follow_up_id, request, editing=False)

    # --- the work --------------------------------------------------------------------------------

    async def _answer_and_redraw(
        self,
        data: dict[str, Any],
        follow_up_id: str,
        kind: AnswerKind,
        request: TurnRequest,
        comment: str | None,
    ) -> InvokeResponse:
        """Record the answer and draw the card again, in one unit of work (see `_redraw`)."""
        locale = request.locale
        ids = card_items_from(data, follow_up_id)
        today = oslo_today(request.now)

        def work(uow: UnitOfWork) -> list[FollowUpView] | None:
            person = self._person(uow, request)
            record_answer(
                _command(follow_up_id, kind, person.id, request, comment), uow, request.now
            )
            return _card_views(uow, person.id, ids, follow_up_id, today)

        try:
            shown = await self._write(work)
        except NotRegistered:
            return card_action_message(text("person.not_registered", locale))
        except FollowUpError as error:
            return card_action_message(error_reply(error, locale))
        answered = next((v for v in shown or () if v.follow_up.id == follow_up_id), None)
        notice = None
        if kind is AnswerKind.NOT_DELIVERED and answered is not None and not answered.deviations:
            notice = text(
                "answer.not_delivered_hint", locale, reference=answered.contract.reference
            )
        return _card_response(shown, follow_up_id, today, locale, editing=False, notice=notice)

    async def _redraw(
        self,
        data: dict[str, Any],
        follow_up_id: str,
        request: TurnRequest,
        *,
        editing: bool,
    ) -> InvokeResponse:
        """The card again, as its follow-ups stand now: the acted-on one must be the person's to
        answer, and of the card's other items only those that are theirs too are shown."""
        ids = card_items_from(data, follow_up_id)
        today = oslo_today(request.now)

        def views(uow: UnitOfWork) -> list[FollowUpView] | None:
            return _card_views(uow, self._person(uow, request).id, ids, follow_up_id, today)

        try:
            shown = await self._read(views)
        except NotRegistered:
            return card_action_message(text("person.not_registered", request.locale))
        return _card_response(shown, follow_up_id, today, request.locale, editing=editing)


def _command(
    follow_up_id: str,
    kind: AnswerKind,
    person_id: str,
    request: TurnRequest,
    comment: str | None,
) -> RecordAnswer:
    return RecordAnswer(
        follow_up_id,
        kind,
        person_id,
        text=comment,
        source_activity_id=request.activity_id,
        source_channel_id=getattr(request.raw_activity, "channel_id", None),
        source_conversation_id=request.conversation_id,
    )


def _card_views(
    uow: UnitOfWork, person_id: str, ids: list[str], follow_up_id: str, today: date
) -> list[FollowUpView] | None:
    """The card's follow-ups the person may answer, each built once; None when the acted-on
    one is not theirs."""
    shown = []
    for item in ids:
        try:
            view = answer_view(item, uow)
        except FollowUpError:
            continue  # removed since the card was sent
        if not person_may_answer(uow, person_id, view.contract, today):
            if item == follow_up_id:
                return None
            # The card's other ids come from the client: never show what the person could not
            # answer themselves.
            continue
        shown.append(view)
    return shown


def _card_response(
    shown: list[FollowUpView] | None,
    follow_up_id: str,
    today: date,
    locale: str | None,
    *,
    editing: bool,
    notice: str | None = None,
) -> InvokeResponse:
    if shown is None:
        return card_action_message(text("answer.not_yours", locale))
    if not shown:
        return card_action_message(text("answer.unknown_follow_up", locale))
    card = follow_ups_card(
        shown, today, locale, editing=follow_up_id if editing else None, notice=notice
    )
    return card_action_card(card)


def _saved(view: FollowUpView, kind: AnswerKind, locale: str | None) -> str:
    return text(
        "answer.saved",
        locale,
        what=text(f"answer.kind.{kind.value}", locale),
        reference=view.contract.reference,
        title=view.checkpoint.title,
        due=formatting.due(view.due_date, locale),
    )


__all__ = ["AnswerCommands"]
