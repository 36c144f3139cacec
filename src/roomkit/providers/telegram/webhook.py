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
    """The messages in one Update: one for a ``message`` or ``edited_message``, else none.

    Channel posts, callback queries and content kinds not read here (stickers, polls) give
    an empty list. Text is a :class:`TextContent`; a location a :class:`LocationContent`;
    media a :class:`TextContent` holding the caption, with ``file_id``, ``media_type`` and
    the file facts Telegram sent in the metadata (the file itself is fetched with the bot
    token, which this parser does not hold). An edit carries ``edited: True`` and its
    ``edit_date``. The sender is ``from.id``; ``external_id`` is the ``message_id``.

    Idempotency: the ``update_id`` (unique per bot, the same on every redelivery of an
    update) keys it, so a redelivered update is one event; without one, the chat and
    message ids (and the edit date) do.
    """
    message = payload.get("message")
    edited = message is None and isinstance(payload.get("edited_message"), dict)
    if edited:
        message = payload["edited_message"]
    if not isinstance(message, dict):
        return []
    read = _content(message)
    if read is None:
        return []
    content, facts = read
    message_id = str(message.get("message_id", "")) or None
    chat_id = str(message.get("chat", {}).get("id", ""))
    if edited:
        facts = {**facts, "edited": True, "edit_date": message.get("edit_date", 0)}
    return [
        InboundMessage(
            channel_id=channel_id,
            sender_id=str(message.get("from", {}).get("id", "")),
            content=content,
            external_id=message_id,
            idempotency_key=_idempotency_key(payload, chat_id, message_id, facts),
            metadata={"chat_id": chat_id, "date": message.get("date", 0), **facts},
        )
    ]


def _idempotency_key(
    payload: dict[str, Any], chat_id: str, message_id: str | None, facts: dict[str, Any]
) -> str | None:
    if "update_id" in payload:
        return f"telegram-update:{payload['update_id']}"
    if message_id is None:
        return None
    edit = f":edit:{facts['edit_date']}" if facts.get("edited") else ""
    return f"telegram:{chat_id}:{message_id}{edit}"


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
