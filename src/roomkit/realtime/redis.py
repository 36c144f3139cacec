"""RedisRealtime — ephemeral events over Redis pub/sub, across every process of a deployment.

Each backend channel is one Redis channel (``channel_prefix + channel``) carrying events as
JSON (``EphemeralEvent.to_dict``). An instance holds one pub/sub connection, subscribed to
the channels that have a local subscriber, and one reader task that hands each message to
the local fan-out (the same bounded per-subscription queues as ``InMemoryRealtime``), so
each subscriber sees a channel's events in the order Redis received them. Redis keeps
nothing: an event published while a process is disconnected never reaches it; the reader
reconnects with backoff and re-subscribes, then calls the callbacks given to
:meth:`RedisRealtime.on_resubscribed`, so an application that stores what it publishes can
recover what was lost.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from roomkit._redis import CONNECTION_ERRORS, Listener, connect
from roomkit._urls import connection_error
from roomkit.models.ephemeral import EphemeralEvent
from roomkit.realtime._subscribers import Subscribers
from roomkit.realtime.base import EphemeralCallback, RealtimeBackend

logger = logging.getLogger(__name__)


class RedisRealtime(RealtimeBackend):
    """Ephemeral events through Redis pub/sub. Nothing is stored.

    Args:
        url: the Redis server, ``redis://[user:password@]host:port/db``.
        channel_prefix: prefix of the Redis channel names.
        max_queue_size: events a local subscription may have waiting before its oldest is
            dropped.
        callback_timeout: seconds one callback may run before it is cancelled and logged.

    No connection is made until the first ``publish`` or ``subscribe``.
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        channel_prefix: str = "roomkit:realtime:",
        max_queue_size: int = 100,
        callback_timeout: float | None = 5.0,
    ) -> None:
        self._url = url
        self._prefix = channel_prefix
        self._client = connect(url)
        self._listener = Listener(self._client, url, self._on_message, self._resubscribed)
        self._subscribers = Subscribers(
            max_pending=max_queue_size, callback_timeout=callback_timeout
        )
        self._on_resubscribed: list[Callable[[], Awaitable[None]]] = []
        self._closed = False

    def on_resubscribed(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Await ``callback()`` each time the connection is back after a loss and every channel
        is subscribed again. Events published while it was lost never arrive; events
        published after ``callback`` starts do. It runs in the reader: while it runs, no
        event is handed to subscribers, so it should be brief; an error in it is logged."""
        self._on_resubscribed.append(callback)

    async def publish(self, channel: str, event: EphemeralEvent) -> None:
        """Send ``event`` to the channel's subscribers in every process.

        Raises:
            BackendConnectionError: Redis could not be reached.
        """
        try:
            await self._client.publish(self._prefix + channel, json.dumps(event.to_dict()))
        except CONNECTION_ERRORS as exc:
            raise connection_error(self._url, exc) from exc

    async def subscribe(self, channel: str, callback: EphemeralCallback) -> str:
        """Deliver the channel's events published from now on to ``callback``.

        Raises:
            BackendConnectionError: Redis could not be reached or did not confirm in time.
        """
        self._check_open()
        subscriber = self._subscribers.add(channel, callback)
        # Every subscribe waits for a confirmed SUBSCRIBE, even when the channel already has
        # one in flight: a repeated SUBSCRIBE is harmless and costs one round trip.
        try:
            await self._listener.listen(self._prefix + channel)
        except BaseException:
            await self.unsubscribe(subscriber.id)
            raise
        return subscriber.id

    async def unsubscribe(self, subscription_id: str) -> bool:
        subscriber = self._subscribers.remove(subscription_id)
        if subscriber is None:
            return False
        if not self._subscribers.has_room(subscriber.room_id):
            await self._listener.unlisten(self._prefix + subscriber.room_id)
        await subscriber.close()
        return True

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._subscribers.close()
        await self._listener.close()
        await self._client.aclose()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("RedisRealtime is closed")

    async def _resubscribed(self) -> None:
        for callback in list(self._on_resubscribed):
            try:
                await callback()
            except Exception:
                logger.exception("on_resubscribed callback failed")

    async def _on_message(self, channel: str, data: bytes) -> None:
        # Runs in the listener's reader task: parse and queue, never await a subscriber.
        try:
            event = EphemeralEvent.from_dict(json.loads(data))
        except (ValueError, KeyError, TypeError) as exc:  # JSONDecodeError is a ValueError
            logger.warning("ignoring malformed ephemeral event on %s: %s", channel, exc)
            return
        await self._subscribers.deliver(channel.removeprefix(self._prefix), event)

    async def __aenter__(self) -> RedisRealtime:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
