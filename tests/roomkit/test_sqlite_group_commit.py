"""SQLite group commit: statements that wait for the connection share one transaction,
and each still gets the outcome it would have had on its own."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from roomkit import (
    ChannelType,
    EventSource,
    RoomEvent,
    RoomKit,
    SQLiteStore,
    StoreError,
    TextContent,
    WebSocketChannel,
)
from roomkit.store.drivers import UniqueViolation, open_driver
from tests.roomkit.helpers import text


def _event(room_id: str, body: str, key: str | None = None) -> RoomEvent:
    source = EventSource(channel_id="ws", channel_type=ChannelType.WEBSOCKET)
    return RoomEvent(
        room_id=room_id, source=source, content=TextContent(body=body), idempotency_key=key
    )


async def test_concurrent_rooms_all_land_with_their_own_indexes(tmp_path: Path) -> None:
    """200 messages in flight across 20 rooms: every one is stored, each room's indexes are
    1..10 in the order its messages were sent, and a reopened store sees them all."""
    path = tmp_path / "chat.db"
    kit = RoomKit(store=SQLiteStore(path))
    kit.register_channel(WebSocketChannel("ws"))
    for r in range(20):
        await kit.create_room(f"room-{r}")
        await kit.attach_channel(f"room-{r}", "ws")

    async def sender(r: int) -> None:
        for i in range(10):
            await kit.process_inbound(text("u", f"{r}:{i}", channel_id="ws"), room_id=f"room-{r}")

    await asyncio.gather(*(sender(r) for r in range(20)))
    await kit.close()

    reopened = SQLiteStore(path)
    for r in range(20):
        events = await reopened.list_events(f"room-{r}", limit=100)
        assert [e.index for e in events] == list(range(1, 11))
        assert [e.content.body for e in events] == [f"{r}:{i}" for i in range(10)]  # type: ignore[union-attr]
    await reopened.close()


async def test_a_statement_that_breaks_a_constraint_fails_alone(tmp_path: Path) -> None:
    """In one shared transaction, the statement repeating a unique value gets
    UniqueViolation; the statements around it are committed."""
    driver = await open_driver(f"sqlite:///{tmp_path / 'app.db'}")
    await driver.fetch("CREATE TABLE app_notes (name TEXT PRIMARY KEY)")

    async def insert(name: str) -> str:
        try:
            await driver.fetch("INSERT INTO app_notes (name) VALUES (?)", (name,))
        except UniqueViolation:
            return f"{name}: taken"
        return f"{name}: stored"

    # The first takes the connection; the others arrive while it is busy and run together.
    outcomes = await asyncio.gather(*(insert(n) for n in ("x", "a", "b", "a", "c")))
    assert outcomes == ["x: stored", "a: stored", "b: stored", "a: taken", "c: stored"]
    rows = await driver.fetch("SELECT name FROM app_notes ORDER BY name")
    assert [r[0] for r in rows] == ["a", "b", "c", "x"]
    await driver.close()


async def test_idempotency_keys_racing_in_one_room_yield_one_event(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "chat.db")
    kit = RoomKit(store=store)
    await kit.create_room("r")
    results = await asyncio.gather(
        *(store.add_event(_event("r", f"try {i}", key="k-1")) for i in range(8)),
        *(store.add_event(_event("r", f"other {i}")) for i in range(4)),
    )
    keyed = {e.id for e in results[:8]}
    assert len(keyed) == 1
    events = await store.list_events("r", limit=50)
    assert [e.index for e in events] == list(range(1, 6))
    assert sum(1 for e in events if e.idempotency_key == "k-1") == 1
    await kit.close()


async def test_a_shared_commit_that_cannot_start_fails_every_statement_and_stores_nothing(
    tmp_path: Path,
) -> None:
    """Another process holds the write lock past busy_timeout: every statement of the
    batch gets a StoreError, nothing is half-written, and the store works once it is free."""
    path = tmp_path / "chat.db"
    store = SQLiteStore(path, busy_timeout=0.05)
    kit = RoomKit(store=store)
    await kit.create_room("r")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    outcomes = await asyncio.gather(
        *(store.add_event(_event("r", f"m{i}")) for i in range(5)), return_exceptions=True
    )
    assert all(isinstance(o, StoreError) for o in outcomes), outcomes
    holder.execute("ROLLBACK")
    holder.close()
    assert await store.get_event_count("r") == 0
    stored = await asyncio.gather(*(store.add_event(_event("r", f"n{i}")) for i in range(5)))
    assert sorted(e.index for e in stored) == [1, 2, 3, 4, 5]
    await kit.close()


async def test_a_waiter_cancelled_before_its_turn_is_not_run(tmp_path: Path) -> None:
    driver = await open_driver(f"sqlite:///{tmp_path / 'app.db'}")
    await driver.fetch("CREATE TABLE app_notes (name TEXT PRIMARY KEY)")
    first = asyncio.ensure_future(driver.fetch("INSERT INTO app_notes VALUES ('first')"))
    await asyncio.sleep(0)  # it holds the connection now
    doomed = asyncio.ensure_future(driver.fetch("INSERT INTO app_notes VALUES ('doomed')"))
    kept = asyncio.ensure_future(driver.fetch("INSERT INTO app_notes VALUES ('kept')"))
    await asyncio.sleep(0)
    doomed.cancel()
    await first
    await kept
    with pytest.raises(asyncio.CancelledError):
        await doomed
    rows = await driver.fetch("SELECT name FROM app_notes ORDER BY name")
    assert [r[0] for r in rows] == ["first", "kept"]
    await driver.close()
