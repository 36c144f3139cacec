"""The per-room lock: one event at a time per room, in one process or across many."""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractAsyncContextManager


class RoomLockManager(ABC):
    """Hands out an exclusive lock per room.

    ``locked(room_id)`` is an async context manager. While it is held no other holder — in
    this process or, for distributed implementations, any other — enters ``locked`` for the
    same room. Waiters are admitted in the order they asked where the backend allows it.
    """

    @abstractmethod
    def locked(
        self, room_id: str, *, timeout: float | None = None
    ) -> AbstractAsyncContextManager[object]:
        """Hold the room's lock for the body of an ``async with``.

        Args:
            room_id: the room to lock.
            timeout: seconds to wait for the lock; ``None`` waits as long as it takes.

        Raises:
            LockTimeoutError: the lock was not acquired within ``timeout``.
        """

    async def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release resources (connections). Idempotent."""
