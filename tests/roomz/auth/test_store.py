"""The auth tables: versions, reopening, races, and the drivers they run on."""

from __future__ import annotations

import asyncio

import pytest

from roomkit.errors import InvalidArgumentError
from roomkit.store.drivers import open_driver
from roomkit.store.postgres import PostgresStore
from roomkit.store.sqlite import SQLiteStore
from roomz.server.auth import Auth, AuthError, MemorySender
from roomz.server.auth.store import LATEST, AuthSchemaError, AuthStore
from tests.roomz.auth.conftest import Clock, Database, link_token


async def test_schema_is_versioned(database: Database) -> None:
    """A new database gets the latest roomz schema version; reopening keeps the data."""
    store = await AuthStore.open(database.url, schema=database.schema)
    await store.set_display_name("a@example.com", "A", 1.0)
    await store.close()
    driver = await open_driver(database.url, schema=database.schema)
    try:
        assert [tuple(r) for r in await driver.fetch("SELECT id, version FROM roomz_schema")] == [
            (1, LATEST)
        ]
    finally:
        await driver.close()
    store = await AuthStore.open(database.url, schema=database.schema)
    try:
        assert await store.ensure_user("a@example.com", 2.0) == "A"
    finally:
        await store.close()


async def test_newer_schema_is_refused(database: Database) -> None:
    """Tables written by a newer roomz are refused with a message saying so."""
    await (await AuthStore.open(database.url, schema=database.schema)).close()
    driver = await open_driver(database.url, schema=database.schema)
    try:
        await driver.fetch("UPDATE roomz_schema SET version = ?", (LATEST + 1,))
    finally:
        await driver.close()
    with pytest.raises(AuthSchemaError, match="newer than this roomz supports"):
        await AuthStore.open(database.url, schema=database.schema)


async def test_beside_roomkit_tables(database: Database) -> None:
    """roomz's tables live in the same database as roomkit's without touching them."""
    kit_store = (
        SQLiteStore(database.url)
        if database.url.startswith("sqlite")
        else PostgresStore(database.url, schema=database.schema)
    )
    try:
        await kit_store.list_rooms()
        store = await AuthStore.open(database.url, schema=database.schema)
        await store.close()
        assert await kit_store.list_rooms() == []
    finally:
        await kit_store.close()


async def test_a_link_races_to_one_session(auth: Auth, mailbox: MemorySender) -> None:
    """Ten concurrent exchanges of one token yield exactly one session."""
    token = await link_token(auth, mailbox, "race@example.com")
    results = await asyncio.gather(
        *(auth.exchange(token) for _ in range(10)), return_exceptions=True
    )
    sessions = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, AuthError)]
    assert (len(sessions), len(refused)) == (1, 9)


async def test_two_processes_share_sessions(
    database: Database, mailbox: MemorySender, clock: Clock
) -> None:
    """A session made by one Auth is known to another on the same database, and a logout
    on one is seen by the other."""
    first = await database.auth(mailbox, clock, open_signup=True)
    second = await database.auth(mailbox, clock, open_signup=True)
    session, user = await first.exchange(await link_token(first, mailbox, "pat@example.com"))
    assert await second.user_for_session(session) == user
    await second.logout(session)
    assert await first.user_for_session(session) is None


async def test_close_is_idempotent(auth: Auth) -> None:
    """Closing twice is harmless."""
    await auth.close()
    await auth.close()


async def test_open_driver_refuses_unknown_urls() -> None:
    """open_driver names the problem for a URL it cannot use, without its password."""
    with pytest.raises(InvalidArgumentError) as caught:
        await open_driver("mysql://root:hunter2@db/x")
    assert "hunter2" not in str(caught.value)
    with pytest.raises(InvalidArgumentError):
        await open_driver("postgresql://127.0.0.1/test", schema="x; DROP TABLE y")
