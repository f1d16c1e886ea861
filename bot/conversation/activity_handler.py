"""The Teams activity handler: reads activities, calls `followup` services, renders replies.

Thin by design: no SQL and no business rule here. Domain calls run in a worker thread (the
storage layer is synchronous SQLAlchemy) so the event loop keeps serving other turns.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import datetime
from http import HTTPStatus

from botbuilder.core import (
    ActivityHandler,
    InvokeResponse,
    MessageFactory,
    TurnContext,
)
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from bot.conversation.dependencies import BotDependencies
from bot.conversation.dialog_runner import DialogRunner
from bot.conversation.replies import card_reply, shared_cards
from bot.conversation.router import (
    SENDER_SEEN,
    BeginDialog,
    CardUpdate,
    CommandRouter,
    Reply,
    TurnRequest,
    form_stored,
)
from bot.conversation.texts import text
from bot.teams import members
from bot.teams.connector import ConnectorError
from bot.teams.file_downloads import has_file_attachments
from followup.conversations import (
    RecordConversation,
    RecordedConversation,
    TeamsIdentity,
    forget_conversation,
    mark_reachable,
    record_conversation,
)
from followup.errors import Conflict
from followup.models import ConversationKind, Role

log = logging.getLogger(__name__)

MAX_TEXT = 4000
MAX_FORM_FIELDS = 100
REFERENCE_CACHE_SIZE = 10_000
REACHABLE_PENDING = "kontraktsvakt.reachable_pending"
"""The turn state's key for a personal sender to mark reachable again after the turn."""


def tenant_of(activity: Activity) -> str | None:
    """The tenant from `channelData.tenant.id` (botbuilder 4.17.1 drops conversation.tenantId)."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant")
    if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
        return str(tenant["id"])
    return None


def _team_of(activity: Activity) -> tuple[str | None, str | None]:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = data.get("team")
    if isinstance(team, dict):
        return team.get("id"), team.get("name")
    return None, None


def _kind(activity: Activity) -> ConversationKind:
    conversation_type = getattr(activity.conversation, "conversation_type", None)
    if conversation_type == "channel":
        return ConversationKind.CHANNEL
    if conversation_type == "groupChat":
        return ConversationKind.GROUP_CHAT
    return ConversationKind.PERSONAL


def turn_request(turn_context: TurnContext, now: datetime) -> TurnRequest:
    """What a handler may know of the turn (`TurnRequest`), at `now`."""
    activity: Activity = turn_context.activity
    sender = activity.from_property
    return TurnRequest(
        teams_user_id=sender.id if sender else None,
        aad_object_id=getattr(sender, "aad_object_id", None) if sender else None,
        conversation_id=activity.conversation.id if activity.conversation else None,
        kind=_kind(activity),
        locale=activity.locale,
        activity_id=activity.id,
        now=now,
        raw_activity=activity,
        turn_context=turn_context,
    )


async def send_reply(turn_context: TurnContext, reply: Reply) -> None:
    """Send a reply; a `CardUpdate` redraws its card in place where it can. (A `BeginDialog`
    needs the dialogs: `KontraktsvaktBot` begins it.)"""
    if isinstance(reply, BeginDialog):
        raise TypeError("a dialog is begun by the bot, not sent")
    if not isinstance(reply, CardUpdate):
        await turn_context.send_activity(shared_cards(reply))
        return
    card = shared_cards(card_reply(reply.card))
    if reply.replaces:
        card.id = reply.replaces
        try:
            await turn_context.update_activity(card)
        except ConnectorError as exc:
            log.info("could not redraw a card in place", extra={"status": exc.status})
            card.id = None
            await turn_context.send_activity(card)
    else:
        await turn_context.send_activity(card)
    if reply.message:
        await turn_context.send_activity(reply.message)


class KontraktsvaktBot(ActivityHandler):  # type: ignore[misc]
    def __init__(
        self, deps: BotDependencies, router: CommandRouter, dialogs: DialogRunner | None = None
    ) -> None:
        super().__init__()
        self._deps = deps
        self._router = router
        # The composition root gives the runner with the bot's dialogs; by default there are none.
        self._dialogs = dialogs or DialogRunner(deps.conversation_state)
        # Fingerprints of references already stored, so a message does not write every time.
        self._known_refs: OrderedDict[tuple[str, ...], None] = OrderedDict()

    # --- the turn -----------------------------------------------------------------------------

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity: Activity = turn_context.activity
        if activity.type == ActivityTypes.message:
            await self._capture_reference(turn_context, welcome=True)
        await super().on_turn(turn_context)
        # Dialog state (loaded only by turns that touch a dialog) goes back to the database.
        await self._dialogs.save(turn_context)
        pending = turn_context.turn_state.get(REACHABLE_PENDING)
        # A turn that read its sender as reachable (the common one) needs no second read.
        if pending and turn_context.turn_state.get(SENDER_SEEN, True):
            await self._deps.store_calls.run(self._mark_reachable, pending)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        if await self._dialogs.continue_turn(turn_context):
            return  # the answer to a dialog's question (`avbryt` and `hjelp` included)
        activity: Activity = turn_context.activity
        locale = activity.locale
        if not activity.text and isinstance(activity.value, dict):
            value = activity.value
            if len(value) > MAX_FORM_FIELDS:
                await turn_context.send_activity(text("form.unknown", locale))
                return
            reply = await self._router.handle_form(value, self._request(turn_context))
            # Stored from its card while the chat asks the same form: the chat's questions end
            # (a refused card, or the card's «Svar i chatten», leaves them as they are).
            if form_stored(turn_context.turn_state) and await self._dialogs.end_form_sent_by_card(
                turn_context, value
            ):
                await turn_context.send_activity(text("form_dialog.ended_by_card", locale))
            await self._say(turn_context, reply)
            return
        raw = TurnContext.remove_recipient_mention(activity) or ""
        message = " ".join(raw.split())
        if not message and not activity.attachments:
            await turn_context.send_activity(text("empty.message", locale))
            return
        if len(message) > MAX_TEXT:
            await turn_context.send_activity(
                text("too.long", locale, length=len(message), limit=MAX_TEXT)
            )
            return
        if activity.attachments and (not message or has_file_attachments(activity.attachments)):
            # A file with or without a caption is an upload (the caption may name the contract).
            reply = await self._router.handle_attachments(self._request(turn_context), message)
            await self._say(turn_context, reply)
            return
        reply = await self._router.handle_text(message, self._request(turn_context))
        await self._say(turn_context, reply)

    async def _say(self, turn_context: TurnContext, reply: Reply) -> None:
        """Send a reply (`send_reply`); a `BeginDialog` begins the dialog, whose first question
        is the reply."""
        if isinstance(reply, BeginDialog):
            await self._dialogs.begin(turn_context, reply.dialog_id, reply.options)
            return
        await send_reply(turn_context, reply)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._capture_reference(turn_context, welcome=True)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        await self._forget(turn_context)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(m.id == bot_id for m in members_added or []):
            await self._capture_reference(turn_context, welcome=True)

    async def on_members_removed_activity(
        self, members_removed: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(m.id == bot_id for m in members_removed or []):
            await self._forget(turn_context)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        activity: Activity = turn_context.activity
        value = activity.value if isinstance(activity.value, dict) else {}
        if activity.name == "adaptiveCard/action":
            await self._capture_reference(turn_context, welcome=False)
            return await self._router.handle_card_action(value, self._request(turn_context))
        if activity.name == "fileConsent/invoke":
            return await self._router.handle_file_consent(value, self._request(turn_context))
        return InvokeResponse(status=int(HTTPStatus.NOT_IMPLEMENTED))

    # --- helpers -------------------------------------------------------------------------------

    def _request(self, turn_context: TurnContext) -> TurnRequest:
        return turn_request(turn_context, self._deps.clock())

    async def _lookup_identity(self, turn_context: TurnContext) -> TeamsIdentity | None:
        member = await members.sender(turn_context)
        if member is None:
            return None
        return TeamsIdentity(
            teams_user_id=member.teams_user_id,
            display_name=member.name,
            entra_object_id=member.entra_object_id,
            email=member.email,
            upn=member.upn,
            locale=turn_context.activity.locale,
        )

    def _fingerprint(self, activity: Activity) -> tuple[str, ...]:
        sender = activity.from_property
        return (
            activity.conversation.id,
            sender.id if sender else "",
            activity.service_url or "",
            tenant_of(activity) or "",
        )

    def _remember(self, key: tuple[str, ...]) -> None:
        self._known_refs[key] = None
        self._known_refs.move_to_end(key)
        while len(self._known_refs) > REFERENCE_CACHE_SIZE:
            self._known_refs.popitem(last=False)

    async def _capture_reference(self, turn_context: TurnContext, *, welcome: bool) -> None:
        activity: Activity = turn_context.activity
        if activity.conversation is None or not activity.service_url:
            return
        key = self._fingerprint(activity)
        if key in self._known_refs:
            sender = activity.from_property
            if _kind(activity) is ConversationKind.PERSONAL and sender is not None and sender.id:
                # Someone the bot could not reach (403/404) writes again: reachable again,
                # after the turn, unless the turn read the person and found them reachable.
                turn_context.turn_state[REACHABLE_PENDING] = str(sender.id)
            return
        kind = _kind(activity)
        identity = (
            await self._lookup_identity(turn_context) if kind is ConversationKind.PERSONAL else None
        )
        team_id, team_name = _team_of(activity)
        cmd = RecordConversation(
            conversation_id=activity.conversation.id,
            kind=kind,
            tenant_id=tenant_of(activity),
            service_url=activity.service_url,
            channel_id=activity.channel_id or "msteams",
            bot_id=activity.recipient.id if activity.recipient else "",
            bot_name=activity.recipient.name if activity.recipient else None,
            identity=identity,
            team_id=team_id,
            team_name=team_name,
            # A channel is stored (a thread as its channel) but never registered for procurement
            # here: a procurement member says so (`innkjøpskanal på`).
        )
        recorded = await self._deps.store_calls.run(self._record, cmd)
        self._remember(key)
        if welcome and recorded.reference_is_new:
            await turn_context.send_activity(self._welcome(recorded, activity))

    def _mark_reachable(self, teams_user_id: str) -> None:
        with self._deps.uow_factory() as uow:
            if mark_reachable(teams_user_id, uow, self._deps.clock()):
                uow.commit()

    def _record(self, cmd: RecordConversation) -> RecordedConversation:
        for attempt in range(3):
            try:
                with self._deps.uow_factory() as uow:
                    recorded = record_conversation(
                        cmd, uow, self._deps.clock(), self._deps.procurement_addresses
                    )
                    uow.commit()
                return recorded
            except Conflict:
                # Two first messages from one user at once: the other one created the person.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _welcome(self, recorded: RecordedConversation, activity: Activity) -> Activity:
        locale = activity.locale
        if recorded.ref.kind is not ConversationKind.PERSONAL:
            name = (
                recorded.ref.team_name or getattr(activity.conversation, "name", None) or "Innkjøp"
            )
            return MessageFactory.text(text("welcome.channel", locale, name=name))
        person = recorded.person
        parts = [text("welcome.person", locale, name=person.display_name if person else "")]
        if recorded.contracts_owned:
            parts.append(text("welcome.owner", locale, count=recorded.contracts_owned))
        if Role.PROCUREMENT in recorded.roles:
            parts.append(text("welcome.procurement", locale))
        if not recorded.contracts_owned and Role.PROCUREMENT not in recorded.roles:
            parts.append(text("welcome.unknown", locale))
        return MessageFactory.text("\n\n".join(parts))

    async def _forget(self, turn_context: TurnContext) -> None:
        activity: Activity = turn_context.activity
        if activity.conversation is None:
            return
        conversation_id = activity.conversation.id
        actor = f"teams:{activity.from_property.id if activity.from_property else '?'}"

        def run() -> int:
            with self._deps.uow_factory() as uow:
                removed = forget_conversation(conversation_id, actor, uow, self._deps.clock())
                uow.commit()
            return removed

        await self._deps.store_calls.run(run)
        for key in [k for k in self._known_refs if k[0] == conversation_id]:
            del self._known_refs[key]
