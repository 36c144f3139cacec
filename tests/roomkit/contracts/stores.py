"""The store fixture shared by the store contract suites: one store of each backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from roomkit import (
    ChannelBinding,
    ChannelType,
    ConversationStore,
    EventSource,
    Room,
    RoomEvent,
    TextContent,
)
from tests.roomkit.backend_helpers import open_store


def event(room_id: str, body: str, **fields: object) -> RoomEvent:
    source = EventSource(channel_id="ws", channel_type=ChannelType.WEBSOCKET)
    return RoomEvent(room_id=room_id, source=source, content=TextContent(body=body), **fields)


def binding(room_id: str, channel_id: str, kind: ChannelType = ChannelType.SMS) -> ChannelBinding:
    return ChannelBinding(room_id=room_id, channel_id=channel_id, channel_type=kind)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ConversationStore]:
    async with open_store(request.param, tmp_path) as store:
        await store.create_room(Room(id="r", organization_id="org", metadata={"tier": "gold"}))
        yield store
