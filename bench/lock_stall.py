"""How long a room stalls when the process holding its Redis lock is SIGKILLed.

Each trial starts a child process that takes the room's lock over and over (holding it
50 ms each time, as a busy sender would) with the default lease, lets it run for a random
0.5-2 s, SIGKILLs it, and measures how long this process then waits for the room's lock.
Prints one JSON line: the longest and median stall over the trials (target: longest ≤ 3 s).

Usage: python bench/lock_stall.py [--trials N] [--redis URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

from roomkit.locks.redis import DEFAULT_LEASE, RedisLockManager

SRC = Path(__file__).resolve().parent.parent / "src"  # this checkout's roomkit, in the child

BUSY = """
import asyncio, sys
from roomkit.locks.redis import RedisLockManager

async def main(url, prefix, room):
    manager = RedisLockManager(url, key_prefix=prefix)
    while True:
        async with manager.locked(room):
            print("held", flush=True)
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.001)

asyncio.run(main(*sys.argv[1:4]))
"""


async def trial(url: str, prefix: str, room: str, manager: RedisLockManager) -> float:
    """Seconds the room stayed locked after its busy holder was killed."""
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", BUSY, url, prefix, room, stdout=asyncio.subprocess.PIPE, env=env
    )
    assert child.stdout is not None
    await child.stdout.readline()  # it holds the lock now
    await asyncio.sleep(random.uniform(0.5, 2.0))
    child.kill()
    killed = time.monotonic()
    await child.wait()
    async with manager.locked(room, timeout=60):
        return time.monotonic() - killed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    stalls = []
    prefix = f"bench:{uuid.uuid4().hex}:"
    async with RedisLockManager(args.redis, key_prefix=prefix) as manager:
        for number in range(args.trials):
            stalls.append(await trial(args.redis, prefix, f"room{number}", manager))
    figures = {
        "lease_s": DEFAULT_LEASE,
        "trials": len(stalls),
        "longest_stall_s": round(max(stalls), 3),
        "median_stall_s": round(statistics.median(stalls), 3),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
