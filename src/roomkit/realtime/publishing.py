"""Typing, presence and read receipts as EphemeralEvents, published on the realtime backend."""

from __future__ import annotations

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

    async def typing(self, room_id: str, user_id: str, is_typing: bool) -> None:
        kind = EphemeralEventType.TYPING_START if is_typing else EphemeralEventType.TYPING_STOP
        await self._realtime.publish_to_room(
            room_id, EphemeralEvent(room_id=room_id, type=kind, user_id=user_id)
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
