"""Several OS processes, each with its own RoomKit, on one PostgreSQL database and Redis.

Also the crash test: a writer killed with SIGKILL loses nothing it had acknowledged, on
SQLite and on PostgreSQL, and the room's lock frees itself within its expiry.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from roomkit import (
    ChannelBinding,
    ChannelType,
    ConversationStore,
    PostgresStore,
    RedisLockManager,
    Room,
    SQLiteStore,
)
from tests.conftest import POSTGRES_DSN, UNIT, fresh_pg_schema, require_service
from tests.roomkit.backend_helpers import child_env, delete_keys, read_line

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def spawn(*args: str) -> asyncio.subprocess.Process:
    """A kit_process child; returns once it has written ``ready``."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.roomkit.kit_process",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=child_env(),
    )
    while (line := await read_line(child, within=30 * UNIT)) != "ready":
        assert line == "subscribed", line
    return child


def go(*children: asyncio.subprocess.Process) -> None:
    for child in children:
        assert child.stdin is not None
        child.stdin.write(b"go\n")


async def lines_until_done(child: asyncio.subprocess.Process) -> list[str]:
    lines = []
    while (line := await read_line(child, within=120 * UNIT)) != "done":
        lines.append(line)
    assert await child.wait() == 0
    return lines


@pytest.fixture
async def prefix(redis_url: str) -> AsyncIterator[str]:
    key_prefix = f"roomkit-test:{uuid.uuid4().hex[:8]}:"
    yield key_prefix
    await delete_keys(redis_url, key_prefix)


async def open_room(store: ConversationStore, *tags: str) -> None:
    await store.create_room(Room(id="shared"))
    for tag in tags:
        await store.add_binding(
            ChannelBinding(
                room_id="shared", channel_id=f"ws-{tag}", channel_type=ChannelType.WEBSOCKET
            )
        )


@pytest.fixture
async def pg_store(pg_schema: str) -> AsyncIterator[PostgresStore]:
    store = PostgresStore(POSTGRES_DSN, schema=pg_schema)
    yield store
    await store.close()


async def test_three_processes_write_one_room_without_gaps_or_reordering(
    pg_store: PostgresStore, pg_schema: str, redis_url: str, prefix: str
) -> None:
    """1,000 messages from each of three processes: 3,000 events, indexes 1…3,000."""
    tags = ("A", "B", "C")
    await open_room(pg_store, *tags)
    where = f"postgres:{pg_schema}"
    children = [
        await spawn("send", where, redis_url, prefix, "shared", tag, "1000") for tag in tags
    ]
    go(*children)
    outputs = await asyncio.gather(*(lines_until_done(c) for c in children))

    events = await pg_store.list_events("shared", limit=10_000)
    assert [e.index for e in events] == list(range(1, 3001))
    for tag, output in zip(tags, outputs, strict=True):
        mine = [e.content.body for e in events if e.source.channel_id == f"ws-{tag}"]  # type: ignore[union-attr]
        assert mine == [f"{tag}-{i}" for i in range(1000)]
        # Each process was told the index its message got, and it is the stored one.
        told = {line.split()[1]: int(line.split()[2]) for line in output}
        assert all(told[e.content.body] == e.index for e in events if e.content.body in told)  # type: ignore[union-attr]


async def test_the_same_idempotency_keys_from_two_processes_yield_one_event_each(
    pg_store: PostgresStore, pg_schema: str, redis_url: str, prefix: str
) -> None:
    """Both processes send keys dup-0…dup-99 at once; the room holds 100 events."""
    await open_room(pg_store, "A", "B")
    where = f"postgres:{pg_schema}"
    children = [await spawn("dup", where, redis_url, prefix, "shared", t, "100") for t in "AB"]
    go(*children)
    await asyncio.gather(*(lines_until_done(c) for c in children))

    events = await pg_store.list_events("shared", limit=1000)
    assert sorted(e.idempotency_key or "" for e in events) == sorted(f"dup-{i}" for i in range(100))
    assert [e.index for e in events] == list(range(1, 101))


async def test_typing_in_one_process_reaches_a_subscriber_in_another(
    pg_store: PostgresStore, pg_schema: str, redis_url: str, prefix: str
) -> None:
    """A typing event published by process B is received by process A's subscriber."""
    await open_room(pg_store, "A", "B")
    where = f"postgres:{pg_schema}"
    listener = await spawn("listen", where, redis_url, prefix, "shared", "A", "0")
    typist = await spawn("type", where, redis_url, prefix, "shared", "B", "0")
    go(listener, typist)
    await lines_until_done(typist)
    assert await read_line(listener, within=10 * UNIT) == "ephemeral typing_start B"
    go(listener)
    await lines_until_done(listener)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_a_killed_writer_loses_nothing_it_acknowledged(
    backend: str, tmp_path: Path, redis_url: str, prefix: str
) -> None:
    """SIGKILL mid-stream: every acknowledged message is stored; the lock frees itself."""
    async with contextlib.AsyncExitStack() as stack:
        store: ConversationStore
        if backend == "sqlite":
            path = tmp_path / "chat.db"
            store, where = SQLiteStore(path), f"sqlite:{path}"
        else:
            require_service("PostgreSQL", 5432)
            schema = await stack.enter_async_context(fresh_pg_schema())
            store, where = PostgresStore(POSTGRES_DSN, schema=schema), f"postgres:{schema}"
        stack.push_async_callback(store.close)
        await open_room(store, "A")
        writer = await spawn("send", where, redis_url, prefix, "shared", "A", "100000")
        go(writer)
        acknowledged = [(await read_line(writer, within=30 * UNIT)).split()[1] for _ in range(300)]
        writer.send_signal(signal.SIGKILL)
        assert await writer.wait() == -signal.SIGKILL

        stored = {e.content.body for e in await store.list_events("shared", limit=100_000)}  # type: ignore[union-attr]
        assert set(acknowledged) <= stored
        assert len(stored) >= 300

        locks = RedisLockManager(redis_url, key_prefix=prefix, expiry=2.0)
        stack.push_async_callback(locks.close)
        started = time.monotonic()
        async with locks.locked("shared", timeout=5.0 * UNIT):
            waited = time.monotonic() - started
        assert waited <= 2.0 + 0.5 * UNIT
