"""Typing, presence and read receipts as EphemeralEvents, published on the realtime backend."""

from __future__ import annotations

from typing import Any

from roomkit.errors import InvalidArgumentError
from roomkit.models.ephemeral import EphemeralEvent, EphemeralEventType
from roomkit.realtime.base import RealtimeBackend

_PRESENCE = {
    "online": EphemeralEventType.PRESENCE_ONLINE,
    "away": EphemeralEventType.PRESENCE_AWAY,
    "offline": EphemeralEventType.PRESENCE_OFFLINE,
}


class Ephemeral:
    """Builds and publishes the kit's ephemeral events. Nothing here is stored."""

    def __init__(self, realtime: RealtimeBackend) -> None:
        self._realtime = realtime

    async def typing(
        self, room_id: str, user_id: str, is_typing: bool, data: dict[str, Any] | None = None
    ) -> None:
        kind = EphemeralEventType.TYPING_START if is_typing else EphemeralEventType.TYPING_STOP
        await self._realtime.publish_to_room(
            room_id, EphemeralEvent(room_id=room_id, type=kind, user_id=user_id, data=data or {})
        )

    async def tool_call(
        self,
        room_id: str,
        channel_id: str,
        tool_calls: list[dict[str, Any]],
        kind: EphemeralEventType,
        duration_ms: int | None,
    ) -> None:
        """A channel's tool calls starting or ending; the user is the channel."""
        if kind not in (EphemeralEventType.TOOL_CALL_START, EphemeralEventType.TOOL_CALL_END):
            raise InvalidArgumentError("event_type", kind, "TOOL_CALL_START or TOOL_CALL_END")
        data: dict[str, Any] = {"tool_calls": tool_calls}
        if duration_ms is not None:
            data["duration_ms"] = duration_ms
        await self._realtime.publish_to_room(
            room_id,
            EphemeralEvent(
                room_id=room_id, type=kind, user_id=channel_id, channel_id=channel_id, data=data
            ),
        )

    async def reaction(
        self, room_id: str, user_id: str, target_event_id: str, emoji: str, action: str
    ) -> None:
        """A reaction added to (or removed from) an event."""
        if action not in ("add", "remove"):
            raise InvalidArgumentError("action", action, "'add' or 'remove'")
        data = {"target_event_id": target_event_id, "emoji": emoji, "action": action}
        await self._realtime.publish_to_room(
            room_id,
            EphemeralEvent(
                room_id=room_id, type=EphemeralEventType.REACTION, user_id=user_id, data=data
            ),
        )

    async def presence(self, room_id: str, user_id: str, status: str) -> None:
        kind = _PRESENCE.get(status)
        if kind is None:
            raise InvalidArgumentError("status", status, "one of 'online', 'away', 'offline'")
        await self._realtime.publish_to_room(
            room_id,
            EphemeralEvent(room_id=room_id, type=kind, user_id=user_id, data={"status": status}),
        )

    async def read_receipt(self, room_id: str, user_id: str, event_id: str) -> None:
        await self._realtime.publish_to_room(
            room_id,
            EphemeralEvent(
                room_id=room_id,
                type=EphemeralEventType.READ_RECEIPT,
                user_id=user_id,
                data={"event_id": event_id},
            ),
        )
