"""The seed API page's examples, run as written against the stand-in server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from roomz import AsyncClient, SyncClient
from tests.roomz.client.fake_server import FakeServer
from tests.roomz.client.loopback import serve_in_thread


async def test_async_examples(
    url: str, fake: FakeServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """login, connect(token=...), connect() from the cache, send, display names, async with."""
    server_url = url
    client = AsyncClient(server_url, session_cache_file=tmp_path / "session")

    def on_message(data: dict[str, Any]) -> None:
        print(f"{data['user']['email']}: {data['content']}")

    client.on("message", on_message)
    success = await client.login("user@example.com")
    assert success
    (magic_link_token,) = fake.magic_tokens

    # Connect with token
    await client.connect(token=magic_link_token)
    await client.disconnect()
    # Or reconnect with cached session
    await client.connect()

    result = await client.send("Hello, world!")
    if "error" in result:
        print(f"Failed: {result['error']}")
    else:
        print(f"Message ID: {result['message_id']}")

    result = await client.set_display_name("Alice")
    print(f"Display name set to: {result['display_name']}")
    result = await client.set_display_name(None)
    print("Display name cleared")
    await client.disconnect()
    client.clear_cached_session()
    assert not (tmp_path / "session").exists()

    session_token = fake.issue_magic_token("user@example.com")
    handler = on_message
    async with AsyncClient(server_url, session_token) as client:
        client.on("message", handler)
        await client.send("Hello!")
        await asyncio.sleep(0.1)  # let the broadcast reach the handler

    out = capsys.readouterr().out
    assert "user@example.com: Hello, world!" in out
    assert f"Message ID: {fake.rooms['general'][0]['id']}" in out
    assert "Display name set to: Alice" in out
    assert "user@example.com: Hello!" in out


def test_sync_example(capsys: pytest.CaptureFixture[str]) -> None:
    """`with SyncClient(server_url, session_token) as client:` sends and hears back."""
    fake = FakeServer()
    with serve_in_thread(fake.app) as port:
        server_url = f"ws://127.0.0.1:{port}/ws"
        session_token = fake.issue_magic_token("user@example.com")

        def handler(data: dict[str, Any]) -> None:
            print(f"{data['user']['email']}: {data['content']}")

        with SyncClient(server_url, session_token) as client:
            client.on("message", handler)
            result = client.send("Hello!")
        assert result["status"] == "ok"
    assert "user@example.com: Hello!" in capsys.readouterr().out
