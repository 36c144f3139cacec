"""What the server shows and believes: framing headers, the favicon, the session in the
``authenticated`` frame, forwarded addresses, where the login link goes, and logs."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

from roomz import AsyncClient
from tests.roomz.server.serve import RunningServer, serve
from tests.roomz.server.test_bad_input import peer


async def test_pages_cannot_be_framed_and_the_favicon_is_served(
    roomz_server: RunningServer,
) -> None:
    """Every page answers with ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``;
    ``/favicon.ico`` is an icon, not a 404."""
    async with httpx.AsyncClient(base_url=roomz_server.http_url) as http:
        for path in ("/", "/auth/verify?token=x", "/auth/me", "/static/style.css"):
            response = await http.get(path)
            assert response.headers["x-frame-options"] == "DENY", path
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        icon = await http.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # the ICO signature


async def test_a_cookie_socket_is_not_told_its_session(roomz_server: RunningServer) -> None:
    """The page's socket (opened with the HttpOnly cookie) gets no ``session_token`` in its
    ``authenticated`` frame; a bearer socket (the Python client) still gets its own."""
    session = await roomz_server.session_token("ann@example.com")
    headers = {"Cookie": f"roomz_session={session}", "Origin": roomz_server.http_url}
    async with connect(roomz_server.ws_url, additional_headers=headers) as ws:
        first = json.loads(await ws.recv())
    assert first["type"] == "authenticated" and "session_token" not in first
    assert session not in json.dumps(first)
    async with peer(roomz_server, session) as ann:
        assert ann.first["session_token"] == session


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(tmp_path: Path) -> None:
    """A client on loopback cannot reset its login limit by writing X-Forwarded-For."""
    async with (
        serve(tmp_path, ROOMZ_LOGIN_REQUESTS_PER_CLIENT="2") as server,
        httpx.AsyncClient(base_url=server.http_url) as http,
    ):
        statuses = [
            (
                await http.post(
                    "/auth/login",
                    json={"email": f"u{n}@example.com"},
                    headers={"X-Forwarded-For": f"203.0.113.{n}"},
                )
            ).status_code
            for n in range(3)
        ]
    assert statuses == [202, 202, 429]


async def test_forwarded_for_from_a_trusted_proxy_is_believed(tmp_path: Path) -> None:
    """Behind a configured proxy each forwarded client has its own limit; a client cannot
    prepend addresses to escape it (the proxy's appended entry counts)."""
    async with (
        serve(
            tmp_path, ROOMZ_LOGIN_REQUESTS_PER_CLIENT="2", ROOMZ_TRUSTED_PROXIES="127.0.0.0/8"
        ) as server,
        httpx.AsyncClient(base_url=server.http_url) as http,
    ):

        async def login(n: int, forwarded: str) -> int:
            headers = {"X-Forwarded-For": forwarded}
            body = {"email": f"u{n}@example.com"}
            return (await http.post("/auth/login", json=body, headers=headers)).status_code

        distinct = [await login(n, f"203.0.113.{n}") for n in range(3)]
        same = [await login(n, f"198.51.100.{n}, 203.0.113.9") for n in range(3)]
    assert distinct == [202, 202, 202]
    assert same == [202, 202, 429]


async def test_the_login_answer_says_links_are_on_the_console(tmp_path: Path) -> None:
    """With the console sender the login answer says so (the page tells its user where to
    look); the link stands out as a framed block on stdout; requests are not logged."""
    async with serve(tmp_path, ROOMZ_ACCESS_LOG="") as server:
        async with httpx.AsyncClient(base_url=server.http_url) as http:
            answer = await http.post("/auth/login", json={"email": "ann@example.com"})
            await http.get("/")
        assert answer.json() == {"status": "ok", "delivery": "console"}
        link = await server.magic_link("ann@example.com")
        async with peer(server, await server.session_token("bob@example.com")):
            pass
    at = server.output.index(next(line for line in server.output if link in line))
    assert server.output[at - 1] == server.output[at + 2] and set(server.output[at - 1]) == {"="}
    assert server.output[at - 2] == server.output[at + 3] == ""
    requests = [line for line in server.logs if "/auth/" in line or '"GET /' in line]
    assert requests == []
    assert not [line for line in server.logs if "connection open" in line]


async def test_your_own_messages_are_never_unread(roomz_server: RunningServer) -> None:
    """Sending moves the sender's read watermark: list_rooms shows 0 unread for the sender
    (also after a message of someone else was read by sending), the others' counts."""
    server = roomz_server
    async with (
        AsyncClient(server.ws_url, await server.session_token("ann@example.com")) as ann,
        AsyncClient(server.ws_url, await server.session_token("bob@example.com")) as bob,
    ):
        await bob.send("hello ann")
        for n in range(5):
            await ann.send(f"mine {n}")
        ann_rooms = {r["room"]: r for r in (await ann.list_rooms())["rooms"]}
        bob_rooms = {r["room"]: r for r in (await bob.list_rooms())["rooms"]}
    assert ann_rooms["general"]["unread"] == 0
    assert bob_rooms["general"]["unread"] == 5
