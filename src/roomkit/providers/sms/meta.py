"""WebhookMeta — what any SMS vendor's webhook says, in one vendor-neutral shape.

A vendor's webhook parser (``roomkit.providers.<vendor>``) fills one; the kit turns it into
an :class:`InboundMessage` (a message someone sent) or a :class:`DeliveryStatus` (news
about a message the kit sent).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from roomkit.errors import InvalidArgumentError
from roomkit.models.content import CompositeContent, EventContent, MediaContent, TextContent
from roomkit.models.delivery import DeliveryStatus
from roomkit.models.inbound import InboundMessage

__all__ = ["WebhookMeta", "extract_sms_meta"]

# Event types by which vendors (Telnyx) mark news about an outbound message.
_STATUS_EVENTS = frozenset(
    {"message.sent", "message.delivered", "message.failed", "message.finalized"}
)


@dataclass
class WebhookMeta:
    """One SMS webhook, vendor-neutral.

    ``media_urls`` holds ``{"url": ..., "mime_type": ...}`` per attachment. ``direction``
    (``"inbound"`` / ``"outbound"``) and ``event_type`` (``"message.received"``, …) are
    set by vendors whose webhooks carry them; without them a webhook is an inbound message.
    """

    provider: str
    sender: str
    recipient: str
    body: str
    external_id: str | None
    timestamp: datetime | None
    raw: dict[str, Any]
    media_urls: list[dict[str, str | None]] = field(default_factory=list)
    direction: str | None = None
    event_type: str | None = None
    # The vendor's own reading of a status webhook (error codes and all), kept for to_status.
    delivery_status: DeliveryStatus | None = field(default=None, kw_only=True, repr=False)

    @property
    def is_inbound(self) -> bool:
        """Whether this is a message someone sent (not news about one the kit sent)."""
        if self.direction is not None:
            return self.direction == "inbound"
        return self.event_type not in _STATUS_EVENTS

    @property
    def is_status(self) -> bool:
        """Whether this is a delivery status of an outbound message."""
        if self.delivery_status is not None:
            return True
        return self.direction == "outbound" and self.event_type in _STATUS_EVENTS

    def to_status(self) -> DeliveryStatus:
        """The delivery status this webhook reports (``status`` is ``"delivered"``, …)."""
        if self.delivery_status is not None:
            return self.delivery_status
        status = (self.event_type or "unknown").removeprefix("message.")
        errors = self.raw.get("data", {}).get("payload", {}).get("errors") or [{}]
        code, detail = errors[0].get("code"), errors[0].get("detail")
        return DeliveryStatus(
            provider=self.provider,
            message_id=self.external_id or "",
            status=status,
            recipient=self.recipient,
            sender=self.sender,
            error_code=None if code is None else str(code),
            error_message=None if detail is None else str(detail),
            timestamp=self.timestamp,
            raw=self.raw,
        )

    def to_inbound(self, channel_id: str) -> InboundMessage:
        """The message for ``kit.process_inbound``, deduplicated by ``external_id``.

        Raises:
            InvalidArgumentError: this webhook is not an inbound message (a status update).
        """
        if not self.is_inbound:
            raise InvalidArgumentError(
                "webhook",
                f"{self.provider} {self.direction or ''} {self.event_type or ''}".strip(),
                "an inbound message; delivery statuses go through to_status()",
            )
        return InboundMessage(
            channel_id=channel_id,
            sender_id=self.sender,
            content=_content(self.body, self.media_urls),
            external_id=self.external_id,
            idempotency_key=self.external_id,
            metadata={
                "provider": self.provider,
                "recipient": self.recipient,
                "timestamp": self.timestamp.isoformat() if self.timestamp else None,
            },
        )


def _content(body: str, media: list[dict[str, str | None]]) -> EventContent:
    """Text, one captioned media, or text followed by several media."""
    parts = [
        MediaContent(url=str(m["url"]), mime_type=m.get("mime_type") or "application/octet-stream")
        for m in media
        if m.get("url")
    ]
    if not parts:
        return TextContent(body=body)
    if len(parts) == 1:
        return parts[0].model_copy(update={"caption": body or None})
    head: list[TextContent | MediaContent] = [TextContent(body=body)] if body else []
    return CompositeContent(parts=[*head, *parts])


# The SMS vendors extract_sms_meta reads: the module of their webhook readers, the test that
# tells a status callback from a message (None: the vendor sends no statuses), the status
# reader and the message reader. Imported on use: the vendor modules import this one.
_VENDORS: dict[str, tuple[str, str | None, str | None, str]] = {
    "twilio": (
        "roomkit.providers.twilio.webhook",
        "is_twilio_status",
        "parse_twilio_status",
        "twilio_message_meta",
    ),
    "telnyx": (
        "roomkit.providers.telnyx.webhook",
        "is_telnyx_status",
        "parse_telnyx_status",
        "telnyx_message_meta",
    ),
    "sinch": (
        "roomkit.providers.sinch.webhook",
        "is_sinch_status",
        "parse_sinch_status",
        "sinch_message_meta",
    ),
    "voicemeup": ("roomkit.providers.voicemeup.sms", None, None, "voicemeup_message_meta"),
}


def extract_sms_meta(provider: str, payload: dict[str, Any]) -> WebhookMeta:
    """Read one SMS vendor's webhook body (already verified) as a :class:`WebhookMeta`.

    ``provider`` names the vendor: ``"twilio"`` (the form fields as a dict), ``"telnyx"``,
    ``"sinch"`` or ``"voicemeup"`` (their JSON bodies). A status callback gives a meta whose
    ``is_status`` is true; a message one whose ``is_inbound`` is. Hand either to
    ``kit.process_webhook(meta, channel_id)``.

    Raises:
        InvalidArgumentError: an unknown provider, or a body that vendor does not send.
    """
    try:
        module, is_status, read_status, read_message = _VENDORS[provider.lower()]
    except KeyError:
        raise InvalidArgumentError("provider", provider, f"one of {sorted(_VENDORS)}") from None
    vendor = importlib.import_module(module)
    if is_status is not None and read_status is not None and getattr(vendor, is_status)(payload):
        status: DeliveryStatus = getattr(vendor, read_status)(payload)
        return WebhookMeta(
            provider=status.provider,
            sender=status.sender,
            recipient=status.recipient,
            body="",
            external_id=status.message_id,
            timestamp=status.timestamp,
            raw=payload,
            direction="outbound",
            event_type=f"message.{status.status}",
            delivery_status=status,
        )
    meta: WebhookMeta = getattr(vendor, read_message)(payload)
    return meta
