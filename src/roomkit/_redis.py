"""Plumbing shared by the Redis backends: the client, error mapping and a pub/sub listener.

Importing this module imports redis-py, so only ``roomkit.locks.redis`` and
``roomkit.realtime.redis`` import it, and ``import roomkit`` never does.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from roomkit._extras import require
from roomkit._urls import connection_error, safe_url
from roomkit.errors import BackendConnectionError

if TYPE_CHECKING:
    import redis.asyncio as aioredis
    import redis.asyncio.retry as redis_retry
    import redis.backoff as redis_backoff
    import redis.exceptions as redis_errors
else:
    aioredis = require("redis.asyncio", "redis")
    redis_retry = require("redis.asyncio.retry", "redis")
    redis_backoff = require("redis.backoff", "redis")
    redis_errors = require("redis.exceptions", "redis")

logger = logging.getLogger(__name__)

Redis = aioredis.Redis

# What the client raises when the server cannot be reached or stops answering.
CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    OSError,
)

_SOCKET_TIMEOUT = 5.0
# Seconds the server has to confirm a subscription before we call it unreachable.
_CONFIRM_TIMEOUT = 5.0
_MIN_BACKOFF = 0.05
_MAX_BACKOFF = 2.0


def connect(url: str) -> Redis:
    """A client for ``url``; no I/O happens until the first command.

    A failing command is retried three times within 0.4 s (redis-py reconnects before each
    retry), so a restarted server is picked up and a dead one is reported quickly.
    """
    retry = redis_retry.Retry(redis_backoff.ExponentialBackoff(cap=0.25, base=0.025), 3)
    # socket_timeout bounds every command (a half-open connection would otherwise hang it);
    # redis-py exempts the blocking pub/sub read, which waits as long as it takes.
    return aioredis.Redis.from_url(
        url,
        retry=retry,
        socket_connect_timeout=_SOCKET_TIMEOUT,
        socket_timeout=_SOCKET_TIMEOUT,
        socket_keepalive=True,
    )


class Listener:
    """One pub/sub connection and the owned task that reads it.

    ``listen`` returns once the server has confirmed the subscription, so whatever is
    published after it returns is delivered. Callers must call ``listen`` / ``unlisten``
    right after deciding to (no ``await`` in between): the commands are sent in call order,
    so a subscribe and an unsubscribe of one channel cannot overtake each other. After a
    lost connection the reader reconnects with backoff and redis-py re-subscribes every
    channel; messages published during the outage are lost, as pub/sub keeps nothing.
    Once every channel is subscribed again, ``on_resubscribed`` is awaited (in the reader,
    so nothing received after it is dispatched before it returns): whatever is published
    from then on is delivered, and what went before may be recovered from elsewhere.
    """

    def __init__(
        self,
        client: Redis,
        url: str,
        on_message: Callable[[str, bytes], Awaitable[None]],
        on_resubscribed: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._pubsub = client.pubsub()
        self._url = url
        self._on_message = on_message
        self._on_resubscribed = on_resubscribed
        self._send_lock = asyncio.Lock()
        self._pongs: dict[str, asyncio.Future[None]] = {}
        self._resync: str | None = None  # the PING token that confirms a resubscription
        self._connects = 0  # connections made; every one after the first re-subscribes
        self._resynced = 1  # connections whose resubscription was confirmed (or the first)
        self._reader: asyncio.Task[None] | None = None

    async def listen(self, channel: str) -> None:
        """Subscribe to ``channel`` and wait for the server to confirm it.

        Raises:
            BackendConnectionError: the server could not be reached or did not confirm in time.
        """
        # A PING sent after SUBSCRIBE is answered after it: its pong is the confirmation,
        # and unlike a 'subscribe' reply it cannot be mistaken for an earlier one.
        token = uuid.uuid4().hex
        pong = self._pongs[token] = asyncio.get_running_loop().create_future()
        try:
            await self._send_subscribe(channel, token)
            try:
                async with asyncio.timeout(_CONFIRM_TIMEOUT):
                    await pong
            except TimeoutError:
                reason = f"subscription to {channel!r} not confirmed in {_CONFIRM_TIMEOUT:g}s"
                raise BackendConnectionError(safe_url(self._url), reason) from None
        finally:
            self._pongs.pop(token, None)

    async def _send_subscribe(self, channel: str, token: str) -> None:
        try:
            async with self._send_lock:
                await self._pubsub.connect()  # type: ignore[no-untyped-call]  # redis-py
                connection = self._pubsub.connection
                if connection is not None and not self._connects:
                    self._connects = 1
                    # Called on every reconnection too, after redis-py re-sent SUBSCRIBE
                    # (often within a command retry, where get_message raises nothing).
                    connection.register_connect_callback(self._connected)
                self._start_reader()
                await self._pubsub.subscribe(channel)
                await self._pubsub.ping(token)
        except CONNECTION_ERRORS as exc:
            raise connection_error(self._url, exc) from exc

    async def unlisten(self, channel: str) -> None:
        """Unsubscribe from ``channel``.

        A failure is only logged: should the subscription survive, its messages find no
        local subscriber and are dropped.
        """
        try:
            async with self._send_lock:
                await self._pubsub.unsubscribe(channel)
        except CONNECTION_ERRORS as exc:
            logger.warning("unsubscribe %s on %s failed: %s", channel, safe_url(self._url), exc)

    async def close(self) -> None:
        """Stop the reader and close the connection. Idempotent."""
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
            self._reader = None
        await self._pubsub.aclose()

    def _start_reader(self) -> None:
        if self._reader is None:
            self._reader = asyncio.create_task(self._read(), name=f"redis-listener {self._url}")

    def _connected(self, connection: object) -> None:
        self._connects += 1

    async def _read(self) -> None:
        delay = _MIN_BACKOFF
        while True:
            try:
                message = await self._pubsub.get_message(timeout=None)
                if self._resynced < self._connects:
                    # Reconnected, and redis-py re-sent every SUBSCRIBE: the pong of a PING
                    # sent now confirms them all (see _dispatch).
                    self._resynced = self._connects
                    self._resync = f"resync:{uuid.uuid4().hex}"
                    async with self._send_lock:
                        await self._pubsub.ping(self._resync)
            except CONNECTION_ERRORS as exc:
                # The next get_message reconnects; redis-py then re-subscribes every channel.
                logger.warning(
                    "redis pub/sub on %s lost (%s); retrying in %.2fs",
                    safe_url(self._url),
                    exc,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, _MAX_BACKOFF)
                continue
            delay = _MIN_BACKOFF
            if message is not None:
                await self._dispatch(message)

    async def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "pong":
            token = _text(message["data"])
            if token == self._resync:
                self._resync = None
                await self._resubscribed()
            pong = self._pongs.pop(token, None)
            if pong is not None and not pong.done():
                pong.set_result(None)
        elif kind == "message":
            try:
                await self._on_message(_text(message["channel"]), message["data"])
            except Exception:
                # A bad message must not stop the reader that every subscriber depends on.
                logger.exception("redis pub/sub message on %s not handled", message["channel"])

    async def _resubscribed(self) -> None:
        if self._on_resubscribed is None:
            return
        try:
            await self._on_resubscribed()
        except Exception:
            logger.exception("resubscription to %s not handled", safe_url(self._url))


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
