"""Two `roomz serve` processes on one PostgreSQL schema and one Redis: clients connected to
either see each other's messages, typing, names and room changes, each message once, and
who is online on both."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import pytest

from roomz import AsyncClient
from tests.conftest import UNIT
from tests.roomz.server.serve import RunningServer, serve
from tests.roomz.server.test_clients import Events, by
from tests.roomz.server.test_who import until_who


@pytest.fixture
async def pair(
    tmp_path: Path, postgres_dsn: str, pg_schema: str, redis_url: str
) -> AsyncIterator[tuple[RunningServer, RunningServer]]:
    """Two servers sharing the schema ``pg_schema`` and Redis; the same public URL."""
    env = {
        "ROOMZ_DATABASE": f"{postgres_dsn}?search_path={pg_schema}",
        "ROOMZ_REDIS_URL": redis_url,
        "ROOMZ_PUBLIC_URL": "http://127.0.0.1:1",  # links are read from either console
    }
    async with AsyncExitStack() as stack:
        folders = [tmp_path / "a", tmp_path / "b"]
        for folder in folders:
            folder.mkdir()
        first = await stack.enter_async_context(serve(folders[0], **env))
        second = await stack.enter_async_context(serve(folders[1], **env))
        yield first, second


async def test_clients_on_two_processes_chat_as_in_one(
    pair: tuple[RunningServer, RunningServer],
) -> None:
    """Messages, typing, display names and joins cross between the two processes."""
    one, two = pair
    ann = AsyncClient(one.ws_url, await one.session_token("ann@example.com"))
    bob = AsyncClient(two.ws_url, await two.session_token("bob@example.com"))
    ann_sees, bob_sees = Events(ann), Events(bob)
    async with ann, bob:
        await ann_sees.wait("user_joined", by("bob@example.com"))
        await ann.send("from one")
        await bob.send("from two")
        for sees in (ann_sees, bob_sees):
            await sees.wait("message", lambda m: m["content"] == "from one")
            await sees.wait("message", lambda m: m["content"] == "from two")

        await bob.set_display_name("Bob")
        changed = await ann_sees.wait("display_name_changed")
        assert changed["display_name"] == "Bob"
        await bob.send("named")
        named = await ann_sees.wait("message", lambda m: m["content"] == "named")
        assert named["user"]["display_name"] == "Bob"

        await ann.typing("general")
        typing = await bob_sees.wait("typing")
        assert typing["user"]["email"] == "ann@example.com" and typing["state"] is True

        await ann.create_room("ops")
        await bob.join("ops")
        await ann_sees.wait("user_joined", lambda e: e["room"] == "ops")
        await ann.send("ops from one", room="ops")
        await bob.send("ops from two", room="ops")
        await ann_sees.wait("message", lambda m: m["content"] == "ops from two")
        await bob_sees.wait("message", lambda m: m["content"] == "ops from one")
        await asyncio.sleep(0.2)
        for sees in (ann_sees, bob_sees):
            assert len(sees.contents()) == len(set(sees.contents())) == 5


async def test_a_user_on_both_processes_gets_every_message_once_in_order(
    pair: tuple[RunningServer, RunningServer],
) -> None:
    """Concurrent senders on both processes: each socket sees every index once, ascending."""
    one, two = pair
    session = await one.session_token("ann@example.com")
    ann_one = AsyncClient(one.ws_url, session)
    ann_two = AsyncClient(two.ws_url, session)
    bob = AsyncClient(two.ws_url, await two.session_token("bob@example.com"))
    watchers = [Events(ann_one), Events(ann_two), Events(bob)]
    async with ann_one, ann_two, bob:
        sends = [ann_one.send(f"a{i}") for i in range(20)] + [bob.send(f"b{i}") for i in range(20)]
        results = await asyncio.gather(*sends)
        assert all(r.get("status") == "ok" for r in results), results
        async with asyncio.timeout(10 * UNIT):
            while any(len(w.contents()) < 40 for w in watchers):  # noqa: ASYNC110
                await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)
        for watcher in watchers:
            indexes = [m["index"] for m in watcher.by_name["message"]]
            assert indexes == sorted(set(indexes)) and len(indexes) == 40


async def test_joining_on_one_process_reaches_the_users_sockets_on_the_other(
    pair: tuple[RunningServer, RunningServer],
) -> None:
    """A room joined through one process delivers to the same user's socket on the other."""
    one, two = pair
    session = await one.session_token("ann@example.com")
    ann_one = AsyncClient(one.ws_url, session)
    ann_two = AsyncClient(two.ws_url, session)
    bob = AsyncClient(two.ws_url, await two.session_token("bob@example.com"))
    ann_two_sees, bob_sees = Events(ann_two), Events(bob)
    async with ann_one, ann_two, bob:
        await bob.create_room("ops")
        await bob.send("before ann", room="ops")
        await ann_one.join("ops")
        await bob_sees.wait("user_joined", lambda e: e["room"] == "ops")
        await bob.send("welcome", room="ops")
        await ann_two_sees.wait("message", lambda m: m["content"] == "welcome")
        await ann_one.leave("ops")
        await bob_sees.wait("user_left", lambda e: e["room"] == "ops")
        await bob.send("gone", room="ops")
        await bob.send("general")
        await ann_two_sees.wait("message", lambda m: m["content"] == "general")
        assert "gone" not in ann_two_sees.contents()


def cluster_env(postgres_dsn: str, pg_schema: str, redis_url: str) -> dict[str, str]:
    return {
        "ROOMZ_DATABASE": f"{postgres_dsn}?search_path={pg_schema}",
        "ROOMZ_REDIS_URL": redis_url,
        "ROOMZ_PUBLIC_URL": "http://127.0.0.1:1",
        "ROOMZ_ROSTER_HEARTBEAT": str(0.3 * UNIT),
    }


@asynccontextmanager
async def two_servers(
    tmp_path: Path, postgres_dsn: str, pg_schema: str, redis_url: str
) -> AsyncIterator[tuple[RunningServer, RunningServer]]:
    """Two `roomz serve` processes on one schema and one Redis (see :func:`cluster_env`)."""
    env = cluster_env(postgres_dsn, pg_schema, redis_url)
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    async with serve(tmp_path / "a", **env) as one, serve(tmp_path / "b", **env) as two:
        yield one, two


async def test_who_on_one_process_lists_users_of_the_other_even_when_it_started_later(
    tmp_path: Path, postgres_dsn: str, pg_schema: str, redis_url: str
) -> None:
    """Ann connects to A before B starts; Bob on B sees her in who, away, then gone."""
    env = cluster_env(postgres_dsn, pg_schema, redis_url)
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    async with serve(tmp_path / "a", **env) as one:
        ann = AsyncClient(one.ws_url, await one.session_token("ann@example.com"))
        async with ann, serve(tmp_path / "b", **env) as two:
            bob = AsyncClient(two.ws_url, await two.session_token("bob@example.com"))
            async with bob:
                both = [("ann@example.com", "online", 1), ("bob@example.com", "online", 1)]
                assert await until_who(bob, lambda users: users == both) == both
                await until_who(ann, lambda users: users == both)
                await ann.set_presence("away")
                await until_who(bob, lambda users: ("ann@example.com", "away", 1) in users)
                await ann.disconnect()
                only_bob = [("bob@example.com", "online", 1)]
                await until_who(bob, lambda users: users == only_bob)


async def test_users_of_a_process_that_dies_leave_who_after_its_silence(
    tmp_path: Path, postgres_dsn: str, pg_schema: str, redis_url: str
) -> None:
    """A killed process says no goodbye; its users leave who after 3 missed heartbeats."""
    async with two_servers(tmp_path, postgres_dsn, pg_schema, redis_url) as (one, two):
        ann = AsyncClient(one.ws_url, await one.session_token("ann@example.com"), reconnect=False)
        bob = AsyncClient(two.ws_url, await two.session_token("bob@example.com"))
        async with ann, bob:
            await until_who(bob, lambda users: len(users) == 2)
            assert one.pid is not None
            os.kill(one.pid, signal.SIGKILL)
            started = time.monotonic()
            await until_who(bob, lambda users: users == [("bob@example.com", "online", 1)])
            waited = time.monotonic() - started
            assert 0.3 * UNIT <= waited <= 2.5 * UNIT, waited


def departures(sees: Events, email: str) -> list[tuple[str, str]]:
    """The ``user_left`` (room general) and ``offline`` events about ``email``, in order."""
    left = [("user_left", "") for e in sees.by_name["user_left"] if e["user"]["email"] == email]
    offline = [
        ("presence", e["status"])
        for e in sees.by_name["presence"]
        if e["user"]["email"] == email and e["status"] == "offline"
    ]
    return left + offline


async def test_a_user_leaves_only_when_their_last_socket_anywhere_closes(
    tmp_path: Path, postgres_dsn: str, pg_schema: str, redis_url: str
) -> None:
    """Ann on both processes closes her socket on the first: Bob, there, hears nothing of
    her leaving; when her socket on the second closes too, he hears it once."""
    async with two_servers(tmp_path, postgres_dsn, pg_schema, redis_url) as (one, two):
        session = await one.session_token("ann@example.com")
        bob = AsyncClient(one.ws_url, await one.session_token("bob@example.com"))
        ann_one, ann_two = AsyncClient(one.ws_url, session), AsyncClient(two.ws_url, session)
        bob_sees = Events(bob)
        async with bob:
            await ann_two.connect()
            await until_who(bob, lambda users: ("ann@example.com", "online", 1) in users)
            await ann_one.connect()
            await until_who(bob, lambda users: ("ann@example.com", "online", 2) in users)
            await ann_one.disconnect()
            await until_who(bob, lambda users: ("ann@example.com", "online", 1) in users)
            await asyncio.sleep(0.5 * UNIT)
            assert departures(bob_sees, "ann@example.com") == []
            await ann_two.disconnect()
            await bob_sees.wait("user_left", by("ann@example.com"))
            await asyncio.sleep(0.5 * UNIT)
            expected = [("user_left", ""), ("presence", "offline")]
            assert departures(bob_sees, "ann@example.com") == expected
