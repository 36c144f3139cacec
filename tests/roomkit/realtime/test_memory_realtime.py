"""InMemoryRealtime's slow-subscriber policy: the publisher never waits, the oldest is dropped."""

from __future__ import annotations

import asyncio
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
        async with InMemoryRealtime(max_pending=10) as realtime:
            await realtime.subscribe("room", stuck)
            await realtime.subscribe("room", quick)
            await realtime.publish(numbered(0))
            await asyncio.sleep(0)  # the stuck callback takes event 0 and blocks
            with caplog.at_level(logging.WARNING):
                for n in range(1, 101):
                    await realtime.publish(numbered(n))
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
            await realtime.publish(numbered(0))
            await realtime.publish(numbered(1))
            await until(lambda: seen == [1])
    assert "failed" in caplog.text
