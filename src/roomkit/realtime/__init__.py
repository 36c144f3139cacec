"""The side channel for ephemeral events (typing, presence, receipts) — never stored.

``RedisRealtime`` is imported on first access, so ``import roomkit.realtime`` does not
import redis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from roomkit.realtime.base import EphemeralCallback, RealtimeBackend
from roomkit.realtime.memory import InMemoryRealtime

if TYPE_CHECKING:
    from roomkit.realtime.redis import RedisRealtime

_LAZY = {"RedisRealtime": "roomkit.realtime.redis"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = ["EphemeralCallback", "InMemoryRealtime", "RealtimeBackend", "RedisRealtime"]
