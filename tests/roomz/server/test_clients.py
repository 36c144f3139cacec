"""The client library against the real server: messages, names, presence, typing, rooms,
read receipts, and a restart that loses and repeats nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from roomz import AsyncClient, ConnectionState, SyncClient
from tests.conftest import UNIT
from tests.roomz.server.serve import RunningServer, serve


class Events:
    """Every event a client's handlers received, by name (handlers run in any thread)."""

    NAMES = (
        "message",
        "user_joined",
        "user_left",
        "display_name_changed",
        "typing",
        "presence",
        "read_receipt",
    )

    def __init__(self, client: AsyncClient | SyncClient) -> None:
        self.by_name: dict[str, list[dict[str, Any]]] = {name: [] for name in self.NAMES}
        for name in self.NAMES:
            client.on(name, self.by_name[name].append)

    def contents(self) -> list[str]:
        return [m["content"] for m in self.by_name["message"]]

    async def wait(
        self, name: str, match: Callable[[dict[str, Any]], bool] = lambda _: True
    ) -> dict[str, Any]:
        """The first ``name`` event that ``match`` accepts; fails after 5 UNIT."""
        async with asyncio.timeout(5 * UNIT):
            while True:
                for event in list(self.by_name[name]):
                    if match(event):
                        return event
                await asyncio.sleep(0.01)


def by(email: str) -> Callable[[dict[str, Any]], bool]:
    return lambda event: bool(event["user"]["email"] == email)


async def test_two_async_clients_and_a_sync_client_chat(roomz_server: RunningServer) -> None:
    """Messages, display names and presence reach everyone, labelled "Name (email)"."""
    server = roomz_server
    ann = AsyncClient(server.ws_url, await server.magic_token("ann@example.com"))
    bob = AsyncClient(server.ws_url, await server.magic_token("bob@example.com"))
    cy = SyncClient(server.ws_url, await server.magic_token("cy@example.com"))
    ann_sees, bob_sees, cy_sees = Events(ann), Events(bob), Events(cy)
    await ann.connect()
    await bob.connect()
    await asyncio.to_thread(cy.connect)
    try:
        await ann_sees.wait("user_joined", by("cy@example.com"))
        await cy_sees.wait("user_joined", by("cy@example.com"))
        assert (await ann.set_display_name("  Ann  "))["display_name"] == "Ann"
        changed = await bob_sees.wait("display_name_changed")
        assert changed["user"] == {"id": "user:ann@example.com", "email": "ann@example.com"}
        assert changed["display_name"] == "Ann"
        await cy_sees.wait("display_name_changed")

        sent = await ann.send("hi all")
        assert sent["status"] == "ok"
        await asyncio.to_thread(cy.send, "hi from sync")
        await bob.send("hi from bob")
        for sees in (ann_sees, bob_sees, cy_sees):
            async with asyncio.timeout(5 * UNIT):
                while len(sees.contents()) < 3:  # noqa: ASYNC110 - handlers fill the list
                    await asyncio.sleep(0.01)
            assert sorted(sees.contents()) == ["hi all", "hi from bob", "hi from sync"]
        first = next(m for m in cy_sees.by_name["message"] if m["content"] == "hi all")
        assert first["user"]["display_name"] == "Ann" and first["id"] == sent["message_id"]

        assert (await bob.set_presence("away"))["status"] == "ok"
        away = await cy_sees.wait("presence", lambda e: e["status"] == "away")
        assert away["user"]["email"] == "bob@example.com"
        assert not [e for e in bob_sees.by_name["presence"] if e["status"] == "away"]

        await asyncio.to_thread(cy.disconnect)
        left = await ann_sees.wait("user_left", by("cy@example.com"))
        assert left["remaining_connections"] == 0
        offline = await ann_sees.wait("presence", lambda e: e["status"] == "offline")
        assert offline["user"]["email"] == "cy@example.com"
    finally:
        await ann.disconnect()
        await bob.disconnect()
        await asyncio.to_thread(cy.disconnect)


async def test_rooms_typing_read_receipts_and_unread_counts(roomz_server: RunningServer) -> None:
    """Create, join, type, read and leave a room; list_rooms counts what is unread."""
    server = roomz_server
    async with (
        AsyncClient(server.ws_url, await server.session_token("ann@example.com")) as ann,
        AsyncClient(server.ws_url, await server.session_token("bob@example.com")) as bob,
    ):
        ann_sees, bob_sees = Events(ann), Events(bob)
        assert (await ann.create_room("ops"))["room"] == "ops"
        for i in range(3):
            await ann.send(f"ops {i}", room="ops")
        joined = await bob.join("ops")
        assert joined["last_index"] == 3
        assert [m["content"] for m in joined["history"]] == ["ops 0", "ops 1", "ops 2"]
        await ann_sees.wait("user_joined", lambda e: e["room"] == "ops")

        await ann.typing("ops")
        typing = await bob_sees.wait("typing")
        assert typing == {**typing, "room": "ops", "state": True}
        assert typing["user"]["email"] == "ann@example.com"

        rooms = {r["room"]: r for r in (await bob.list_rooms())["rooms"]}
        assert rooms["ops"] == {"room": "ops", "last_index": 3, "joined": True, "unread": 3}
        assert (await bob.mark_read("ops", 2))["status"] == "ok"
        receipt = await ann_sees.wait("read_receipt")
        assert (receipt["room"], receipt["index"]) == ("ops", 2)
        rooms = {r["room"]: r for r in (await bob.list_rooms())["rooms"]}
        assert rooms["ops"]["unread"] == 1

        await ann.send("live", room="ops")
        await bob_sees.wait("message", lambda m: m["content"] == "live")
        assert (await bob.leave("ops"))["room"] == "ops"
        await ann_sees.wait("user_left", lambda e: e["room"] == "ops")
        await ann.send("after bob left", room="ops")
        await ann.send("to general")
        await bob_sees.wait("message", lambda m: m["content"] == "to general")
        assert "after bob left" not in bob_sees.contents()
        assert bob_sees.contents() == ["live", "to general"]


async def test_a_second_tab_is_counted_and_gets_its_own_copies(
    roomz_server: RunningServer,
) -> None:
    """One user with two sockets: both get each message once; the count is announced."""
    server = roomz_server
    session = await server.session_token("ann@example.com")
    async with AsyncClient(server.ws_url, session) as tab1:
        tab1_sees = Events(tab1)
        async with AsyncClient(server.ws_url, session) as tab2:
            tab2_sees = Events(tab2)
            joined = await tab1_sees.wait("user_joined", lambda e: e["total_connections"] == 2)
            assert joined["user"]["email"] == "ann@example.com"
            await tab2.send("from tab 2")
            await tab1_sees.wait("message")
            await tab2_sees.wait("message")
            await asyncio.sleep(0.2)
            assert tab1_sees.contents() == tab2_sees.contents() == ["from tab 2"]
        left = await tab1_sees.wait("user_left")
        assert left["remaining_connections"] == 1


async def test_a_server_restart_loses_and_repeats_no_message(tmp_path: Path) -> None:
    """Messages sent while the server restarts are delivered exactly once, in order."""
    async with serve(tmp_path) as server:
        sender = AsyncClient(server.ws_url, await server.session_token("ann@example.com"),
                             reconnect_delay=0.2 * UNIT, max_reconnect_attempts=20)  # fmt: skip
        reader = AsyncClient(server.ws_url, await server.session_token("bob@example.com"),
                             reconnect_delay=0.2 * UNIT, max_reconnect_attempts=20)  # fmt: skip
        reader_sees = Events(reader)
        async with sender, reader:
            for i in range(5):
                await sender.send(f"m{i}")
            await reader_sees.wait("message", lambda m: m["content"] == "m4")
            restarted = asyncio.create_task(server.restart())
            sends = [asyncio.create_task(sender.send(f"m{i}")) for i in range(5, 15)]
            await restarted
            results = await asyncio.gather(*sends)
            assert [r.get("status") for r in results] == ["ok"] * 10, results
            async with asyncio.timeout(10 * UNIT):
                while not (sender.connected and reader.connected):  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
            for i in range(15, 20):
                await sender.send(f"m{i}")
            await reader_sees.wait("message", lambda m: m["content"] == "m19")
        indexes = [m["index"] for m in reader_sees.by_name["message"]]
        assert indexes == sorted(set(indexes))
        assert sorted(reader_sees.contents(), key=lambda c: int(c[1:])) == [
            f"m{i}" for i in range(20)
        ]
        assert len(reader_sees.contents()) == 20


async def test_a_send_made_while_reconnecting_goes_out_once_after_a_restart(
    tmp_path: Path,
) -> None:
    """send() during RECONNECTING waits for the restarted server; stored and seen once."""
    async with serve(tmp_path) as server:
        sender = AsyncClient(server.ws_url, await server.session_token("ann@example.com"),
                             reconnect_delay=0.2 * UNIT, max_reconnect_attempts=30)  # fmt: skip
        reader = AsyncClient(server.ws_url, await server.session_token("bob@example.com"),
                             reconnect_delay=0.2 * UNIT, max_reconnect_attempts=30)  # fmt: skip
        reader_sees = Events(reader)
        async with sender, reader:
            restarted = asyncio.create_task(server.restart())
            async with asyncio.timeout(10 * UNIT):
                while sender.connection_state is not ConnectionState.RECONNECTING:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
            sending = asyncio.create_task(sender.send("sent while reconnecting"))
            await asyncio.sleep(0.1 * UNIT)
            assert not sending.done()  # waiting, not refused
            await restarted
            result = await sending
            assert result["status"] == "ok", result
            await reader_sees.wait("message", lambda m: m["content"] == "sent while reconnecting")
            await sender.send("after")
            await reader_sees.wait("message", lambda m: m["content"] == "after")
            stored = (await reader.history("general"))["messages"]
        assert [m["content"] for m in stored] == ["sent while reconnecting", "after"]
        assert reader_sees.contents() == ["sent while reconnecting", "after"]
        assert stored[0]["id"] == result["message_id"]
