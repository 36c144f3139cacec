"""WebSocketChannel — a registry of live connections; deliver hands each event to all.

Policy: ``deliver`` awaits every connection's ``send_fn`` in turn, with no task and no
timeout per connection — it is the fan-out hot path. A ``send_fn`` must therefore never wait
on a slow socket: it should put the event on that connection's bounded queue (dropping or
disconnecting a consumer that falls behind) and return. A ``send_fn`` that raises is logged
and reported in the output's metadata; the other connections still receive the event.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, ClassVar

from roomkit.channels.base import Channel
from roomkit.channels.streaming import (
    StreamChunk,
    StreamEnd,
    StreamError,
    StreamMessage,
    StreamSendFn,
    StreamStart,
)
from roomkit.models.binding import ChannelBinding, ChannelCapabilities
from roomkit.models.channel import ChannelOutput
from roomkit.models.content import TextContent
from roomkit.models.enums import ChannelMediaType, ChannelType
from roomkit.models.event import RoomEvent
from roomkit.models.inbound import InboundMessage
from roomkit.models.room import RoomContext

__all__ = [
    "SendFn",
    "StreamChunk",
    "StreamEnd",
    "StreamError",
    "StreamMessage",
    "StreamSendFn",
    "StreamStart",
    "WebSocketChannel",
]

logger = logging.getLogger(__name__)

SendFn = Callable[[str, RoomEvent], Coroutine[Any, Any, None]]

_CAPABILITIES = ChannelCapabilities(
    media_types=list(ChannelMediaType),
    supports_threading=True,
    supports_typing=True,
    supports_read_receipts=True,
    supports_reactions=True,
    supports_edit=True,
    supports_delete=True,
    supports_rich_text=True,
    supports_buttons=True,
    supports_cards=True,
    supports_quick_replies=True,
    supports_media=True,
    supports_audio=True,
    supports_video=True,
)


class WebSocketChannel(Channel):
    """WebSocket transport channel with connection registry."""

    channel_type = ChannelType.WEBSOCKET
    inline_delivery: ClassVar[bool] = True

    def __init__(self, channel_id: str) -> None:
        super().__init__(channel_id)
        self._senders: dict[str, SendFn] = {}
        self._streamers: dict[str, StreamSendFn] = {}
        self._snapshot: tuple[tuple[str, SendFn], ...] = ()

    @property
    def connection_count(self) -> int:
        """How many connections are registered."""
        return len(self._senders)

    @property
    def connections(self) -> list[str]:
        """The ids of the registered connections."""
        return list(self._senders)

    @property
    def supports_streaming_delivery(self) -> bool:
        """Whether any connected client supports streaming text delivery."""
        return bool(self._streamers)

    def register_connection(
        self, connection_id: str, send_fn: SendFn, *, stream_send_fn: StreamSendFn | None = None
    ) -> None:
        """Register a WebSocket connection (replacing one with the same id)."""
        self._senders[connection_id] = send_fn
        if stream_send_fn is not None:
            self._streamers[connection_id] = stream_send_fn
        else:
            self._streamers.pop(connection_id, None)
        self._snapshot = tuple(self._senders.items())

    def unregister_connection(self, connection_id: str) -> None:
        """Unregister a WebSocket connection (unknown ids are ignored)."""
        self._senders.pop(connection_id, None)
        self._streamers.pop(connection_id, None)
        self._snapshot = tuple(self._senders.items())

    def capabilities(self) -> ChannelCapabilities:
        return _CAPABILITIES

    async def handle_inbound(self, message: InboundMessage, context: RoomContext) -> RoomEvent:
        return self.event_from(message, context)

    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        """Hand ``event`` to every connection's ``send_fn``, in registration order."""
        failed: list[str] | None = None
        for connection_id, send in self._snapshot:
            try:
                await send(connection_id, event)
            except Exception:
                logger.exception("websocket connection %s failed", connection_id)
                failed = [*(failed or ()), connection_id]
        if failed is None:
            return _DELIVERED
        return ChannelOutput(metadata={"failed_connections": failed})

    async def deliver_stream(
        self,
        text_stream: AsyncIterator[str],
        event: RoomEvent,
        binding: ChannelBinding,
        context: RoomContext,
    ) -> ChannelOutput:
        """Deliver a streaming text response to connected clients.

        Streaming-capable connections receive stream_start, stream_chunk and stream_end
        progressively; the others receive the final complete event via their send_fn.
        The output's metadata holds the final event's ``event_id`` and its ``text``. If the
        stream fails, streaming connections receive stream_error and the error propagates.
        """
        text = await self.stream(text_stream, event)
        final = event.model_copy(update={"content": TextContent(body=text)})
        for connection_id, send in self._snapshot:
            if connection_id not in self._streamers:
                try:
                    await send(connection_id, final)
                except Exception:
                    logger.exception("websocket connection %s failed", connection_id)
        return ChannelOutput(metadata={"event_id": final.id, "text": text})

    async def stream(self, text_stream: AsyncIterator[str], event: RoomEvent) -> str:
        """Stream text to the streaming connections only; returns the full text.

        ``stream_end`` carries the complete event; the stored event that follows through the
        ordinary broadcast has the same id (and its room index), so a client replaces its
        draft with it. If the
        stream fails, streaming connections receive ``stream_error`` and the error
        propagates.
        """
        stream_id, room_id = uuid.uuid4().hex, event.room_id
        streamers = tuple(self._streamers.items())
        start = StreamStart(room_id=room_id, stream_id=stream_id, source=event.source)
        await self._each(streamers, start)
        text = ""
        try:
            async for delta in text_stream:
                text += delta
                chunk = StreamChunk(room_id=room_id, stream_id=stream_id, delta=delta, text=text)
                await self._each(streamers, chunk)
        except Exception as exc:
            failed = StreamError(room_id=room_id, stream_id=stream_id, error=str(exc))
            await self._each(streamers, failed)
            raise
        final = event.model_copy(update={"content": TextContent(body=text)})
        await self._each(streamers, StreamEnd(room_id=room_id, stream_id=stream_id, event=final))
        return text

    async def _each(self, streamers: tuple[tuple[str, StreamSendFn], ...], message: Any) -> None:
        for connection_id, send in streamers:
            try:
                await send(connection_id, message)
            except Exception:
                logger.exception("websocket stream to %s failed", connection_id)


_DELIVERED = ChannelOutput()
