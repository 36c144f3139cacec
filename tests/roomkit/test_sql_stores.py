"""What only the durable stores have: files and servers, schema versions, lost connections."""

from __future__ import annotations

import contextlib
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
from tests.conftest import POSTGRES_DSN, fresh_pg_schema, require_service
from tests.roomkit.backend_helpers import free_port

StoreFactory = Callable[[], SQLStore]


def _event(body: str) -> RoomEvent:
    source = EventSource(channel_id="ws", channel_type=ChannelType.WEBSOCKET)
    return RoomEvent(room_id="r", source=source, content=TextContent(body=body))


@pytest.fixture(params=["sqlite", "postgres"])
async def reopen(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StoreFactory]:
    """Opens new stores on one database (a file, or a schema of the local server)."""
    async with contextlib.AsyncExitStack() as stack:
        if request.param == "sqlite":
            path = tmp_path / "chat.db"

            def factory() -> SQLStore:
                return SQLiteStore(f"sqlite:///{path}")
        else:
            require_service("PostgreSQL", 5432)
            schema = await stack.enter_async_context(fresh_pg_schema())

            def factory() -> SQLStore:
                return PostgresStore(POSTGRES_DSN, schema=schema, max_size=2)

        yield factory


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
