"""Room and RoomContext."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from roomkit.models._base import new_id, utcnow
from roomkit.models.binding import ChannelBinding
from roomkit.models.enums import ChannelCategory, ChannelType, RoomStatus
from roomkit.models.event import RoomEvent
from roomkit.models.participant import Participant


class RoomTimers(BaseModel):
    """When an idle room turns inactive, then closed (None: never), and when it was last active."""

    inactive_after_seconds: int | None = Field(default=None, ge=0)
    closed_after_seconds: int | None = Field(default=None, ge=0)
    last_activity_at: datetime | None = None


class Room(BaseModel):
    """A conversation that binds any mix of channels."""

    id: str = Field(default_factory=new_id, min_length=1)
    organization_id: str | None = None
    status: RoomStatus = RoomStatus.ACTIVE
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    timers: RoomTimers = Field(default_factory=RoomTimers)
    event_count: int = Field(default=0, ge=0)
    latest_index: int = Field(default=0, ge=0)


class RoomContext(BaseModel):
    """What channels and hooks are handed: the room, its bindings, participants, recent events.

    ``recent_events`` holds the room's newest events, oldest first.
    """

    room: Room
    bindings: list[ChannelBinding] = Field(default_factory=list)
    participants: list[Participant] = Field(default_factory=list)
    recent_events: list[RoomEvent] = Field(default_factory=list)

    def get_binding(self, channel_id: str) -> ChannelBinding | None:
        """The binding of ``channel_id`` in this room, if attached."""
        for binding in self.bindings:
            if binding.channel_id == channel_id:
                return binding
        return None

    def other_channels(self, exclude_channel_id: str) -> list[ChannelBinding]:
        """Every binding except the one of ``exclude_channel_id``, in attach order."""
        return [b for b in self.bindings if b.channel_id != exclude_channel_id]

    def channels_by_type(self, channel_type: ChannelType) -> list[ChannelBinding]:
        """The bindings of channels of one type."""
        return [b for b in self.bindings if b.channel_type == channel_type]

    def transport_bindings(self) -> list[ChannelBinding]:
        """The bindings of transport channels."""
        return [b for b in self.bindings if b.category == ChannelCategory.TRANSPORT]

    def intelligence_bindings(self) -> list[ChannelBinding]:
        """The bindings of intelligence channels."""
        return [b for b in self.bindings if b.category == ChannelCategory.INTELLIGENCE]
