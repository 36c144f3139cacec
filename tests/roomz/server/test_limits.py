"""Limits a hostile or careless client meets on a real server: the frame size at the socket,
sockets per user, requests per user across their sockets; and the connection counter."""

from __future__ import annotations

import asyncio
import json
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.conftest import UNIT
from tests.roomz.server.serve import RunningServer, serve
from tests.roomz.server.test_bad_input import Peer, peer


async def test_a_frame_over_64_kib_closes_the_socket_unread(
    roomz_server: RunningServer,
) -> None:
    """A 1 MiB frame is refused by the socket itself (close 1009, message too big), not read
    whole and answered; a frame within the limit is still answered on another socket."""
    session = await roomz_server.session_token("ann@example.com")
    async with peer(roomz_server, session) as ann:
        await ann.ws.send(json.dumps({"type": "ping", "request_id": "x" * (1 << 20)}))
        with pytest.raises(ConnectionClosed) as closed:
            while await ann.frame():  # events may come first; no answer ever does
                assert ann.seen[-1]["type"] not in ("pong", "result", "error")
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    async with peer(roomz_server, session) as ann:
        padded = {"type": "ping", "request_id": "p", "pad": "x" * 60_000}
        await ann.ws.send(json.dumps(padded))
        assert (await ann.result("p"))["type"] == "pong"


async def test_sockets_per_user_are_capped_with_a_typed_refusal(tmp_path: Path) -> None:
    """With ROOMZ_MAX_SOCKETS_PER_USER=3 the fourth handshake of one user is HTTP 429
    ``too_many_sockets``; another user is not affected, and closing one makes room."""
    async with serve(tmp_path, ROOMZ_MAX_SOCKETS_PER_USER="3") as server:
        ann = await server.session_token("ann@example.com")
        headers = {"Authorization": f"Bearer {ann}"}
        async with AsyncExitStack() as stack:
            first = await stack.enter_async_context(
                connect(server.ws_url, additional_headers=headers)
            )
            for _ in range(2):
                await stack.enter_async_context(connect(server.ws_url, additional_headers=headers))
            with pytest.raises(InvalidStatus) as refused:
                async with connect(server.ws_url, additional_headers=headers):
                    pass
            answer = refused.value.response
            assert answer.status_code == 429
            assert json.loads(answer.body or b"{}")["reason"] == "too_many_sockets"
            async with peer(server, await server.session_token("bob@example.com")):
                pass
            await first.close()
            await asyncio.sleep(0.3 * UNIT)  # the server notices the close
            async with peer(server, ann) as again:
                assert (await again.ask(type="ping", request_id="p"))["type"] == "pong"


async def test_requests_are_limited_per_user_across_sockets(tmp_path: Path) -> None:
    """Four sockets of one user, each under its own 10/s, share the user's 10/s: of 20
    requests in a burst about half are refused with rate_limited."""
    async with serve(
        tmp_path, ROOMZ_MESSAGES_PER_SECOND="10", ROOMZ_USER_MESSAGES_PER_SECOND="10"
    ) as server:
        session = await server.session_token("ann@example.com")
        async with AsyncExitStack() as stack:
            sockets: list[Peer] = [
                await stack.enter_async_context(peer(server, session)) for _ in range(4)
            ]
            for n, socket in enumerate(sockets):
                for i in range(5):
                    await socket.ws.send(json.dumps({"type": "ping", "request_id": f"{n}.{i}"}))
            answers = [
                await socket.result(f"{n}.{i}")
                for n, socket in enumerate(sockets)
                for i in range(5)
            ]
    refused = [a for a in answers if a.get("reason") == "rate_limited"]
    assert 7 <= len(refused) <= 12, answers
    assert all(a["code"] == 429 and a["retry_after"] > 0 for a in refused)


async def test_connections_opened_are_counted(roomz_server: RunningServer) -> None:
    """``roomz_connections_opened_total`` counts each accepted socket."""
    session = await roomz_server.session_token("ann@example.com")
    for _ in range(3):
        async with peer(roomz_server, session):
            pass
    async with httpx.AsyncClient(base_url=roomz_server.http_url) as http:
        text = (await http.get("/metrics")).text
    assert "roomz_connections_opened_total 3\n" in text
