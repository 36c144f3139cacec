"""InboundMessage (what a provider yields) and InboundResult (what process_inbound returns)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from roomkit.models.content import EventContent
from roomkit.models.enums import EventType
from roomkit.models.event import RoomEvent


class InboundMessage(BaseModel):
    """A message arriving on a channel, before it belongs to a room.

    ``session`` carries a live session object (a voice call, say) to the channel that
    handles the message; it is never serialised.
    """

    channel_id: str = Field(min_length=1)
    sender_id: str = Field(min_length=1)
    content: EventContent
    event_type: EventType = EventType.MESSAGE
    external_id: str | None = None
    thread_id: str | None = None
    idempotency_key: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    session: Any | None = Field(default=None, exclude=True)


class InboundResult(BaseModel):
    """The outcome of ``process_inbound``.

    ``event`` is the stored event (or, for a duplicate idempotency key, the original one);
    ``blocked`` is true when a hook, identity step or policy stopped the message, with
    ``reason`` saying why.
    """

    event: RoomEvent | None = None
    blocked: bool = False
    reason: str | None = None
    duplicate: bool = False
