"""The RealtimeBackend contract, run against every backend (memory, Redis)."""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import AsyncIterator

import pytest

from roomkit.models.ephemeral import EphemeralEvent, EphemeralEventType
from roomkit.realtime import InMemoryRealtime, RealtimeBackend
from tests.conftest import UNIT
from tests.roomkit.backend_helpers import delete_keys, until

# Room for a burst of 500 to a slow subscriber: these tests are about order, not the bound.
QUEUE = 1000


@pytest.fixture(params=["memory", "redis"])
async def realtime(request: pytest.FixtureRequest) -> AsyncIterator[RealtimeBackend]:
    if request.param == "memory":
        memory = InMemoryRealtime(QUEUE)
        yield memory
        await memory.close()
        return
    from roomkit.realtime import RedisRealtime

    url: str = request.getfixturevalue("redis_url")
    prefix = f"test:{uuid.uuid4().hex}:"
    redis = RedisRealtime(url, channel_prefix=prefix, max_queue_size=QUEUE)
    try:
        yield redis
    finally:
        await redis.close()
        await delete_keys(url, prefix)


class Recorder:
    """A subscriber callback that records what it receives."""

    def __init__(self, *, slow: bool = False) -> None:
        self.events: list[EphemeralEvent] = []
        self._slow = slow

    async def __call__(self, event: EphemeralEvent) -> None:
        if self._slow:
            await asyncio.sleep(random.random() / 1000)
        self.events.append(event)

    @property
    def numbers(self) -> list[int]:
        return [e.data["n"] for e in self.events]


def event(room_id: str, n: int = 0) -> EphemeralEvent:
    return EphemeralEvent(
        room_id=room_id, type=EphemeralEventType.CUSTOM, user_id="alice", data={"n": n}
    )


async def settle() -> None:
    """Give a backend time to deliver something that it should not deliver."""
    await asyncio.sleep(0.1 * UNIT)


async def test_publish_reaches_every_subscriber_of_the_room_only(
    realtime: RealtimeBackend,
) -> None:
    """Both subscribers of a room get its event; a subscriber of another room gets nothing."""
    first, second, elsewhere = Recorder(), Recorder(), Recorder()
    await realtime.subscribe("room", first)
    await realtime.subscribe("room", second)
    await realtime.subscribe("other", elsewhere)
    sent = event("room", 7)
    await realtime.publish("room", sent)
    await until(lambda: len(first.events) == 1 and len(second.events) == 1)
    assert first.events == [sent] and second.events == [sent]
    assert first.events[0].type is EphemeralEventType.CUSTOM
    await settle()
    assert elsewhere.events == []
    assert len(first.events) == 1


async def test_order_of_500_events_per_room_is_preserved(realtime: RealtimeBackend) -> None:
    """Interleaved publishes to two rooms reach slow subscribers in publish order per room."""
    a, b, fast = Recorder(slow=True), Recorder(slow=True), Recorder()
    await realtime.subscribe("a", a)
    await realtime.subscribe("b", b)
    await realtime.subscribe("a", fast)
    for n in range(500):
        await realtime.publish("a", event("a", n))
        await realtime.publish("b", event("b", n))
    await until(lambda: len(a.events) == len(b.events) == len(fast.events) == 500)
    assert a.numbers == b.numbers == fast.numbers == list(range(500))


async def test_concurrent_publishers_keep_each_ones_order(realtime: RealtimeBackend) -> None:
    """Events published concurrently by several tasks keep each task's order."""
    got = Recorder(slow=True)
    await realtime.subscribe("room", got)

    async def publisher(base: int) -> None:
        for n in range(100):
            await realtime.publish("room", event("room", base + n))

    await asyncio.gather(*(publisher(base) for base in (0, 1000, 2000)))
    await until(lambda: len(got.events) == 300)
    for base in (0, 1000, 2000):
        assert [n for n in got.numbers if base <= n < base + 1000] == list(range(base, base + 100))


async def test_unsubscribe_stops_delivery_and_reports_existence(
    realtime: RealtimeBackend,
) -> None:
    """unsubscribe returns True once, then False; the callback gets nothing more."""
    gone, staying = Recorder(), Recorder()
    subscription = await realtime.subscribe("room", gone)
    await realtime.subscribe("room", staying)
    await realtime.publish("room", event("room", 1))
    await until(lambda: len(gone.events) == 1 and len(staying.events) == 1)
    assert await realtime.unsubscribe(subscription) is True
    assert await realtime.unsubscribe(subscription) is False
    assert await realtime.unsubscribe("never-issued") is False
    await realtime.publish("room", event("room", 2))
    await until(lambda: len(staying.events) == 2)
    await settle()
    assert gone.numbers == [1]


async def test_last_unsubscribe_then_subscribe_again(realtime: RealtimeBackend) -> None:
    """A room whose only subscriber left can be subscribed to again."""
    first = Recorder()
    await realtime.unsubscribe(await realtime.subscribe("room", first))
    again = Recorder()
    await realtime.subscribe("room", again)
    await realtime.publish("room", event("room", 3))
    await until(lambda: again.numbers == [3])
    assert first.events == []


async def test_a_raising_callback_is_logged_and_isolated(
    realtime: RealtimeBackend, caplog: pytest.LogCaptureFixture
) -> None:
    """A callback that raises is logged; it and the others keep receiving later events."""
    calls = Recorder()
    healthy = Recorder()

    async def broken(received: EphemeralEvent) -> None:
        await calls(received)
        raise RuntimeError("subscriber bug")

    await realtime.subscribe("room", broken)
    await realtime.subscribe("room", healthy)
    with caplog.at_level(logging.ERROR):
        for n in range(3):
            await realtime.publish("room", event("room", n))
        await until(lambda: len(healthy.events) == 3 and len(calls.events) == 3)
    assert healthy.numbers == calls.numbers == [0, 1, 2]
    assert any("subscriber bug" in (r.exc_text or "") for r in caplog.records)


async def test_a_callback_may_unsubscribe_itself(realtime: RealtimeBackend) -> None:
    """A callback can end its own subscription; later events do not reach it."""
    got: list[int] = []
    subscription = ""

    async def once(received: EphemeralEvent) -> None:
        got.append(received.data["n"])
        assert await realtime.unsubscribe(subscription) is True

    subscription = await realtime.subscribe("room", once)
    witness = Recorder()
    await realtime.subscribe("room", witness)
    await realtime.publish("room", event("room", 1))
    await realtime.publish("room", event("room", 2))
    await until(lambda: len(witness.events) == 2)
    await settle()
    assert got == [1]


async def test_nothing_is_stored(realtime: RealtimeBackend) -> None:
    """A subscriber that arrives after a publish never sees the earlier event."""
    await realtime.publish("room", event("room", 1))
    late = Recorder()
    await realtime.subscribe("room", late)
    await realtime.publish("room", event("room", 2))
    await until(lambda: len(late.events) >= 1)
    await settle()
    assert late.numbers == [2]


async def test_close_is_idempotent_and_ends_every_task(realtime: RealtimeBackend) -> None:
    """close() stops every subscription's task, and a second close() is harmless."""
    before = asyncio.all_tasks()
    stuck = asyncio.Event()

    async def hangs(received: EphemeralEvent) -> None:
        await stuck.wait()

    await realtime.subscribe("room", hangs)
    await realtime.subscribe("other", Recorder())
    await realtime.publish("room", event("room"))
    await settle()
    await realtime.close()
    await realtime.close()
    assert asyncio.all_tasks() <= before


async def test_room_helpers_use_the_room_channel_only(realtime: RealtimeBackend) -> None:
    """publish_to_room reaches subscribe_to_room subscribers, not a plain channel of that name."""
    in_room, same_name = Recorder(), Recorder()
    await realtime.subscribe_to_room("r1", in_room)
    await realtime.subscribe("r1", same_name)
    await realtime.publish_to_room("r1", event("r1", 1))
    await realtime.publish("r1", event("r1", 2))
    await until(lambda: in_room.numbers == [1] and same_name.numbers == [2])
    await settle()
    assert in_room.numbers == [1] and same_name.numbers == [2]


async def test_an_event_arrives_whole(realtime: RealtimeBackend) -> None:
    """Every field survives the trip, the timestamp to the microsecond and nested data."""
    got = Recorder()
    await realtime.subscribe("room", got)
    sent = EphemeralEvent(
        room_id="room",
        type=EphemeralEventType.REACTION,
        user_id="bob",
        channel_id="ws",
        data={"emoji": "👍", "target": {"event_id": "e1", "n": [1, 2.5, None]}},
    )
    await realtime.publish("room", sent)
    await until(lambda: len(got.events) == 1)
    assert got.events == [sent]
    assert got.events[0].type is EphemeralEventType.REACTION
