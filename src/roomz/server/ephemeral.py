"""Frames for roomkit's ephemeral events: typing, presence and read receipts.

roomz publishes them with the author's user object in ``data["user"]`` (so every process
can show the display name); events published by other roomkit code without it are shown
with the address from the user id.
"""

from __future__ import annotations

from typing import Any

from roomkit import EphemeralEvent, EphemeralEventType
from roomz import protocol

_PRESENCE = {
    EphemeralEventType.PRESENCE_ONLINE: "online",
    EphemeralEventType.PRESENCE_AWAY: "away",
    EphemeralEventType.PRESENCE_OFFLINE: "offline",
}


def _user(event: EphemeralEvent) -> dict[str, Any]:
    user = event.data.get("user")
    if isinstance(user, dict) and "id" in user and "email" in user:
        return user
    return protocol.user_info(event.user_id.removeprefix("user:"))


def frame_for(event: EphemeralEvent) -> dict[str, Any] | None:
    """The ``typing``, ``presence`` or ``read_receipt`` frame of ``event``, or None for
    other kinds."""
    kind, user = event.type, _user(event)
    if kind in (EphemeralEventType.TYPING_START, EphemeralEventType.TYPING_STOP):
        state = kind is EphemeralEventType.TYPING_START
        return protocol.event_frame("typing", user, room=event.room_id, state=state)
    if kind in _PRESENCE:
        return protocol.event_frame("presence", user, status=_PRESENCE[kind])
    if kind is EphemeralEventType.READ_RECEIPT:
        index = event.data.get("index")
        return protocol.event_frame("read_receipt", user, room=event.room_id, index=index)
    return None
