"""A room's history in pages of bounded size: what ``history`` and ``join`` answer with.

A room's messages have indexes 1, 2, … (the store keeps index ``i`` at offset ``i - 1``). A
page holds at most ``limit`` messages and stops growing once its encoded messages pass
``max_bytes`` (it always holds at least one message, so paging always moves on). With the
defaults, :data:`~roomz.protocol.HISTORY_PAGE_LIMIT` messages and
:data:`~roomz.protocol.HISTORY_PAGE_BYTES`, a page stays far below the 16 MiB a client
accepts in one frame whatever the room holds.

Every page says where it stands: ``has_more`` (another page follows in the direction read),
``first_index`` (the room's first index, 0 when it is empty: a client that holds it has
reached the start) and ``last_index`` (the room's newest index when the page was read).
"""

from __future__ import annotations

from typing import Any

from roomkit import ConversationStore, RoomEvent
from roomz import protocol
from roomz.server.rooms import message_frame

READ_CHUNK = 100
"""Events read from the store at a time while filling a page."""


class HistoryPages:
    """Reads pages of a room's messages from the store.

    Args:
        store: the conversation store holding the rooms' events.
        max_bytes: the encoded size past which a page stops growing.
    """

    def __init__(
        self, store: ConversationStore, *, max_bytes: int = protocol.HISTORY_PAGE_BYTES
    ) -> None:
        self._store = store
        self.max_bytes = max_bytes

    async def after(self, room: str, since: int, limit: int) -> dict[str, Any]:
        """The oldest messages with an index above ``since``, oldest first."""
        last = await self._store.get_event_count(room)
        frames: list[dict[str, Any]] = []
        size, offset = 0, since
        while offset < last and len(frames) < limit and size < self.max_bytes:
            count = min(READ_CHUNK, limit - len(frames))
            events = await self._store.list_events(room, offset=offset, limit=count)
            if not events:
                break
            for event in events:
                offset = event.index
                size += _add(frames, event)
                if len(frames) >= limit or size >= self.max_bytes:
                    break
        return _page(room, frames, has_more=offset < last, last=last)

    async def before(self, room: str, before: int, since: int, limit: int) -> dict[str, Any]:
        """The newest messages with an index below ``before`` and above ``since``, oldest
        first."""
        last = await self._store.get_event_count(room)
        newest_first: list[dict[str, Any]] = []
        size, end = 0, min(before - 1, last)  # `end`: the next index to read, going down
        while end > since and len(newest_first) < limit and size < self.max_bytes:
            count = min(READ_CHUNK, limit - len(newest_first), end - since)
            events = await self._store.list_events(room, offset=end - count, limit=count)
            if not events:
                break
            for event in reversed(events):
                end = event.index - 1
                size += _add(newest_first, event)
                if len(newest_first) >= limit or size >= self.max_bytes:
                    break
        return _page(room, newest_first[::-1], has_more=end > since, last=last)

    async def newest(self, room: str, limit: int) -> dict[str, Any]:
        """The room's newest messages (what ``join`` embeds), oldest first."""
        return await self.before(room, protocol.MAX_INDEX, 0, limit)


def _add(frames: list[dict[str, Any]], event: RoomEvent) -> int:
    """Append ``event``'s frame unless it was blocked; its encoded size in bytes."""
    if event.status.value == "blocked":
        return 0
    frame = message_frame(event)
    frames.append(frame)
    return len(protocol.encode(frame).encode())


def _page(room: str, frames: list[dict[str, Any]], *, has_more: bool, last: int) -> dict[str, Any]:
    return {
        "room": room,
        "messages": frames,
        "has_more": has_more,
        "first_index": 1 if last else 0,
        "last_index": last,
    }
