"""Room timers: an idle room turns PAUSED after ``inactive_after_seconds`` and CLOSED after
``closed_after_seconds`` (``Room.timers``; None disables a threshold).

There is no background scheduler: thresholds are evaluated when ``check_room_timers`` or
``check_all_timers`` is called (run the sweep from a periodic task). The idle clock measures
from ``timers.last_activity_at``, which every event the kit stores in a room with a
threshold set moves forward (and persists); a room whose clock was never set measures from
its newest event, or its creation. The close threshold is applied first and supersedes the
pause: a room idle past both goes straight to CLOSED. Each transition is persisted, emits
the ``room_paused`` / ``room_closed`` framework event and runs the ON_ROOM_PAUSED /
ON_ROOM_CLOSED hooks.

Rooms without thresholds cost nothing on the message path: ``has_thresholds`` is checked
on the cached room and nothing is read or written for them.
"""

from __future__ import annotations

from datetime import datetime

from roomkit.admin import RoomOps
from roomkit.models._base import utcnow
from roomkit.models.enums import HookTrigger, RoomStatus
from roomkit.models.room import Room
from roomkit.store.base import ConversationStore


def has_thresholds(room: Room) -> bool:
    """Whether any timer of ``room`` can fire."""
    timers = room.timers
    return timers.inactive_after_seconds is not None or timers.closed_after_seconds is not None


class RoomTimekeeper:
    """Moves the idle clock of rooms with timers and applies their thresholds."""

    def __init__(self, store: ConversationStore, ops: RoomOps) -> None:
        self._store = store
        self._ops = ops

    async def touch(self, room_id: str, at: datetime) -> None:
        """Record activity at ``at`` (a stored event's time) on a room with timers."""
        room = await self._store.get_room(room_id)
        if room is None or not has_thresholds(room):
            return
        last = room.timers.last_activity_at
        if last is not None and last >= at:
            return
        timers = room.timers.model_copy(update={"last_activity_at": at})
        await self._store.update_room(room.model_copy(update={"timers": timers}))
        self._ops.forget(room_id)

    async def check(self, room_id: str) -> Room:
        """Apply the room's thresholds; returns the room, transitioned or not.

        Raises:
            RoomNotFoundError: no such room.
        """
        room = await self._ops.get_room(room_id)
        if room.status not in (RoomStatus.ACTIVE, RoomStatus.PAUSED) or not has_thresholds(room):
            return room
        idle = (utcnow() - await self._last_activity(room)).total_seconds()
        closing = room.timers.closed_after_seconds
        if closing is not None and idle >= closing:
            return await self._ops.close_room(room_id)
        pausing = room.timers.inactive_after_seconds
        if pausing is not None and idle >= pausing and room.status is RoomStatus.ACTIVE:
            return await self._pause(room)
        return room

    async def check_all(self) -> list[Room]:
        """Apply the thresholds of every ACTIVE and PAUSED room; returns those that changed."""
        changed: list[Room] = []
        for status in (RoomStatus.ACTIVE, RoomStatus.PAUSED):
            for room in await self._store.find_rooms(status=status):
                if has_thresholds(room):
                    checked = await self.check(room.id)
                    if checked.status is not room.status:
                        changed.append(checked)
        return changed

    async def _last_activity(self, room: Room) -> datetime:
        if room.timers.last_activity_at is not None:
            return room.timers.last_activity_at
        count = await self._store.get_event_count(room.id)
        newest = await self._store.list_events(room.id, offset=max(0, count - 1), limit=1)
        return newest[-1].created_at if newest else room.created_at

    async def _pause(self, room: Room) -> Room:
        paused = room.model_copy(update={"status": RoomStatus.PAUSED, "updated_at": utcnow()})
        await self._store.update_room(paused)
        self._ops.forget(room.id)
        await self._ops.announce_room("room_paused", HookTrigger.ON_ROOM_PAUSED, room.id)
        return paused
