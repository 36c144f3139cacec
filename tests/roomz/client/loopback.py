"""Loopback plumbing for the client tests: uvicorn with WebSockets, and a TCP proxy that
cuts connections on demand.

The server is ``tests/standins/server.py``'s, with uvicorn's Sans-I/O websockets on.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

from tests.standins.server import serve_app


@contextlib.asynccontextmanager
async def serve(app: Any, *, startup_timeout: float = 10.0) -> AsyncIterator[int]:
    """Serve ``app`` (HTTP and WebSockets) on 127.0.0.1 until the block ends; yield the port."""
    async with serve_app(app, startup_timeout=startup_timeout, ws="websockets-sansio") as url:
        yield int(url.rsplit(":", 1)[1])


@contextlib.contextmanager
def serve_in_thread(app: Any) -> Iterator[int]:
    """:func:`serve` in a thread of its own, for tests that block; yield the port."""
    loop = asyncio.new_event_loop()
    started: asyncio.Future[int] = loop.create_future()
    stop = asyncio.Event()

    async def run() -> None:
        async with serve(app) as port:
            started.set_result(port)
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(run(),), daemon=True)
    thread.start()
    try:
        yield asyncio.run_coroutine_threadsafe(_wait(started), loop).result(timeout=10)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join()
        loop.close()


async def _wait(future: asyncio.Future[int]) -> int:
    return await future


class DroppingProxy:
    """A TCP proxy to ``127.0.0.1:upstream``: :meth:`drop` cuts every connection at once;
    while ``refusing`` is set, new connections are cut as soon as they arrive."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.refusing = False
        self.port = 0
        self._server: asyncio.Server | None = None
        self._transports: set[asyncio.WriteTransport] = set()
        self._tasks: set[asyncio.Task[Any]] = set()

    async def __aenter__(self) -> DroppingProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        self.drop()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def drop(self) -> None:
        """Abort every proxied connection, both sides, without a close handshake."""
        for transport in list(self._transports):
            transport.abort()
        self._transports.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            if self.refusing:
                writer.transport.abort()
                return
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
            self._transports.update((writer.transport, up_writer.transport))
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            self._tasks.discard(task)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass  # the other side was cut: drop() aborts both
    finally:
        writer.transport.abort()
