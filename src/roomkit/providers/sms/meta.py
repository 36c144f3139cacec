"""WebhookMeta — what any SMS vendor's webhook says, in one vendor-neutral shape.

A vendor's webhook parser (``roomkit.providers.<vendor>``) fills one; the kit turns it into
an :class:`InboundMessage` (a message someone sent) or a :class:`DeliveryStatus` (news
about a message the kit sent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from roomkit.errors import InvalidArgumentError
from roomkit.models.content import CompositeContent, EventContent, MediaContent, TextContent
from roomkit.models.delivery import DeliveryStatus
from roomkit.models.inbound import InboundMessage

__all__ = ["WebhookMeta"]

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

    @property
    def is_inbound(self) -> bool:
        """Whether this is a message someone sent (not news about one the kit sent)."""
        if self.direction is not None:
            return self.direction == "inbound"
        return self.event_type not in _STATUS_EVENTS

    @property
    def is_status(self) -> bool:
        """Whether this is a delivery status of an outbound message."""
        return self.direction == "outbound" and self.event_type in _STATUS_EVENTS

    def to_status(self) -> DeliveryStatus:
        """The delivery status this webhook reports (``status`` is ``"delivered"``, …)."""
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
