"""The messages a streaming WebSocket connection receives while a response is generated."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Literal

from pydantic import BaseModel


class StreamStart(BaseModel):
    """Sent when a streaming response begins."""

    type: Literal["stream_start"] = "stream_start"
    stream_id: str
    room_id: str
    source_channel_id: str


class StreamChunk(BaseModel):
    """Sent for each text delta during streaming."""

    type: Literal["stream_chunk"] = "stream_chunk"
    stream_id: str
    delta: str


class StreamEnd(BaseModel):
    """Sent when a streaming response completes; ``event_id`` is the stored event."""

    type: Literal["stream_end"] = "stream_end"
    stream_id: str
    event_id: str
    text: str


class StreamError(BaseModel):
    """Sent when a streaming response fails midway."""

    type: Literal["stream_error"] = "stream_error"
    stream_id: str
    error: str


StreamMessage = StreamStart | StreamChunk | StreamEnd | StreamError
StreamSendFn = Callable[[str, StreamMessage], Coroutine[Any, Any, None]]
