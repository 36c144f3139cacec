"""The bus behind ``kit.on(...)``: FrameworkEvent emission and handler dispatch.

Handlers are awaited in registration order when an event is emitted, each bounded by
``handler_timeout``; one that raises or hangs is logged and the others still run. Emitting
a type nobody listens to costs a dictionary lookup.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import Any

from roomkit.models.framework import FrameworkEvent

logger = logging.getLogger(__name__)

FrameworkHandler = Callable[[FrameworkEvent], Any]

# Names of the events the framework emits (kit.on accepts any string; these are the ones
# the framework itself produces).
FRAMEWORK_EVENT_TYPES = frozenset(
    {
        "room_created",
        "room_closed",
        "room_deleted",
        "channel_attached",
        "channel_detached",
        "channel_muted",
        "channel_unmuted",
        "channel_updated",
        "channel_connected",
        "channel_disconnected",
        "event_processed",
        "event_blocked",
        "event_duplicate",
        "identity_resolved",
        "identity_rejected",
        "identity_timeout",
        "hook_error",
        "delivery_failed",
        "chain_depth_exceeded",
        "process_timeout",
        "channel_error",
    }
)


class FrameworkEventBus:
    """Registry of framework-event handlers, by event type (``"*"`` receives all)."""

    def __init__(self, handler_timeout: float = 10.0) -> None:
        self._handlers: dict[str, list[FrameworkHandler]] = {}
        self._timeout = handler_timeout

    def add(self, event_type: str, handler: FrameworkHandler) -> None:
        """Call ``handler`` (sync or async) for every event of ``event_type``."""
        if not callable(handler):
            raise TypeError(f"framework event handler must be callable, got {handler!r}")
        self._handlers.setdefault(event_type, []).append(handler)

    def remove(self, event_type: str, handler: FrameworkHandler) -> bool:
        """Forget one handler. Returns True if it was registered."""
        handlers = self._handlers.get(event_type, [])
        if handler in handlers:
            handlers.remove(handler)
            return True
        return False

    def listens(self, event_type: str) -> bool:
        """Whether anybody would receive an event of this type."""
        return event_type in self._handlers or "*" in self._handlers

    async def emit(self, event_type: str, **fields: Any) -> None:
        """Build a FrameworkEvent and hand it to every handler of its type."""
        if not self.listens(event_type):
            return
        event = FrameworkEvent(type=event_type, **fields)
        for handler in (*self._handlers.get(event_type, ()), *self._handlers.get("*", ())):
            await self._call(handler, event)

    async def _call(self, handler: FrameworkHandler, event: FrameworkEvent) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                result = handler(event)
                if inspect.isawaitable(result):
                    await result
        except Exception:
            logger.exception("framework event handler %r failed on %s", handler, event.type)
