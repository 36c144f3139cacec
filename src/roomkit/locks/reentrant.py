"""Re-entry of a room lock by the task that holds it and by the tasks it starts.

A hook or channel that runs under a room's lock may send into the same room — directly, or
from child tasks (``asyncio.gather`` over several sends). Waiting for the lock there would
wait for itself until the timeout. ``ReentrantLocks`` wraps any RoomLockManager: the holder
is recorded in a context variable, which tasks started while it is held inherit, so the
holder and its children pass through; everyone else waits as before.

The record is a shared ``_Hold`` that is switched off on release, so a task started under
the lock that is still running afterwards no longer counts as a holder. Children of one
holder are not serialised against each other: the store's per-room index keeps their
events in order, as it does for writers outside any lock.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar, Token
from types import TracebackType

from roomkit.locks.base import RoomLockManager


class _Hold:
    __slots__ = ("active",)

    def __init__(self) -> None:
        self.active = True


_HELD: ContextVar[dict[str, _Hold] | None] = ContextVar("roomkit_held_room_locks", default=None)


class ReentrantLocks(RoomLockManager):
    """Lets the holder of a room's lock, and the tasks it starts, enter it again."""

    def __init__(self, inner: RoomLockManager) -> None:
        self.inner = inner

    def locked(self, room_id: str, *, timeout: float | None = None) -> _Entry:
        return _Entry(self.inner, room_id, timeout)

    async def close(self) -> None:
        await self.inner.close()


class _Entry:
    """One ``async with``: takes the inner lock unless this context already holds it."""

    __slots__ = ("_inner", "_room_id", "_timeout", "_lock", "_hold", "_token")

    def __init__(self, inner: RoomLockManager, room_id: str, timeout: float | None) -> None:
        self._inner = inner
        self._room_id = room_id
        self._timeout = timeout
        self._lock: AbstractAsyncContextManager[object] | None = None
        self._hold: _Hold | None = None
        self._token: Token[dict[str, _Hold] | None] | None = None

    async def __aenter__(self) -> None:
        held = _HELD.get()
        if held is not None:
            hold = held.get(self._room_id)
            if hold is not None and hold.active:
                return  # re-entry by the holder or a task it started
        # A manager written from the documented ``locked(room_id)`` takes no timeout: pass one
        # only when there is one.
        if self._timeout is None:
            lock = self._inner.locked(self._room_id)
        else:
            lock = self._inner.locked(self._room_id, timeout=self._timeout)
        await lock.__aenter__()
        self._lock = lock
        self._hold = hold = _Hold()
        self._token = _HELD.set({**held, self._room_id: hold} if held else {self._room_id: hold})

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._lock is None:
            return
        assert self._hold is not None and self._token is not None
        self._hold.active = False
        _HELD.reset(self._token)
        await self._lock.__aexit__(exc_type, exc, tb)
