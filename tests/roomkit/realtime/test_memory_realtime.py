"""InMemoryRealtime's slow-subscriber policy: the publisher never waits, the oldest is dropped."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from roomkit.models.ephemeral import EphemeralEvent, EphemeralEventType
from roomkit.realtime import InMemoryRealtime
from tests.conftest import UNIT
from tests.roomkit.backend_helpers import until


def numbered(n: int) -> EphemeralEvent:
    return EphemeralEvent(
        room_id="room", type=EphemeralEventType.CUSTOM, user_id="alice", data={"n": n}
    )


async def test_a_stuck_subscriber_drops_its_oldest_events_and_blocks_nobody(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With a stuck callback, publish still returns at once; the newest events are kept."""
    release = asyncio.Event()
    slow: list[int] = []
    fast: list[int] = []

    async def stuck(event: EphemeralEvent) -> None:
        await release.wait()
        slow.append(event.data["n"])

    async def quick(event: EphemeralEvent) -> None:
        fast.append(event.data["n"])

    async with asyncio.timeout(5 * UNIT):
        async with InMemoryRealtime(max_queue_size=10) as realtime:
            await realtime.subscribe("room", stuck)
            await realtime.subscribe("room", quick)
            await realtime.publish("room", numbered(0))
            await asyncio.sleep(0)  # the stuck callback takes event 0 and blocks
            with caplog.at_level(logging.WARNING):
                for n in range(1, 101):
                    await realtime.publish("room", numbered(n))
            release.set()
            await until(lambda: len(slow) == 11 and len(fast) == 101)
    assert slow == [0, *range(91, 101)]
    assert fast == list(range(101))
    assert "dropped" in caplog.text


async def test_a_hanging_callback_is_cut_off_by_its_timeout(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A callback past ``callback_timeout`` is cancelled and logged; later events still arrive."""
    seen: list[int] = []

    async def hangs_once(event: EphemeralEvent) -> None:
        if event.data["n"] == 0:
            await asyncio.Event().wait()
        seen.append(event.data["n"])

    async with InMemoryRealtime(callback_timeout=0.05 * UNIT) as realtime:
        await realtime.subscribe("room", hangs_once)
        with caplog.at_level(logging.ERROR):
            await realtime.publish("room", numbered(0))
            await realtime.publish("room", numbered(1))
            await until(lambda: seen == [1])
    assert "failed" in caplog.text


async def test_default_queue_holds_the_newest_100_events() -> None:
    """max_queue_size defaults to 100: a stuck subscriber keeps the newest 100 pending."""
    release = asyncio.Event()
    got: list[int] = []

    async def stuck(received: EphemeralEvent) -> None:
        await release.wait()
        got.append(received.data["n"])

    async with InMemoryRealtime() as realtime:
        await realtime.subscribe("room", stuck)
        assert realtime.subscription_count == 1
        await realtime.publish("room", numbered(0))
        await asyncio.sleep(0)  # the first event is now in the callback, not the queue
        for n in range(1, 151):
            await realtime.publish("room", numbered(n))
        release.set()
        await until(lambda: len(got) == 101)
        assert got == [0, *range(51, 151)]
    assert realtime.subscription_count == 0


def test_ephemeral_event_dict_round_trip() -> None:
    """to_dict gives JSON values; from_dict reads them back to an equal event."""
    sent = EphemeralEvent(room_id="r", type="typing_start", user_id="u", data={"a": [1]})  # type: ignore[arg-type]
    as_dict = sent.to_dict()
    assert as_dict["type"] == "typing_start" and isinstance(as_dict["timestamp"], str)
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert EphemeralEvent.from_dict(as_dict) == sent
    minimal = EphemeralEvent.from_dict({"room_id": "r", "type": "custom", "user_id": "u"})
    assert minimal.type is EphemeralEventType.CUSTOM and minimal.data == {}


def test_ephemeral_event_refuses_an_unknown_type() -> None:
    """An unknown kind fails when the event is made, not when a subscriber reads it."""
    with pytest.raises(ValueError, match="shouting"):
        EphemeralEvent(room_id="r", type="shouting", user_id="u")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="shouting"):
        EphemeralEvent.from_dict({"room_id": "r", "type": "shouting", "user_id": "u"})
