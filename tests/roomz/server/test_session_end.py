"""A session that ends — logged out or expired — ends every open socket of it, in every
process: closed with code 1008 and a typed reason, and no chat message reaches it after."""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import UNIT
from tests.roomz.server.serve import RunningServer, serve
from tests.roomz.server.test_cluster import two_servers


@dataclass
class IdleSocket:
    """A raw socket that never sends a request; records what it receives until closed."""

    ws: ClientConnection
    messages: list[dict[str, Any]] = field(default_factory=list)
    closed_at: float | None = None
    task: asyncio.Task[None] | None = None

    async def read(self) -> None:
        try:
            async for text in self.ws:
                frame = json.loads(text)
                if frame.get("type") == "message":
                    self.messages.append(frame)
        except ConnectionClosed:
            pass
        self.closed_at = time.monotonic()

    async def closed(self, within: float) -> tuple[int | None, str | None]:
        """The close code and reason the server sent, waiting at most ``within`` seconds."""
        assert self.task is not None
        async with asyncio.timeout(within):
            await asyncio.shield(self.task)
        received = self.ws.protocol.close_rcvd
        return (received.code, received.reason) if received else (None, None)


async def idle_socket(stack: AsyncExitStack, server: RunningServer, session: str) -> IdleSocket:
    headers = {"Authorization": f"Bearer {session}"}
    ws = await stack.enter_async_context(connect(server.ws_url, additional_headers=headers))
    first = json.loads(await ws.recv())
    assert first["type"] == "authenticated"
    socket = IdleSocket(ws)
    socket.task = asyncio.create_task(socket.read())
    return socket


async def post(server: RunningServer, session: str, content: str) -> None:
    """Send one message as the owner of ``session`` (a short-lived raw socket)."""
    headers = {"Authorization": f"Bearer {session}"}
    async with connect(server.ws_url, additional_headers=headers) as ws:
        await ws.recv()
        request = {"type": "send", "request_id": "1", "room": "general", "content": content}
        await ws.send(json.dumps(request))
        while (answer := json.loads(await ws.recv())).get("type") != "result":
            pass
        assert answer.get("status", "ok") == "ok" and "error" not in answer, answer


async def logout(server: RunningServer, session: str) -> None:
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        response = await http.post("/auth/logout", headers={"Authorization": f"Bearer {session}"})
        assert response.status_code == 200


async def check_revocation(
    servers: list[RunningServer], sockets_per_server: int = 2
) -> list[float]:
    """Ann's idle sockets on ``servers`` all close with ``session_revoked`` within 2 s of
    her logout through the first server, and none sees Bob's message sent after it.
    Returns the seconds from logout to each socket's close."""
    first = servers[0]
    ann = await first.session_token("ann@example.com")
    bob = await first.session_token("bob@example.com")
    async with AsyncExitStack() as stack:
        sockets = [
            await idle_socket(stack, server, ann)
            for server in servers
            for _ in range(sockets_per_server)
        ]
        await post(servers[-1], bob, "before")
        for socket in sockets:
            await wait_for_message(socket, "before")
        started = time.monotonic()
        await logout(first, ann)
        await post(servers[-1], bob, "after")
        for socket in sockets:
            assert await socket.closed(within=5 * UNIT) == (1008, "session_revoked")
        assert all("after" not in [m["content"] for m in s.messages] for s in sockets)
        return [s.closed_at - started for s in sockets if s.closed_at is not None]


async def wait_for_message(socket: IdleSocket, content: str) -> None:
    async with asyncio.timeout(10 * UNIT):
        while content not in [m["content"] for m in socket.messages]:  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def test_logout_closes_every_idle_socket_of_the_session_at_once(tmp_path: Path) -> None:
    """One process: both idle sockets of the session close within 2 s of the logout."""
    async with serve(tmp_path) as server:
        waits = await check_revocation([server])
    assert len(waits) == 2 and max(waits) <= 2.0, waits


async def test_logout_closes_the_sessions_sockets_on_every_process(
    tmp_path: Path, postgres_dsn: str, pg_schema: str, redis_url: str
) -> None:
    """Two processes on PostgreSQL + Redis: the sockets on the other process close too."""
    async with two_servers(tmp_path, postgres_dsn, pg_schema, redis_url) as (one, two):
        waits = await check_revocation([one, two])
    assert len(waits) == 4 and max(waits) <= 2.0, waits


async def test_an_idle_socket_closes_when_its_session_expires(tmp_path: Path) -> None:
    """A socket that never sends anything is closed with ``session_expired`` when its
    session's lifetime passes, and stops receiving messages then."""
    ttl = 3.0 * UNIT
    async with serve(tmp_path, ROOMZ_SESSION_TTL=str(ttl)) as server, AsyncExitStack() as stack:
        ann = await server.session_token("ann@example.com")
        created = time.monotonic()
        socket = await idle_socket(stack, server, ann)
        assert await socket.closed(within=ttl + 3 * UNIT) == (1008, "session_expired")
        assert socket.closed_at is not None
        assert ttl - 0.5 * UNIT <= socket.closed_at - created <= ttl + 2 * UNIT
