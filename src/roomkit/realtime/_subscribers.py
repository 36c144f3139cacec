"""Local fan-out shared by the realtime backends: a bounded queue and one task per subscription.

``deliver`` never awaits a subscriber: it appends the event to each subscription's queue,
so the publisher (or the Redis reader) is never held up by a slow callback, and each
subscription's own task awaits its callback one event at a time, so a room's events reach
it in publish order. The trade-off is memory and loss: a subscription whose callback cannot
keep up holds at most ``max_pending`` events; beyond that its *oldest* pending event is
dropped (ephemeral state is superseded by newer events — the latest typing or presence is
the one worth showing), counted in ``Subscriber.dropped`` and logged. So that a burst
published without a pause does not overflow subscribers that are merely behind, ``deliver``
yields to the loop once whenever a queue is more than half full.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from roomkit.models.ephemeral import EphemeralEvent
from roomkit.realtime.base import EphemeralCallback

logger = logging.getLogger(__name__)


class Subscriber:
    """One subscription: its queue and the task that feeds its callback."""

    def __init__(
        self,
        room_id: str,
        callback: EphemeralCallback,
        *,
        max_pending: int,
        callback_timeout: float | None,
    ) -> None:
        self.id = uuid.uuid4().hex
        self.room_id = room_id
        self.dropped = 0
        self._stopped = False
        self._callback = callback
        self._timeout = callback_timeout
        self._queue: asyncio.Queue[EphemeralEvent] = asyncio.Queue(max_pending)
        self._task = asyncio.create_task(self._run(), name=f"ephemeral subscriber {self.id}")

    def offer(self, event: EphemeralEvent) -> bool:
        """Queue ``event``, dropping the oldest pending one if full; True if half full."""
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                logger.warning(
                    "ephemeral subscriber %s of room %s is slow: %d events dropped",
                    self.id,
                    self.room_id,
                    self.dropped,
                )
        self._queue.put_nowait(event)
        return self._queue.qsize() * 2 >= self._queue.maxsize

    async def close(self) -> None:
        """Stop the task; pending events are discarded. Safe to call from the callback itself."""
        if self._task is asyncio.current_task():
            # Called from our own callback: awaiting ourselves would deadlock and cancelling
            # would interrupt the caller, so the loop ends as soon as the callback returns.
            self._stopped = True
            return
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while not self._stopped:
            event = await self._queue.get()
            try:
                async with asyncio.timeout(self._timeout):
                    await self._callback(event)
            except Exception:
                # One failing subscriber must not stop its own later events or anyone else's.
                logger.exception("ephemeral subscriber %s failed on %s", self.id, event.type)


class Subscribers:
    """The subscriptions of one backend, by room."""

    def __init__(self, *, max_pending: int, callback_timeout: float | None) -> None:
        self._max_pending = max_pending
        self._timeout = callback_timeout
        self._by_room: dict[str, dict[str, Subscriber]] = {}
        self._by_id: dict[str, Subscriber] = {}

    def add(self, room_id: str, callback: EphemeralCallback) -> Subscriber:
        """Start a subscription for ``room_id``."""
        subscriber = Subscriber(
            room_id, callback, max_pending=self._max_pending, callback_timeout=self._timeout
        )
        self._by_room.setdefault(room_id, {})[subscriber.id] = subscriber
        self._by_id[subscriber.id] = subscriber
        return subscriber

    def remove(self, subscription_id: str) -> Subscriber | None:
        """Forget a subscription (the caller closes it); None if it does not exist."""
        subscriber = self._by_id.pop(subscription_id, None)
        if subscriber is not None:
            room = self._by_room[subscriber.room_id]
            del room[subscription_id]
            if not room:
                del self._by_room[subscriber.room_id]
        return subscriber

    def __len__(self) -> int:
        return len(self._by_id)

    def has_room(self, room_id: str) -> bool:
        """Whether anyone here subscribes to ``room_id``."""
        return room_id in self._by_room

    async def deliver(self, room_id: str, event: EphemeralEvent) -> None:
        """Queue ``event`` for every subscriber of ``room_id``, without waiting for any.

        When a subscriber's backlog passes half its bound this yields once to the loop, so
        that subscribers which are merely behind a burst (not slow) catch up before their
        queue overflows.
        """
        backlogged = False
        for subscriber in self._by_room.get(room_id, {}).values():
            backlogged |= subscriber.offer(event)
        if backlogged:
            await asyncio.sleep(0)

    async def close(self) -> None:
        """Stop every subscription and wait for its task."""
        subscribers = list(self._by_id.values())
        self._by_room.clear()
        self._by_id.clear()
        for subscriber in subscribers:
            await subscriber.close()
