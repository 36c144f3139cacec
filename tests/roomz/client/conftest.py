"""Fixtures: the stand-in server on loopback, a cutting proxy in front of it, and clients
that are always disconnected before the server stops."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from roomz import AsyncClient
from tests.conftest import UNIT
from tests.roomz.client.fake_server import FakeServer
from tests.roomz.client.loopback import DroppingProxy, serve


async def eventually(predicate: Callable[[], bool]) -> None:
    """Wait until ``predicate()`` holds; fail the test after 5 UNIT."""
    async with asyncio.timeout(5 * UNIT):
        while not predicate():  # noqa: ASYNC110 - state seen from outside; no event to await
            await asyncio.sleep(0.01)


@pytest.fixture
def fake() -> FakeServer:
    return FakeServer(max_content=100)


@pytest.fixture
async def port(fake: FakeServer) -> AsyncIterator[int]:
    async with serve(fake.app) as port:
        yield port


@pytest.fixture
def url(port: int) -> str:
    return f"ws://127.0.0.1:{port}/ws"


@pytest.fixture
async def proxy(port: int) -> AsyncIterator[DroppingProxy]:
    async with DroppingProxy(port) as proxy:
        yield proxy


@pytest.fixture
def proxied_url(proxy: DroppingProxy) -> str:
    return f"ws://127.0.0.1:{proxy.port}/ws"


ClientFactory = Callable[..., AsyncClient]


@pytest.fixture
async def make_client(url: str) -> AsyncIterator[ClientFactory]:
    """``make_client(token, **options)``: an AsyncClient for ``url`` (or ``server_url=``),
    disconnected at teardown."""
    made: list[AsyncClient] = []

    def make(token: str = "", **options: Any) -> AsyncClient:
        options.setdefault("connection_timeout", 5 * UNIT)
        client = AsyncClient(options.pop("server_url", url), token, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.disconnect()
