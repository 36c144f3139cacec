"""Gapless delivery per room in this process, whatever the realtime backend lost.

Redis pub/sub keeps nothing: while a process is cut off from it (an outage, and the seconds
before it has subscribed again) the messages other processes store are never relayed to
it. The store has them all, with per-room indexes that have no gaps, so this process keeps
the highest index it has handed to its sockets per watched room (``last``) and repairs any
hole from the store before going on:

* a message that arrives with an index beyond ``last + 1`` — relayed by another process,
  or stored by this one — is preceded by the missing ones, read from the store;
* when the realtime backend has subscribed again after losing its connection, every
  watched room is brought up to the store's newest index at once, so the tail of an
  outage arrives even if nothing follows it.

Repairs of one room are serialised, and every socket drops what it had already
(:meth:`~roomz.server.sockets.Connection.deliver`), so each socket receives each message
once, in index order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from roomkit import RoomEvent
from roomkit.store.base import ConversationStore
from roomz.server.sockets import LocalSockets

logger = logging.getLogger(__name__)

Encode = Callable[[RoomEvent], tuple[str, int, str]]
"""``(room, index, frame text)`` of a stored message."""

PAGE = 500  # events read from the store at a time while repairing


class Catchup:
    """The highest index relayed per watched room, and the repairs (see the module).

    Args:
        store: where every message is.
        sockets: this process's sockets.
        encode: a stored message's frame.
    """

    def __init__(self, store: ConversationStore, sockets: LocalSockets, encode: Encode) -> None:
        self._store = store
        self._sockets = sockets
        self._encode = encode
        self._last: dict[str, int] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.replayed = 0  # messages read back from the store, for the figures

    def start(self, room: str, newest: int) -> None:
        """Watch ``room`` from index ``newest`` on (what came before is the clients' history)."""
        if newest > self._last.get(room, -1):
            self._last[room] = newest

    def missing(self, room: str, index: int) -> bool:
        """Whether messages of a watched room come before ``index`` that were not relayed."""
        last = self._last.get(room)
        return last is not None and index > last + 1

    async def before(self, room: str, index: int) -> None:
        """Repair the hole, if any, before message ``index`` of ``room`` is handed out."""
        if self.missing(room, index):
            await self.fill(room, index - 1)

    def passed(self, room: str, index: int) -> None:
        """Message ``index`` of ``room`` was handed to the local sockets."""
        if index > self._last.get(room, 0):
            self._last[room] = index

    async def fill(self, room: str, upto: int) -> None:
        """Hand the local sockets every message of ``room`` after ``last`` up to ``upto``."""
        lock = self._locks.setdefault(room, asyncio.Lock())
        async with lock:
            while (last := self._last.get(room, upto)) < upto:
                page = await self._store.list_events(
                    room, offset=last, limit=min(PAGE, upto - last)
                )
                if not page:
                    return  # not stored yet, as far as this store connection sees
                for event in page:
                    self._replay(event)
                self.passed(room, page[-1].index)

    async def resync(self) -> None:
        """Bring every watched room up to the store's newest message (after the realtime
        backend subscribed again)."""
        for room in list(self._last):
            try:
                await self.fill(room, await self._store.get_event_count(room))
            except Exception:
                # The store failed: the next message of the room repairs the hole.
                logger.exception("could not catch room %r up after a realtime outage", room)

    def _replay(self, event: RoomEvent) -> None:
        if event.status.value == "blocked":
            return
        room, index, text = self._encode(event)
        self.replayed += 1
        self._sockets.deliver(room, index, text)
