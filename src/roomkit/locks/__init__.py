"""Per-room locks: one event at a time per room, in one process or across many.

``RedisLockManager`` is imported on first access, so ``import roomkit.locks`` does not
import redis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit._extras import lazy_getattr
from roomkit.locks.base import RoomLockManager
from roomkit.locks.memory import InMemoryLockManager

if TYPE_CHECKING:
    from roomkit.locks.redis import LockHandle, RedisLockManager

_LAZY = {"RedisLockManager": "roomkit.locks.redis", "LockHandle": "roomkit.locks.redis"}


__getattr__ = lazy_getattr(__name__, _LAZY)


__all__ = ["InMemoryLockManager", "LockHandle", "RedisLockManager", "RoomLockManager"]
