"""RedisRealtime beyond the contract: other processes, channel bookkeeping, outages."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from roomkit.errors import BackendConnectionError
from roomkit.models.ephemeral import EphemeralEvent, EphemeralEventType
from roomkit.realtime import RedisRealtime
from tests.conftest import UNIT
from tests.roomkit.backend_helpers import (
    ThrowawayRedis,
    child_env,
    free_port,
    read_line,
    start_python,
    until,
)

# Publishes one typing event for "room" from a child process, then exits.
PUBLISH_TYPING = """
import asyncio, sys
from roomkit.models.ephemeral import EphemeralEvent, EphemeralEventType
from roomkit.realtime.redis import RedisRealtime

async def main(url, prefix):
    async with RedisRealtime(url, channel_prefix=prefix) as realtime:
        event = EphemeralEvent(
            room_id="room", type=EphemeralEventType.TYPING_START, user_id="bob",
            data={"pid": __import__("os").getpid()},
        )
        await realtime.publish("room", event)
    print("published", flush=True)

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


class Inbox:
    """A callback that records events and lets a test wait for the next ones."""

    def __init__(self) -> None:
        self.events: list[EphemeralEvent] = []
        self._arrived = asyncio.Event()

    async def __call__(self, event: EphemeralEvent) -> None:
        self.events.append(event)
        self._arrived.set()

    async def wait_for(self, count: int, *, within: float = 10.0) -> None:
        async with asyncio.timeout(within * UNIT):
            while len(self.events) < count:
                self._arrived.clear()
                await self._arrived.wait()


def typing(room_id: str, user_id: str = "alice") -> EphemeralEvent:
    return EphemeralEvent(room_id=room_id, type=EphemeralEventType.TYPING_START, user_id=user_id)


@pytest.fixture
def prefix() -> str:
    return f"test:{uuid.uuid4().hex}:"


@pytest.fixture
async def realtime(redis_url: str, prefix: str) -> AsyncIterator[RedisRealtime]:
    async with RedisRealtime(redis_url, channel_prefix=prefix) as backend:
        yield backend


async def test_an_event_published_by_another_process_arrives(
    redis_url: str, prefix: str, realtime: RedisRealtime
) -> None:
    """A typing event published by another OS process reaches this process's subscriber."""
    inbox = Inbox()
    await realtime.subscribe("room", inbox)
    child = await start_python(PUBLISH_TYPING, redis_url, prefix)
    try:
        assert await read_line(child, within=10 * UNIT) == "published"
        assert await child.wait() == 0
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    await inbox.wait_for(1)
    [received] = inbox.events
    assert received.type is EphemeralEventType.TYPING_START
    assert received.user_id == "bob" and received.room_id == "room"
    assert received.data["pid"] == child.pid


async def test_instances_reach_each_other(
    redis_url: str, prefix: str, realtime: RedisRealtime
) -> None:
    """Subscribers of two instances both get an event published through either."""
    mine, theirs = Inbox(), Inbox()
    async with RedisRealtime(redis_url, channel_prefix=prefix) as other:
        await realtime.subscribe("room", mine)
        await other.subscribe("room", theirs)
        await other.publish("room", typing("room"))
        await realtime.publish("room", typing("room", "carol"))
        await mine.wait_for(2)
        await theirs.wait_for(2)
    assert [e.user_id for e in mine.events] == [e.user_id for e in theirs.events]
    assert [e.user_id for e in mine.events] == ["alice", "carol"]


async def test_the_channel_is_left_with_the_last_local_subscriber(
    redis_url: str, prefix: str, realtime: RedisRealtime
) -> None:
    """One Redis subscription per room however many local subscribers; none after the last."""
    client = aioredis.Redis.from_url(redis_url)
    channel = prefix + "room"

    async def listeners_are(expected: int) -> bool:
        [(_, count)] = await client.pubsub_numsub(channel)
        return int(count) == expected

    try:
        first = await realtime.subscribe("room", Inbox())
        second = await realtime.subscribe("room", Inbox())
        assert await listeners_are(1)
        await realtime.unsubscribe(first)
        assert await listeners_are(1)
        await realtime.unsubscribe(second)
        await until(lambda: listeners_are(0))
    finally:
        await client.aclose()


async def test_a_malformed_message_is_skipped(
    redis_url: str, prefix: str, realtime: RedisRealtime, caplog: pytest.LogCaptureFixture
) -> None:
    """A message that is not an EphemeralEvent is logged and later events still arrive."""
    inbox = Inbox()
    await realtime.subscribe("room", inbox)
    client = aioredis.Redis.from_url(redis_url)
    try:
        with caplog.at_level(logging.WARNING):
            await client.publish(prefix + "room", b"{not json")
            await realtime.publish("room", typing("room"))
            await inbox.wait_for(1)
    finally:
        await client.aclose()
    assert "malformed" in caplog.text
    assert [e.user_id for e in inbox.events] == ["alice"]


async def test_unreachable_server_is_a_backend_connection_error() -> None:
    """Publish and subscribe against a dead server raise BackendConnectionError, no password."""
    url = f"redis://:s3cret@127.0.0.1:{free_port()}/0"
    async with RedisRealtime(url) as realtime:
        with pytest.raises(BackendConnectionError) as published:
            await realtime.publish("room", typing("room"))
        with pytest.raises(BackendConnectionError) as subscribed:
            await realtime.subscribe("room", Inbox())
    for caught in (published, subscribed):
        assert "s3cret" not in str(caught.value)
        assert "127.0.0.1" in str(caught.value) and "***" in str(caught.value)


async def test_subscribers_hear_again_after_a_server_restart() -> None:
    """After Redis is killed and restarted, the reader re-subscribes and delivery resumes."""
    server = ThrowawayRedis()
    await server.start()
    try:
        async with (
            RedisRealtime(server.url) as subscriber,
            RedisRealtime(server.url) as publisher,
        ):
            inbox = Inbox()
            await subscriber.subscribe("room", inbox)
            await publisher.publish("room", typing("room", "before"))
            await inbox.wait_for(1)
            await server.kill()
            await server.start()
            # Publish until the reader has reconnected and re-subscribed.
            async with asyncio.timeout(15 * UNIT):
                while not any(e.user_id == "after" for e in inbox.events):
                    await publisher.publish("room", typing("room", "after"))
                    await asyncio.sleep(0.05)
    finally:
        await server.kill()
    assert inbox.events[0].user_id == "before"


async def test_on_resubscribed_runs_once_per_reconnection_before_later_events() -> None:
    """The callback runs once after the reader subscribed again; an event published once it
    has run is delivered, so a store read in it plus live events leave no hole."""
    server = ThrowawayRedis()
    await server.start()
    resubscribed = asyncio.Event()
    calls: list[int] = []
    try:
        async with (
            RedisRealtime(server.url) as subscriber,
            RedisRealtime(server.url) as publisher,
        ):
            inbox = Inbox()

            async def recover() -> None:
                calls.append(len(inbox.events))
                resubscribed.set()

            subscriber.on_resubscribed(recover)
            await subscriber.subscribe_to_room("room", inbox)
            await publisher.publish_to_room("room", typing("room", "before"))
            await inbox.wait_for(1)
            assert calls == []
            await server.kill()
            await server.start()
            async with asyncio.timeout(15 * UNIT):
                await resubscribed.wait()
            await publisher.publish_to_room("room", typing("room", "after"))
            await inbox.wait_for(2)
            await asyncio.sleep(0.2)
    finally:
        await server.kill()
    assert [e.user_id for e in inbox.events] == ["before", "after"]
    assert calls == [1]


def test_redis_is_imported_only_when_asked_for() -> None:
    """``import roomkit.realtime`` loads no redis; asking for RedisRealtime does."""
    script = (
        "import sys, roomkit, roomkit.realtime\n"
        "assert 'redis' not in sys.modules, 'redis imported eagerly'\n"
        "from roomkit.realtime import RedisRealtime\n"
        "import roomkit.realtime.redis\n"
        "assert 'redis' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, env=child_env(), timeout=60)
