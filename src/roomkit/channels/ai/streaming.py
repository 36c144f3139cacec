"""Progressive delivery of an AI answer: the text stream a stream sink consumes.

``AIChannel.set_stream_sink(sink)`` installs::

    async def sink(text_stream: AsyncIterator[str], event: RoomEvent, context: RoomContext) -> None

For a turn whose provider streams, the channel starts ``sink`` in a task it owns, pushes
every text delta into ``text_stream`` as it arrives, ends the stream when the turn ends and
waits for ``sink`` to return before ``on_event`` returns. ``event`` is the response event
as it will be stored — same ``id``, source, ``chain_depth``, ``in_reply_to`` — with empty text;
the finished event, with the whole text, is the one in ``ChannelOutput.response_events``.
If the turn fails, iterating ``text_stream`` raises the failure (so a sink can send a
stream-error frame); a sink that raises is logged and never fails the turn.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from roomkit.models.event import RoomEvent
from roomkit.models.room import RoomContext

logger = logging.getLogger(__name__)

StreamSink = Callable[[AsyncIterator[str], RoomEvent, RoomContext], Awaitable[None]]


class _End:
    """Marks the end of a stream; holds the error that ended it, if any."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


class TextStream:
    """An async iterator of text deltas fed by :meth:`push` and ended by :meth:`close`.

    The queue is unbounded on purpose: the producer is the model, whose pace a slow sink
    must not be able to stall (an answer is small; holding it in memory is cheap).
    """

    def __init__(self) -> None:
        self._queue: asyncio.Queue[str | _End] = asyncio.Queue()
        self._closed = False
        self._finished = False

    def push(self, text: str) -> None:
        """Add a delta. Ignored after :meth:`close`."""
        if text and not self._closed:
            self._queue.put_nowait(text)

    def close(self, error: BaseException | None = None) -> None:
        """End the stream; with ``error``, iteration raises it after the last delta."""
        if not self._closed:
            self._closed = True
            self._queue.put_nowait(_End(error))

    def __aiter__(self) -> AsyncIterator[str]:
        return self

    async def __anext__(self) -> str:
        if self._finished:
            raise StopAsyncIteration
        item = await self._queue.get()
        if isinstance(item, _End):
            self._finished = True
            if item.error is not None:
                raise item.error
            raise StopAsyncIteration
        return item


class SinkRun:
    """One turn's :class:`TextStream` and the sink task consuming it, owned by the turn."""

    def __init__(self, sink: StreamSink, draft: RoomEvent, context: RoomContext) -> None:
        self.stream = TextStream()
        self._task = asyncio.create_task(_consume(sink, self.stream, draft, context))

    def abort(self) -> None:
        """The turn was cancelled: end the stream with that and cancel the sink."""
        self.stream.close(asyncio.CancelledError())
        self._task.cancel()

    async def finish(self, failure: BaseException | None) -> None:
        """End the stream (raising ``failure`` to the sink, if any) and wait for the sink.

        The sink's own errors are logged; they never fail the turn.
        """
        self.stream.close(failure)
        try:
            await self._task
        except asyncio.CancelledError:
            if not self._task.cancelled():
                raise  # the turn itself is being cancelled, not just the sink
        except Exception:
            logger.exception("stream sink failed")


async def _consume(
    sink: StreamSink, stream: TextStream, draft: RoomEvent, context: RoomContext
) -> None:
    await sink(stream, draft, context)
