"""Bad input on the socket: each gets a clear error with a stable reason, and the connection
and the room carry on (docs/protocol.md, "Errors")."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.conftest import UNIT
from tests.roomz.server.serve import RunningServer, serve


class Peer:
    """A raw protocol client: write frames, read the answers."""

    def __init__(self, ws: ClientConnection, first: dict[str, Any]) -> None:
        self.ws = ws
        self.first = first
        self.seen: list[dict[str, Any]] = []

    async def frame(self, kind: str | None = None) -> dict[str, Any]:
        """The next frame (of ``kind``), skipping events."""
        async with asyncio.timeout(5 * UNIT):
            while True:
                frame: dict[str, Any] = json.loads(await self.ws.recv())
                self.seen.append(frame)
                if kind is None or frame["type"] == kind:
                    return frame

    async def answer(self) -> dict[str, Any]:
        """The next ``result`` or ``error`` frame."""
        while True:
            frame = await self.frame()
            if frame["type"] in ("result", "error"):
                return frame

    async def result(self, request_id: str) -> dict[str, Any]:
        """The answer to ``request_id``."""
        while True:
            frame = await self.frame()
            if frame.get("request_id") == request_id:
                return frame

    async def ask(self, **frame: Any) -> dict[str, Any]:
        """Send a request and return its answer."""
        await self.ws.send(json.dumps(frame))
        return await self.result(frame["request_id"])


@asynccontextmanager
async def peer(server: RunningServer, token: str, **headers: str) -> AsyncIterator[Peer]:
    async with connect(
        server.ws_url, additional_headers={"Authorization": f"Bearer {token}", **headers}
    ) as ws:
        first = json.loads(await ws.recv())
        assert first["type"] == "authenticated"
        yield Peer(ws, first)


async def refused_status(url: str, headers: dict[str, str]) -> int:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, additional_headers=headers):
            pass
    return refused.value.response.status_code


@pytest.fixture
async def limited(tmp_path: Path) -> AsyncIterator[RunningServer]:
    """A server with a 50-character message limit and 5 requests a second per socket."""
    async with serve(
        tmp_path, ROOMZ_MAX_MESSAGE_LENGTH="50", ROOMZ_MESSAGES_PER_SECOND="5"
    ) as server:
        yield server


async def test_empty_and_over_long_messages_are_refused_and_not_stored(
    limited: RunningServer,
) -> None:
    """Empty, blank and over-limit content get empty_content / content_too_long."""
    async with peer(limited, await limited.session_token("ann@example.com")) as ann:
        empty = await ann.ask(type="send", request_id="a", content="")
        blank = await ann.ask(type="send", request_id="b", content=" \n\t ")
        await asyncio.sleep(0.25)  # stay under the rate limit
        long = await ann.ask(type="send", request_id="c", content="x" * 51)
        assert (empty["reason"], empty["code"]) == ("empty_content", 400)
        assert blank["reason"] == "empty_content"
        assert (long["reason"], long["code"]) == ("content_too_long", 413)
        assert "50" in long["error"]
        history = await ann.ask(type="history", request_id="d", room="general", since=0)
        assert history["messages"] == []


async def test_malformed_frames_get_error_frames_and_the_socket_stays_open(
    roomz_server: RunningServer,
) -> None:
    """Not JSON, not an object, no type, unknown type, no request_id, binary: each answered."""
    async with peer(roomz_server, await roomz_server.session_token("ann@example.com")) as ann:
        cases: list[tuple[str | bytes, str]] = [
            ("{not json", "invalid_json"),
            ("NaN", "invalid_json"),
            ("[1, 2]", "invalid_frame"),
            ('{"request_id": "x"}', "missing_field"),
            ('{"type": "shout", "request_id": "x"}', "unknown_type"),
            ('{"type": "send", "content": "hi"}', "missing_field"),
            (b'{"type": "ping", "request_id": "x"}', "invalid_frame"),
        ]
        for data, reason in cases:
            await ann.ws.send(data)
            answer = await ann.answer()
            assert answer["reason"] == reason, data
            assert answer["type"] in ("error", "result")
        unknown = await ann.ask(type="shout", request_id="u1")
        assert unknown == {**unknown, "type": "result", "reason": "unknown_type", "code": 400}
        bad_room = await ann.ask(type="join", request_id="j1", room="../etc")
        assert bad_room["reason"] == "invalid_field"
        pong = await ann.ask(type="ping", request_id="p1")
        assert pong["type"] == "pong"


async def test_a_handshake_without_a_valid_token_is_refused_with_401(
    roomz_server: RunningServer,
) -> None:
    """No token, a made-up token, a tampered session and a spent link: HTTP 401, no socket."""
    url = roomz_server.ws_url
    session = await roomz_server.session_token("ann@example.com")
    token = await roomz_server.magic_token("bob@example.com")
    async with peer(roomz_server, token):
        pass  # spends the link
    for headers in (
        {},
        {"Authorization": "Bearer nonsense"},
        {"Authorization": f"Bearer {session[:-2]}xx"},
        {"Authorization": f"Bearer {token}"},
        {"Cookie": "roomz_session=nonsense"},
    ):
        assert await refused_status(url, headers) == 401, headers


async def test_a_cross_origin_handshake_is_refused_with_403(
    roomz_server: RunningServer,
) -> None:
    """A valid cookie from another site's page gets 403; the site's own Origin works."""
    session = await roomz_server.session_token("ann@example.com")
    cookie = {"Cookie": f"roomz_session={session}"}
    evil = {**cookie, "Origin": "http://evil.example"}
    assert await refused_status(roomz_server.ws_url, evil) == 403
    own = {**cookie, "Origin": roomz_server.http_url}
    async with connect(roomz_server.ws_url, additional_headers=own) as ws:
        first = json.loads(await ws.recv())
    assert first["type"] == "authenticated" and first["user"]["email"] == "ann@example.com"


async def test_after_logout_the_socket_closes_as_session_revoked(
    roomz_server: RunningServer,
) -> None:
    """Logging out over HTTP closes the session's open socket at once (1008,
    ``session_revoked``), without waiting for its next request."""
    session = await roomz_server.session_token("ann@example.com")
    async with peer(roomz_server, session) as ann:
        assert (await ann.ask(type="ping", request_id="p1"))["type"] == "pong"
        async with httpx.AsyncClient(base_url=roomz_server.http_url) as http:
            response = await http.post(
                "/auth/logout", headers={"Authorization": f"Bearer {session}"}
            )
            assert response.status_code == 200
        with pytest.raises(ConnectionClosed) as closed:
            await ann.frame()
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1008, "session_revoked")
    assert await refused_status(roomz_server.ws_url, {"Authorization": f"Bearer {session}"}) == 401


async def test_flooding_is_rate_limited_and_the_connection_still_works(
    limited: RunningServer,
) -> None:
    """Over the per-socket rate a request gets rate_limited (retry_after); later ones pass."""
    async with peer(limited, await limited.session_token("ann@example.com")) as ann:
        for i in range(12):
            await ann.ws.send(json.dumps({"type": "ping", "request_id": f"f{i}"}))
        answers = [await ann.result(f"f{i}") for i in range(12)]
        limited_answers = [a for a in answers if a.get("reason") == "rate_limited"]
        assert 5 <= len(limited_answers) <= 7
        assert all(a["code"] == 429 and a["retry_after"] > 0 for a in limited_answers)
        await ann.ws.send("garbage")
        assert (await ann.answer())["reason"] in ("rate_limited", "invalid_json")
        await asyncio.sleep(1.2)
        sent = await ann.ask(type="send", request_id="ok", content="calm again")
        assert sent["status"] == "ok"


async def test_markup_is_stored_and_returned_exactly_as_sent(
    roomz_server: RunningServer,
) -> None:
    """Message text is data: `<script>` and `<img onerror>` come back byte for byte."""
    text = '<script>alert("x")</script><img src=x onerror="alert(1)"> & &amp; \u202e'
    async with (
        peer(roomz_server, await roomz_server.session_token("ann@example.com")) as ann,
        peer(roomz_server, await roomz_server.session_token("bob@example.com")) as bob,
    ):
        sent = await ann.ask(type="send", request_id="s", content=text)
        assert sent["status"] == "ok"
        live = await bob.frame("message")
        history = await bob.ask(type="history", request_id="h", room="general", since=0)
    assert live["content"] == text
    assert [m["content"] for m in history["messages"]] == [text]


async def test_a_member_only_request_from_a_non_member_is_refused(
    roomz_server: RunningServer,
) -> None:
    """Posting to, reading or typing in a room one has not joined: not_a_member."""
    async with (
        peer(roomz_server, await roomz_server.session_token("ann@example.com")) as ann,
        peer(roomz_server, await roomz_server.session_token("bob@example.com")) as bob,
    ):
        assert (await ann.ask(type="create_room", request_id="c", room="ops"))["status"] == "ok"
        again = await bob.ask(type="create_room", request_id="c2", room="ops")
        assert (again["reason"], again["code"]) == ("room_exists", 409)
        for request in (
            {"type": "send", "content": "hi", "room": "ops"},
            {"type": "history", "room": "ops", "since": 0},
            {"type": "typing", "room": "ops", "state": True},
        ):
            answer = await bob.ask(request_id="r", **request)
            assert (answer["reason"], answer["code"]) == ("not_a_member", 403), request
            await asyncio.sleep(0.05)
        missing = await bob.ask(type="join", request_id="j", room="nowhere")
        assert (missing["reason"], missing["code"]) == ("room_not_found", 404)
        general = await bob.ask(type="leave", request_id="l", room="general")
        assert general["reason"] == "invalid_field"


async def test_an_expired_session_ends_the_socket_when_it_passes(tmp_path: Path) -> None:
    """With a 2-second session, the socket is closed (``session_expired``) once it passes."""
    async with serve(tmp_path, ROOMZ_SESSION_TTL="2") as server:
        session = await server.session_token("ann@example.com")
        async with peer(server, session) as ann:
            assert (await ann.ask(type="ping", request_id="p1"))["type"] == "pong"
            await asyncio.sleep(2.5)
            with pytest.raises(ConnectionClosed) as closed:
                await ann.frame()
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.reason == "session_expired"
