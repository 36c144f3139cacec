"""Room timers, in every store: idle rooms pause, then close; events move the idle clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from roomkit import (
    HookExecution,
    HookTrigger,
    RoomContext,
    RoomEvent,
    RoomKit,
    RoomStatus,
    WebSocketChannel,
)
from roomkit.models.room import RoomTimers
from tests.roomkit.backend_helpers import open_store
from tests.roomkit.helpers import text


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def kit(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[RoomKit]:
    async with open_store(request.param, tmp_path) as store:
        kit = RoomKit(store=store)
        kit.register_channel(WebSocketChannel("ws"))
        yield kit
        await kit.close()


async def _set_timers(kit: RoomKit, room_id: str, idle_for: float, **thresholds: int) -> None:
    room = await kit.get_room(room_id)
    since = datetime.now(UTC) - timedelta(seconds=idle_for)
    timers = RoomTimers(last_activity_at=since, **thresholds)
    await kit.store.update_room(room.model_copy(update={"timers": timers}))


async def test_idle_room_pauses_then_closes(kit: RoomKit) -> None:
    """Past inactive_after_seconds: PAUSED (hook runs); past closed_after_seconds: CLOSED."""
    paused: list[str] = []

    @kit.hook(HookTrigger.ON_ROOM_PAUSED, execution=HookExecution.ASYNC)
    async def on_paused(event: RoomEvent, ctx: RoomContext) -> None:
        paused.append(ctx.room.id)

    await kit.create_room("r1")
    await _set_timers(kit, "r1", 120, inactive_after_seconds=60, closed_after_seconds=600)
    assert (await kit.check_room_timers("r1")).status is RoomStatus.PAUSED
    assert (await kit.get_room("r1")).status is RoomStatus.PAUSED
    await _set_timers(kit, "r1", 700, inactive_after_seconds=60, closed_after_seconds=600)
    closed = await kit.check_room_timers("r1")
    assert closed.status is RoomStatus.CLOSED and closed.closed_at is not None
    assert (await kit.get_room("r1")).status is RoomStatus.CLOSED
    await kit.hook_engine.close()
    assert paused == ["r1"]


async def test_close_threshold_supersedes_pause(kit: RoomKit) -> None:
    await kit.create_room("r1")
    await _set_timers(kit, "r1", 700, inactive_after_seconds=60, closed_after_seconds=600)
    assert (await kit.check_room_timers("r1")).status is RoomStatus.CLOSED


async def test_an_event_moves_the_idle_clock(kit: RoomKit) -> None:
    """A message into an idle room resets last_activity_at (persisted): it stays active."""
    await kit.create_room("r1")
    await kit.attach_channel("r1", "ws")
    await _set_timers(kit, "r1", 120, inactive_after_seconds=60)
    result = await kit.process_inbound(text("u", "still here", channel_id="ws"))
    assert result.event is not None
    room = await kit.get_room("r1")
    assert room.timers.last_activity_at == result.event.created_at
    assert (await kit.check_room_timers("r1")).status is RoomStatus.ACTIVE


async def test_check_all_timers_returns_the_rooms_that_changed(kit: RoomKit) -> None:
    for room_id in ("idle", "busy", "plain"):
        await kit.create_room(room_id)
    await _set_timers(kit, "idle", 120, inactive_after_seconds=60)
    await _set_timers(kit, "busy", 10, inactive_after_seconds=60)
    changed = await kit.check_all_timers()
    assert [(r.id, r.status) for r in changed] == [("idle", RoomStatus.PAUSED)]
    assert (await kit.get_room("busy")).status is RoomStatus.ACTIVE
