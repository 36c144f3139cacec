"""Serve an ASGI app on 127.0.0.1 with a port the OS picks, for the length of a block.

    async with serve_app(app) as base_url:
        ...  # "http://127.0.0.1:<port>"

uvicorn runs in a task of the test's own event loop; leaving the block asks it to stop and
waits for it, so no task or socket outlives the test.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import uvicorn


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The test runner owns the process's signals (Ctrl-C, pytest-timeout); keep them.
        yield


@contextlib.asynccontextmanager
async def serve_app(
    app: Any, *, startup_timeout: float = 10.0, ws: str = "none"
) -> AsyncIterator[str]:
    """Run ``app`` until the block ends; yield its base URL.

    HTTP only by default. ``ws="websockets-sansio"`` serves WebSockets too, with the
    implementation that imports no deprecated module (warnings are errors here).
    """
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        lifespan="off",
        ws=ws,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=1,
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(startup_timeout):
            while not server.started:
                if task.done():
                    task.result()  # surfaces the startup error
                    raise RuntimeError("uvicorn stopped before starting")
                await asyncio.sleep(0.005)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
