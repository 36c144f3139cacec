"""Helpers for the backend tests: polling, a throwaway Redis server, child processes, clean-up."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import shutil
import socket
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from roomkit import ConversationStore, InMemoryStore, PostgresStore, SQLiteStore
from tests.conftest import POSTGRES_DSN, UNIT, fresh_pg_schema, require_service

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (free at the time of the call)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ThrowawayRedis:
    """A private redis-server on a free port that a test may kill and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start the server (same port every time) and wait until it answers."""
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self._process = await asyncio.create_subprocess_exec(
            binary,
            *("--port", str(self.port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no"),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        async with asyncio.timeout(10 * UNIT):
            while True:
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                except OSError:
                    await asyncio.sleep(0.02)
                    continue
                writer.close()
                await writer.wait_closed()
                return

    async def kill(self) -> None:
        """SIGKILL the server, as a crash would."""
        if self._process is not None and self._process.returncode is None:
            self._process.kill()
            await self._process.wait()
        self._process = None


def child_env() -> dict[str, str]:
    """The environment for a child Python that imports roomkit from this checkout."""
    paths = [str(ROOT / "src"), str(ROOT)]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


async def start_python(script: str, *args: str) -> asyncio.subprocess.Process:
    """Run ``python -c script args`` with pipes on stdin and stdout."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=child_env(),
    )


async def read_line(process: asyncio.subprocess.Process, *, within: float) -> str:
    """The child's next line of output, or a failure after ``within`` seconds."""
    assert process.stdout is not None
    async with asyncio.timeout(within):
        line = await process.stdout.readline()
    assert line, f"child exited with {await process.wait()} before writing a line"
    return line.decode().strip()


async def delete_keys(url: str, prefix: str) -> None:
    """Delete every key under ``prefix``."""
    client = aioredis.Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=prefix + "*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def until(condition: Callable[[], object], *, within: float = 10.0) -> None:
    """Poll ``condition`` (sync or async) until it returns something true.

    Fails after ``within`` seconds (times UNIT).
    """
    async with asyncio.timeout(within * UNIT):
        while True:
            result = condition()
            if await result if inspect.isawaitable(result) else result:
                return
            # Polling on purpose: the state lives in Redis or another process, which no local
            # event signals.
            await asyncio.sleep(0.005)


STORE_KINDS = ("memory", "sqlite", "postgres")


@contextlib.asynccontextmanager
async def open_store(kind: str, tmp_path: Path) -> AsyncIterator[ConversationStore]:
    """A fresh, empty store of ``kind`` (one of STORE_KINDS), closed afterwards.

    SQLite writes ``roomkit.db`` in ``tmp_path``; PostgreSQL gets a schema of its own,
    dropped afterwards (a failure in CI when the server is down, a skip elsewhere).
    """
    async with contextlib.AsyncExitStack() as stack:
        store: ConversationStore
        if kind == "memory":
            store = InMemoryStore()
        elif kind == "sqlite":
            store = SQLiteStore(tmp_path / "roomkit.db")
        else:
            require_service("PostgreSQL", 5432)
            schema = await stack.enter_async_context(fresh_pg_schema())
            store = PostgresStore(POSTGRES_DSN, schema=schema)
        stack.push_async_callback(store.close)
        yield store
