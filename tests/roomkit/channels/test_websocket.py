"""WebSocketChannel: connection registry, isolation of failing sockets, streaming delivery."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from roomkit import (
    ChannelBinding,
    ChannelType,
    EventSource,
    Room,
    RoomContext,
    RoomEvent,
    StreamChunk,
    StreamEnd,
    StreamError,
    StreamMessage,
    StreamStart,
    TextContent,
    WebSocketChannel,
)

CONTEXT = RoomContext(room=Room(id="r"))
BINDING = ChannelBinding(channel_id="ws", room_id="r", channel_type=ChannelType.WEBSOCKET)


def _event(body: str = "") -> RoomEvent:
    return RoomEvent(
        room_id="r",
        source=EventSource(channel_id="ai", channel_type=ChannelType.AI),
        content=TextContent(body=body),
    )


async def test_a_failing_socket_does_not_stop_the_others() -> None:
    """deliver reaches every connection; one that raises is named in the output."""
    got: list[str] = []

    async def ok(connection_id: str, event: RoomEvent) -> None:
        got.append(connection_id)

    async def broken(connection_id: str, event: RoomEvent) -> None:
        raise ConnectionResetError("gone")

    ws = WebSocketChannel("ws")
    ws.register_connection("a", ok)
    ws.register_connection("b", broken)
    ws.register_connection("c", ok)
    output = await ws.deliver(_event("x"), BINDING, CONTEXT)
    assert got == ["a", "c"] and output.metadata["failed_connections"] == ["b"]
    ws.unregister_connection("b")
    ws.unregister_connection("never-registered")
    assert ws.connections == ["a", "c"] and ws.connection_count == 2


async def _stream(*parts: str, fail: bool = False) -> AsyncIterator[str]:
    for part in parts:
        yield part
    if fail:
        raise RuntimeError("model went away")


async def test_streaming_connections_get_chunks_others_the_final_event() -> None:
    """stream_start/chunk/end to streaming sockets; the complete event to the rest."""
    streamed: list[StreamMessage] = []
    finals: list[RoomEvent] = []

    async def stream_fn(connection_id: str, message: StreamMessage) -> None:
        streamed.append(message)

    async def send_fn(connection_id: str, event: RoomEvent) -> None:
        finals.append(event)

    ws = WebSocketChannel("ws")
    assert not ws.supports_streaming_delivery
    ws.register_connection("s", send_fn, stream_send_fn=stream_fn)
    ws.register_connection("plain", send_fn)
    assert ws.supports_streaming_delivery
    out = await ws.deliver_stream(_stream("Hel", "lo"), _event(), BINDING, CONTEXT)
    assert [type(m) for m in streamed] == [StreamStart, StreamChunk, StreamChunk, StreamEnd]
    assert [m.delta for m in streamed if isinstance(m, StreamChunk)] == ["Hel", "lo"]
    assert [m.text for m in streamed if isinstance(m, StreamChunk)] == ["Hel", "Hello"]
    end = streamed[-1]
    assert isinstance(end, StreamEnd) and end.event.id == out.metadata["event_id"]
    assert out.metadata["text"] == "Hello"
    assert end.event.content.body == "Hello"  # type: ignore[union-attr]
    assert [e.content.body for e in finals] == ["Hello"]  # type: ignore[union-attr]


async def test_a_failed_stream_sends_stream_error_and_raises() -> None:
    """When the text stream breaks, streaming sockets are told and the error propagates."""
    streamed: list[StreamMessage] = []

    async def stream_fn(connection_id: str, message: StreamMessage) -> None:
        streamed.append(message)

    async def send_fn(connection_id: str, event: RoomEvent) -> None:
        raise AssertionError("no final event after a failure")

    ws = WebSocketChannel("ws")
    ws.register_connection("s", send_fn, stream_send_fn=stream_fn)
    with pytest.raises(RuntimeError, match="model went away"):
        await ws.deliver_stream(_stream("a", fail=True), _event(), BINDING, CONTEXT)
    assert isinstance(streamed[-1], StreamError) and streamed[-1].error == "model went away"
