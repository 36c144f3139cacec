"""Per-room locks: one event at a time per room, in one process or across many.

``RedisLockManager`` is imported on first access, so ``import roomkit.locks`` does not
import redis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from roomkit.locks.base import RoomLockManager
from roomkit.locks.memory import InMemoryLockManager

if TYPE_CHECKING:
    from roomkit.locks.redis import LockHandle, RedisLockManager

_LAZY = {"RedisLockManager": "roomkit.locks.redis", "LockHandle": "roomkit.locks.redis"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = ["InMemoryLockManager", "LockHandle", "RedisLockManager", "RoomLockManager"]
