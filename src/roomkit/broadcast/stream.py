"""Live text from an intelligence channel to the room's streaming WebSocket connections.

An AI channel that streams hands its deltas to :meth:`StreamBridge.sink`. The bridge sends
them to the streaming connections of every WebSocket channel the answer will reach; the
answer itself is then stored and broadcast once, as usual, to every channel (streaming
clients match it to ``stream_end.event_id``). Transports that cannot stream (SMS, email)
simply receive the one final message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from roomkit.broadcast.plan import plan
from roomkit.channels.base import Channel
from roomkit.channels.websocket import WebSocketChannel
from roomkit.models.event import RoomEvent
from roomkit.models.room import RoomContext

logger = logging.getLogger(__name__)

_END = object()


class StreamBridge:
    """The sink the kit installs on every channel that can stream its answers."""

    def __init__(self, channels: dict[str, Channel]) -> None:
        self._channels = channels

    async def sink(
        self, text_stream: AsyncIterator[str], event: RoomEvent, context: RoomContext
    ) -> None:
        """Forward ``text_stream`` (the draft ``event``'s text) to streaming connections."""
        targets = [
            t.channel
            for t in plan(event, context.bindings, self._channels).transports
            if isinstance(t.channel, WebSocketChannel) and t.channel.supports_streaming_delivery
        ]
        if not targets:
            async for _ in text_stream:
                pass
        elif len(targets) == 1:
            await targets[0].stream(text_stream, event)
        else:
            await _tee(text_stream, targets, event)


async def _tee(
    text_stream: AsyncIterator[str], targets: list[WebSocketChannel], event: RoomEvent
) -> None:
    queues: list[asyncio.Queue[Any]] = [asyncio.Queue() for _ in targets]

    async def pump() -> None:
        end: object = _END
        try:
            async for delta in text_stream:
                for queue in queues:
                    queue.put_nowait(delta)
        except Exception as exc:
            end = exc
        for queue in queues:
            queue.put_nowait(end)

    async def read(queue: asyncio.Queue[Any]) -> AsyncIterator[str]:
        while (item := await queue.get()) is not _END:
            if isinstance(item, Exception):
                raise item
            yield item

    results = await asyncio.gather(
        pump(),
        *(t.stream(read(q), event) for t, q in zip(targets, queues, strict=True)),
        return_exceptions=True,
    )
    for result in results:
        if isinstance(result, Exception):
            logger.warning("streaming to a WebSocket channel failed: %r", result)
