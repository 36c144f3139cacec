"""The side channel for ephemeral events (typing, presence, receipts) — never stored.

``RedisRealtime`` is imported on first access, so ``import roomkit.realtime`` does not
import redis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit._extras import lazy_getattr
from roomkit.realtime.base import EphemeralCallback, RealtimeBackend
from roomkit.realtime.memory import InMemoryRealtime

if TYPE_CHECKING:
    from roomkit.realtime.redis import RedisRealtime

_LAZY = {"RedisRealtime": "roomkit.realtime.redis"}


__getattr__ = lazy_getattr(__name__, _LAZY)


__all__ = ["EphemeralCallback", "InMemoryRealtime", "RealtimeBackend", "RedisRealtime"]
