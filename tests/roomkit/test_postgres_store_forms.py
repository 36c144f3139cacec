"""PostgresStore as documented: a DSN or a pool of the user's own, init(), async with."""

from __future__ import annotations

import asyncpg
import pytest

from roomkit import BackendConnectionError, InvalidArgumentError, PostgresStore, Room, StoreError


async def test_a_pool_of_your_own_is_borrowed_from_and_left_open(
    postgres_dsn: str, pg_schema: str
) -> None:
    """The store keeps its tables in the pool's search_path and never closes the pool."""
    pool = await asyncpg.create_pool(
        postgres_dsn, min_size=1, max_size=2, server_settings={"search_path": pg_schema}
    )
    try:
        async with PostgresStore(pool=pool) as store:
            await store.create_room(Room(id="r", metadata={"via": "pool"}))
            rooms = await store.list_rooms()
            assert [(r.id, r.metadata) for r in rooms] == [("r", {"via": "pool"})]
        assert not pool._closed  # noqa: SLF001 - asyncpg has no public "is closed"
        async with pool.acquire() as conn:
            count = await conn.fetchval("SELECT count(*) FROM roomkit_rooms")
        assert count == 1
    finally:
        await pool.close()


async def test_init_connects_now_and_async_with_closes(postgres_dsn: str, pg_schema: str) -> None:
    """init() connects at once (an unreachable server fails there, not at first use);
    leaving `async with` closes the store, and the data stays."""
    unreachable = PostgresStore("postgresql://postgres@127.0.0.1:1/test")
    with pytest.raises(BackendConnectionError, match="127.0.0.1:1"):
        await unreachable.init()
    store = PostgresStore(postgres_dsn, schema=pg_schema)
    await store.init(min_size=2, max_size=3)
    async with store:
        await store.create_room(Room(id="r"))
    with pytest.raises(StoreError, match="closed"):
        await store._pg.fetch("SELECT 1")  # noqa: SLF001 - the closed driver refuses
    async with PostgresStore(postgres_dsn, schema=pg_schema) as again:
        assert (await again.get_room("r")) is not None


def test_exactly_one_of_dsn_and_pool() -> None:
    """Neither or both is refused before anything connects, naming what would be valid."""
    with pytest.raises(InvalidArgumentError, match="exactly one"):
        PostgresStore()
    with pytest.raises(InvalidArgumentError, match="exactly one"):
        PostgresStore("postgresql://127.0.0.1/test", pool=object())
    with pytest.raises(InvalidArgumentError, match="min_size"):
        PostgresStore("postgresql://127.0.0.1/test", min_size=3, max_size=2)
