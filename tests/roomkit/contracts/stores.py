"""The store fixture shared by the store contract suites: one store of each backend."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from roomkit import (
    ChannelBinding,
    ChannelType,
    ConversationStore,
    EventSource,
    InMemoryStore,
    PostgresStore,
    Room,
    RoomEvent,
    SQLiteStore,
    TextContent,
)
from tests.conftest import POSTGRES_DSN, fresh_pg_schema, require_service


def event(room_id: str, body: str, **fields: object) -> RoomEvent:
    source = EventSource(channel_id="ws", channel_type=ChannelType.WEBSOCKET)
    return RoomEvent(room_id=room_id, source=source, content=TextContent(body=body), **fields)


def binding(room_id: str, channel_id: str, kind: ChannelType = ChannelType.SMS) -> ChannelBinding:
    return ChannelBinding(room_id=room_id, channel_id=channel_id, channel_type=kind)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ConversationStore]:
    async with contextlib.AsyncExitStack() as stack:
        store: ConversationStore
        if request.param == "memory":
            store = InMemoryStore()
        elif request.param == "sqlite":
            store = SQLiteStore(tmp_path / "roomkit.db")
        else:
            require_service("PostgreSQL", 5432)
            schema = await stack.enter_async_context(fresh_pg_schema())
            store = PostgresStore(POSTGRES_DSN, schema=schema)
        stack.push_async_callback(store.close)
        await store.create_room(Room(id="r", organization_id="org", metadata={"tier": "gold"}))
        yield store
