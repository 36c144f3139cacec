"""The RoomLockManager contract, run against every backend (memory, Redis)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
import redis.asyncio as aioredis

from roomkit.errors import LockTimeoutError
from roomkit.locks import InMemoryLockManager, RoomLockManager
from tests.conftest import UNIT
from tests.roomkit.backend_helpers import delete_keys, until


@dataclass
class Backend:
    """A manager under test and two probes that look at its state from outside."""

    manager: RoomLockManager
    held: Callable[[str], Awaitable[bool]]  # someone holds the room's lock
    leftovers: Callable[[], Awaitable[list[str]]]  # per-room state still present


@pytest.fixture(params=["memory", "redis"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    if request.param == "memory":
        memory = InMemoryLockManager()

        async def memory_held(room_id: str) -> bool:
            return memory.is_locked(room_id)

        async def memory_leftovers() -> list[str]:
            return list(memory._locks)  # the per-room entries the manager promises to drop

        yield Backend(memory, memory_held, memory_leftovers)
        await memory.close()
        return
    from roomkit.locks import RedisLockManager

    url: str = request.getfixturevalue("redis_url")
    prefix = f"test:{uuid.uuid4().hex}:"
    client = aioredis.Redis.from_url(url)

    async def redis_held(room_id: str) -> bool:
        return bool(await client.exists(f"{prefix}{{{room_id}}}"))

    async def redis_leftovers() -> list[str]:
        keys = [k.decode() async for k in client.scan_iter(match=prefix + "*")]
        return sorted(k for k in keys if not k.endswith(":fence"))  # fences never reset

    redis = RedisLockManager(url, key_prefix=prefix)
    try:
        yield Backend(redis, redis_held, redis_leftovers)
    finally:
        await redis.close()
        await delete_keys(url, prefix)
        await client.aclose()


async def test_mutual_exclusion_under_200_concurrent_tasks(backend: Backend) -> None:
    """A read-await-write under the lock by 200 tasks loses no increment."""
    counter = 0
    inside = 0

    async def increment() -> None:
        nonlocal counter, inside
        async with backend.manager.locked("room"):
            inside += 1
            assert inside == 1
            value = counter
            await asyncio.sleep(0)
            counter = value + 1
            inside -= 1

    async with asyncio.timeout(30 * UNIT):
        await asyncio.gather(*(increment() for _ in range(200)))
    assert counter == 200


async def test_waiters_are_admitted_in_arrival_order(backend: Backend) -> None:
    """Tasks of one process that queue for a room enter it first come, first served."""
    order: list[int] = []
    release = asyncio.Event()

    async def holder() -> None:
        async with backend.manager.locked("room"):
            await release.wait()

    async def waiter(n: int) -> None:
        async with backend.manager.locked("room"):
            order.append(n)

    first = asyncio.create_task(holder())
    await until(lambda: backend.held("room"))
    waiters = []
    for n in range(20):
        waiters.append(asyncio.create_task(waiter(n)))
        await asyncio.sleep(0)  # let each one queue before the next
    release.set()
    async with asyncio.timeout(10 * UNIT):
        await asyncio.gather(first, *waiters)
    assert order == list(range(20))


async def test_timeout_raises_and_leaves_the_lock_usable(backend: Backend) -> None:
    """A waiter that times out gets LockTimeoutError; the lock still works afterwards."""
    release = asyncio.Event()

    async def holder() -> None:
        async with backend.manager.locked("room"):
            await release.wait()

    task = asyncio.create_task(holder())
    await until(lambda: backend.held("room"))
    with pytest.raises(LockTimeoutError) as caught:
        async with backend.manager.locked("room", timeout=0.1 * UNIT):
            pytest.fail("entered a held lock")
    assert caught.value.room_id == "room"
    assert "room" in str(caught.value)
    release.set()
    await task
    async with backend.manager.locked("room", timeout=2 * UNIT):
        pass
    assert await backend.leftovers() == []


async def test_cancelled_waiter_leaves_the_lock_usable(backend: Backend) -> None:
    """Cancelling a task that waits for the lock does not wedge the room."""
    release = asyncio.Event()

    async def holder() -> None:
        async with backend.manager.locked("room"):
            await release.wait()

    async def waiter() -> None:
        async with backend.manager.locked("room"):
            pytest.fail("a cancelled waiter entered")

    task = asyncio.create_task(holder())
    await until(lambda: backend.held("room"))
    cancelled = asyncio.create_task(waiter())
    await asyncio.sleep(0.05 * UNIT)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    release.set()
    await task
    async with backend.manager.locked("room", timeout=2 * UNIT):
        pass
    assert await backend.leftovers() == []


async def test_different_rooms_do_not_block_each_other(backend: Backend) -> None:
    """Holding one room's lock does not delay another room's."""
    async with backend.manager.locked("a"), backend.manager.locked("b", timeout=1 * UNIT):
        pass


async def test_lock_is_released_when_the_body_raises(backend: Backend) -> None:
    """An exception in the body releases the lock and propagates unchanged."""
    with pytest.raises(ValueError, match="boom"):
        async with backend.manager.locked("room"):
            raise ValueError("boom")
    async with backend.manager.locked("room", timeout=1 * UNIT):
        pass


async def test_many_cycles_leave_no_per_room_state(backend: Backend) -> None:
    """A thousand lock/unlock cycles over many rooms leave nothing behind but counters."""
    for n in range(1000):
        async with backend.manager.locked(f"room-{n % 50}", timeout=5 * UNIT):
            pass
    assert await backend.leftovers() == []
