"""What the per-process room-state cache saves on PostgreSQL: messages/s through one room
with the cache (5 s, invalidated across processes over Redis) and without it (every
message reads the room, its bindings and participants). Runs alternate, on fresh schemas.
Prints one JSON line.

Usage: python bench/room_cache.py [--messages N] [--runs N] [--dsn DSN] [--redis URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent)]

from tests.conftest import POSTGRES_DSN, REDIS_URL, fresh_pg_schema  # noqa: E402

from roomkit import (  # noqa: E402 - after the path above
    InboundMessage,
    PostgresStore,
    RedisRealtime,
    RoomKit,
    TextContent,
    WebSocketChannel,
)


async def run(dsn: str, redis: str, messages: int, ttl: float) -> float:
    async with fresh_pg_schema(dsn) as schema:
        kit = RoomKit(
            store=PostgresStore(dsn, schema=schema),
            realtime=RedisRealtime(redis, channel_prefix=f"bench:{uuid.uuid4().hex}:"),
        )
        kit._rooms._ttl = ttl  # noqa: SLF001 - the knob under measurement
        await kit.create_room("r")
        for name in ("ann", "bob", "cy"):
            channel = WebSocketChannel(name)
            kit.register_channel(channel)
            channel.register_connection(f"{name}-1", _ignore)
            await kit.attach_channel("r", name)
        started = time.perf_counter()
        for number in range(messages):
            body = TextContent(body=f"m{number}")
            message = InboundMessage(channel_id="ann", sender_id="ann", content=body)
            await kit.process_inbound(message, room_id="r")
        elapsed = time.perf_counter() - started
        await kit.close()
        await kit.store.close()
        return messages / elapsed


async def _ignore(connection_id: str, event: object) -> None:
    return None


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dsn", default=POSTGRES_DSN)
    parser.add_argument("--redis", default=REDIS_URL)
    args = parser.parse_args()
    cached, uncached = [], []
    for _ in range(args.runs):
        cached.append(await run(args.dsn, args.redis, args.messages, 5.0))
        uncached.append(await run(args.dsn, args.redis, args.messages, 0.0))
    print(json.dumps({
        "cached_msgs_per_s": round(statistics.median(cached)),
        "uncached_msgs_per_s": round(statistics.median(uncached)),
    }))  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
