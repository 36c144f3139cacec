"""The outbox of one socket: order, no waiting, and the slow-reader policy, on real TCP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from roomz.server.outbox import Outbox
from tests.conftest import UNIT


@asynccontextmanager
async def tcp_pair() -> AsyncIterator[tuple[asyncio.StreamWriter, asyncio.StreamReader]]:
    """A loopback TCP connection: the server side's writer and the client side's reader."""
    accepted: asyncio.Queue[asyncio.StreamWriter] = asyncio.Queue()

    async def on_accept(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await accepted.put(writer)

    server = await asyncio.start_server(on_accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, client = await asyncio.open_connection("127.0.0.1", port)
    writer = await accepted.get()
    try:
        yield writer, reader
    finally:
        for side in (writer, client):
            side.close()
        server.close()
        await server.wait_closed()


def sender(writer: asyncio.StreamWriter) -> Callable[[str], Coroutine[Any, Any, None]]:
    async def send(text: str) -> None:
        writer.write(text.encode() + b"\n")
        await writer.drain()  # waits when the peer does not read: a slow socket

    return send


async def test_frames_arrive_in_order_without_the_pusher_waiting() -> None:
    """Pushes return at once; the peer reads every frame in push order."""
    async with tcp_pair() as (writer, reader):
        outbox = Outbox(sender(writer), lambda: None)
        for i in range(500):
            outbox.push(f"frame {i}")
        async with asyncio.timeout(5 * UNIT):
            lines = [(await reader.readline()).decode().strip() for _ in range(500)]
        assert lines == [f"frame {i}" for i in range(500)]
        await outbox.close()


async def test_a_reader_that_stops_reading_is_given_up_on() -> None:
    """Past ``limit`` queued frames the outbox drops them and calls on_overflow once."""
    async with tcp_pair() as (writer, reader):
        overflowed: list[int] = []
        outbox = Outbox(sender(writer), lambda: overflowed.append(1), limit=50)
        chunk = "x" * 65536
        async with asyncio.timeout(10 * UNIT):
            while not overflowed:
                outbox.push(chunk)  # never waits, however full the socket is
                await asyncio.sleep(0)
        assert overflowed == [1] and outbox.closed and outbox.pending == 0
        outbox.push("after")  # ignored once closed
        assert outbox.pending == 0 and overflowed == [1]
        await outbox.close()


async def test_a_paused_outbox_writes_its_first_frame_first() -> None:
    """Frames pushed before start() follow the frame start() puts first."""
    async with tcp_pair() as (writer, reader):
        outbox = Outbox(sender(writer), lambda: None, paused=True)
        outbox.push("second")
        outbox.push("third")
        await asyncio.sleep(0.05)
        outbox.start("first")
        await outbox.drained()
        async with asyncio.timeout(5 * UNIT):
            lines = [(await reader.readline()).decode().strip() for _ in range(3)]
        assert lines == ["first", "second", "third"]
        await outbox.close()
