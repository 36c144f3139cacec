"""Telnyx messaging webhooks read into messages and delivery statuses (Sans-I/O).

Every webhook is ``{"data": {"event_type", "id", "occurred_at", "payload": {...}}}``.
``message.received`` is an incoming message (``payload.from.phone_number``, ``text``,
``media[]``); ``message.sent`` and ``message.finalized`` report on a message the kit sent,
whose per-recipient state is ``payload.to[0].status``. Statuses are never inbound messages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from roomkit.errors import InvalidArgumentError
from roomkit.models.delivery import DeliveryStatus
from roomkit.models.inbound import InboundMessage
from roomkit.providers.sms.meta import WebhookMeta

__all__ = ["is_telnyx_status", "parse_telnyx_status", "parse_telnyx_webhook"]

PROVIDER = "telnyx"
RECEIVED = "message.received"
STATUS_EVENTS = frozenset({"message.sent", "message.finalized"})
# Telnyx's per-recipient states in the vocabulary of DeliveryStatus.status.
_STATUS = {
    "queued": "queued",
    "sending": "sent",
    "sent": "sent",
    "delivery_unconfirmed": "sent",
    "delivered": "delivered",
    "sending_failed": "failed",
    "delivery_failed": "failed",
}


def _event(payload: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    data = payload.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("payload"), dict):
        raise InvalidArgumentError("webhook", sorted(payload), 'a Telnyx {"data": {"payload"}}')
    event_type = data.get("event_type")
    return (None if event_type is None else str(event_type)), data["payload"]


def is_telnyx_status(payload: dict[str, Any]) -> bool:
    """Whether ``payload`` reports on an outbound message (``message.sent``/``finalized``)."""
    data = payload.get("data")
    return isinstance(data, dict) and data.get("event_type") in STATUS_EVENTS


def telnyx_message_meta(payload: dict[str, Any], *, strict: bool = True) -> WebhookMeta:
    """A ``message.received`` webhook as a message, deduplicated by the Telnyx message id.

    With ``strict=False`` a body without ``event_type`` is read as a received message.

    Raises:
        InvalidArgumentError: another event type (statuses go through
            :func:`parse_telnyx_status`), or no sender or message id.
    """
    event_type, body = _event(payload)
    if event_type != RECEIVED and (strict or event_type is not None):
        raise InvalidArgumentError("event_type", event_type, f"{RECEIVED!r}")
    sender = (body.get("from") or {}).get("phone_number")
    if not sender or not body.get("id"):
        raise InvalidArgumentError("payload", sorted(body), "a message with id and from")
    return WebhookMeta(
        provider=PROVIDER,
        sender=str(sender),
        recipient=_first_recipient(body).get("phone_number", ""),
        body=str(body.get("text") or ""),
        external_id=str(body["id"]),
        timestamp=_time(body.get("received_at") or payload["data"].get("occurred_at")),
        raw=payload,
        media_urls=[
            {"url": m.get("url"), "mime_type": m.get("content_type")}
            for m in body.get("media") or []
            if isinstance(m, dict)
        ],
        direction="inbound",
        event_type=RECEIVED,
    )


def parse_telnyx_webhook(
    payload: dict[str, Any], channel_id: str, *, strict: bool = True
) -> InboundMessage:
    """The message :func:`telnyx_message_meta` reads, for ``kit.process_inbound``."""
    return telnyx_message_meta(payload, strict=strict).to_inbound(channel_id)


def parse_telnyx_status(payload: dict[str, Any]) -> DeliveryStatus:
    """The delivery status a ``message.sent`` / ``message.finalized`` webhook reports.

    Raises:
        InvalidArgumentError: another event type, or no message id.
    """
    event_type, body = _event(payload)
    if event_type not in STATUS_EVENTS or not body.get("id"):
        raise InvalidArgumentError("event_type", event_type, "message.sent or message.finalized")
    recipient = _first_recipient(body)
    errors = body.get("errors") or [{}]
    code, detail = errors[0].get("code"), errors[0].get("detail") or errors[0].get("title")
    state = str(recipient.get("status") or event_type.removeprefix("message."))
    return DeliveryStatus(
        provider=PROVIDER,
        message_id=str(body["id"]),
        status=_STATUS.get(state, state),
        recipient=str(recipient.get("phone_number", "")),
        sender=str((body.get("from") or {}).get("phone_number", "")),
        error_code=None if code is None else str(code),
        error_message=None if detail is None else str(detail),
        timestamp=_time(payload["data"].get("occurred_at")),
        raw=payload,
    )


def _first_recipient(body: dict[str, Any]) -> dict[str, Any]:
    to = body.get("to")
    if isinstance(to, list) and to and isinstance(to[0], dict):
        return to[0]
    return {}


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
