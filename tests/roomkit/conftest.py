"""Fixtures for the pipeline tests: a kit with a WebSocket channel and recording sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from roomkit import RoomEvent, RoomKit, WebSocketChannel


class Socket:
    """A WebSocket connection's send function that records what it was sent."""

    def __init__(self) -> None:
        self.received: list[RoomEvent] = []

    async def __call__(self, connection_id: str, event: RoomEvent) -> None:
        self.received.append(event)

    @property
    def bodies(self) -> list[str]:
        return [getattr(e.content, "body", "") for e in self.received]


@pytest.fixture
async def kit() -> AsyncIterator[RoomKit]:
    async with RoomKit() as kit:
        yield kit


@pytest.fixture
async def ws(kit: RoomKit) -> WebSocketChannel:
    channel = WebSocketChannel("ws")
    kit.register_channel(channel)
    return channel


@pytest.fixture
def socket() -> Socket:
    return Socket()
