"""Sinch SMS callbacks read into messages and delivery statuses, and their signature.

Sinch posts JSON: an inbound message (``type`` ``mo_text``, ``mo_binary`` or ``mo_media``
with ``id``, ``from``, ``to``, ``body``) or a delivery report about a batch the kit sent
(``recipient_delivery_report_sms`` / ``_mms`` with ``batch_id``, ``recipient``, ``status``,
``code``). A signed callback carries ``x-sinch-webhook-signature``: base64 HMAC-SHA256,
keyed with the callback secret, over ``{body}.{nonce}.{timestamp}`` from the
``x-sinch-webhook-signature-nonce`` and ``-timestamp`` headers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import datetime
from typing import Any

from roomkit.errors import InvalidArgumentError
from roomkit.models.delivery import DeliveryStatus
from roomkit.models.inbound import InboundMessage
from roomkit.providers.sms.meta import WebhookMeta

__all__ = [
    "is_sinch_status",
    "parse_sinch_status",
    "parse_sinch_webhook",
    "sinch_signature",
    "verify_sinch_signature",
]

PROVIDER = "sinch"
_INBOUND = frozenset({"mo_text", "mo_binary", "mo_media"})
_REPORTS = frozenset({"recipient_delivery_report_sms", "recipient_delivery_report_mms"})
# Sinch's delivery report statuses in the vocabulary of DeliveryStatus.status.
_STATUS = {
    "queued": "queued",
    "dispatched": "sent",
    "delivered": "delivered",
    "aborted": "failed",
    "cancelled": "failed",
    "rejected": "failed",
    "deleted": "failed",
    "failed": "failed",
    "expired": "failed",
    "unknown": "unknown",
}
DEFAULT_TOLERANCE = 300.0


def sinch_signature(secret: str, body: bytes, nonce: str, timestamp: str) -> str:
    """The ``x-sinch-webhook-signature`` Sinch computes for ``body``."""
    signed = body + f".{nonce}.{timestamp}".encode()
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_sinch_signature(
    secret: str,
    body: bytes,
    signature: str,
    nonce: str | None,
    timestamp: str | None,
    *,
    tolerance: float | None = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """Whether ``signature`` is Sinch's over ``body``, ``nonce`` and a fresh ``timestamp``.

    ``tolerance`` (seconds, None for no window) refuses an old timestamp: a replay.
    """
    if not signature or nonce is None or timestamp is None:
        return False
    if tolerance is not None:
        try:
            age = abs((time.time() if now is None else now) - float(timestamp))
        except ValueError:
            return False
        if age > tolerance:
            return False
    expected = sinch_signature(secret, body, nonce, timestamp)
    return hmac.compare_digest(expected.encode(), signature.encode())


def is_sinch_status(payload: dict[str, Any]) -> bool:
    """Whether ``payload`` is a recipient delivery report (not an inbound message)."""
    return payload.get("type") in _REPORTS


def sinch_message_meta(payload: dict[str, Any]) -> WebhookMeta:
    """An inbound SMS/MMS, deduplicated by its ``id``.

    Raises:
        InvalidArgumentError: ``payload`` is a delivery report, or not an inbound message
            with ``id`` and ``from``.
    """
    kind = payload.get("type")
    if kind not in _INBOUND or not payload.get("id") or not payload.get("from"):
        raise InvalidArgumentError(
            "webhook", kind, "a Sinch inbound message (mo_text/mo_binary/mo_media) with id, from"
        )
    body, media = _body_and_media(payload)
    sender = str(payload["from"])
    return WebhookMeta(
        provider=PROVIDER,
        # Sinch may give the MSISDN without its "+": the same person as "+1…" outbound.
        sender="+" + sender if sender.isdigit() else sender,
        recipient=str(payload.get("to", "")),
        body=body,
        external_id=str(payload["id"]),
        timestamp=_when(payload.get("received_at")),
        raw=dict(payload),
        media_urls=media,
    )


def parse_sinch_webhook(payload: dict[str, Any], channel_id: str) -> InboundMessage:
    """The message :func:`sinch_message_meta` reads, for ``kit.process_inbound``."""
    return sinch_message_meta(payload).to_inbound(channel_id)


def _body_and_media(payload: dict[str, Any]) -> tuple[str, list[dict[str, str | None]]]:
    body = payload.get("body")
    if payload.get("type") != "mo_media" or not isinstance(body, dict):
        return str(body or ""), []
    media = [
        {"url": m.get("url"), "mime_type": m.get("content_type")}
        for m in body.get("media") or []
        if isinstance(m, dict) and m.get("url")
    ]
    return str(body.get("message") or ""), media


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def parse_sinch_status(payload: dict[str, Any]) -> DeliveryStatus:
    """The delivery status a recipient delivery report gives (``status`` delivered/…).

    Raises:
        InvalidArgumentError: ``payload`` is not a recipient delivery report with a batch id.
    """
    if not is_sinch_status(payload) or not payload.get("batch_id"):
        raise InvalidArgumentError(
            "webhook", payload.get("type"), "a Sinch recipient delivery report with batch_id"
        )
    word = str(payload.get("status", "unknown")).lower()
    code = payload.get("code")
    failed = _STATUS.get(word) == "failed"
    return DeliveryStatus(
        provider=PROVIDER,
        message_id=str(payload["batch_id"]),
        status=_STATUS.get(word, word),
        recipient=str(payload.get("recipient", "")),
        error_code=str(code) if failed and code is not None else None,
        error_message=str(payload.get("status")) if failed else None,
        timestamp=_when(payload.get("at")),
        raw=dict(payload),
    )
