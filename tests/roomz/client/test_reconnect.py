"""Dropped connections: backoff, catch-up of missed messages, resend of unanswered sends."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from roomz import ConnectionError, ConnectionState
from roomz import protocol as p
from tests.conftest import UNIT
from tests.roomz.client.conftest import ClientFactory, eventually
from tests.roomz.client.fake_server import FakeServer
from tests.roomz.client.loopback import DroppingProxy

ANN = "ann@example.com"
BOB = "bob@example.com"
FAST = {"reconnect_delay": 0.02 * UNIT, "max_reconnect_attempts": 30}


async def test_missed_messages_arrive_once_in_order_after_a_drop(
    proxied_url: str, proxy: DroppingProxy, make_client: ClientFactory, fake: FakeServer
) -> None:
    """RECONNECTING while cut off, then CONNECTED; handlers see every message exactly once."""
    client = make_client(fake.issue_magic_token(ANN), server_url=proxied_url, **FAST)
    seen: list[str] = []
    states: list[str] = []
    client.on("message", lambda data: seen.append(data["content"]))
    client.on("disconnect", lambda data: states.append("disconnect"))
    client.on("authenticated", lambda data: states.append("authenticated"))
    await client.connect()
    for text in ("one", "two"):
        await fake.post(BOB, text)
    await eventually(lambda: len(seen) == 2)

    proxy.refusing = True
    proxy.drop()
    await eventually(lambda: client.connection_state is ConnectionState.RECONNECTING)
    for text in ("three", "four", "five"):
        await fake.post(BOB, text)
    assert not client.connected
    fake.history_gate = asyncio.Event()  # hold the catch-up until "six" arrived live
    proxy.refusing = False
    await eventually(lambda: any(isinstance(r, p.History) for r in fake.requests))
    await fake.post(BOB, "six")
    await asyncio.sleep(0.05 * UNIT)  # "six" reaches the client before the history does
    fake.history_gate.set()

    await eventually(lambda: len(seen) >= 6)
    await client.send("sync")  # its answer comes after any duplicate would have
    await eventually(lambda: seen[-1:] == ["sync"])
    assert seen == ["one", "two", "three", "four", "five", "six", "sync"]
    assert [(r.room, r.since) for r in fake.requests if isinstance(r, p.History)] == [
        ("general", 2)
    ]
    assert states == ["authenticated", "disconnect", "authenticated"]


async def test_a_send_cut_off_before_its_result_is_stored_once(
    make_client: ClientFactory, fake: FakeServer
) -> None:
    """The server stores the message, the socket dies before the result; the client
    resends with the same client_id, gets the same message_id, and sees the message once."""
    client = make_client(fake.issue_magic_token(ANN), **FAST)
    seen: list[dict[str, Any]] = []
    client.on("message", seen.append)
    await client.connect()
    fake.drop_before_next_result = True
    result = await client.send("only once")
    assert result["status"] == "ok"
    (stored,) = fake.rooms["general"]
    assert result["message_id"] == stored["id"]
    sends = [r for r in fake.requests if r.type == "send"]
    assert len(sends) == 2 and sends[0] == sends[1]  # same request, same client_id
    await client.send("after")
    await eventually(lambda: len(seen) == 2)
    assert [m["content"] for m in seen] == ["only once", "after"]


async def test_server_side_close_reconnects_too(
    make_client: ClientFactory, fake: FakeServer
) -> None:
    """A close frame from the server (1012, restart) is handled like a cut connection."""
    client = make_client(fake.issue_magic_token(ANN), **FAST)
    await client.connect()
    await fake.close_all()
    await eventually(lambda: len(fake.sockets) == 1 and client.connected)
    assert (await client.send("back"))["status"] == "ok"


async def test_giving_up_after_max_attempts_emits_an_error(
    proxied_url: str, proxy: DroppingProxy, make_client: ClientFactory, fake: FakeServer
) -> None:
    """After max_reconnect_attempts the state is DISCONNECTED and `error` says why."""
    options = {"reconnect_delay": 0.01 * UNIT, "max_reconnect_attempts": 2}
    client = make_client(fake.issue_magic_token(ANN), server_url=proxied_url, **options)
    errors: list[dict[str, Any]] = []
    client.on("error", errors.append)
    await client.connect()
    proxy.refusing = True
    proxy.drop()
    await eventually(lambda: len(errors) == 1)
    assert client.connection_state is ConnectionState.DISCONNECTED
    assert errors[0]["code"] == 503 and errors[0]["reason"] == "reconnect_failed"
    proxy.refusing = False
    await client.connect()  # connect() works again after giving up
    assert client.connected


async def test_without_reconnect_a_drop_disconnects(
    proxied_url: str, proxy: DroppingProxy, make_client: ClientFactory, fake: FakeServer
) -> None:
    """reconnect=False: the drop emits `disconnect` and the client stays down."""
    client = make_client(fake.issue_magic_token(ANN), server_url=proxied_url, reconnect=False)
    gone = asyncio.Event()
    client.on("disconnect", lambda data: gone.set())
    await client.connect()
    proxy.drop()
    async with asyncio.timeout(5 * UNIT):
        await gone.wait()
    assert client.connection_state is ConnectionState.DISCONNECTED


async def test_revoked_session_on_reconnect_stops_with_an_auth_error(
    proxied_url: str, proxy: DroppingProxy, make_client: ClientFactory, fake: FakeServer
) -> None:
    """A 401 while reconnecting ends the attempts with an `error` event (401)."""
    client = make_client(fake.issue_magic_token(ANN), server_url=proxied_url, **FAST)
    errors: list[dict[str, Any]] = []
    client.on("error", errors.append)
    await client.connect()
    fake.sessions.clear()
    proxy.drop()
    await eventually(lambda: len(errors) == 1)
    assert errors[0]["code"] == 401 and errors[0]["reason"] == "invalid_token"
    assert client.connection_state is ConnectionState.DISCONNECTED


async def test_connect_after_disconnect_catches_up_too(
    make_client: ClientFactory, fake: FakeServer
) -> None:
    """Messages posted between disconnect() and connect() reach handlers on reconnect."""
    client = make_client(fake.issue_magic_token(ANN))
    seen: list[str] = []
    client.on("message", lambda data: seen.append(data["content"]))
    await fake.post(BOB, "before the first connect")  # history, not news: never delivered
    await client.connect()
    await fake.post(BOB, "one")
    await eventually(lambda: seen == ["one"])
    await client.disconnect()
    await fake.post(BOB, "two")
    await client.connect()
    await eventually(lambda: seen == ["one", "two"])


async def test_a_send_while_reconnecting_waits_and_goes_out_once(
    proxied_url: str, proxy: DroppingProxy, make_client: ClientFactory, fake: FakeServer
) -> None:
    """send() during RECONNECTING waits, then is stored once through the new connection."""
    client = make_client(fake.issue_magic_token(ANN), server_url=proxied_url, **FAST)
    seen: list[str] = []
    client.on("message", lambda data: seen.append(data["content"]))
    await client.connect()
    proxy.refusing = True
    proxy.drop()
    await eventually(lambda: client.connection_state is ConnectionState.RECONNECTING)
    sending = asyncio.create_task(client.send("queued"))
    await asyncio.sleep(0.2 * UNIT)
    assert not sending.done() and fake.rooms["general"] == []
    proxy.refusing = False
    result = await sending
    assert result["status"] == "ok"
    assert [m["content"] for m in fake.rooms["general"]] == ["queued"]
    assert len([r for r in fake.requests if r.type == "send"]) == 1
    await eventually(lambda: seen == ["queued"])


async def test_a_waiting_request_fails_when_reconnection_gives_up(
    proxied_url: str, proxy: DroppingProxy, make_client: ClientFactory, fake: FakeServer
) -> None:
    """The wait ends with reconnect_failed (503) once max_reconnect_attempts are spent."""
    options = {"reconnect_delay": 0.1 * UNIT, "max_reconnect_attempts": 3}
    client = make_client(fake.issue_magic_token(ANN), server_url=proxied_url, **options)
    await client.connect()
    proxy.refusing = True
    proxy.drop()
    await eventually(lambda: client.connection_state is ConnectionState.RECONNECTING)
    results = await asyncio.gather(client.send("lost"), client.set_display_name("Ann"))
    for result in results:
        assert (result["code"], result["reason"]) == (503, "reconnect_failed")
    assert client.connection_state is ConnectionState.DISCONNECTED
    assert fake.rooms["general"] == []
    with pytest.raises(ConnectionError):
        await client.send("now")  # DISCONNECTED: at once


async def test_disconnect_ends_a_waiting_send_and_typing_does_not_wait(
    proxied_url: str, proxy: DroppingProxy, make_client: ClientFactory, fake: FakeServer
) -> None:
    """disconnect() answers a waiting send with connection_lost; typing raises at once."""
    client = make_client(fake.issue_magic_token(ANN), server_url=proxied_url, **FAST)
    await client.connect()
    proxy.refusing = True
    proxy.drop()
    await eventually(lambda: client.connection_state is ConnectionState.RECONNECTING)
    with pytest.raises(ConnectionError):
        await client.typing("general")
    sending = asyncio.create_task(client.send("never"))
    await asyncio.sleep(0.1 * UNIT)
    await client.disconnect()
    result = await sending
    assert (result["code"], result["reason"]) == (503, "connection_lost")
    assert fake.rooms["general"] == []
