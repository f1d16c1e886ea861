"""Adaptive Card actions between Teams' semantics and what Web Chat 4.18 can do.

Web Chat 4.18.1 renders `Action.Execute` buttons but does nothing when one is clicked (its
adaptive card renderer handles `Action.OpenUrl` and `Action.Submit` only and logs "received
unknown action from Adaptive Cards"). `Action.Submit` with object data is sent as a `postBack`:
a message with `value` (the data merged with the inputs) and `channelData.postBack: true`.

So the dev channel rewrites each card on its way to Web Chat: every `Action.Execute` becomes an
`Action.Submit` whose data carries a marker (the verb, the action id, the id of the activity
holding the card), and every `Action.Submit` gets a marker with that activity id. When Web Chat
posts the data back, `read_card_action` strips the marker and says what Teams would have sent:
an `invoke` named `adaptiveCard/action` (for Execute) or a message with `value` (for Submit),
with `replyToId` set to the card's activity, as in Teams.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
MARKER = "__kontraktsvaktDev"
MAX_DEPTH = 40


@dataclass(frozen=True, slots=True)
class CardAction:
    """A card click as Teams would deliver it."""

    kind: str  # "execute" or "submit"
    activity_id: str | None
    verb: str | None
    action_id: str | None
    data: Any


def _marked(data: Any, marker: dict[str, Any]) -> dict[str, Any]:
    if isinstance(data, dict):
        return {**data, MARKER: marker}
    if data is not None:
        marker = {**marker, "data": data}
    return {MARKER: marker}


def _rewrite(node: Any, activity_id: str, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        return node
    if isinstance(node, list):
        return [_rewrite(item, activity_id, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    kind = node.get("type")
    is_action = isinstance(kind, str) and kind.startswith("Action.")
    out = {
        key: value if is_action and key == "data" else _rewrite(value, activity_id, depth + 1)
        for key, value in node.items()
        if not (depth == 0 and key == "refresh")  # Web Chat does not refresh cards
    }
    if kind == "Action.Execute":
        marker: dict[str, Any] = {"kind": "execute", "activityId": activity_id}
        if isinstance(node.get("verb"), str):
            marker["verb"] = node["verb"]
        if isinstance(node.get("id"), str):
            marker["id"] = node["id"]
        out["type"] = "Action.Submit"
        out.pop("verb", None)
        out["data"] = _marked(node.get("data"), marker)
    elif kind == "Action.Submit" and not isinstance(node.get("data"), str):
        out["data"] = _marked(node.get("data"), {"kind": "submit", "activityId": activity_id})
    return out


def adapt_card_for_webchat(card: Any, activity_id: str) -> Any:
    """The card as Web Chat should render it (see the module docstring)."""
    return _rewrite(card, activity_id)


def adapt_attachments_for_webchat(attachments: Any, activity_id: str) -> Any:
    if not isinstance(attachments, list):
        return attachments
    adapted: list[Any] = []
    for attachment in attachments:
        if isinstance(attachment, dict) and attachment.get("contentType") == ADAPTIVE_CARD:
            content = adapt_card_for_webchat(attachment.get("content"), activity_id)
            adapted.append({**attachment, "content": content})
        else:
            adapted.append(attachment)
    return adapted


def read_card_action(value: Any) -> CardAction | None:
    """The card action behind a Web Chat post-back value, or None when it is not one of ours."""
    if not isinstance(value, dict) or not isinstance(value.get(MARKER), dict):
        return None
    marker: dict[str, Any] = value[MARKER]
    data: Any = {k: v for k, v in value.items() if k != MARKER}
    if "data" in marker:
        data = marker["data"]
    kind = "execute" if marker.get("kind") == "execute" else "submit"

    def text(key: str) -> str | None:
        found = marker.get(key)
        return found[:1024] if isinstance(found, str) else None

    return CardAction(
        kind=kind,
        activity_id=text("activityId"),
        verb=text("verb"),
        action_id=text("id"),
        data=data,
    )
