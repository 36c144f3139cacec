"""RedisLockManager — per-room locks shared by every process that uses one Redis server.

A room's lock is the key ``{prefix}{<room>}`` holding the holder's random token, set with
``SET NX PX``-semantics by a script that also increments the room's fencing counter, so an
uncontended acquire and release cost one round trip each. Everything else follows from it:

* Only the holder releases: the release script deletes the key only if it still holds our
  token, so a holder whose lock expired cannot free its successor's.
* A lock is a short lease: a crashed holder (SIGKILL, host lost) blocks the room for at most
  ``expiry`` (2.5 s by default); a live one keeps the lock however long its body runs,
  because one watchdog task per manager renews every held lock each ``expiry / 3``.
* Waiters across processes take turns: a waiter queues its token in ``…:queue`` and only the
  head of that queue may take a free lock, so a busy process cannot starve another. Each
  waiter refreshes its place every ``retry_interval``; a place not refreshed within
  ``4 * retry_interval`` (a crashed waiter) is dropped when it reaches the head.
* Waiting costs no polling: a release with waiters publishes on ``…:released``, which the
  manager's pub/sub connection turns into a wake-up for its waiter.
* Within a process, tasks first queue FIFO on an in-memory lock per room, so at most one
  task per process and room talks to Redis at a time.

* Failing fast: once Redis could not be reached, every acquisition in this process fails at
  once with ``BackendConnectionError`` (those queued in-process too) instead of each
  spending its own connection retries, until a probe task — PING every
  ``UNREACHABLE_PAUSE`` seconds — hears Redis answer again.

* An attempt is idempotent: if its reply is lost and redis-py re-sends it, the script sees
  its own token and reports the lock taken instead of queueing behind itself.

The fencing counter (``…:fence``) is never deleted, so fencing tokens only grow — as long as
Redis keeps its data: a server restarted without persistence starts counting again.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from dataclasses import dataclass

from roomkit._redis import CONNECTION_ERRORS, Listener, connect
from roomkit._urls import connection_error, safe_url
from roomkit.errors import BackendConnectionError, InvalidArgumentError, LockTimeoutError
from roomkit.locks._redis_scripts import ACQUIRE, EXTEND, LEAVE, RELEASE, RoomKeys
from roomkit.locks.base import RoomLockManager
from roomkit.locks.memory import InMemoryLockManager

logger = logging.getLogger(__name__)

# Rooms whose release channel stays subscribed after their waiter is done, so a room under
# steady contention does not pay a SUBSCRIBE per acquisition.
_WATCHED_ROOMS = 256

DEFAULT_LEASE = 2.5
"""Seconds a crashed holder's lock blocks its room (the default ``expiry``)."""
UNREACHABLE_PAUSE = 0.5
"""Seconds between two probes of a Redis that could not be reached."""


@dataclass(eq=False, slots=True)
class LockHandle:
    """What ``async with manager.locked(room) as lock`` binds.

    Attributes:
        room_id: the locked room.
        token: this holder's random token, the value of the lock key.
        fencing_token: strictly greater than that of every earlier holder of the room; pass
            it to storage that can reject writes from a holder whose lock expired.
        lost: set when the watchdog found the lock expired (Redis unreachable for longer
            than ``expiry``); another holder may have entered.
    """

    room_id: str
    token: str
    fencing_token: int
    lost: bool = False


class RedisLockManager(RoomLockManager):
    """Per-room locks across processes, in Redis.

    Args:
        url: the Redis server, ``redis://[user:password@]host:port/db``.
        key_prefix: prefix of every key (and channel) this manager uses.
        expiry: the lease, in seconds: how long a lock outlives a holder that stopped
            renewing it (crashed). A live holder renews it every ``expiry / 3``, so its
            event loop must not stall for longer than two thirds of it.
        retry_interval: longest a waiter sleeps without hearing of a release before it
            tries again; also how often it refreshes its place in the queue.

    Raises:
        InvalidArgumentError: ``expiry`` or ``retry_interval`` is not positive.
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        key_prefix: str = "roomkit:lock:",
        expiry: float = DEFAULT_LEASE,
        retry_interval: float = 0.25,
    ) -> None:
        for name, value in (("expiry", expiry), ("retry_interval", retry_interval)):
            if value <= 0:
                raise InvalidArgumentError(name, value, "a positive number of seconds")
        self._url = url
        self._prefix = key_prefix
        self._expiry = expiry
        self._retry_interval = retry_interval
        self._expiry_ms = max(1, round(expiry * 1000))
        self._waiter_ttl_ms = max(1, round(retry_interval * 4000))
        self._client = connect(url)
        self._acquire_script = self._client.register_script(ACQUIRE)
        self._release_script = self._client.register_script(RELEASE)
        self._leave_script = self._client.register_script(LEAVE)
        self._extend_script = self._client.register_script(EXTEND)
        self._listener = Listener(self._client, url, self._on_released)
        self._local = InMemoryLockManager()
        self._wakeups: dict[str, asyncio.Event] = {}  # room -> its (single) local waiter
        self._watched: OrderedDict[str, None] = OrderedDict()  # rooms subscribed, LRU first
        self._held: set[LockHandle] = set()
        self._watchdog: asyncio.Task[None] | None = None
        self._probe: asyncio.Task[None] | None = None  # runs while Redis is unreachable
        self._closed = False

    def locked(
        self, room_id: str, *, timeout: float | None = None
    ) -> AbstractAsyncContextManager[LockHandle]:
        """Hold the room's lock, in every process, for the body of an ``async with``.

        Raises:
            LockTimeoutError: the lock was not acquired within ``timeout``.
            BackendConnectionError: Redis could not be reached.
        """
        return self._hold(room_id, limit=timeout)

    async def close(self) -> None:
        """Stop the watchdog and close the connections. Idempotent; held locks expire."""
        if self._closed:
            return
        self._closed = True
        for task in (self._watchdog, self._probe):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._watchdog = self._probe = None
        await self._listener.close()
        await self._client.aclose()

    async def __aenter__(self) -> RedisLockManager:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @asynccontextmanager
    async def _hold(self, room_id: str, *, limit: float | None) -> AsyncIterator[LockHandle]:
        if self._closed:
            raise RuntimeError("RedisLockManager is closed")
        deadline = None if limit is None else asyncio.get_running_loop().time() + limit
        async with self._local.locked(room_id, timeout=limit):
            handle = await self._acquire(RoomKeys(self._prefix, room_id), deadline, limit)
            self._held.add(handle)
            self._start_watchdog()
            try:
                yield handle
            finally:
                self._held.discard(handle)
                await self._release(handle)

    async def _acquire(
        self, keys: RoomKeys, deadline: float | None, limit: float | None
    ) -> LockHandle:
        token = uuid.uuid4().hex
        try:
            result = await self._attempt(keys, token)
            if result <= 0:
                result = await self._wait(keys, token, deadline, limit)
        except (LockTimeoutError, asyncio.CancelledError):
            # Leave the queue, and free the lock if a cancelled attempt did take it.
            await self._leave(keys, token)
            raise
        return LockHandle(keys.room_id, token, result)

    async def _wait(
        self, keys: RoomKeys, token: str, deadline: float | None, limit: float | None
    ) -> int:
        loop = asyncio.get_running_loop()
        async with self._watching(keys) as wakeup:
            while True:
                # Cleared before the attempt, so a release announced after it still wakes us.
                wakeup.clear()
                result = await self._attempt(keys, token)
                if result > 0:
                    return result
                pause = min(-result / 1000, self._retry_interval)
                if deadline is not None:
                    remaining = deadline - loop.time()
                    if remaining <= 0:
                        raise LockTimeoutError(keys.room_id, limit or 0.0)
                    pause = min(pause, remaining)
                with suppress(TimeoutError):
                    async with asyncio.timeout(pause):
                        await wakeup.wait()

    async def _attempt(self, keys: RoomKeys, token: str) -> int:
        """Take the lock (returns the fencing token) or queue for it (returns -ms to wait)."""
        if self._probe is not None:
            reason = f"not answering; probed every {UNREACHABLE_PAUSE:g}s"
            raise BackendConnectionError(safe_url(self._url), reason)
        try:
            result = await self._acquire_script(
                keys=keys.for_acquire, args=[token, self._expiry_ms, self._waiter_ttl_ms]
            )
        except CONNECTION_ERRORS as exc:
            self._start_probe()
            raise connection_error(self._url, exc) from exc
        return int(result)

    def _start_probe(self) -> None:
        if self._probe is None and not self._closed:
            self._probe = asyncio.create_task(self._until_reachable(), name="lock probe")

    async def _until_reachable(self) -> None:
        # Owned by the manager: ends once Redis answers, cancelled by close().
        while True:
            await asyncio.sleep(UNREACHABLE_PAUSE)
            try:
                await self._client.ping()
            except CONNECTION_ERRORS:
                continue
            self._probe = None
            return

    @asynccontextmanager
    async def _watching(self, keys: RoomKeys) -> AsyncIterator[asyncio.Event]:
        room_id = keys.room_id
        wakeup = self._wakeups[room_id] = asyncio.Event()
        try:
            if room_id in self._watched:
                self._watched.move_to_end(room_id)
            else:
                self._watched[room_id] = None
                try:
                    await self._listener.listen(keys.channel)
                except BaseException:
                    self._watched.pop(room_id, None)
                    raise
                await self._forget_idle_rooms()
            yield wakeup
        finally:
            del self._wakeups[room_id]

    async def _forget_idle_rooms(self) -> None:
        while len(self._watched) > _WATCHED_ROOMS:
            idle = next((r for r in self._watched if r not in self._wakeups), None)
            if idle is None:
                return
            del self._watched[idle]
            await self._listener.unlisten(RoomKeys(self._prefix, idle).channel)

    async def _on_released(self, channel: str, data: bytes) -> None:
        wakeup = self._wakeups.get(RoomKeys.room_of(self._prefix, channel))
        if wakeup is not None:
            wakeup.set()

    async def _release(self, handle: LockHandle) -> None:
        try:
            await self._run_release(handle)
        except asyncio.CancelledError:
            # Cancelled mid-command, the release may not have reached Redis: send it again
            # rather than leave the room locked until expiry.
            await self._run_release(handle)
            raise

    async def _run_release(self, handle: LockHandle) -> None:
        keys = RoomKeys(self._prefix, handle.room_id)
        if self._probe is not None:
            return  # Redis is not answering: the lease runs out by itself
        try:
            released = await self._release_script(
                keys=keys.for_release, args=[handle.token, keys.channel]
            )
        except CONNECTION_ERRORS as exc:
            # The body has run; failing it now would report work as undone. The lock
            # expires by itself once the watchdog stops extending it.
            self._start_probe()
            logger.warning(
                "could not release lock of room %r on %s (%s); it expires within %gs",
                handle.room_id,
                safe_url(self._url),
                exc,
                self._expiry,
            )
            return
        if not released and not handle.lost:
            logger.warning("lock of room %r expired before its holder released it", handle.room_id)

    async def _leave(self, keys: RoomKeys, token: str) -> None:
        try:
            await self._leave_script(keys=keys.for_leave, args=[token, keys.channel])
        except CONNECTION_ERRORS as exc:
            # Our queue place lapses by itself after 4 * retry_interval.
            logger.warning("could not leave lock queue of room %r: %s", keys.room_id, exc)

    def _start_watchdog(self) -> None:
        if self._watchdog is None:
            self._watchdog = asyncio.create_task(self._extend_held(), name="redis lock watchdog")

    async def _extend_held(self) -> None:
        # Owned by the manager: ends by itself when nothing is held, cancelled by close().
        while True:
            await asyncio.sleep(self._expiry / 3)
            if not self._held:
                self._watchdog = None
                return
            # Renewed together, so many held locks cost one round trip of time, not many.
            await asyncio.gather(*(self._extend(handle) for handle in list(self._held)))

    async def _extend(self, handle: LockHandle) -> None:
        keys = RoomKeys(self._prefix, handle.room_id)
        try:
            extended = await self._extend_script(
                keys=keys.for_extend, args=[handle.token, self._expiry_ms]
            )
        except CONNECTION_ERRORS as exc:
            logger.warning("could not extend lock of room %r: %s", handle.room_id, exc)
            return
        if not extended and handle in self._held:
            handle.lost = True
            self._held.discard(handle)
            logger.error(
                "lock of room %r expired while held (fencing token %d)",
                handle.room_id,
                handle.fencing_token,
            )
