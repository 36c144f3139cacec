"""Protocol tracing for channels: who wants which ``ProtocolTrace``s, and handing them over.

A :class:`TraceSinks` belongs to one channel. Callbacks registered with ``on_trace`` get
every trace the channel emits whose protocol they asked for (all of them when they named
none). A callback may be sync or async; an async one runs as a task the sinks own, and
``close`` waits for those. A callback that raises is logged and never reaches the channel:
tracing must not change what the channel does.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from roomkit.models.trace import ProtocolTrace

logger = logging.getLogger(__name__)

TraceCallback = Callable[[ProtocolTrace], Awaitable[None] | None]


class TraceSinks:
    """The trace callbacks of one channel, each with its protocol filter."""

    def __init__(self) -> None:
        self._sinks: list[tuple[TraceCallback, frozenset[str] | None]] = []
        self._tasks: set[asyncio.Task[Any]] = set()

    def __bool__(self) -> bool:
        return bool(self._sinks)

    def add(self, callback: TraceCallback, protocols: list[str] | None) -> None:
        """Register ``callback`` for ``protocols`` (None: every protocol)."""
        if not callable(callback):
            raise TypeError(f"on_trace needs a callable, got {callback!r}")
        wanted = None if protocols is None else frozenset(protocols)
        self._sinks.append((callback, wanted))

    def emit(self, trace: ProtocolTrace) -> None:
        """Hand ``trace`` to every callback that wants its protocol."""
        for callback, wanted in self._sinks:
            if wanted is not None and trace.protocol not in wanted:
                continue
            try:
                result = callback(trace)
            except Exception:
                logger.exception("trace callback %r failed on %s", callback, trace.summary)
                continue
            if inspect.isawaitable(result):
                self._own(result)

    def _own(self, awaitable: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(awaitable)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("trace callback failed", exc_info=task.exception())

    async def close(self) -> None:
        """Wait for the async callbacks still running."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
