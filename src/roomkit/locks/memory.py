"""InMemoryLockManager: an ``asyncio.Lock`` per room, dropped when nobody holds or waits."""

from __future__ import annotations

import asyncio
from types import TracebackType

from roomkit.errors import LockTimeoutError
from roomkit.locks.base import RoomLockManager


class _Entry:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0  # holders + waiters


class _RoomLock:
    """Async context manager over one room's lock; counts users so idle locks are freed."""

    __slots__ = ("_manager", "_room_id", "_timeout", "_lock")

    def __init__(self, manager: InMemoryLockManager, room_id: str, timeout: float | None) -> None:
        self._manager = manager
        self._room_id = room_id
        self._timeout = timeout
        self._lock: asyncio.Lock | None = None

    async def __aenter__(self) -> None:
        lock = self._lock = self._manager._checkout(self._room_id)
        try:
            if self._timeout is None:
                await lock.acquire()
            else:
                async with asyncio.timeout(self._timeout):
                    await lock.acquire()
        except TimeoutError:
            self._manager._checkin(self._room_id)
            raise LockTimeoutError(self._room_id, self._timeout or 0.0) from None
        except BaseException:
            self._manager._checkin(self._room_id)
            raise

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._lock is not None
        self._lock.release()
        self._manager._checkin(self._room_id)


class InMemoryLockManager(RoomLockManager):
    """Per-room locks for a single process. Waiters are admitted first come, first served."""

    def __init__(self) -> None:
        # An entry lives only while someone holds or waits for it, so a process that has
        # seen a million rooms keeps no lock for the idle ones.
        self._locks: dict[str, _Entry] = {}

    def locked(self, room_id: str, *, timeout: float | None = None) -> _RoomLock:
        return _RoomLock(self, room_id, timeout)

    def _checkout(self, room_id: str) -> asyncio.Lock:
        entry = self._locks.get(room_id)
        if entry is None:
            entry = self._locks[room_id] = _Entry()
        entry.users += 1
        return entry.lock

    def _checkin(self, room_id: str) -> None:
        entry = self._locks[room_id]
        entry.users -= 1
        if entry.users == 0:
            del self._locks[room_id]

    def is_locked(self, room_id: str) -> bool:
        """Whether someone holds the room's lock right now."""
        entry = self._locks.get(room_id)
        return entry is not None and entry.lock.locked()
