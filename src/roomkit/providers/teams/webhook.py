"""Bot Framework Activities from Microsoft Teams, read into roomkit's shapes (Sans-I/O)."""

from __future__ import annotations

import re
from typing import Any

from roomkit.models.content import TextContent
from roomkit.models.inbound import InboundMessage

__all__ = ["is_bot_added", "parse_teams_activity", "parse_teams_reactions", "parse_teams_webhook"]

# In group chats Teams puts "<at>Bot name</at>" in the text when the bot is mentioned.
_MENTION = re.compile(r"<at>[^<]*</at>\s*")
# What a message's metadata carries from the Activity, so that a reply can be addressed.
_REPLY_FIELDS = (
    "conversation_id", "conversation_type", "is_group", "service_url", "tenant_id",
    "sender_name", "reply_to_id",
)  # fmt: skip


def _is_group(conversation: dict[str, Any]) -> bool:
    return bool(conversation.get("isGroup")) or conversation.get("conversationType") in (
        "groupChat",
        "channel",
    )


def parse_teams_activity(payload: dict[str, Any]) -> dict[str, Any]:
    """The fields of an Activity that every handler needs, lifecycle events included.

    Keys: ``activity_type``, ``conversation_id``, ``conversation_type``, ``is_group``,
    ``service_url``, ``tenant_id``, ``sender_id``, ``sender_name``, ``bot_id``,
    ``reply_to_id``, ``members_added`` and ``members_removed`` (lists of ids).
    """
    conversation = payload.get("conversation", {})
    sender = payload.get("from", {})
    return {
        "activity_type": payload.get("type", ""),
        "conversation_id": conversation.get("id", ""),
        "conversation_type": conversation.get("conversationType", "personal"),
        "is_group": _is_group(conversation),
        "service_url": payload.get("serviceUrl", ""),
        "tenant_id": payload.get("channelData", {}).get("tenant", {}).get("id", ""),
        "sender_id": sender.get("id", ""),
        "sender_name": sender.get("name", ""),
        "bot_id": payload.get("recipient", {}).get("id", ""),
        "reply_to_id": payload.get("replyToId", ""),
        "members_added": [m.get("id", "") for m in payload.get("membersAdded", [])],
        "members_removed": [m.get("id", "") for m in payload.get("membersRemoved", [])],
    }


def is_bot_added(payload: dict[str, Any], bot_id: str | None = None) -> bool:
    """Whether a ``conversationUpdate`` adds the bot (``bot_id``, else the recipient)."""
    if payload.get("type") != "conversationUpdate":
        return False
    bot = bot_id or payload.get("recipient", {}).get("id", "")
    return bool(bot) and any(m.get("id") == bot for m in payload.get("membersAdded", []))


def parse_teams_webhook(payload: dict[str, Any], channel_id: str) -> list[InboundMessage]:
    """One message for a ``message`` Activity with text; none for anything else.

    Mentions (``<at>…</at>``) are removed from group-chat text; ``metadata`` says whether
    the bot was mentioned (always True in a personal chat), and carries the conversation,
    service URL and tenant a reply needs. The Activity id keys idempotency; a reply's
    ``replyToId`` is its ``thread_id``.
    """
    if payload.get("type") != "message":
        return []
    activity = parse_teams_activity(payload)
    text = str(payload.get("text") or "").strip()
    if activity["is_group"]:
        text = _MENTION.sub("", text).strip()
    if not text:
        return []
    bot = activity["bot_id"]
    mentioned = not activity["is_group"] or any(
        e.get("type") == "mention" and e.get("mentioned", {}).get("id") == bot
        for e in payload.get("entities", [])
    )
    metadata = {k: activity[k] for k in _REPLY_FIELDS}
    return [
        InboundMessage(
            channel_id=channel_id,
            sender_id=activity["sender_id"],
            content=TextContent(body=text),
            external_id=payload.get("id"),
            thread_id=activity["reply_to_id"] or None,
            idempotency_key=payload.get("id"),
            metadata={**metadata, "bot_mentioned": bool(bot) and mentioned},
        )
    ]


def parse_teams_reactions(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The reactions a ``messageReaction`` Activity adds and removes, one dict each.

    Keys: ``action`` (``"add"`` / ``"remove"``), ``emoji`` (Teams' reaction type such as
    ``"like"``), ``sender_id``, ``sender_name``, ``target_activity_id``.
    """
    if payload.get("type") != "messageReaction":
        return []
    sender = payload.get("from", {})
    common = {
        "sender_id": sender.get("id", ""),
        "sender_name": sender.get("name", ""),
        "target_activity_id": payload.get("replyToId", ""),
    }
    return [
        {"action": action, "emoji": reaction.get("type", ""), **common}
        for action, key in (("add", "reactionsAdded"), ("remove", "reactionsRemoved"))
        for reaction in payload.get(key, [])
    ]
