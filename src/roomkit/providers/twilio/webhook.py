"""Twilio's messaging webhooks read into messages and delivery statuses (Sans-I/O).

Twilio posts two kinds of form to a messaging webhook: an incoming message (``From``,
``To``, ``Body``, ``NumMedia`` with ``MediaUrlN`` / ``MediaContentTypeN``; its status is
``received``) and a status callback about a message sent earlier (``MessageStatus``
``queued`` … ``delivered``). A status callback is never an inbound message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from roomkit.errors import InvalidArgumentError
from roomkit.models.delivery import DeliveryStatus
from roomkit.models.inbound import InboundMessage
from roomkit.providers.sms.meta import WebhookMeta

__all__ = ["is_twilio_status", "parse_twilio_status", "parse_twilio_webhook"]

PROVIDER = "twilio"
_INBOUND_STATUSES = frozenset({"received", "receiving"})
# Twilio's message statuses in the vocabulary of DeliveryStatus.status.
_STATUS = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
    "undelivered": "failed",
    "canceled": "failed",
}


def _status_word(payload: Mapping[str, Any]) -> str | None:
    value = payload.get("MessageStatus") or payload.get("SmsStatus")
    return None if value is None else str(value)


def is_twilio_status(payload: Mapping[str, Any]) -> bool:
    """Whether ``payload`` is a status callback (not an incoming message)."""
    status = _status_word(payload)
    return status is not None and status not in _INBOUND_STATUSES


def twilio_message_meta(payload: dict[str, Any]) -> WebhookMeta:
    """An incoming message, deduplicated by its ``MessageSid``.

    Raises:
        InvalidArgumentError: ``payload`` is a status callback, or has no ``From`` or sid.
    """
    if is_twilio_status(payload):
        raise InvalidArgumentError(
            "webhook",
            f"twilio MessageStatus={_status_word(payload)}",
            "an incoming message; status callbacks go through parse_twilio_status()",
        )
    sid = payload.get("MessageSid") or payload.get("SmsMessageSid") or payload.get("SmsSid")
    sender = payload.get("From")
    if not sid or not sender:
        raise InvalidArgumentError(
            "webhook", sorted(payload), "a Twilio message form with MessageSid and From"
        )
    return WebhookMeta(
        provider=PROVIDER,
        sender=str(sender),
        recipient=str(payload.get("To", "")),
        body=str(payload.get("Body", "")),
        external_id=str(sid),
        timestamp=None,
        raw=dict(payload),
        media_urls=_media(payload),
    )


def parse_twilio_webhook(payload: dict[str, Any], channel_id: str) -> InboundMessage:
    """The message :func:`twilio_message_meta` reads, for ``kit.process_inbound``."""
    return twilio_message_meta(payload).to_inbound(channel_id)


def _media(payload: Mapping[str, Any]) -> list[dict[str, str | None]]:
    try:
        count = int(payload.get("NumMedia") or 0)
    except ValueError:
        raise InvalidArgumentError("NumMedia", payload.get("NumMedia"), "an integer") from None
    return [
        {"url": payload.get(f"MediaUrl{i}"), "mime_type": payload.get(f"MediaContentType{i}")}
        for i in range(count)
        if payload.get(f"MediaUrl{i}")
    ]


def parse_twilio_status(payload: dict[str, Any]) -> DeliveryStatus:
    """The delivery status a status callback reports (``status`` is queued/sent/delivered/…).

    Raises:
        InvalidArgumentError: ``payload`` is not a status callback.
    """
    word = _status_word(payload)
    sid = payload.get("MessageSid") or payload.get("SmsSid")
    if not is_twilio_status(payload) or not sid:
        raise InvalidArgumentError(
            "webhook", word, "a Twilio status callback with MessageSid and MessageStatus"
        )
    code, detail = payload.get("ErrorCode"), payload.get("ErrorMessage")
    return DeliveryStatus(
        provider=PROVIDER,
        message_id=str(sid),
        status=_STATUS.get(str(word), str(word)),
        recipient=str(payload.get("To", "")),
        sender=str(payload.get("From", "")),
        error_code=str(code) if code else None,
        error_message=str(detail) if detail else None,
        raw=dict(payload),
    )
