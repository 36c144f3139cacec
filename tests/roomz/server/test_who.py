"""``who`` on one server process: who is online, with status and socket counts, per room."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from roomz import AsyncClient, SyncClient
from tests.conftest import UNIT
from tests.roomz.server.serve import RunningServer


def listed(result: dict[str, Any]) -> list[tuple[str, str, int]]:
    """``(email, status, connections)`` of each user a ``who`` result lists, in its order."""
    return [(u["user"]["email"], u["status"], u["connections"]) for u in result["users"]]


async def until_who(
    client: AsyncClient,
    match: Callable[[list[tuple[str, str, int]]], bool],
    room: str | None = None,
) -> list[tuple[str, str, int]]:
    """Ask ``who`` until ``match`` accepts the listing; fails after 5 UNIT."""
    async with asyncio.timeout(5 * UNIT):
        while True:
            result = await client.who(room)
            assert result["status"] == "ok", result
            if match(users := listed(result)):
                return users
            await asyncio.sleep(0.05)


async def test_who_lists_users_connected_before_and_after(roomz_server: RunningServer) -> None:
    """A socket opened before and one opened after both show, sorted, with their counts."""
    server = roomz_server
    session = await server.session_token("cy@example.com")
    async with AsyncClient(server.ws_url, session) as cy:
        async with AsyncClient(server.ws_url, await server.session_token("ann@example.com")) as ann:
            result = await ann.who()
            assert result["room"] == "general"
            assert listed(result) == [
                ("ann@example.com", "online", 1),
                ("cy@example.com", "online", 1),
            ]
            assert result["users"][0]["user"] == {
                "id": "user:ann@example.com", "email": "ann@example.com", "display_name": None,
            }  # fmt: skip
            async with AsyncClient(server.ws_url, session):  # a second tab of Cy's
                assert ("cy@example.com", "online", 2) in listed(await ann.who())
            await until_who(cy, lambda users: ("cy@example.com", "online", 1) in users)
        await until_who(cy, lambda users: users == [("cy@example.com", "online", 1)])


async def test_away_then_online_and_a_closed_last_socket(roomz_server: RunningServer) -> None:
    """Presence shows in who; a user whose last socket closed is no longer listed."""
    server = roomz_server
    ann = AsyncClient(server.ws_url, await server.session_token("ann@example.com"))
    bob = SyncClient(server.ws_url, await server.session_token("bob@example.com"))
    async with ann:
        await asyncio.to_thread(bob.connect)
        try:
            await asyncio.to_thread(bob.set_presence, "away")
            await until_who(ann, lambda users: ("bob@example.com", "away", 1) in users)
            answer = await asyncio.to_thread(bob.who)
            assert ("bob@example.com", "away", 1) in listed(answer)
            await asyncio.to_thread(bob.set_presence, "online")
            await until_who(ann, lambda users: ("bob@example.com", "online", 1) in users)
        finally:
            await asyncio.to_thread(bob.disconnect)
        await until_who(ann, lambda users: users == [("ann@example.com", "online", 1)])


async def test_who_in_a_room_lists_its_members_only(roomz_server: RunningServer) -> None:
    """who(room) lists the room's online members; unknown rooms and outsiders are refused."""
    server = roomz_server
    async with (
        AsyncClient(server.ws_url, await server.session_token("ann@example.com")) as ann,
        AsyncClient(server.ws_url, await server.session_token("bob@example.com")) as bob,
    ):
        await ann.create_room("ops")
        assert listed(await ann.who("ops")) == [("ann@example.com", "online", 1)]
        refused = await bob.who("ops")
        assert (refused["code"], refused["reason"]) == (403, "not_a_member")
        await bob.join("ops")
        assert [u[0] for u in listed(await ann.who("ops"))] == [
            "ann@example.com",
            "bob@example.com",
        ]
        missing = await ann.who("nowhere")
        assert (missing["code"], missing["reason"]) == (404, "room_not_found")
