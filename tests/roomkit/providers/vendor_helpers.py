"""What the vendor provider tests share: an outbound event and a fast retry policy."""

from __future__ import annotations

from roomkit.models.content import EventContent
from roomkit.models.enums import ChannelType
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.policy import RetryPolicy

# Retries without the default one-second waits (a vendor's Retry-After still holds).
FAST = RetryPolicy(max_retries=2, base_delay_seconds=0.01)


def outbound(content: EventContent) -> RoomEvent:
    """An event of room r1, from a WebSocket user, as a provider is asked to send it."""
    source = EventSource(channel_id="ws", channel_type=ChannelType.WEBSOCKET)
    return RoomEvent(room_id="r1", source=source, content=content)
