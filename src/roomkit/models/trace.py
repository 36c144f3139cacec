"""ProtocolTrace: one protocol exchange a channel saw, for debugging and observability."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from roomkit.models._base import utcnow


@dataclass(frozen=True)
class ProtocolTrace:
    """One frame, request or message a channel sent or received on its wire protocol.

    ``protocol`` names the wire (``"http"``, ``"websocket"``, ``"sip"``...) and is what
    ``Channel.on_trace(..., protocols=[...])`` filters on; ``raw`` holds the bytes or text
    when the channel keeps them. ``room_id`` is filled from ``session_id`` by the channel
    (``Channel.resolve_trace_room``) when it knows the room.
    """

    channel_id: str
    direction: Literal["inbound", "outbound"]
    protocol: str
    summary: str
    raw: bytes | str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    timestamp: datetime = field(default_factory=utcnow)
    session_id: str | None = None
    room_id: str | None = None
