"""What only the durable stores have: files and servers, schema versions, lost connections."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import pytest

from roomkit import (
    BackendConnectionError,
    ChannelType,
    EventSource,
    InvalidArgumentError,
    PostgresStore,
    Room,
    RoomEvent,
    SchemaVersionError,
    SQLiteStore,
    TextContent,
)
from roomkit.store._schema import LATEST, ensure_schema
from roomkit.store.sql import SQLStore
from tests.conftest import POSTGRES_DSN, UNIT, fresh_pg_schema, require_service
from tests.roomkit.backend_helpers import free_port, read_line, start_python

StoreFactory = Callable[[], SQLStore]


def _event(body: str, room_id: str = "r", **fields: object) -> RoomEvent:
    source = EventSource(channel_id="ws", channel_type=ChannelType.WEBSOCKET)
    return RoomEvent(room_id=room_id, source=source, content=TextContent(body=body), **fields)


@pytest.fixture(params=["sqlite", "postgres"])
async def database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[str, str]]:
    """One database: ``("sqlite", file path)`` or ``("postgres", schema of the local server)``."""
    if request.param == "sqlite":
        yield "sqlite", str(tmp_path / "chat.db")
    else:
        require_service("PostgreSQL", 5432)
        async with fresh_pg_schema() as schema:
            yield "postgres", schema


@pytest.fixture
def reopen(database: tuple[str, str]) -> StoreFactory:
    """Opens new stores on the one database."""
    kind, where = database

    def factory() -> SQLStore:
        if kind == "sqlite":
            return SQLiteStore(f"sqlite:///{where}")
        return PostgresStore(POSTGRES_DSN, schema=where, max_size=2)

    return factory


async def test_data_outlives_the_store_that_wrote_it(reopen: StoreFactory) -> None:
    """A new store on the same database sees the rooms and events, and goes on counting."""
    first = reopen()
    await first.create_room(Room(id="r"))
    await first.add_event(_event("before"))
    await first.close()
    second = reopen()
    try:
        assert await second.get_room("r") is not None
        after = await second.add_event(_event("after"))
        assert after.index == 2
        bodies = [e.content.body for e in await second.list_events("r")]  # type: ignore[union-attr]
        assert bodies == ["before", "after"]
    finally:
        await second.close()


async def test_an_older_schema_is_upgraded_without_losing_data(reopen: StoreFactory) -> None:
    """A database left at version 1 is brought to the latest version, rows intact."""
    old = reopen()
    await old._driver.open()
    assert await ensure_schema(old._driver, target=1) == 0
    old._ready = True  # use the version-1 database as it is
    await old.create_room(Room(id="r"))
    stored = await old.add_event(_event("kept"))
    await old.close()

    new = reopen()
    try:
        assert await new.get_event(stored.id) == stored
        assert await ensure_schema(new._driver) == LATEST
        hidden = await new.list_events("r", visibility_filter="all")
        assert [e.id for e in hidden] == [stored.id]
    finally:
        await new.close()


async def test_a_version_2_database_keeps_its_events_keys_and_marks(
    reopen: StoreFactory,
) -> None:
    """Version 2 rows come through the upgrade whole: pages, keys and counts go on from them."""
    old = reopen()
    await old._driver.open()
    assert await ensure_schema(old._driver, target=2) == 0
    old._ready = True  # write the version-2 database as it is
    for room in ("r", "s"):
        await old.create_room(Room(id=room))
    stored = [
        await old.add_event(_event("plain")),
        await old.add_event(_event("keyed", idempotency_key="k1")),
        await old.add_event(_event("hidden", visibility="intelligence")),
        await old.add_event(_event("elsewhere", room_id="s", idempotency_key="k1")),
        await old.add_event(_event("keyed, hidden", idempotency_key="k2", visibility="none")),
    ]
    await old.mark_read("r", "ws", stored[1].id)
    await old.close()

    new = reopen()
    try:
        await new._driver.open()
        assert await ensure_schema(new._driver) == 2
        assert [await new.get_event(e.id) for e in stored] == stored
        in_r = [e for e in stored if e.room_id == "r"]
        assert await new.list_events("r") == in_r
        assert [e.index for e in in_r] == [1, 2, 3, 4]
        assert await new.list_events("r", visibility_filter="intelligence") == [stored[2]]
        assert await new.list_events("r", visibility_filter="all") == stored[:2]
        assert await new.find_event_by_idempotency_key("r", "k2") == stored[4]
        assert await new.get_event_count("r") == 4
        assert await new.get_event_count("s") == 1

        again = await new.add_event(_event("again", idempotency_key="k1"))
        assert again == stored[1]
        after = await new.add_event(_event("after"))
        assert after.index == 5
        assert (await new.add_event(_event("second", room_id="s"))).index == 2
        assert await new.get_unread_count("r", "ws") == 3
        await new.mark_all_read("r", "ws")
        assert await new.get_unread_count("r", "ws") == 0
    finally:
        await new.close()


# A store in its own process: waits for a line on stdin, then adds COUNT events to room
# "r", one at a time; every fourth carries a key that every process also sends.
_WRITER = """
import asyncio, sys
from roomkit import ChannelType, EventSource, PostgresStore, RoomEvent, SQLiteStore, TextContent

async def main(kind, where, tag, count):
    store = SQLiteStore(where) if kind == "sqlite" else PostgresStore(sys.argv[5], schema=where)
    await store.get_room("r")  # open the database before the start
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    source = EventSource(channel_id=tag, channel_type=ChannelType.WEBSOCKET)
    for i in range(count):
        key = f"shared-{i}" if i % 4 == 0 else None
        body = TextContent(body=f"{tag}-{i}")
        await store.add_event(RoomEvent(room_id="r", source=source, content=body,
                                        idempotency_key=key))
    await store.close()
    print("done", flush=True)

asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
"""


async def test_processes_writing_one_room_share_one_gapless_timeline(
    database: tuple[str, str], reopen: StoreFactory
) -> None:
    """Three processes add to one room at once: indexes 1..N, each key stored once."""
    store = reopen()
    await store.create_room(Room(id="r"))
    tags, count = ("A", "B", "C"), 200
    children = [
        await start_python(_WRITER, *database, tag, str(count), POSTGRES_DSN) for tag in tags
    ]
    try:
        for child in children:
            assert await read_line(child, within=30 * UNIT) == "ready"
        for child in children:
            assert child.stdin is not None
            child.stdin.write(b"go\n")
        for child in children:
            assert await read_line(child, within=60 * UNIT) == "done"
            assert await child.wait() == 0
    finally:
        for child in children:
            if child.returncode is None:
                child.kill()
                await child.wait()

    events = await store.list_events("r", limit=10_000)
    await store.close()
    shared = count // 4
    assert [e.index for e in events] == list(range(1, len(tags) * (count - shared) + shared + 1))
    assert sorted(e.idempotency_key for e in events if e.idempotency_key) == sorted(
        f"shared-{i}" for i in range(0, count, 4)
    )
    for tag in tags:
        mine = [e.content.body for e in events if e.source.channel_id == tag]  # type: ignore[union-attr]
        unkeyed = [f"{tag}-{i}" for i in range(count) if i % 4]
        assert [b for b in mine if int(b.split("-")[1]) % 4] == unkeyed


async def test_a_newer_schema_is_refused_and_left_alone(reopen: StoreFactory) -> None:
    """A database written by a newer roomkit gives SchemaVersionError, and stays as it was."""
    store = reopen()
    await store.create_room(Room(id="r"))
    await store._driver.fetch("UPDATE roomkit_schema SET version = 99")
    await store.close()

    newer = reopen()
    try:
        with pytest.raises(SchemaVersionError) as raised:
            await newer.get_room("r")
        assert (raised.value.found, raised.value.supported) == (99, LATEST)
        assert "upgrade roomkit" in str(raised.value)
        rows = await newer._driver.fetch("SELECT version FROM roomkit_schema")
        assert [tuple(r) for r in rows] == [(99,)]
    finally:
        await newer.close()


async def test_an_unreachable_server_is_named_without_its_password() -> None:
    """Connection failures say which server, and never print the password."""
    dsn = f"postgresql://roomkit:hunter2@127.0.0.1:{free_port()}/chat"
    store = PostgresStore(dsn)
    with pytest.raises(BackendConnectionError) as raised:
        await store.get_room("r")
    message = str(raised.value)
    assert "hunter2" not in message
    assert "roomkit:***@127.0.0.1" in message


async def test_an_unopenable_sqlite_file_is_a_clear_error(tmp_path: Path) -> None:
    """A path that cannot hold a database names the file."""
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    store = SQLiteStore(blocker / "chat.db")
    with pytest.raises((BackendConnectionError, OSError)) as raised:
        await store.get_room("r")
    assert "not-a-dir" in str(raised.value)


def test_bad_locations_and_settings_are_refused() -> None:
    """Wrong URLs, schema names and pool sizes are refused before anything is opened."""
    with pytest.raises(InvalidArgumentError):
        SQLiteStore("postgresql://localhost/db")
    with pytest.raises(InvalidArgumentError):
        PostgresStore(POSTGRES_DSN, schema="x; DROP TABLE y")
    with pytest.raises(InvalidArgumentError):
        PostgresStore(POSTGRES_DSN, min_size=5, max_size=2)


async def test_postgres_store_carries_on_after_its_connections_are_cut(pg_schema: str) -> None:
    """The server ends every connection (as on a restart); the next calls still work."""
    store = PostgresStore(POSTGRES_DSN, schema=pg_schema, min_size=2, max_size=2)
    try:
        await store.create_room(Room(id="r"))
        await store.add_event(_event("before"))
        admin = await asyncpg.connect(POSTGRES_DSN)
        try:
            cut = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = 'roomkit' AND pid <> pg_backend_pid()"
            )
        finally:
            await admin.close()
        assert cut >= 1
        assert await store.get_room("r") is not None
        after = await store.add_event(_event("after"))
        assert after.index == 2
        assert await store.get_event_count("r") == 2
    finally:
        await store.close()


async def test_postgres_calls_beyond_max_size_take_turns(pg_schema: str) -> None:
    """With one connection, calls queue; a cancelled call, waiting or running, frees it."""
    store = PostgresStore(POSTGRES_DSN, schema=pg_schema, min_size=0, max_size=1)
    try:
        await store.create_room(Room(id="r"))
        driver = store._driver
        first_pid = (await driver.fetch("SELECT pg_backend_pid()"))[0][0]
        running = asyncio.create_task(driver.fetch("SELECT pg_sleep(2)"))
        waiting = asyncio.create_task(store.get_room("r"))
        await asyncio.sleep(0.2 * UNIT)
        assert not waiting.done()
        waiting.cancel()
        running.cancel()
        for task in (running, waiting):
            with pytest.raises(asyncio.CancelledError):
                await task
        rooms = await asyncio.gather(*(store.get_room("r") for _ in range(20)))
        assert all(room is not None for room in rooms)
        # The cancelled statement's connection was closed, not lent again mid-cancel.
        assert (await driver.fetch("SELECT pg_backend_pid()"))[0][0] != first_pid
    finally:
        await store.close()


async def test_postgres_a_connection_handed_to_a_cancelled_waiter_goes_to_the_next(
    pg_schema: str,
) -> None:
    """A waiter cancelled just as it was given the connection passes it on."""
    store = PostgresStore(POSTGRES_DSN, schema=pg_schema, max_size=1)
    try:
        await store.create_room(Room(id="r"))
        async with store._driver.transaction():
            first = asyncio.create_task(store.get_room("r"))
            second = asyncio.create_task(store.get_room("r"))
            await asyncio.sleep(0.05 * UNIT)
        # The transaction has ended and handed its connection to ``first``, which has not
        # run yet: cancelling it now must not lose the connection.
        first.cancel()
        async with asyncio.timeout(5 * UNIT):
            assert await second is not None
            with pytest.raises(asyncio.CancelledError):
                await first
    finally:
        await store.close()
