"""AsyncClient against the stand-in server on loopback: login, connect, send, events."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from roomz import AsyncClient, AuthenticationError, ConnectionError, ConnectionState
from tests.roomz.client.conftest import ClientFactory, eventually
from tests.roomz.client.fake_server import FakeServer

ANN = "ann@example.com"
BOB = "bob@example.com"


async def test_login_posts_the_email(make_client: ClientFactory, fake: FakeServer) -> None:
    """login() POSTs /auth/login; True on 202, False when the server refuses the address."""
    client = make_client()
    assert await client.login(ANN) is True
    assert fake.login_requests == [ANN]
    assert await client.login("not-an-address") is False


async def test_login_without_a_server_raises_connection_error() -> None:
    """An unreachable server is a roomz.ConnectionError (and a builtin one)."""
    client = AsyncClient("ws://127.0.0.1:9/ws", connection_timeout=2)
    with pytest.raises(ConnectionError):
        await client.login(ANN)
    with pytest.raises(ConnectionError):
        await client.connect(token="anything")
    assert client.connection_state is ConnectionState.DISCONNECTED


async def test_magic_token_connects_and_the_session_is_cached(
    make_client: ClientFactory, fake: FakeServer, tmp_path: Path
) -> None:
    """connect(token=...) authenticates; the session lands in a 0600 file; connect() reuses it."""
    cache = tmp_path / "session.json"
    client = make_client(session_cache_file=cache)
    events: list[dict[str, Any]] = []
    client.on("authenticated", events.append)
    await client.connect(token=fake.issue_magic_token(ANN))
    assert client.connected and client.connection_state.value == "connected"
    assert client.user == {"id": f"user:{ANN}", "email": ANN, "display_name": None}
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    await client.disconnect()
    assert client.connection_state is ConnectionState.DISCONNECTED
    assert events[0]["channel"] == f"user:{ANN}"

    again = make_client(session_cache_file=cache)  # a new process, say
    await again.connect()
    assert again.connected and again.user is not None and again.user["email"] == ANN
    assert len(fake.sessions) == 1


async def test_bad_token_raises_authentication_error_and_clears_the_cache(
    make_client: ClientFactory, fake: FakeServer, tmp_path: Path
) -> None:
    """A refused token raises AuthenticationError; a refused cached session is removed."""
    with pytest.raises(AuthenticationError) as caught:
        await make_client("no-such-token").connect()
    assert caught.value.code == 401
    cache = tmp_path / "session.json"
    client = make_client(session_cache_file=cache)
    await client.connect(fake.issue_magic_token(ANN))
    await client.disconnect()
    fake.sessions.clear()  # the server revoked every session
    with pytest.raises(AuthenticationError):
        await make_client(session_cache_file=cache).connect()
    assert not cache.exists()
    with pytest.raises(AuthenticationError, match="no token"):
        await make_client(session_cache_file=cache).connect()


async def test_send_returns_the_stored_message(
    make_client: ClientFactory, fake: FakeServer
) -> None:
    """send() answers {"status": "ok", "message_id", "timestamp"} once the server stored it."""
    client = make_client(fake.issue_magic_token(ANN))
    await client.connect()
    result = await client.send("Hello, world!")
    assert result["status"] == "ok"
    (stored,) = fake.rooms["general"]
    assert result["message_id"] == stored["id"] and result["timestamp"] == stored["timestamp"]
    assert stored["content"] == "Hello, world!"


async def test_send_errors_come_back_as_dicts(make_client: ClientFactory, fake: FakeServer) -> None:
    """Over-long or empty content and unknown rooms give error dicts, nothing is stored."""
    client = make_client(fake.issue_magic_token(ANN))
    await client.connect()
    too_long = await client.send("x" * 101)  # the fixture's server allows 100
    assert too_long["code"] == 413 and too_long["reason"] == "content_too_long"
    assert "error" in too_long and "status" not in too_long
    assert (await client.send("   "))["reason"] == "empty_content"
    assert (await client.send("hi", room="nowhere"))["reason"] == "not_a_member"
    assert fake.rooms["general"] == []


async def test_send_when_not_connected_raises(make_client: ClientFactory) -> None:
    """send() before connect() raises ConnectionError."""
    with pytest.raises(ConnectionError, match="not connected"):
        await make_client().send("hi")


async def test_sync_and_async_handlers_receive_messages(
    make_client: ClientFactory, fake: FakeServer
) -> None:
    """Both kinds of handler get the message data: the frame without its type."""
    client = make_client(fake.issue_magic_token(ANN))
    plain: list[dict[str, Any]] = []
    awaited: list[dict[str, Any]] = []

    async def on_message(data: dict[str, Any]) -> None:
        awaited.append(data)

    client.on("message", plain.append)
    client.on("message", on_message)
    await client.connect()
    await fake.post(BOB, "hi ann")
    await eventually(lambda: len(awaited) == 1)
    assert plain == awaited
    assert plain[0]["user"]["email"] == BOB and plain[0]["content"] == "hi ann"
    assert {"id", "timestamp", "room", "index", "client_id"} <= set(plain[0])
    assert "type" not in plain[0]


async def test_off_stops_delivery(make_client: ClientFactory, fake: FakeServer) -> None:
    """After off(), the handler hears nothing more."""
    client = make_client(fake.issue_magic_token(ANN))
    seen: list[str] = []

    def record(data: dict[str, Any]) -> None:
        seen.append(data["content"])

    client.on("message", record)
    await client.connect()
    await fake.post(BOB, "one")
    await eventually(lambda: seen == ["one"])
    client.off("message", record)
    await fake.post(BOB, "two")
    await client.send("three")  # answered after "two" was written: "two" has arrived
    await client.disconnect()
    assert seen == ["one"]


async def test_a_handler_may_send_and_a_raising_handler_does_not_stop_reading(
    make_client: ClientFactory, fake: FakeServer
) -> None:
    """Handlers run outside the read loop: one awaits send(); another raises."""
    client = make_client(fake.issue_magic_token(ANN))
    replies: list[dict[str, Any]] = []

    def broken(data: dict[str, Any]) -> None:
        raise RuntimeError("handler bug")

    async def echo(data: dict[str, Any]) -> None:
        if data["user"]["email"] == BOB:
            replies.append(await client.send(f"echo: {data['content']}"))

    client.on("message", broken)
    client.on("message", echo)
    await client.connect()
    await fake.post(BOB, "ping")
    await eventually(lambda: len(replies) == 1)
    assert replies[0]["status"] == "ok"
    assert [m["content"] for m in fake.rooms["general"]] == ["ping", "echo: ping"]


async def test_display_name_and_room_requests(make_client: ClientFactory, fake: FakeServer) -> None:
    """set_display_name, rooms, history, typing, presence, read and ping round-trip."""
    client = make_client(fake.issue_magic_token(ANN))
    changes: list[dict[str, Any]] = []
    client.on("display_name_changed", changes.append)
    await client.connect()
    assert await client.set_display_name("Ann") == {"status": "ok", "display_name": "Ann"}
    assert client.user is not None and client.user["display_name"] == "Ann"
    await eventually(lambda: len(changes) == 1)
    assert changes[0]["display_name"] == "Ann" and changes[0]["user"]["email"] == ANN
    assert (await client.set_display_name(None))["display_name"] is None
    assert (await client.create_room("dev"))["room"] == "dev"
    assert (await client.create_room("dev"))["reason"] == "room_exists"
    await client.send("in dev", room="dev")
    joined = await client.join("dev")
    assert joined["last_index"] == 1 and joined["history"][0]["content"] == "in dev"
    assert (await client.history("dev", since=0))["messages"][0]["index"] == 1
    rooms = (await client.list_rooms())["rooms"]
    assert {r["room"] for r in rooms} == {"general", "dev"}
    for result in (
        await client.typing("dev"),
        await client.set_presence("away"),
        await client.mark_read("dev", 1),
        await client.leave("dev"),
    ):
        assert result["status"] == "ok"
    assert (await client.leave("general"))["reason"] == "invalid_field"
    assert "server_time" in await client.ping()
    assert (await client.set_presence("busy"))["reason"] == "invalid_field"


async def test_other_users_events_reach_handlers(
    make_client: ClientFactory, fake: FakeServer
) -> None:
    """typing / presence events of another client arrive with their fields."""
    ann = make_client(fake.issue_magic_token(ANN))
    bob = make_client(fake.issue_magic_token(BOB))
    typing: list[dict[str, Any]] = []
    ann.on("typing", typing.append)
    async with ann, bob:
        await bob.typing("general")
        await eventually(lambda: any(e["user"]["email"] == BOB for e in typing))
    event = next(e for e in typing if e["user"]["email"] == BOB)
    assert event["room"] == "general" and event["state"] is True


async def test_context_manager_connects_and_disconnects(
    make_client: ClientFactory, fake: FakeServer
) -> None:
    """`async with` connects on entry and disconnects (with a disconnect event) on exit."""
    client = make_client(fake.issue_magic_token(ANN))
    seen: list[dict[str, Any]] = []
    client.on("disconnect", seen.append)
    async with client as entered:
        assert entered is client and client.connected
        assert (await client.send("Hello!"))["status"] == "ok"
    assert not client.connected and seen == [{}]


async def test_who_and_the_announcements_of_first_and_last_sockets(
    make_client: ClientFactory, fake: FakeServer
) -> None:
    """who() returns the users online; Bob's last socket closing is user_left then offline."""
    ann = make_client(fake.issue_magic_token(ANN))
    bob = make_client(fake.issue_magic_token(BOB))
    events: list[tuple[str, str]] = []

    def recorder(name: str) -> Callable[[dict[str, Any]], None]:
        return lambda data: events.append((name, data["user"]["email"]))

    for name in ("user_joined", "user_left", "presence"):
        ann.on(name, recorder(name))
    async with ann:
        async with bob:
            await bob.set_presence("away")
            result = await ann.who()
            assert result["status"] == "ok" and result["room"] == "general"
            assert [
                (u["user"]["email"], u["status"], u["connections"]) for u in result["users"]
            ] == [
                (ANN, "online", 1),
                (BOB, "away", 1),
            ]
            assert (await ann.who("nowhere"))["reason"] == "room_not_found"
        await eventually(lambda: ("presence", BOB) in events[-1:])
    assert [e for e in events if e[1] == BOB] == [
        ("user_joined", BOB),
        ("presence", BOB),  # away
        ("user_left", BOB),
        ("presence", BOB),  # offline
    ]
