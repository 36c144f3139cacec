"""Event handlers: the registry behind ``client.on(...)`` and the task that calls them.

Handlers run one at a time, in the order the events arrived, in a task of their own (the
:class:`EventPump`), never in the socket's read loop: a handler may therefore await
``client.send(...)`` — whose result the read loop delivers — without deadlocking, and a slow
handler delays later handlers, not the socket. A handler that raises is logged; the next
handler and the next event still run.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from roomz.protocol import EVENT_FRAME_TYPES

logger = logging.getLogger(__name__)

EventHandler = Callable[[dict[str, Any]], Awaitable[None] | None]
"""A callable taking the event's data dict; plain functions and coroutine functions both work."""

EVENTS = frozenset(("authenticated", "message", "error", "disconnect", *EVENT_FRAME_TYPES))
"""The event names ``on`` accepts: one per server frame type, plus ``disconnect``."""


class HandlerRegistry:
    """Handlers per event name, in registration order."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[EventHandler]] = {}

    def on(self, event: str, handler: EventHandler) -> None:
        """Register ``handler`` for ``event``.

        Raises:
            ValueError: ``event`` is not one of :data:`EVENTS`.
            TypeError: ``handler`` is not callable.
        """
        if event not in EVENTS:
            raise ValueError(f"unknown event {event!r}; expected one of {sorted(EVENTS)}")
        if not callable(handler):
            raise TypeError(f"handler for {event!r} must be callable, got {handler!r}")
        self._handlers.setdefault(event, []).append(handler)

    def off(self, event: str, handler: EventHandler | None = None) -> None:
        """Remove ``handler`` from ``event``, or every handler of ``event`` when ``None``.

        Removing a handler that is not registered does nothing.
        """
        if handler is None:
            self._handlers.pop(event, None)
            return
        handlers = self._handlers.get(event, [])
        if handler in handlers:
            handlers.remove(handler)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Call every handler of ``event`` with its own shallow copy of ``data``."""
        # A copy of the list: a handler may call on()/off() while we iterate.
        for handler in list(self._handlers.get(event, ())):
            try:
                outcome = handler(dict(data))
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception:
                logger.exception("handler %r for event %r raised", handler, event)


class EventPump:
    """A queue of events and the one task that hands them to a :class:`HandlerRegistry`."""

    def __init__(self, registry: HandlerRegistry) -> None:
        self._registry = registry
        self._queue: asyncio.Queue[tuple[str, dict[str, Any]] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the task in the running loop, with an empty queue, unless it runs already."""
        if self._task is None or self._task.done():
            # A fresh queue: the last one may belong to another (closed) event loop.
            self._queue = asyncio.Queue()
            self._task = asyncio.create_task(self._run(self._queue), name="roomz-event-pump")

    def emit(self, event: str, data: dict[str, Any]) -> None:
        """Queue ``event``; its handlers run after those of every event queued before it."""
        self._queue.put_nowait((event, data))

    async def stop(self) -> None:
        """Let the handlers of every queued event run, then end the task.

        Called from a handler (that is, from the pump's own task), it only asks the task to
        end after the current handler: awaiting itself would never return.
        """
        task, self._task = self._task, None
        if task is None or task.done():
            return
        self._queue.put_nowait(None)
        if task is not asyncio.current_task():
            await task

    async def _run(self, queue: asyncio.Queue[tuple[str, dict[str, Any]] | None]) -> None:
        while (item := await queue.get()) is not None:
            await self._registry.dispatch(*item)
