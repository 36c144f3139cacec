"""WhatsApp Personal (neonize) events and addresses, read and written (Sans-I/O).

neonize hands each message over as its ``Message`` protobuf event: ``Info`` (the
``MessageSource`` with ``Chat``/``Sender`` JIDs, ``ID``, ``Pushname``, ``Timestamp`` in
seconds) and ``Message`` (the WhatsApp E2E message: ``conversation``,
``extendedTextMessage``, ``imageMessage``, …). This module reads those by attribute and
imports no neonize, so it is tested by feeding it neonize's own protobuf objects.

Addresses: a phone-number JID (``15551234567@s.whatsapp.net``) is the E.164 ``+15551234567``
in roomkit; any other JID (a group ``…@g.us``, a hidden user ``…@lid``) stays ``user@server``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from roomkit.errors import InvalidArgumentError
from roomkit.models.content import (
    AudioContent,
    EventContent,
    LocationContent,
    MediaContent,
    TextContent,
)
from roomkit.models.delivery import DeliveryStatus
from roomkit.models.inbound import InboundMessage

__all__ = [
    "PHONE_SERVER",
    "jid_address",
    "jid_parts",
    "parse_neonize_message",
    "parse_neonize_receipt",
]

PHONE_SERVER = "s.whatsapp.net"
MEDIA_HOST = "https://mmg.whatsapp.net"
# E2E message fields carrying media, with the family used when the mimetype is missing.
_MEDIA = {
    "imageMessage": "image",
    "videoMessage": "video",
    "documentMessage": "application",
    "stickerMessage": "image",
}

# Receipt.Type numbers → DeliveryStatus.status; the rest (our other devices' receipts,
# retries, history sync) say nothing about delivery to the recipient.
_RECEIPTS = {1: "delivered", 4: "read", 6: "played", 8: "failed"}


def jid_address(jid: Any) -> str:
    """The roomkit address of a neonize ``JID``: ``+<digits>`` for a phone, else ``user@server``.

    The device number is dropped: every device of one account is the same person.
    """
    if jid.Server == PHONE_SERVER and jid.User.isdigit():
        return f"+{jid.User}"
    return f"{jid.User}@{jid.Server}"


def jid_parts(address: str) -> tuple[str, str]:
    """``(User, Server)`` of a JID for ``address``: ``+15551234567``, ``15551234567`` or
    ``user@server`` (``…@g.us`` groups, ``…@lid`` users).

    Raises:
        InvalidArgumentError: neither a phone number (digits, optional ``+``) nor a JID.
    """
    if "@" in address:
        user, server = address.rsplit("@", 1)
        user = user.split(":", 1)[0]  # "user:device@server" names one device of user
        if user and server:
            return user, server
    digits = address.removeprefix("+")
    if digits.isdigit() and 5 <= len(digits) <= 15:
        return digits, PHONE_SERVER
    raise InvalidArgumentError(
        "to", address, "a phone number such as +15551234567 or a JID such as 1203…@g.us"
    )


def parse_neonize_message(
    event: Any, channel_id: str, *, self_chat: bool = False
) -> InboundMessage | None:
    """The ``InboundMessage`` of a neonize ``Message`` event, or None for what has no room form.

    Skipped: the account's own messages (unless ``self_chat``), status broadcasts,
    reactions, protocol and other non-content messages. The sender is the phone-number
    JID when WhatsApp gives one (``SenderAlt`` when ``Sender`` is a hidden ``@lid``), and
    the message ``ID`` is the idempotency key. Media arrive as the encrypted CDN URL with
    ``metadata["media_kind"]``; their bytes need the client (``download_any``).
    """
    info = event.Info
    source = info.MessageSource
    if (source.IsFromMe and not self_chat) or source.Chat.Server == "broadcast":
        return None
    content, kind = _content(event.Message)
    if content is None or not info.ID:
        return None
    return InboundMessage(
        channel_id=channel_id,
        sender_id=_sender(source),
        content=content,
        external_id=info.ID,
        idempotency_key=info.ID,
        metadata={
            "chat": f"{source.Chat.User}@{source.Chat.Server}",
            "sender_jid": f"{source.Sender.User}@{source.Sender.Server}",
            "is_group": bool(source.IsGroup),
            "push_name": info.Pushname or None,
            "timestamp": int(info.Timestamp) or None,
            "media_kind": kind,
        },
    )


def parse_neonize_receipt(event: Any, channel_id: str) -> list[DeliveryStatus]:
    """One ``DeliveryStatus`` per message id of a neonize ``Receipt`` event: ``delivered``,
    ``read``, ``played`` (a voice note listened to) or ``failed`` (server error); none for
    receipts that are not about the recipient (``sender``, ``retry``, ``read_self``, …)."""
    status = _RECEIPTS.get(int(event.Type))
    if status is None:
        return []
    source = event.MessageSource
    at = datetime.fromtimestamp(event.Timestamp, UTC) if event.Timestamp else None
    return [
        DeliveryStatus(
            channel_id=channel_id,
            provider="whatsapp_personal",
            message_id=message_id,
            status=status,
            recipient=_sender(source),
            timestamp=at,
            raw={"chat": f"{source.Chat.User}@{source.Chat.Server}", "type": int(event.Type)},
        )
        for message_id in event.MessageIDs
    ]


def _sender(source: Any) -> str:
    sender = source.Sender
    alt = source.SenderAlt
    if sender.Server == "lid" and alt.Server == PHONE_SERVER and alt.User:
        sender = alt
    if not sender.User:
        raise ValueError("the message names no sender JID")
    return jid_address(sender)


def _content(message: Any) -> tuple[EventContent | None, str | None]:
    if message.conversation:
        return TextContent(body=message.conversation), None
    if message.HasField("extendedTextMessage"):
        return TextContent(body=message.extendedTextMessage.text), None
    if message.HasField("audioMessage"):
        audio = message.audioMessage
        seconds = float(audio.seconds) if audio.seconds else None
        mime = audio.mimetype or "audio/ogg"
        return AudioContent(url=_url(audio), mime_type=mime, duration_seconds=seconds), "audio"
    for field, family in _MEDIA.items():
        if message.HasField(field):
            return _media(getattr(message, field), family), field.removesuffix("Message")
    if message.HasField("locationMessage"):
        where = message.locationMessage
        location = LocationContent(
            latitude=where.degreesLatitude,
            longitude=where.degreesLongitude,
            label=where.name or None,
            address=where.address or None,
        )
        return location, None
    return None, None


def _media(media: Any, family: str) -> MediaContent:
    fields = {f.name for f, _ in media.ListFields()}
    return MediaContent(
        url=_url(media),
        mime_type=media.mimetype or f"{family}/octet-stream",
        filename=(media.fileName or None) if "fileName" in fields else None,
        caption=(media.caption or None) if "caption" in fields else None,
        size_bytes=int(media.fileLength) if media.fileLength else None,
    )


def _url(media: Any) -> str:
    # Older clients send only directPath; the CDN serves it under mmg.whatsapp.net.
    return str(media.URL or f"{MEDIA_HOST}{media.directPath}")
