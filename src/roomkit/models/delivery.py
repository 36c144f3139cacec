"""What happens to an event after the room: provider results, delivery results and statuses.

``InboundMessage`` and ``InboundResult`` are documented under this module too; they live in
``roomkit.models.inbound`` and are re-exported here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from roomkit.models.inbound import InboundMessage, InboundResult

__all__ = ["DeliveryResult", "DeliveryStatus", "InboundMessage", "InboundResult", "ProviderResult"]


class ProviderResult(BaseModel):
    """The outcome of one send. ``success=False`` is a failed delivery, never a sent one."""

    success: bool
    provider_message_id: str | None = None
    error: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class DeliveryResult(BaseModel):
    """What delivering one event to one channel produced."""

    channel_id: str
    success: bool
    provider_result: ProviderResult | None = None
    error: str | None = None


class DeliveryStatus(BaseModel):
    """A provider's report on a message it sent earlier (queued, sent, delivered, read, failed).

    ``message_id`` is the provider's id for the message (``ProviderResult.provider_message_id``);
    ``raw`` keeps the provider's own payload.
    """

    room_id: str | None = None
    channel_id: str | None = None
    provider: str
    message_id: str
    status: str
    recipient: str = ""
    sender: str = ""
    error_code: str | None = None
    error_message: str | None = None
    timestamp: datetime | None = None
    raw: dict[str, Any] = Field(default_factory=dict)
