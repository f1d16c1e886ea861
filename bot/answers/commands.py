"""Answering a follow-up: the card's `Levert`, `Delvis levert`, `Ikke levert` and `Ikke
relevant` (`Action.Execute`, verb `answer`), `Endre svar` (`changeAnswer`), a card's refresh
(`refreshCard`), and the same typed: `levert KOM-2025-0147 [kommentar]`, `delvis …`,
`ikke levert …`, `ikke relevant …`. The card's other answers (`I samsvar`, `Møtet er holdt`)
come the same way, and a decision (`Opsjonen utløses`, `Forlenges` …) from the confirm button
of its small form, with who decided and when.

A typed answer names a contract and may name the checkpoint (`levert KOM-2025-0147
skatteattest [kommentar]`); which follow-up it is about is
`followup.answers.targets.choose_follow_up`. Exactly one fitting is answered at once; several
are offered on a choice card (verb `answerChoice`, one button each, the typed comment in a
field); none fitting is told which answers the open ones take. `endre svar KOM-… [kontrollpunkt]`
shows an answered follow-up's card with its actions again, until the follow-up is closed.

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

from bot.answers.choices import (
    CHOICE_COMMENT,
    CHOICE_VERB,
    Typed,
    answer_choice_card,
    change_choice_card,
    latest_kinds,
    none_fits_reply,
)
from bot.conversation import formatting
from bot.conversation.answer_actions import decided_by_input_id, decided_on_input_id
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
from followup.answers import actions
from followup.answers.services import (
    AnswerRecorded,
    FollowUpView,
    RecordAnswer,
    answer_target_for,
    answer_view,
    answer_view_after,
    answer_view_of,
    chosen_target,
    record_answer,
)
from followup.answers.targets import ChoiceKind, action_of, choose_follow_up, fits
from followup.calendar.workdays import oslo_today
from followup.errors import FollowUpError
from followup.models import AnswerKind, Person
from followup.ports import UnitOfWork
from followup.reminders.controls import may_answer
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
CLICKABLE: Final = actions.CLICKABLE
"""The answers a card's `answer` action records (every `followup.answers.actions` code's);
a decision comes with the fields of its form (`answer_actions.decided_by_input_id`, …)."""


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
        change = Command(
            "endre svar",
            ("change answer",),
            text("command.endre svar"),
            ("personal",),
            self.change_typed,
            in_menu=False,
        )
        router.register(replace(change, handler=guarded(change.handler)))
        router.register_card_action(CHOICE_VERB, self.choice_action)
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
        """`levert KOM-… [kontrollpunkt] [kommentar]`: stored at once when exactly one open
        follow-up of the contract fits; otherwise the person is asked which, or told what the
        open ones take."""
        locale = request.locale
        words = rest.split(maxsplit=1)
        if not words:
            return text("answer.usage", locale)
        reference, after = words[0], words[1] if len(words) > 1 else ""
        today = oslo_today(request.now)

        def work(uow: UnitOfWork) -> Typed:
            person = self._person(uow, request)
            contract = find_contract(uow, reference)
            choice = choose_follow_up(uow, person, contract, today, after, action=action_of(kind))
            chosen = choice.chosen
            if chosen is None:
                return Typed(contract, choice, latest_kinds(uow, choice))
            follow_up_id = chosen.follow_up.id
            # The choice read the follow-up, its contract and checkpoint: not read again.
            target = chosen_target(
                uow, person, contract, chosen.follow_up, chosen.checkpoint, request.now
            )
            recorded = record_answer(
                _command(follow_up_id, kind, person.id, request, choice.rest or None),
                uow,
                request.now,
                target=target,
            )
            view = answer_view_after(recorded, target, uow)
            return Typed(contract, choice, recorded=recorded, view=view)

        done = await self._write(work)
        if done.recorded is None or done.view is None:
            if done.choice.kind is ChoiceKind.ASK:
                return card_reply(answer_choice_card(done, kind, today, locale))
            if done.choice.kind is ChoiceKind.NONE_FITS:
                return none_fits_reply(done, kind, today, locale)
            return text("answer.none_open", locale, reference=done.contract.reference)
        notes = _notes(done.view, kind, done.recorded, locale, others=done.choice.others_open)
        return card_reply(follow_ups_card([done.view], today, locale, notice=" ".join(notes)))

    async def change_typed(self, rest: str, request: TurnRequest) -> Reply:
        """`endre svar KOM-… [kontrollpunkt]`: the answered follow-up's card with its actions
        again, whatever its due date, until it is closed (asked which, when several are)."""
        locale = request.locale
        words = rest.split(maxsplit=1)
        if not words:
            return text("answer.change.usage", locale)
        reference, after = words[0], words[1] if len(words) > 1 else ""
        today = oslo_today(request.now)

        def work(uow: UnitOfWork) -> Typed:
            person = self._person(uow, request)
            contract = find_contract(uow, reference)
            choice = choose_follow_up(uow, person, contract, today, after, action=None)
            chosen = choice.chosen
            if chosen is None:
                return Typed(contract, choice, latest_kinds(uow, choice))
            # The choice read the follow-up, its contract and checkpoint: not read again.
            view = answer_view_of(chosen.follow_up, contract, chosen.checkpoint, uow)
            return Typed(contract, choice, view=view)

        done = await self._read(work)
        shown = done.contract.reference
        if done.view is not None:
            notice = text("answer.changing", locale, reference=shown)
            card = follow_ups_card(
                [done.view], today, locale, editing=done.view.follow_up.id, notice=notice
            )
            return card_reply(card)
        if done.choice.kind is ChoiceKind.ASK:
            return card_reply(change_choice_card(done, today, locale))
        return text("answer.change.none", locale, reference=shown)

    async def choice_action(self, data: dict[str, Any], request: TurnRequest) -> InvokeResponse:
        """A button of the choice card (`answer_choice_card`): the typed answer, on the
        follow-up chosen, with the comment of the card's field; the card becomes that
        follow-up's card."""
        locale = request.locale
        kind = next((k for _, _, k in TYPED if k.value == data.get("kind")), None)
        follow_up_id = _follow_up_id(data, "followUpId")
        if kind is None or follow_up_id is None:
            return card_action_message(text("card.unknown_action", locale))
        typed_comment = data.get(CHOICE_COMMENT)
        comment = typed_comment if isinstance(typed_comment, str) else None
        today = oslo_today(request.now)

        def work(uow: UnitOfWork) -> tuple[AnswerRecorded, FollowUpView] | None:
            person = self._person(uow, request)
            target = answer_target_for(uow, follow_up_id, person, request.now)
            if not fits(target.checkpoint, action_of(kind)):
                return None  # the checkpoint's answers changed since the card was sent
            command = _command(follow_up_id, kind, person.id, request, comment)
            recorded = record_answer(command, uow, request.now, target=target)
            return recorded, answer_view_after(recorded, target, uow)

        try:
            done = await self._write(work)
        except NotRegistered:
            return card_action_message(text("person.not_registered", locale))
        except FollowUpError as error:
            return card_action_message(error_reply(error, locale, markdown=False))
        if done is None:
            return card_action_message(text("answer.choice.stale", locale))
        recorded, view = done
        notes = _notes(view, kind, recorded, locale)
        return card_action_card(follow_ups_card([view], today, locale, notice=" ".join(notes)))

    # --- card actions ----------------------------------------------------------------------------

    async def answer_action(self, data: dict[str, Any], request: TurnRequest) -> InvokeResponse:
        kind_value = data.get("kind")
        kind = next((k for k in CLICKABLE if k.value == kind_value), None)
        follow_up_id = _follow_up_id(data, "followUpId")
        if kind is None or follow_up_id is None:
            return card_action_message(text("card.unknown_action", request.locale))
        comment = data.get(comment_input_id(follow_up_id))
        decided_by = data.get(decided_by_input_id(follow_up_id, kind))
        decided_on = data.get(decided_on_input_id(follow_up_id, kind))
        return await self._answer_and_redraw(
            data,
            follow_up_id,
            kind,
            request,
            comment if isinstance(comment, str) else None,
            decided_by=decided_by if isinstance(decided_by, str) else None,
            decided_on=decided_on if isinstance(decided_on, str) else None,
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
        *,
        decided_by: str | None = None,
        decided_on: str | None = None,
    ) -> InvokeResponse:
        """Record the answer and draw the card again, in one unit of work (see `_redraw`). A
        decision's fields come as the card sent them; what is wrong with them is said, and
        nothing is stored (the card stays as it was, its fields filled in). The answered
        follow-up's view is made from what the answer read and wrote (`answer_view_after`)."""
        locale = request.locale
        ids = card_items_from(data, follow_up_id)
        today = oslo_today(request.now)

        def work(uow: UnitOfWork) -> list[FollowUpView] | None:
            person = self._person(uow, request)
            target = answer_target_for(uow, follow_up_id, person, request.now)
            command = _command(follow_up_id, kind, person.id, request, comment)
            recorded = record_answer(
                replace(command, decided_by=decided_by, decided_on=decided_on),
                uow,
                request.now,
                target=target,
            )
            answered = answer_view_after(recorded, target, uow)
            return _card_views(uow, person, ids, follow_up_id, today, answered=answered)

        try:
            shown = await self._write(work)
        except NotRegistered:
            return card_action_message(text("person.not_registered", locale))
        except FollowUpError as error:
            return card_action_message(error_reply(error, locale, markdown=False))
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
            return _card_views(uow, self._person(uow, request), ids, follow_up_id, today)

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
    uow: UnitOfWork,
    person: Person,
    ids: list[str],
    follow_up_id: str,
    today: date,
    *,
    answered: FollowUpView | None = None,
) -> list[FollowUpView] | None:
    """The card's follow-ups the person may answer, each built once; None when the acted-on
    one is not theirs. `answered`: the acted-on one's view, made by the answer that was just
    recorded for the person (who was found to be allowed to answer it)."""
    shown = []
    for item in ids:
        if answered is not None and item == follow_up_id:
            shown.append(answered)
            continue
        try:
            view = answer_view(item, uow)
        except FollowUpError:
            continue  # removed since the card was sent
        if not may_answer(uow, person, view.contract, today):
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


def _notes(
    view: FollowUpView,
    kind: AnswerKind,
    recorded: AnswerRecorded,
    locale: str | None,
    *,
    others: int = 0,
) -> list[str]:
    """What the card says above a typed or chosen answer."""
    notes = [_saved(view, kind, locale)]
    if not recorded.created:
        notes.append(text("answer.already", locale))
    if others:
        notes.append(
            text("answer.others_open", locale, count=others, reference=view.contract.reference)
        )
    if kind is AnswerKind.NOT_DELIVERED and not view.deviations:
        notes.append(text("answer.not_delivered_hint", locale, reference=view.contract.reference))
    return notes


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
