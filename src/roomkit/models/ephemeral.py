"""Ephemeral events: typing, presence and read receipts. Published, never stored."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum, unique
from typing import Any

from pydantic import BaseModel, Field

from roomkit.models._base import new_id, utcnow


@unique
class EphemeralEventType(StrEnum):
    """Kinds of ephemeral event."""

    TYPING_START = "typing_start"
    TYPING_STOP = "typing_stop"
    PRESENCE_ONLINE = "presence_online"
    PRESENCE_AWAY = "presence_away"
    PRESENCE_OFFLINE = "presence_offline"
    READ_RECEIPT = "read_receipt"
    CUSTOM = "custom"
    REACTION = "reaction"
    TOOL_CALL_START = "tool_call_start"
    TOOL_CALL_END = "tool_call_end"
    THINKING_START = "thinking_start"
    THINKING_END = "thinking_end"


class EphemeralEvent(BaseModel):
    """A small event for a room's live subscribers."""

    id: str = Field(default_factory=new_id)
    room_id: str
    type: EphemeralEventType
    user_id: str
    channel_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    timestamp: datetime = Field(default_factory=utcnow)
