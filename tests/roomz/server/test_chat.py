"""The chat core on roomkit with a SQLite store: membership, messages, history, resends,
who is online."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from roomkit import RoomKit, SQLiteStore
from roomz import protocol
from roomz.errors import ChatError
from roomz.server.chat import ANNOUNCE_LIMIT, Chat
from roomz.server.outbox import Outbox
from roomz.server.sockets import Connection


class Socket:
    """What a connection was sent."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    async def send(self, text: str) -> None:
        self.frames.append(json.loads(text))

    def contents(self) -> list[str]:
        return [f["content"] for f in self.frames if f["type"] == "message"]


ALICE = protocol.user_info("alice@example.com", "Alice")
BOB = protocol.user_info("bob@example.com")


@pytest.fixture
async def chat(tmp_path: Path) -> AsyncIterator[Chat]:
    kit = RoomKit(store=SQLiteStore(tmp_path / "roomz.db"))
    chat = Chat(kit, max_message_length=20)
    await chat.open()
    yield chat
    await chat.close()
    await kit.close()
    await kit.store.close()


async def connect(chat: Chat, user: dict[str, Any]) -> tuple[Connection, Socket]:
    socket = Socket()
    connection = chat.new_connection(user, "session", Outbox(socket.send, lambda: None))
    await chat.connect(connection)
    await asyncio.sleep(0.01)  # let the realtime backend deliver the connection's events
    return connection, socket


async def settle() -> None:
    """Let outboxes and realtime subscriptions run."""
    for _ in range(5):
        await asyncio.sleep(0)


def send(content: str, room: str = protocol.DEFAULT_ROOM, client_id: str | None = None) -> Any:
    return protocol.Send(request_id="r", content=content, room=room, client_id=client_id)


async def test_a_message_reaches_every_socket_in_the_room_once(chat: Chat) -> None:
    """Other members and the sender's own tabs get the message, each exactly once."""
    alice, alice_tab = await connect(chat, ALICE)
    _, alice_other_tab = await connect(chat, ALICE)
    _, bob_tab = await connect(chat, BOB)
    result = await chat.post(alice, send("hello"))
    assert result["index"] == 1
    await settle()
    for socket in (alice_tab, alice_other_tab, bob_tab):
        assert socket.contents() == ["hello"]
    frame = next(f for f in bob_tab.frames if f["type"] == "message")
    assert frame["user"] == ALICE and frame["id"] == result["message_id"]
    assert protocol.display_label(frame["user"]) == "Alice (alice@example.com)"


async def test_bad_messages_are_refused_and_change_nothing(chat: Chat) -> None:
    """Empty, over-long and non-member posts give typed errors; nothing is stored."""
    alice, _ = await connect(chat, ALICE)
    await chat.rooms.create_room("side")
    for request, reason in (
        (send("   "), "empty_content"),
        (send("x" * 21), "content_too_long"),
        (send("hi", room="side"), "not_a_member"),
    ):
        with pytest.raises(ChatError) as raised:
            await chat.post(alice, request)
        assert raised.value.reason == reason
    assert (await chat.history.after(protocol.DEFAULT_ROOM, 0, 100))["messages"] == []


async def test_a_resend_with_the_same_client_id_is_stored_once(chat: Chat) -> None:
    """Resending after a reconnect returns the first message, and nobody sees it twice."""
    alice, alice_tab = await connect(chat, ALICE)
    _, bob_tab = await connect(chat, BOB)
    first = await chat.post(alice, send("once", client_id="c1"))
    again = await chat.post(alice, send("once", client_id="c1"))
    assert again["message_id"] == first["message_id"]
    assert len((await chat.history.after(protocol.DEFAULT_ROOM, 0, 100))["messages"]) == 1
    await settle()
    assert bob_tab.contents() == ["once"] and alice_tab.contents() == ["once"]


async def test_rooms_join_history_and_leave(chat: Chat) -> None:
    """Joining returns recent history; history since an index is exactly what followed."""
    alice, _ = await connect(chat, ALICE)
    bob, bob_tab = await connect(chat, BOB)
    assert await chat.rooms.create_room("side") is True
    assert await chat.rooms.create_room("side") is False
    await chat.rooms.join(alice, "side")
    for i in range(5):
        await chat.post(alice, send(f"m{i}", room="side"))
    await chat.rooms.join(bob, "side")
    joined = (await chat.history.newest("side", 50))["messages"]
    assert [f["content"] for f in joined] == [f"m{i}" for i in range(5)]
    missed = (await chat.history.after("side", 3, 100))["messages"]
    assert [(f["index"], f["content"]) for f in missed] == [(4, "m3"), (5, "m4")]
    await chat.rooms.leave(bob, "side")
    await chat.post(alice, send("after", room="side"))
    await settle()
    assert "after" not in bob_tab.contents()
    with pytest.raises(ChatError):
        await chat.rooms.join(bob, "nowhere")


async def test_who_lists_arrivals_that_the_announce_limit_keeps_quiet(chat: Chat) -> None:
    """Above ANNOUNCE_LIMIT users an arrival is not broadcast, yet who lists everyone."""
    alice, alice_tab = await connect(chat, ALICE)
    for i in range(ANNOUNCE_LIMIT):
        user = protocol.user_info(f"u{i:03}@example.com")
        await chat.connect(chat.new_connection(user, "s", Outbox(Socket().send, lambda: None)))
    late = protocol.user_info("zed@example.com")
    await connect(chat, late)
    await settle()
    assert not [f for f in alice_tab.frames if f["type"] == "user_joined" and f["user"] == late]
    listed = await chat.who(alice, protocol.DEFAULT_ROOM)
    assert len(listed) == ANNOUNCE_LIMIT + 2
    assert listed[0]["user"] == ALICE and listed[-1] == {
        "user": late, "status": "online", "connections": 1,
    }  # fmt: skip
