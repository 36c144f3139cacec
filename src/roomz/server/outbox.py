"""Outbox: the frames waiting for one socket, written by a task that exists only while needed.

Fan-out never waits on a socket: :meth:`Outbox.push` hands over already-encoded text and
returns. When nothing is queued, the frame is written at once: the send coroutine is run up
to its first suspension, and for a socket that can take the bytes (the usual case) it ends
there, so a delivery costs neither a task nor a trip through the event loop. When the send
has to wait (the socket's buffers are full), a short-lived writer task finishes it and
drains whatever queues up meanwhile; an idle connection holds no task at all.

Slow sockets, the policy: a socket whose peer does not read fills the kernel buffer, then
uvicorn's write buffer, then this queue. When ``limit`` frames are waiting, the outbox gives
up on the socket: it drops what is queued and calls ``on_overflow``, which closes the
connection with code 1013 (try again later). Nothing acknowledged is lost by that — every
message is in the store, and a client that reconnects catches up by room index — but one
slow reader can never make the server hold an unbounded backlog for it, nor delay anyone
else. (The same trade-off as websockets' ``broadcast``, which skips a congested socket;
dropping *some* frames silently would leave a gap the client cannot see, so we close.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

logger = logging.getLogger(__name__)

MAX_PENDING_FRAMES = 2000
"""Frames one socket may have waiting before it counts as too slow (100 s at 20 msg/s)."""

SendText = Callable[[str], Coroutine[Any, Any, None]]


class Outbox:
    """An ordered, bounded queue of text frames for one socket."""

    __slots__ = ("_on_overflow", "_paused", "_queue", "_send", "_task", "closed", "limit")

    def __init__(
        self,
        send: SendText,
        on_overflow: Callable[[], None],
        *,
        limit: int = MAX_PENDING_FRAMES,
        paused: bool = False,
    ) -> None:
        self._send = send
        self._on_overflow = on_overflow
        self._queue: deque[str] = deque()
        self._task: asyncio.Task[None] | None = None
        self._paused = paused
        self.closed = False
        self.limit = limit

    def start(self, first: str) -> None:
        """Unpause: write ``first``, then everything queued meanwhile, in order."""
        self._queue.appendleft(first)
        self._paused = False
        self._wake()

    async def drained(self) -> None:
        """Wait until everything queued so far was handed to the socket (or dropped)."""
        while (task := self._task) is not None and task is not asyncio.current_task():
            await asyncio.wait([task])

    @property
    def pending(self) -> int:
        """Frames queued and not yet handed to the socket."""
        return len(self._queue)

    def push(self, text: str) -> None:
        """Queue ``text`` for the socket; never waits. Ignored once the outbox is closed."""
        if self.closed:
            return
        if self._task is None and not self._paused and not self._queue:
            self._write_now(text)
            return
        if len(self._queue) >= self.limit:
            self.closed = True
            self._queue.clear()
            logger.warning("closing a socket that fell %d frames behind", self.limit)
            self._on_overflow()
            return
        self._queue.append(text)
        self._wake()

    def _wake(self) -> None:
        if self._task is None and not self._paused and self._queue:
            self._task = asyncio.get_running_loop().create_task(self._drain())

    def stop(self) -> None:
        """Accept nothing more and drop what is queued (a frame being written finishes)."""
        self.closed = True
        self._queue.clear()

    async def close(self) -> None:
        """Stop writing; queued frames are dropped. Idempotent."""
        self.stop()
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _write_now(self, text: str) -> None:
        send = self._send(text)
        try:
            waiting = send.send(None)
        except StopIteration:
            return  # written
        except Exception as exc:
            self._failed(exc)
            return
        self._task = asyncio.get_running_loop().create_task(self._drain(send, waiting))

    async def _drain(
        self, started: Coroutine[Any, Any, Any] | None = None, waiting: Any = None
    ) -> None:
        try:
            if started is not None:
                await _finish(started, waiting)
            while self._queue:
                await self._send(self._queue.popleft())
        except Exception as exc:
            self._failed(exc)
        finally:
            self._task = None

    def _failed(self, exc: Exception) -> None:
        # The socket went away; its reader notices and ends the connection.
        logger.debug("socket write failed: %r", exc)
        self.closed = True
        self._queue.clear()


async def _finish(coroutine: Coroutine[Any, Any, Any], waiting: Any) -> None:
    """Drive ``coroutine``, suspended on the future ``waiting``, to its end — what a task
    would do — and close it if we are cancelled meanwhile."""
    try:
        while True:
            try:
                if isinstance(waiting, asyncio.Future):
                    await asyncio.wait([waiting])
                else:  # a bare yield: give the loop one turn
                    await asyncio.sleep(0)
            except asyncio.CancelledError:
                coroutine.close()
                raise
            waiting = coroutine.send(None)
    except StopIteration:
        return
