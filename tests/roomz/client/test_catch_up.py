"""The client against the real server: catching up after a long absence (page by page),
sends the server refuses for a moment, and what people paste (a link, an http address)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from roomz import AsyncClient, ConnectionState
from tests.conftest import UNIT
from tests.roomz.client.loopback import DroppingProxy
from tests.roomz.server.serve import RunningServer, serve

AWAY_MESSAGES = 2300
CONTENT_LENGTH = 4000


async def send_all(client: AsyncClient, contents: list[str], batch: int = 50) -> None:
    for start in range(0, len(contents), batch):
        answers = await asyncio.gather(*(client.send(c) for c in contents[start : start + batch]))
        assert all("error" not in answer for answer in answers), answers


async def test_a_client_away_for_2300_long_messages_receives_them_all_once_in_order(
    tmp_path: Path,
) -> None:
    """18 MiB of missed messages, more than a client takes in one frame, arrive in pages."""
    # Two UTF-8 bytes a character: 4,000 characters are 8 KB, 2,300 messages over 18 MiB.
    contents = [f"{i:05d} " + "é" * (CONTENT_LENGTH - 6) for i in range(AWAY_MESSAGES)]
    async with (
        serve(
            tmp_path, ROOMZ_MESSAGES_PER_SECOND="5000", ROOMZ_USER_MESSAGES_PER_SECOND="5000"
        ) as server,
        DroppingProxy(server.port) as proxy,
    ):
        reader = AsyncClient(
            f"ws://127.0.0.1:{proxy.port}/ws", await server.magic_token("away@example.com"),
            reconnect_delay=0.05 * UNIT, max_reconnect_attempts=1000,
            connection_timeout=30 * UNIT,
        )  # fmt: skip
        writer = AsyncClient(server.ws_url, await server.magic_token("busy@example.com"))
        received: list[dict[str, Any]] = []
        everything = asyncio.Event()

        def on_message(message: dict[str, Any]) -> None:
            received.append(message)
            if len(received) >= AWAY_MESSAGES:
                everything.set()

        reader.on("message", on_message)
        reconnected = asyncio.Event()
        reader.on("authenticated", lambda _: reconnected.set())
        await reader.connect()
        await writer.connect()
        try:
            reconnected.clear()
            proxy.refusing = True
            proxy.drop()
            await send_all(writer, contents)
            assert received == []  # nothing came while away
            proxy.refusing = False
            async with asyncio.timeout(120 * UNIT):
                await reconnected.wait()
                started = time.perf_counter()
                await everything.wait()
            took = time.perf_counter() - started
            print(f"\ncatch-up of {AWAY_MESSAGES} x {CONTENT_LENGTH} chars: {took:.2f} s")
            await asyncio.sleep(0.5)  # nothing more may arrive
        finally:
            await reader.disconnect()
            await writer.disconnect()
    assert [m["content"] for m in received] == contents
    assert [m["index"] for m in received] == list(range(1, AWAY_MESSAGES + 1))


async def test_130_sends_at_once_are_all_delivered_despite_the_rate_limit(
    roomz_server: RunningServer,
) -> None:
    """The server allows 20 requests a second; the client waits as told and resends."""
    server = roomz_server
    client = AsyncClient(server.ws_url, await server.magic_token("eager@example.com"))
    seen: list[str] = []
    client.on("message", lambda m: seen.append(m["content"]))
    await client.connect()
    try:
        contents = [f"burst {i}" for i in range(130)]
        async with asyncio.timeout(60 * UNIT):
            answers = await asyncio.gather(*(client.send(c) for c in contents))
        assert [a.get("status") for a in answers] == ["ok"] * 130
        history = (await client.history("general"))["messages"]
    finally:
        await client.disconnect()
    assert sorted(m["content"] for m in history) == sorted(contents)  # each stored once
    assert len({a["index"] for a in answers}) == 130


async def test_the_whole_link_and_an_http_address_are_accepted(
    roomz_server: RunningServer,
) -> None:
    """What the e-mail and the browser's address bar show works as it does in roomz-cli."""
    server = roomz_server
    link = await server.magic_link("pasted@example.com")
    async with AsyncClient(server.http_url, session_token=link) as first:
        assert first.connection_state is ConnectionState.CONNECTED
    second = AsyncClient(f"{server.http_url}/")
    try:
        await second.connect(token=await server.magic_link("pasted@example.com"))
        assert second.user is not None and second.user["email"] == "pasted@example.com"
    finally:
        await second.disconnect()
