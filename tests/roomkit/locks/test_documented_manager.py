"""A lock manager written from roomkit's documentation plugs into the kit unchanged."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from roomkit import (
    InboundMessage,
    InMemoryLockManager,
    RoomKit,
    RoomLockManager,
    TextContent,
    WebSocketChannel,
)


class CountingLocks(RoomLockManager):
    """The documented shape: ``locked(room_id)`` as an async-generator context manager."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self.entered: list[str] = []

    @asynccontextmanager
    async def locked(self, room_id: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(room_id, asyncio.Lock())
        async with lock:
            self.entered.append(room_id)
            yield


async def test_a_documented_lock_manager_serialises_the_kits_rooms() -> None:
    """Every message takes the user's lock once, and indexes stay gapless."""
    locks = CountingLocks()
    async with RoomKit(lock_manager=locks) as kit:
        kit.register_channel(WebSocketChannel("ws"))
        await kit.create_room("r1")
        await kit.attach_channel("r1", "ws")
        results = await asyncio.gather(
            *(
                kit.process_inbound(
                    InboundMessage(
                        channel_id="ws", sender_id="u", content=TextContent(body=f"m{i}")
                    ),
                    room_id="r1",
                )
                for i in range(20)
            )
        )
        timeline = await kit.get_timeline("r1", limit=100)
    assert all(r.event is not None for r in results)
    assert locks.entered == ["r1"] * 20
    assert sorted(e.index for e in timeline) == list(range(1, 21))


async def test_in_memory_lock_manager_keeps_no_idle_locks() -> None:
    """``size`` counts rooms whose lock is held or waited for; released rooms leave."""
    locks = InMemoryLockManager(max_locks=2)
    async with locks.locked("a"), locks.locked("b"):
        assert locks.size == 2
    assert locks.size == 0
