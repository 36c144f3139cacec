"""The core workloads on the durable stores. Prints one JSON line of figures.

For each of SQLiteStore (a file, WAL, synchronous=FULL) and PostgresStore (the local
server, synchronous_commit as configured — on by default), with durable commits:

  <store>_single_room_msgs_per_s  one room, 11 WebSocket channels, 3 sync and 2 async hooks
  <store>_multi_room_msgs_per_s   the same over 1,000 rooms, 64 messages in flight
  <store>_timeline_page_ms        a random 50-event page of a room holding 100,000 events

Each workload runs in a fresh interpreter, on a fresh database (a new SQLite file, a new
PostgreSQL schema). The 100,000 events of the timeline room are written in one
transaction by the benchmark's set-up, from documents the store itself produced.

Usage: python bench/stores.py [--quick] [--only sqlite|postgres] [--dsn DSN]
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid

import asyncpg

from core import _attach_all, _kit_with_channels, _message
from roomkit import (
    ConversationStore,
    PostgresStore,
    SQLiteStore,
    TextContent,
)
from roomkit.store._codec import event_document

QUICK = "--quick" in sys.argv
SCALE = 0.1 if QUICK else 1.0
DSN = (
    sys.argv[sys.argv.index("--dsn") + 1]
    if "--dsn" in sys.argv
    else os.environ.get("ROOMKIT_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
)


async def single_room(store: ConversationStore, n: int) -> float:
    kit = await _kit_with_channels(11, store)
    await _attach_all(kit, "room", 11)
    for i in range(100):  # warm up
        await kit.process_inbound(_message(i), room_id="room")
    start = time.perf_counter()
    for i in range(n):
        await kit.process_inbound(_message(i), room_id="room")
    elapsed = time.perf_counter() - start
    await kit.close()
    return n / elapsed


async def multi_room(store: ConversationStore, n: int, rooms: int = 1000) -> float:
    kit = await _kit_with_channels(11, store)
    for r in range(rooms):
        await _attach_all(kit, f"room-{r}", 11)
    queue = iter([(_message(i), f"room-{i % rooms}") for i in range(n)])

    async def worker() -> None:
        for message, room_id in queue:
            await kit.process_inbound(message, room_id=room_id)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(64)))
    elapsed = time.perf_counter() - start
    await kit.close()
    return n / elapsed


async def timeline(store: ConversationStore, fill: object, events: int) -> float:
    kit = await _kit_with_channels(11, store)
    await _attach_all(kit, "big", 11)
    first = await kit.send_event("big", "ws-0", TextContent(body="first"))
    docs = [
        (i + 2, f"e{i}", event_document(first.model_copy(update={"id": f"e{i}"})))
        for i in range(events - 1)
    ]
    await fill(docs)  # type: ignore[operator]
    assert await store.get_event_count("big") == events
    rng = random.Random(7)
    offsets = [rng.randrange(0, events - 50) for _ in range(2000)]
    start = time.perf_counter()
    for offset in offsets:
        page = await kit.get_timeline("big", offset=offset, limit=50)
    elapsed = time.perf_counter() - start
    assert len(page) == 50 and page[0].index == offsets[-1] + 1
    await kit.close()
    return elapsed / len(offsets) * 1e3


async def run(backend: str, workload: str) -> float:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "bench.db")
            return await _measure(SQLiteStore(path), workload, _sqlite_fill(path))
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(DSN)
    try:
        return await _measure(PostgresStore(DSN, schema=schema), workload, _pg_fill(schema))
    finally:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.close()


async def _measure(store: ConversationStore, workload: str, fill: object) -> float:
    if workload == "single_room_msgs_per_s":
        return await single_room(store, int(3000 * SCALE))
    if workload == "multi_room_msgs_per_s":
        return await multi_room(store, int(10_000 * SCALE))
    return await timeline(store, fill, int(100_000 * SCALE))


_BULK = (
    "INSERT INTO roomkit_events (room_id, idx, id, visibility, idempotency_key, data) "
    "VALUES ('big', {}, {}, 'all', NULL, {})"
)


def _sqlite_fill(path: str) -> object:
    async def fill(docs: list[tuple[int, str, str]]) -> None:
        import sqlite3

        # SQLite has no last_index since schema version 3: a room's count is its top index.
        with sqlite3.connect(path) as db:
            db.executemany(_BULK.format("?", "?", "?"), docs)

    return fill


def _pg_fill(schema: str) -> object:
    async def fill(docs: list[tuple[int, str, str]]) -> None:
        conn = await asyncpg.connect(DSN, server_settings={"search_path": schema})
        async with conn.transaction():
            await conn.executemany(_BULK.format("$1", "$2", "$3"), docs)
            await conn.execute(
                "UPDATE roomkit_rooms SET last_index = $1 WHERE id = 'big'", len(docs) + 1
            )
        await conn.execute("ANALYZE roomkit_events")
        await conn.close()

    return fill


WORKLOADS = ("single_room_msgs_per_s", "multi_room_msgs_per_s", "timeline_page_ms")


def main() -> None:
    if "--run" in sys.argv:
        backend, workload = sys.argv[sys.argv.index("--run") + 1].split(":")
        print(asyncio.run(run(backend, workload)))
        return
    backends = (
        [sys.argv[sys.argv.index("--only") + 1]]
        if "--only" in sys.argv
        else [
            "sqlite",
            "postgres",
        ]
    )
    extra = [a for a in sys.argv[1:] if a in ("--quick",)] + (["--dsn", DSN])
    figures: dict[str, float] = {}
    for backend in backends:
        for workload in WORKLOADS:
            args = [sys.executable, __file__, "--run", f"{backend}:{workload}", *extra]
            out = subprocess.run(args, capture_output=True, text=True, check=True)
            value = float(out.stdout.strip().splitlines()[-1])
            figures[f"{backend}_{workload}"] = round(value, 4) if value < 10 else round(value)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
