"""parse_messenger_webhook — a Messenger Platform webhook body as InboundMessages (Sans-I/O).

Check the ``X-Hub-Signature-256`` header with the provider's ``verify_signature`` before
reading the body.
"""

from __future__ import annotations

from typing import Any

from roomkit.models.content import EventContent, MediaContent, TextContent
from roomkit.models.inbound import InboundMessage

__all__ = ["parse_messenger_webhook"]

# Attachment types Messenger sends with a payload URL, and the MIME family of each.
_MEDIA = {"image": "image/*", "video": "video/*", "audio": "audio/*", "file": "application/*"}


def parse_messenger_webhook(payload: dict[str, Any], channel_id: str) -> list[InboundMessage]:
    """One message per ``messaging`` item that carries a message (text or attachment).

    Echoes of the page's own messages, deliveries, reads and postbacks give nothing. The
    sender is the page-scoped user id (``sender.id``); ``mid`` keys idempotency.
    """
    if payload.get("object") != "page":
        return []
    return [
        message
        for entry in payload.get("entry", [])
        for item in entry.get("messaging", [])
        if (message := _message(item, channel_id)) is not None
    ]


def _message(item: dict[str, Any], channel_id: str) -> InboundMessage | None:
    message = item.get("message")
    if not isinstance(message, dict) or message.get("is_echo"):
        return None
    content = _content(message)
    if content is None:
        return None
    return InboundMessage(
        channel_id=channel_id,
        sender_id=str(item.get("sender", {}).get("id", "")),
        content=content,
        external_id=message.get("mid"),
        idempotency_key=message.get("mid"),
        metadata={
            "page_id": str(item.get("recipient", {}).get("id", "")),
            "timestamp": item.get("timestamp"),
        },
    )


def _content(message: dict[str, Any]) -> EventContent | None:
    if message.get("text"):
        return TextContent(body=message["text"])
    for attachment in message.get("attachments", []):
        url = attachment.get("payload", {}).get("url")
        kind = attachment.get("type")
        if url and kind in _MEDIA:
            return MediaContent(url=url, mime_type=_MEDIA[kind])
    return None
