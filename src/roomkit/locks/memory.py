"""InMemoryLockManager: a first-come, first-served lock per room, dropped when idle.

A room's entry exists only while someone holds or waits for its lock, so a process that
has seen a million rooms keeps nothing for the idle ones. Taking a free lock costs a
dict insert and no future; only a waiter gets a future, and release hands the lock to
the oldest waiter directly, so nobody can slip in between.
"""

from __future__ import annotations

import asyncio
from collections import deque
from types import TracebackType

from roomkit.errors import InvalidArgumentError, LockTimeoutError
from roomkit.locks.base import RoomLockManager


class _Entry:
    """A held lock and the futures of those waiting for it, oldest first."""

    __slots__ = ("waiters",)

    def __init__(self) -> None:
        self.waiters: deque[asyncio.Future[None]] | None = None


class _RoomLock:
    """Async context manager over one room's lock."""

    __slots__ = ("_manager", "_room_id", "_timeout")

    def __init__(self, manager: InMemoryLockManager, room_id: str, timeout: float | None) -> None:
        self._manager = manager
        self._room_id = room_id
        self._timeout = timeout

    async def __aenter__(self) -> None:
        locks = self._manager._locks
        entry = locks.get(self._room_id)
        if entry is None:
            locks[self._room_id] = _Entry()
            return
        if entry.waiters is None:
            entry.waiters = deque()
        waiter = asyncio.get_running_loop().create_future()
        entry.waiters.append(waiter)
        try:
            if self._timeout is None:
                await waiter
            else:
                async with asyncio.timeout(self._timeout):
                    await waiter
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled():
                # The lock was handed over as we gave up: pass it on.
                self._manager._release(self._room_id)
            elif waiter in entry.waiters:  # a release may have skipped it already
                entry.waiters.remove(waiter)
            if isinstance(exc, TimeoutError):
                raise LockTimeoutError(self._room_id, self._timeout or 0.0) from None
            raise

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._manager._release(self._room_id)


class InMemoryLockManager(RoomLockManager):
    """Per-room locks for a single process. Waiters are admitted first come, first served.

    Args:
        max_locks: the most idle room locks kept for reuse. A room's entry is dropped as soon
            as nobody holds or waits for its lock, so none is ever kept idle and the table
            holds only the rooms in use: any value of at least 1 bounds it. Kept for the
            documented constructor.

    Raises:
        InvalidArgumentError: ``max_locks`` below 1.
    """

    def __init__(self, max_locks: int = 1024) -> None:
        if isinstance(max_locks, bool) or not isinstance(max_locks, int) or max_locks < 1:
            raise InvalidArgumentError("max_locks", max_locks, "an integer of at least 1")
        self.max_locks = max_locks
        self._locks: dict[str, _Entry] = {}  # rooms whose lock is held

    @property
    def size(self) -> int:
        """How many rooms have a lock entry now: held, or waited for."""
        return len(self._locks)

    def locked(self, room_id: str, *, timeout: float | None = None) -> _RoomLock:
        return _RoomLock(self, room_id, timeout)

    def is_locked(self, room_id: str) -> bool:
        """Whether someone holds the room's lock right now."""
        return room_id in self._locks

    def _release(self, room_id: str) -> None:
        entry = self._locks[room_id]
        waiters = entry.waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the lock is the waiter's now
                return
        del self._locks[room_id]
