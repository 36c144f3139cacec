"""``roomkit.core.locks``: one event at a time per room."""

from roomkit.locks.base import RoomLockManager
from roomkit.locks.memory import InMemoryLockManager

__all__ = ["InMemoryLockManager", "RoomLockManager"]
