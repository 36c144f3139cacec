"""Ephemeral events: typing, presence and read receipts. Published, never stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum, unique
from typing import Any

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


@dataclass
class EphemeralEvent:
    """A small event for a room's live subscribers: typing, presence, a read receipt.

    ``type`` is coerced to :class:`EphemeralEventType` (an unknown kind raises
    ``ValueError``). :meth:`to_dict` gives plain JSON values and :meth:`from_dict` reads
    them back, which is how distributed backends carry events between processes.
    """

    room_id: str
    type: EphemeralEventType
    user_id: str
    id: str = field(default_factory=new_id)
    channel_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    timestamp: datetime = field(default_factory=utcnow)

    def __post_init__(self) -> None:
        self.type = EphemeralEventType(self.type)

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready values (the timestamp in ISO 8601)."""
        return {
            "id": self.id,
            "room_id": self.room_id,
            "type": self.type.value,
            "user_id": self.user_id,
            "channel_id": self.channel_id,
            "data": self.data,
            "timestamp": self.timestamp.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EphemeralEvent:
        """The event :meth:`to_dict` gave; missing optional keys get their defaults.

        Raises:
            KeyError: ``room_id``, ``type`` or ``user_id`` is missing.
            ValueError: ``type`` is not an ephemeral event type, or the timestamp is not
                ISO 8601.
        """
        optional: dict[str, Any] = {
            key: data[key] for key in ("id", "channel_id", "data") if data.get(key) is not None
        }
        if data.get("timestamp") is not None:
            optional["timestamp"] = datetime.fromisoformat(data["timestamp"])
        return cls(
            room_id=data["room_id"],
            type=EphemeralEventType(data["type"]),
            user_id=data["user_id"],
            **optional,
        )
