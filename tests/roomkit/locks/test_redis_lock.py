"""RedisLockManager beyond the contract: expiry, ownership, watchdog, fencing, processes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import suppress

import pytest
import redis.asyncio as aioredis

from roomkit.errors import BackendConnectionError, InvalidArgumentError, LockTimeoutError
from roomkit.locks import RedisLockManager
from roomkit.locks._redis_scripts import ACQUIRE, RoomKeys
from roomkit.locks.redis import DEFAULT_LEASE, UNREACHABLE_PAUSE
from tests.conftest import UNIT
from tests.roomkit.backend_helpers import (
    ThrowawayRedis,
    child_env,
    delete_keys,
    free_port,
    read_line,
    start_python,
    until,
)

# Holds the room's lock in a child process until it is killed; prints its fencing token.
HOLD = """
import asyncio, sys
from roomkit.locks.redis import RedisLockManager

async def main(url, prefix, expiry):
    lease = {"expiry": float(expiry)} if expiry else {}  # "": the default lease
    manager = RedisLockManager(url, key_prefix=prefix, **lease)
    async with manager.locked("room") as lock:
        print(lock.fencing_token, flush=True)
        await asyncio.sleep(3600)

asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
"""

# Waits for the room's lock in a child process until it is killed.
WAIT = """
import asyncio, sys
from roomkit.locks.redis import RedisLockManager

async def main(url, prefix):
    manager = RedisLockManager(url, key_prefix=prefix, retry_interval=0.05)
    async with manager.locked("room"):
        print("entered", flush=True)

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""

# Says "ready", waits for a line on stdin, then runs `cycles` lock cycles on one room,
# each a GET then SET of a counter when mode is "count"; prints the seconds it took.
CYCLE = """
import asyncio, sys, time
import redis.asyncio as aioredis
from roomkit.locks.redis import RedisLockManager

async def main(url, prefix, cycles, mode):
    client = aioredis.Redis.from_url(url)
    async with RedisLockManager(url, key_prefix=prefix) as manager:
        async with manager.locked("warm-up"):
            pass
        print("ready", flush=True)
        sys.stdin.readline()
        started = time.perf_counter()
        for _ in range(cycles):
            async with manager.locked("room", timeout=30):
                if mode == "count":
                    value = int(await client.get(prefix + "counter") or 0)
                    await client.set(prefix + "counter", value + 1)
        print(time.perf_counter() - started, flush=True)
    await client.aclose()

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]))
"""


@pytest.fixture
def prefix() -> str:
    return f"test:{uuid.uuid4().hex}:"


@pytest.fixture
async def client(redis_url: str, prefix: str) -> AsyncIterator[aioredis.Redis]:
    """A plain client on the test's Redis; the test's keys are deleted afterwards."""
    raw = aioredis.Redis.from_url(redis_url)
    yield raw
    await delete_keys(redis_url, prefix)
    await raw.aclose()


@pytest.fixture
async def manager(redis_url: str, prefix: str) -> AsyncIterator[RedisLockManager]:
    async with RedisLockManager(redis_url, key_prefix=prefix) as locks:
        yield locks


async def kill(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.kill()
    await process.wait()


async def test_expiry_frees_the_lock_of_a_killed_holder(
    redis_url: str, prefix: str, client: aioredis.Redis, manager: RedisLockManager
) -> None:
    """A holder SIGKILLed mid-section blocks the room for at most its expiry."""
    expiry = 0.5 * UNIT
    holder = await start_python(HOLD, redis_url, prefix, str(expiry))
    try:
        fence = int(await read_line(holder, within=10 * UNIT))
    finally:
        await kill(holder)
    killed_at = time.monotonic()
    async with manager.locked("room", timeout=expiry + 2 * UNIT) as lock:
        waited = time.monotonic() - killed_at
        assert lock.fencing_token > fence
    assert waited < expiry + 0.5 * UNIT


async def test_a_killed_holder_stalls_its_room_for_at_most_the_default_lease(
    redis_url: str, prefix: str, manager: RedisLockManager
) -> None:
    """With no ``expiry`` given, a SIGKILLed holder that had held (and renewed) its lock
    for a while frees the room within its lease (2.5 s)."""
    holder = await start_python(HOLD, redis_url, prefix, "")
    try:
        fence = int(await read_line(holder, within=10 * UNIT))
        await asyncio.sleep(2 * DEFAULT_LEASE)  # renewed by its watchdog meanwhile
        with pytest.raises(LockTimeoutError):  # still held: its lease was renewed
            async with manager.locked("room", timeout=0.2):
                pass
    finally:
        await kill(holder)
    killed_at = time.monotonic()
    async with manager.locked("room", timeout=10 * UNIT) as lock:
        waited = time.monotonic() - killed_at
        assert lock.fencing_token > fence
    assert waited <= DEFAULT_LEASE + 0.5 * UNIT, waited


async def test_a_killed_waiter_does_not_block_the_queue(
    redis_url: str, prefix: str, client: aioredis.Redis, manager: RedisLockManager
) -> None:
    """A waiter that dies in the queue loses its place once it stops refreshing it."""
    async with manager.locked("room"):
        waiter = await start_python(WAIT, redis_url, prefix)
        try:
            await until(lambda: client.llen(f"{prefix}{{room}}:queue"))
        finally:
            await kill(waiter)
    started = time.monotonic()
    async with manager.locked("room", timeout=2 * UNIT):
        assert time.monotonic() - started < 1 * UNIT  # the dead place lapses in 0.2 s


async def test_a_holder_whose_lock_expired_cannot_release_the_next_one(
    redis_url: str, prefix: str, client: aioredis.Redis, manager: RedisLockManager
) -> None:
    """Release deletes the key only while it still holds the releaser's token."""
    lock_key = f"{prefix}{{room}}"
    entered, leave = asyncio.Event(), asyncio.Event()
    successor_token = ""
    async with RedisLockManager(redis_url, key_prefix=prefix) as other:

        async def successor() -> None:
            nonlocal successor_token
            async with other.locked("room", timeout=2 * UNIT) as lock:
                successor_token = lock.token
                entered.set()
                await leave.wait()

        async with manager.locked("room"):
            await client.delete(lock_key)  # the lock expires under its holder
            task = asyncio.create_task(successor())
            await entered.wait()
        # The first holder has left its block and tried to release: the successor still holds.
        assert await client.get(lock_key) == successor_token.encode()
        with pytest.raises(LockTimeoutError):
            async with manager.locked("room", timeout=0.1 * UNIT):
                pass
        leave.set()
        await task
        assert not await client.exists(lock_key)


async def test_a_retried_attempt_keeps_the_lock_it_took(
    prefix: str, client: aioredis.Redis
) -> None:
    """An acquire re-sent after a lost reply (redis-py retries) gets the lock it already took."""
    acquire = client.register_script(ACQUIRE)
    keys = RoomKeys(prefix, "room").for_acquire
    first = await acquire(keys=keys, args=["token", 30_000, 1_000])
    again = await acquire(keys=keys, args=["token", 30_000, 1_000])
    other = await acquire(keys=keys, args=["someone-else", 30_000, 1_000])
    assert first == again == 1
    assert other < 0


async def test_watchdog_keeps_a_long_critical_section_locked(
    redis_url: str, prefix: str, client: aioredis.Redis
) -> None:
    """A live holder keeps its lock well past ``expiry``."""
    expiry = 0.3 * UNIT
    async with (
        RedisLockManager(redis_url, key_prefix=prefix, expiry=expiry) as holder,
        RedisLockManager(redis_url, key_prefix=prefix, expiry=expiry) as rival,
    ):
        async with holder.locked("room") as lock:
            with pytest.raises(LockTimeoutError):
                async with rival.locked("room", timeout=4 * expiry):
                    pass
            assert await client.pttl(f"{prefix}{{room}}") > 0
            assert not lock.lost
        async with rival.locked("room", timeout=1 * UNIT):
            pass


async def test_fencing_tokens_grow_across_managers(
    redis_url: str, prefix: str, client: aioredis.Redis
) -> None:
    """Each acquisition of a room gets a larger fencing token, whichever manager takes it."""
    async with (
        RedisLockManager(redis_url, key_prefix=prefix) as a,
        RedisLockManager(redis_url, key_prefix=prefix) as b,
    ):
        tokens = []
        for locks in (a, b, a, b):
            async with locks.locked("room") as lock:
                tokens.append(lock.fencing_token)
    assert tokens == sorted(tokens) and len(set(tokens)) == 4


async def test_a_busy_manager_does_not_starve_another(
    redis_url: str, prefix: str, client: aioredis.Redis
) -> None:
    """A manager acquiring in a tight loop lets a waiting manager in within a few turns."""
    async with (
        RedisLockManager(redis_url, key_prefix=prefix) as busy,
        RedisLockManager(redis_url, key_prefix=prefix) as patient,
    ):
        turns = 0

        async def hammer() -> None:
            nonlocal turns
            for _ in range(1000):
                async with busy.locked("room"):
                    turns += 1
                    await asyncio.sleep(0)

        async with patient.locked("warm-up"):
            pass  # opens its connection, so that only queueing is measured below
        task = asyncio.create_task(hammer())
        await until(lambda: turns >= 20)
        asked_at = turns
        async with patient.locked("room", timeout=5 * UNIT):
            entered_at = turns
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
    assert entered_at - asked_at <= 3


async def test_two_processes_increment_a_counter_exactly(
    redis_url: str, prefix: str, client: aioredis.Redis
) -> None:
    """Two OS processes doing GET-then-SET 500 times each under the lock end at 1000."""
    children = [await start_python(CYCLE, redis_url, prefix, "500", "count") for _ in range(2)]
    try:
        for child in children:
            assert await read_line(child, within=10 * UNIT) == "ready"
        for child in children:
            assert child.stdin is not None
            child.stdin.write(b"go\n")
            await child.stdin.drain()
        for child in children:
            float(await read_line(child, within=60 * UNIT))
            assert await child.wait() == 0
    finally:
        for child in children:
            await kill(child)
    assert await client.get(prefix + "counter") == b"1000"


async def test_unreachable_server_is_a_backend_connection_error() -> None:
    """A server that does not answer gives BackendConnectionError naming the URL, no password."""
    url = f"redis://roomz:s3cret@127.0.0.1:{free_port()}/0"
    async with RedisLockManager(url) as locks:
        with pytest.raises(BackendConnectionError) as caught:
            async with locks.locked("room", timeout=5 * UNIT):
                pass
    assert "s3cret" not in str(caught.value)
    assert "redis://roomz:***@127.0.0.1" in str(caught.value)


async def test_locks_work_again_after_a_server_restart() -> None:
    """After Redis is killed and restarted, the same manager locks again (scripts reloaded)."""
    server = ThrowawayRedis()
    await server.start()
    try:
        async with RedisLockManager(server.url) as locks:
            async with locks.locked("room") as before:
                pass
            await server.kill()
            with pytest.raises(BackendConnectionError):
                async with locks.locked("room", timeout=5 * UNIT):
                    pass
            await server.start()
            await asyncio.sleep(3 * UNREACHABLE_PAUSE)  # its probe hears Redis again meanwhile
            async with locks.locked("room", timeout=5 * UNIT) as after:
                pass
        # A restarted server without persistence starts its fencing counter again.
        assert before.fencing_token == after.fencing_token == 1
    finally:
        await server.kill()


async def test_acquisitions_fail_fast_while_the_server_is_down() -> None:
    """Twenty tasks queued on one room while Redis is dead all get BackendConnectionError
    within a second, not one connection retry cycle after another."""
    server = ThrowawayRedis()
    await server.start()
    try:
        async with RedisLockManager(server.url) as locks:
            async with locks.locked("room"):
                pass
            await server.kill()

            async def attempt() -> BaseException | None:
                try:
                    async with locks.locked("room", timeout=30 * UNIT):
                        return None
                except BackendConnectionError as exc:
                    return exc

            started = time.monotonic()
            outcomes = await asyncio.gather(*(attempt() for _ in range(20)))
            elapsed = time.monotonic() - started
        assert all(isinstance(o, BackendConnectionError) for o in outcomes), outcomes
        assert elapsed < 1.5 * UNIT, elapsed
    finally:
        await server.kill()


def test_arguments_are_checked() -> None:
    """expiry and retry_interval must be positive."""
    with pytest.raises(InvalidArgumentError, match="expiry"):
        RedisLockManager(expiry=0)
    with pytest.raises(InvalidArgumentError, match="retry_interval"):
        RedisLockManager(retry_interval=-1)


def test_redis_is_imported_only_when_asked_for() -> None:
    """``import roomkit`` loads no redis; ``from roomkit.locks import RedisLockManager`` does."""
    script = (
        "import sys, roomkit, roomkit.locks\n"
        "assert 'redis' not in sys.modules, 'redis imported eagerly'\n"
        "from roomkit.locks import RedisLockManager\n"
        "assert 'redis' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, env=child_env(), timeout=60)
