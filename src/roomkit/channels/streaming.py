"""The messages a streaming WebSocket connection receives while a response is generated."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Literal

from pydantic import BaseModel

from roomkit.models.event import EventSource, RoomEvent


class StreamStart(BaseModel):
    """Sent when a streaming response begins."""

    type: Literal["stream_start"] = "stream_start"
    room_id: str
    stream_id: str
    source: EventSource


class StreamChunk(BaseModel):
    """Sent for each text delta during streaming; ``text`` is everything so far."""

    type: Literal["stream_chunk"] = "stream_chunk"
    room_id: str
    stream_id: str
    delta: str
    text: str


class StreamEnd(BaseModel):
    """Sent when a streaming response completes, with the complete event."""

    type: Literal["stream_end"] = "stream_end"
    room_id: str
    stream_id: str
    event: RoomEvent


class StreamError(BaseModel):
    """Sent when a streaming response fails midway."""

    type: Literal["stream_error"] = "stream_error"
    room_id: str
    stream_id: str
    error: str


StreamMessage = StreamStart | StreamChunk | StreamEnd | StreamError
StreamSendFn = Callable[[str, StreamMessage], Coroutine[Any, Any, None]]
