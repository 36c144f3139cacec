"""Typing, presence and read receipts through the kit: published in order, never stored."""

from __future__ import annotations

import asyncio

import pytest

from roomkit import EphemeralEvent, EphemeralEventType, InvalidArgumentError, RoomKit


async def test_typing_presence_and_receipts_reach_subscribers_in_order(kit: RoomKit) -> None:
    """Subscribers of a room get its ephemeral events in publish order; others get none."""
    await kit.create_room("r")
    await kit.create_room("elsewhere")
    got: list[EphemeralEvent] = []
    other: list[EphemeralEvent] = []

    async def on_event(event: EphemeralEvent) -> None:
        got.append(event)

    async def on_other(event: EphemeralEvent) -> None:
        other.append(event)

    sub = await kit.subscribe_room("r", on_event)
    await kit.subscribe_room("elsewhere", on_other)
    await kit.publish_typing("r", "alice")
    await kit.publish_presence("r", "alice", "away")
    await kit.publish_read_receipt("r", "alice", "evt-1")
    await kit.publish_typing("r", "alice", is_typing=False)
    for _ in range(50):
        if len(got) == 4:
            break
        await asyncio.sleep(0.01)
    assert [e.type for e in got] == [
        EphemeralEventType.TYPING_START,
        EphemeralEventType.PRESENCE_AWAY,
        EphemeralEventType.READ_RECEIPT,
        EphemeralEventType.TYPING_STOP,
    ]
    assert all(e.room_id == "r" and e.user_id == "alice" for e in got)
    assert got[2].data["event_id"] == "evt-1"
    assert other == []
    assert await kit.store.get_event_count("r") == 0  # nothing ephemeral is stored
    assert await kit.unsubscribe_room(sub) is True
    assert await kit.unsubscribe_room(sub) is False


async def test_unknown_presence_status_is_refused(kit: RoomKit) -> None:
    """Presence is online, away or offline; anything else is an InvalidArgumentError."""
    with pytest.raises(InvalidArgumentError, match="busy"):
        await kit.publish_presence("r", "alice", "busy")
