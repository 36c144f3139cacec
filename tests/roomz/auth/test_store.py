"""The auth tables: versions, reopening, races, and the drivers they run on."""

from __future__ import annotations

import asyncio

import pytest

from roomkit.errors import InvalidArgumentError
from roomkit.store.drivers import open_driver
from roomkit.store.postgres import PostgresStore
from roomkit.store.sqlite import SQLiteStore
from roomz.server.auth import Auth, AuthError, MemorySender, RateLimited
from roomz.server.auth.store import LATEST, AuthSchemaError, AuthStore, ensure_schema
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


async def test_upgrade_from_version_1(database: Database) -> None:
    """Tables of schema version 1 are upgraded in place; their users and sessions stay."""
    driver = await open_driver(database.url, schema=database.schema)
    try:
        assert await ensure_schema(driver, target=1) == 0
        await driver.fetch(
            "INSERT INTO roomz_users (email, display_name, created_at) VALUES (?, ?, ?)",
            ("old@example.com", "Old", 1.0),
        )
    finally:
        await driver.close()
    store = await AuthStore.open(database.url, schema=database.schema)
    try:
        assert await store.ensure_user("old@example.com", 2.0) == "Old"
        await store.add_requests([("email", "h")], 3.0)
    finally:
        await store.close()
    driver = await open_driver(database.url, schema=database.schema)
    try:
        assert await ensure_schema(driver) == LATEST
    finally:
        await driver.close()


async def test_rate_limits_are_shared_between_processes(
    database: Database, mailbox: MemorySender, clock: Clock
) -> None:
    """Two Auths on one database count one address's requests together."""
    settings = {"open_signup": True, "login_requests_per_email": 2}
    first = await database.auth(mailbox, clock, **settings)
    second = await database.auth(mailbox, clock, **settings)
    await first.request_link("sam@example.com", "c1")
    await second.request_link("sam@example.com", "c2")
    with pytest.raises(RateLimited):
        await first.request_link("sam@example.com", "c3")
    with pytest.raises(RateLimited):
        await second.request_link("sam@example.com", "c4")


async def test_rate_limit_table_does_not_list_addresses(database: Database, auth: Auth) -> None:
    """The requests counted for rate limits are stored under hashes, not addresses."""
    await auth.request_link("tia@example.com", "203.0.113.50")
    driver = await open_driver(database.url, schema=database.schema)
    try:
        rows = await driver.fetch("SELECT kind, key_hash FROM roomz_login_requests")
    finally:
        await driver.close()
    assert sorted(r[0] for r in rows) == ["client", "email"]
    assert not any("tia" in r[1] or "203.0" in r[1] for r in rows)
