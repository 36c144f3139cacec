"""Two kits (as two processes would) on one PostgreSQL schema and one Redis: a binding
change made through one — attach, access, mute, detach — steers the other's very next
message, not one after its 5 s room-state cache has lapsed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from roomkit import Access, PostgresStore, RedisRealtime, RoomKit, WebSocketChannel
from tests.conftest import UNIT, fresh_pg_schema
from tests.roomkit.conftest import Socket
from tests.roomkit.helpers import text

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

# Well inside the 5 s cache: the change must arrive by invalidation, not by expiry.
PROPAGATION = 0.5 * UNIT


@pytest.fixture
async def kits(postgres_dsn: str, redis_url: str) -> AsyncIterator[tuple[RoomKit, RoomKit]]:
    """Kit ``writer`` posts, kit ``admin`` changes bindings; each has its own cache."""
    prefix = f"test:{uuid.uuid4().hex}:"
    async with fresh_pg_schema(postgres_dsn) as schema:
        made = [
            RoomKit(
                store=PostgresStore(postgres_dsn, schema=schema),
                realtime=RedisRealtime(redis_url, channel_prefix=prefix),
            )
            for _ in range(2)
        ]
        try:
            yield made[0], made[1]
        finally:
            for kit in made:
                await kit.close()
                await kit.store.close()


def sockets(kit: RoomKit, *names: str) -> list[Socket]:
    recorded = []
    for name in names:
        channel, socket = WebSocketChannel(name), Socket()
        kit.register_channel(channel)
        channel.register_connection(f"{name}-1", socket)
        recorded.append(socket)
    return recorded


async def post(kit: RoomKit, body: str) -> bool:
    """Post from ``ws-ann`` into room ``r``; whether it was let in."""
    result = await kit.process_inbound(text("ann", body, channel_id="ws-ann"), room_id="r")
    return not result.blocked


async def test_binding_changes_through_one_kit_steer_the_others_next_message(
    kits: tuple[RoomKit, RoomKit],
) -> None:
    writer, admin = kits
    _, bob = sockets(writer, "ws-ann", "ws-bob")
    sockets(admin, "ws-ann", "ws-bob")
    await writer.create_room("r")
    await writer.attach_channel("r", "ws-ann")
    assert await post(writer, "one")  # the writer caches the room: ann alone

    await admin.attach_channel("r", "ws-bob")
    await asyncio.sleep(PROPAGATION)
    assert await post(writer, "two")
    assert bob.bodies == ["two"]

    await admin.set_access("r", "ws-bob", Access.NONE)
    await asyncio.sleep(PROPAGATION)
    assert await post(writer, "three")
    assert bob.bodies == ["two"]

    await admin.set_access("r", "ws-bob", Access.READ_WRITE)
    await admin.mute("r", "ws-ann")
    await asyncio.sleep(PROPAGATION)
    assert not await post(writer, "four")  # a muted channel's message is dropped

    await admin.unmute("r", "ws-ann")
    await admin.detach_channel("r", "ws-bob")
    await asyncio.sleep(PROPAGATION)
    assert await post(writer, "five")
    assert bob.bodies == ["two"]
