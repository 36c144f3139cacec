"""RoomEvent — the unit the pipeline stores and broadcasts — and where it came from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from roomkit.models._base import new_id, utcnow
from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    DeleteContent,
    EditContent,
    EventContent,
    LocationContent,
    MediaContent,
    RichContent,
    SystemContent,
    TemplateContent,
    TextContent,
    VideoContent,
)
from roomkit.models.enums import ChannelDirection, ChannelType, EventStatus, EventType

# The content types are documented under this module; they live in models.content.
__all__ = [
    "AudioContent",
    "ChannelData",
    "CompositeContent",
    "DeleteContent",
    "EditContent",
    "EventContent",
    "EventSource",
    "LocationContent",
    "MediaContent",
    "RichContent",
    "RoomEvent",
    "SystemContent",
    "TemplateContent",
    "TextContent",
    "VideoContent",
]


class ChannelData(BaseModel):
    """Channel-specific data an event carries (thread ids, reply references, provider
    extras): any JSON keys, kept as given and stored with the event."""

    model_config = ConfigDict(extra="allow")


class EventSource(BaseModel):
    """Which channel (and which sender on it) produced an event."""

    channel_id: str
    channel_type: ChannelType
    direction: ChannelDirection = ChannelDirection.INBOUND
    participant_id: str | None = None
    external_id: str | None = None
    provider: str | None = None
    raw_payload: dict[str, Any] = Field(default_factory=dict)
    provider_message_id: str | None = None


class RoomEvent(BaseModel):
    """One event in a room's timeline.

    ``index`` is the event's position in its room: assigned at commit, starting at 1,
    strictly increasing with no gaps. ``visibility`` is ``"all"``, ``"none"``,
    ``"transport"``, ``"intelligence"``, or a comma-separated list of channel ids.
    """

    id: str = Field(default_factory=new_id)
    room_id: str
    type: EventType = EventType.MESSAGE
    source: EventSource
    content: EventContent
    status: EventStatus = EventStatus.PENDING
    blocked_by: str | None = None
    visibility: str = "all"
    response_visibility: str | None = None
    index: int = Field(default=0, ge=0)
    chain_depth: int = Field(default=0, ge=0)
    parent_event_id: str | None = None
    correlation_id: str | None = None
    idempotency_key: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    metadata: dict[str, Any] = Field(default_factory=dict)
    channel_data: ChannelData = Field(default_factory=ChannelData)
    delivery_results: dict[str, Any] = Field(default_factory=dict)
