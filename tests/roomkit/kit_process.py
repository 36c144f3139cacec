"""A RoomKit in its own OS process, for the multi-process and crash tests.

Run as ``python -m tests.roomkit.kit_process MODE STORE REDIS PREFIX ROOM TAG COUNT``:

* STORE is ``sqlite:PATH`` or ``postgres:SCHEMA`` (on the test server's DSN).
* The kit uses RedisLockManager (keys under PREFIX, 2 s expiry) and RedisRealtime.

It writes ``ready`` once set up, waits for a line on stdin, then runs MODE:

* ``send``: COUNT messages ``TAG-0`` … from channel ``ws-TAG``; after each
  ``process_inbound`` returns it writes ``ok BODY INDEX``.
* ``dup``: COUNT messages with idempotency keys ``dup-0`` …, 8 at a time.
* ``listen``: subscribes to the room's ephemeral events and writes each one's type and
  user as ``ephemeral TYPE USER`` (after ``subscribed``).
* ``type``: publishes one typing event for user TAG.

and writes ``done`` at the end.
"""

from __future__ import annotations

import asyncio
import sys

from roomkit import (
    ConversationStore,
    EphemeralEvent,
    InboundMessage,
    PostgresStore,
    RedisLockManager,
    RedisRealtime,
    RoomKit,
    SQLiteStore,
    TextContent,
    WebSocketChannel,
)
from tests.conftest import POSTGRES_DSN


def _store(spec: str) -> ConversationStore:
    kind, _, where = spec.partition(":")
    if kind == "sqlite":
        return SQLiteStore(where)
    return PostgresStore(POSTGRES_DSN, schema=where)


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def main(mode: str, store: str, redis: str, prefix: str, room: str, tag: str, n: int) -> None:
    kit = RoomKit(
        store=_store(store),
        lock_manager=RedisLockManager(redis, key_prefix=prefix, expiry=2.0),
        realtime=RedisRealtime(redis, channel_prefix=prefix + "rt:"),
    )
    kit.register_channel(WebSocketChannel(f"ws-{tag}"))
    if mode == "listen":

        async def show(event: EphemeralEvent) -> None:
            say(f"ephemeral {event.type} {event.user_id}")

        await kit.subscribe_room(room, show)
        say("subscribed")
    say("ready")
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    if mode == "send":
        for i in range(n):
            body = f"{tag}-{i}"
            message = InboundMessage(
                channel_id=f"ws-{tag}", sender_id=tag, content=TextContent(body=body)
            )
            result = await kit.process_inbound(message, room_id=room)
            assert result.event is not None
            say(f"ok {body} {result.event.index}")
    elif mode == "dup":
        await _duplicates(kit, room, tag, n)
    elif mode == "type":
        await kit.publish_typing(room, tag)
    elif mode == "listen":
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    say("done")
    await kit.close()


async def _duplicates(kit: RoomKit, room: str, tag: str, n: int) -> None:
    async def one(i: int) -> None:
        message = InboundMessage(
            channel_id=f"ws-{tag}",
            sender_id=tag,
            content=TextContent(body=f"dup-{i} from {tag}"),
            idempotency_key=f"dup-{i}",
        )
        await kit.process_inbound(message, room_id=room)

    for start in range(0, n, 8):
        await asyncio.gather(*(one(i) for i in range(start, min(n, start + 8))))


if __name__ == "__main__":
    mode, store, redis, prefix, room, tag, count = sys.argv[1:8]
    asyncio.run(main(mode, store, redis, prefix, room, tag, int(count)))
