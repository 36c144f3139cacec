"""parse_telegram_webhook — a Telegram Bot API Update as InboundMessages (Sans-I/O)."""

from __future__ import annotations

from typing import Any

from roomkit.models.content import EventContent, LocationContent, TextContent
from roomkit.models.inbound import InboundMessage

__all__ = ["parse_telegram_webhook"]

# Kinds of media message; Telegram nests the file under a key named for its kind.
_MEDIA = ("photo", "voice", "audio", "video_note", "video", "document")
_MEDIA_FACTS = ("duration", "mime_type", "file_name", "file_size")


def parse_telegram_webhook(payload: dict[str, Any], channel_id: str) -> list[InboundMessage]:
    """The messages in one Update: one for a ``message``, none for anything else.

    Edits, channel posts, callback queries and content kinds not read here (stickers,
    polls) give an empty list. Text is a :class:`TextContent`; a location a
    :class:`LocationContent`; media a :class:`TextContent` holding the caption, with
    ``file_id``, ``media_type`` and the file facts Telegram sent in the metadata (the file
    itself is fetched with the bot token, which this parser does not hold). The sender is
    ``from.id``; ``message_id`` keys idempotency.
    """
    message = payload.get("message")
    if not isinstance(message, dict):
        return []
    read = _content(message)
    if read is None:
        return []
    content, facts = read
    message_id = str(message.get("message_id", "")) or None
    return [
        InboundMessage(
            channel_id=channel_id,
            sender_id=str(message.get("from", {}).get("id", "")),
            content=content,
            external_id=message_id,
            idempotency_key=message_id,
            metadata={
                "chat_id": str(message.get("chat", {}).get("id", "")),
                "date": message.get("date", 0),
                **facts,
            },
        )
    ]


def _content(message: dict[str, Any]) -> tuple[EventContent, dict[str, Any]] | None:
    if "text" in message:
        return TextContent(body=message["text"]), {}
    for kind in _MEDIA:
        if kind in message:
            media = message[kind]
            if kind == "photo":  # every size is sent, smallest first
                media = media[-1] if media else {}
            facts = {"file_id": media.get("file_id", ""), "media_type": kind}
            facts.update({k: media[k] for k in _MEDIA_FACTS if k in media})
            return TextContent(body=message.get("caption", "")), facts
    if "location" in message:
        where = message["location"]
        return LocationContent(latitude=where["latitude"], longitude=where["longitude"]), {}
    return None
