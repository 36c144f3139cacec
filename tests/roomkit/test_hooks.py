"""BEFORE_BROADCAST / AFTER_BROADCAST hooks: order, block, modify, failures, filters, rooms."""

from __future__ import annotations

import asyncio

from roomkit import (
    ChannelType,
    HookExecution,
    HookResult,
    HookTrigger,
    RoomContext,
    RoomEvent,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from tests.roomkit.conftest import Socket
from tests.roomkit.helpers import text


async def _setup(kit: RoomKit) -> Socket:
    bob = Socket()
    for name in ("ws-a", "ws-b"):
        kit.register_channel(WebSocketChannel(name))
    kit.channels["ws-b"].register_connection("b1", bob)  # type: ignore[attr-defined]
    await kit.create_room("r")
    await kit.attach_channel("r", "ws-a")
    await kit.attach_channel("r", "ws-b")
    return bob


async def test_sync_hooks_run_by_priority_and_can_modify(kit: RoomKit) -> None:
    """Lower priority runs first; a modify replaces the event for later hooks and delivery."""
    bob = await _setup(kit)
    order: list[str] = []

    @kit.hook(HookTrigger.BEFORE_BROADCAST, priority=10, name="second")
    async def second(event: RoomEvent, ctx: RoomContext) -> HookResult:
        order.append(f"second:{event.content.body}")  # type: ignore[union-attr]
        return HookResult.allow()

    @kit.hook(HookTrigger.BEFORE_BROADCAST, priority=1, name="first")
    async def first(event: RoomEvent, ctx: RoomContext) -> HookResult:
        order.append("first")
        return HookResult.modify(event.model_copy(update={"content": TextContent(body="[x]")}))

    result = await kit.process_inbound(text("a", "secret", channel_id="ws-a"))
    assert order == ["first", "second:[x]"]
    assert bob.bodies == ["[x]"]
    assert result.event is not None and result.event.content.body == "[x]"  # type: ignore[union-attr]


async def test_block_stops_broadcast_and_is_stored_as_blocked(kit: RoomKit) -> None:
    """A blocked event reaches nobody, is kept as BLOCKED for audit, and says why."""
    bob = await _setup(kit)
    blocked_events: list[str] = []
    kit.on("event_blocked")(lambda fe: blocked_events.append(fe.data["reason"]))

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="profanity")
    async def profanity(event: RoomEvent, ctx: RoomContext) -> HookResult:
        if "darn" in event.content.body:  # type: ignore[union-attr]
            return HookResult.block("no swearing")
        return HookResult.allow()

    result = await kit.process_inbound(text("a", "darn it", channel_id="ws-a"))
    assert result.blocked and result.reason == "no swearing"
    assert bob.bodies == [] and blocked_events == ["no swearing"]
    stored = await kit.get_timeline("r")
    assert stored[0].status == "blocked" and stored[0].blocked_by == "profanity"


async def test_raising_hook_is_reported_and_event_continues(kit: RoomKit) -> None:
    """A hook that raises is reported (hook_error, ON_ERROR) and the event goes through."""
    bob = await _setup(kit)
    errors: list[str] = []
    on_error: list[str] = []
    kit.on("hook_error")(lambda fe: errors.append(fe.data["hook"]))

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="broken")
    async def broken(event: RoomEvent, ctx: RoomContext) -> HookResult:
        raise RuntimeError("boom")

    @kit.hook(HookTrigger.ON_ERROR)
    async def report(event: RoomEvent, ctx: RoomContext) -> None:
        on_error.append(event.content.code)  # type: ignore[union-attr]

    result = await kit.process_inbound(text("a", "hi", channel_id="ws-a"))
    assert not result.blocked and bob.bodies == ["hi"]
    assert errors == ["broken"] and on_error == ["hook_error"]


async def test_fail_closed_hook_blocks_on_error(kit: RoomKit) -> None:
    """A hook registered fail-closed blocks the event when it fails."""
    bob = await _setup(kit)

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="strict", fail_closed=True)
    async def strict(event: RoomEvent, ctx: RoomContext) -> HookResult:
        raise RuntimeError("policy service down")

    result = await kit.process_inbound(text("a", "hi", channel_id="ws-a"))
    assert result.blocked and "policy service down" in (result.reason or "")
    assert bob.bodies == []


async def test_hanging_hook_times_out_without_stalling_other_rooms(kit: RoomKit) -> None:
    """A hook past its timeout is cut and reported; another room is served meanwhile."""
    bob = await _setup(kit)
    errors: list[str] = []
    kit.on("hook_error")(lambda fe: errors.append(fe.data["error"]))

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="slow", timeout=0.3, channel_ids={"ws-a"})
    async def slow(event: RoomEvent, ctx: RoomContext) -> HookResult:
        await asyncio.sleep(60)
        return HookResult.allow()

    kit.register_channel(WebSocketChannel("ws-other"))
    await kit.create_room("other")
    await kit.attach_channel("other", "ws-other")
    stalled = asyncio.ensure_future(kit.process_inbound(text("a", "slow", channel_id="ws-a")))
    await asyncio.sleep(0.05)
    fast = await asyncio.wait_for(
        kit.process_inbound(text("o", "fast", channel_id="ws-other")), timeout=0.2
    )
    assert fast.event is not None and not stalled.done()
    result = await stalled
    assert result.event is not None and bob.bodies == ["slow"]
    assert errors and "timeout" in errors[0]


async def test_async_hooks_are_fire_and_forget_and_awaited_on_close() -> None:
    """AFTER_BROADCAST hooks don't delay process_inbound; close() waits for them."""
    done: list[str] = []
    gate = asyncio.Event()
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    await kit.create_room("r")
    await kit.attach_channel("r", "ws")

    @kit.hook(HookTrigger.AFTER_BROADCAST, execution=HookExecution.ASYNC)
    async def audit(event: RoomEvent, ctx: RoomContext) -> None:
        await gate.wait()
        done.append(event.id)

    result = await kit.process_inbound(text("a", "hi", channel_id="ws"))
    assert done == [] and kit.hook_engine.pending_tasks == 1
    gate.set()
    await kit.close()
    assert result.event is not None and done == [result.event.id]


async def test_filters_must_all_match(kit: RoomKit) -> None:
    """channel_types, channel_ids and directions all have to match for a hook to run."""
    await _setup(kit)
    calls: list[str] = []

    @kit.hook(HookTrigger.BEFORE_BROADCAST, channel_types={ChannelType.SMS})
    async def sms_only(event: RoomEvent, ctx: RoomContext) -> None:
        calls.append("sms")

    @kit.hook(
        HookTrigger.BEFORE_BROADCAST, channel_types={ChannelType.WEBSOCKET}, channel_ids={"ws-b"}
    )
    async def ws_b_only(event: RoomEvent, ctx: RoomContext) -> None:
        calls.append("ws-b")

    @kit.hook(HookTrigger.BEFORE_BROADCAST, channel_ids={"ws-a"})
    async def ws_a(event: RoomEvent, ctx: RoomContext) -> None:
        calls.append("ws-a")

    await kit.process_inbound(text("a", "x", channel_id="ws-a"))
    assert calls == ["ws-a"]


async def test_hooks_added_or_removed_between_messages_apply_to_the_next_one(
    kit: RoomKit,
) -> None:
    """Which hooks run is decided per message, per sender: a hook registered or removed
    after messages have flowed applies from the next message on, filters included."""
    await _setup(kit)
    calls: list[str] = []
    await kit.process_inbound(text("a", "0", channel_id="ws-a"))
    await kit.process_inbound(text("b", "0", channel_id="ws-b"))

    @kit.hook(HookTrigger.BEFORE_BROADCAST, channel_ids={"ws-b"}, name="from-b")
    async def from_b(event: RoomEvent, ctx: RoomContext) -> None:
        calls.append(f"b:{event.content.body}")  # type: ignore[union-attr]

    for n in ("1", "2"):
        await kit.process_inbound(text("a", n, channel_id="ws-a"))
        await kit.process_inbound(text("b", n, channel_id="ws-b"))
    assert kit.hook_engine.unregister("from-b") is True
    await kit.process_inbound(text("b", "3", channel_id="ws-b"))
    assert calls == ["b:1", "b:2"]


async def test_room_hooks_apply_to_their_room_and_can_be_removed(kit: RoomKit) -> None:
    """add_room_hook scopes a hook to one room; remove_room_hook takes it away."""
    bob = await _setup(kit)

    async def shh(event: RoomEvent, ctx: RoomContext) -> HookResult:
        return HookResult.block("room is quiet")

    kit.add_room_hook("r", HookTrigger.BEFORE_BROADCAST, HookExecution.SYNC, shh, name="quiet")
    assert (await kit.process_inbound(text("a", "1", channel_id="ws-a"))).blocked
    assert kit.remove_room_hook("r", "quiet") is True
    assert kit.remove_room_hook("r", "quiet") is False
    assert not (await kit.process_inbound(text("a", "2", channel_id="ws-a"))).blocked
    assert bob.bodies == ["2"]


async def test_lifecycle_hooks_fire_on_room_and_channel_changes(kit: RoomKit) -> None:
    """ON_ROOM_CREATED and ON_CHANNEL_ATTACHED hooks run with a system event."""
    fired: list[str] = []

    @kit.hook(HookTrigger.ON_ROOM_CREATED)
    async def created(event: RoomEvent, ctx: RoomContext) -> None:
        fired.append(f"created:{ctx.room.id}")

    @kit.hook(HookTrigger.ON_CHANNEL_ATTACHED, execution=HookExecution.ASYNC)
    async def attached(event: RoomEvent, ctx: RoomContext) -> None:
        fired.append(f"attached:{event.content.data['channel_id']}")  # type: ignore[union-attr]

    kit.register_channel(WebSocketChannel("ws"))
    await kit.create_room("lc")
    await kit.attach_channel("lc", "ws")
    await kit.hook_engine.close()
    assert fired == ["created:lc", "attached:ws"]


async def test_hooks_record_tasks_observations_and_inject_events(kit: RoomKit) -> None:
    """A hook's tasks and observations are stored; injected events reach only their targets."""
    from roomkit import (
        ChannelType,
        EventSource,
        InjectedEvent,
        Observation,
        Task,
        TaskStatus,
    )

    bob = await _setup(kit)
    alice_socket = Socket()
    kit.channels["ws-a"].register_connection("a1", alice_socket)  # type: ignore[attr-defined]

    @kit.hook(HookTrigger.BEFORE_BROADCAST)
    async def triage(event: RoomEvent, ctx: RoomContext) -> HookResult:
        notice = RoomEvent(
            room_id=ctx.room.id,
            source=EventSource(channel_id="triage", channel_type=ChannelType.SYSTEM),
            content=TextContent(body="An agent will reply soon"),
        )
        return HookResult(
            action="allow",
            tasks=[Task(room_id=ctx.room.id, title="Call back")],
            observations=[Observation(room_id=ctx.room.id, channel_id="triage", content="urgent")],
            injected_events=[InjectedEvent(event=notice, target_channel_ids=["ws-a"])],
        )

    await kit.process_inbound(text("a", "help!", channel_id="ws-a"))
    tasks = await kit.list_tasks("r")
    assert [t.title for t in tasks] == ["Call back"]
    assert await kit.list_tasks("r", status=TaskStatus.COMPLETED) == []
    assert [o.content for o in await kit.list_observations("r")] == ["urgent"]
    assert alice_socket.bodies == ["An agent will reply soon"]
    assert bob.bodies == ["help!"]
    assert [e.index for e in await kit.get_timeline("r")] == [1, 2]


async def test_hooks_see_the_newest_events_oldest_first(kit: RoomKit) -> None:
    """ctx.recent_events holds the room's newest events in index order, not its oldest."""
    await _setup(kit)
    for i in range(60):
        await kit.process_inbound(text("a", f"m{i}", channel_id="ws-a"))
    seen: list[list[int]] = []

    @kit.hook(HookTrigger.BEFORE_BROADCAST)
    async def look(event: RoomEvent, ctx: RoomContext) -> None:
        seen.append([e.index for e in ctx.recent_events])

    await kit.process_inbound(text("a", "latest", channel_id="ws-a"))
    assert seen == [list(range(11, 61))]


async def test_hooks_see_events_as_stored_whatever_the_caller_did_with_them(
    kit: RoomKit,
) -> None:
    """The newest events a context carries are copies: changing the event process_inbound
    returned (its fields, its source, its content, its metadata) does not change them."""
    await _setup(kit)
    first = await kit.process_inbound(text("a", "one", channel_id="ws-a"))
    assert first.event is not None
    first.event.metadata["mine"] = True
    first.event.source.participant_id = "someone else"
    first.event.content.body = "rewritten"  # type: ignore[union-attr]
    first.event.parent_event_id = "changed"
    seen: list[RoomEvent] = []

    @kit.hook(HookTrigger.BEFORE_BROADCAST)
    async def look(event: RoomEvent, ctx: RoomContext) -> None:
        seen.extend(ctx.recent_events)

    await kit.process_inbound(text("a", "two", channel_id="ws-a"))
    stored = await kit.store.get_event(first.event.id)
    assert stored is not None and seen[0] == stored
    assert seen[0].metadata == {} and seen[0].parent_event_id is None
    assert seen[0].source.participant_id == "a" and seen[0].content.body == "one"  # type: ignore[union-attr]
    assert "parent_event_id" not in seen[0].model_dump(exclude_unset=True)


async def test_each_event_in_a_context_keeps_its_own_sender(kit: RoomKit) -> None:
    """Several senders on several channels, some with a payload of their own: every event
    a context carries has exactly the source the store holds for it."""
    await _setup(kit)
    for i in range(12):
        sender, channel = ("alice", "ws-a") if i % 3 else ("bob", "ws-b")
        await kit.process_inbound(
            text(sender, f"m{i}", channel_id=channel, external_id=f"x{i % 2}")
        )
    seen: list[RoomEvent] = []

    @kit.hook(HookTrigger.BEFORE_BROADCAST)
    async def look(event: RoomEvent, ctx: RoomContext) -> None:
        seen[:] = ctx.recent_events

    await kit.process_inbound(text("carol", "last", channel_id="ws-a"))
    stored = await kit.get_timeline("r", limit=12)
    assert [e.source for e in seen] == [e.source for e in stored]
    assert [e.source.participant_id for e in seen][:3] == ["bob", "alice", "alice"]
    assert {e.source.external_id for e in seen} == {"x0", "x1"}
    assert seen == stored


async def test_a_caller_that_never_waits_lets_async_hooks_run_as_it_goes() -> None:
    """A tight loop of process_inbound on in-memory backends (nothing in it ever waits)
    does not pile up AFTER_BROADCAST runs: they run while the loop goes on, every one."""
    ran: list[int] = []
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    await kit.create_room("r")
    await kit.attach_channel("r", "ws")

    @kit.hook(HookTrigger.AFTER_BROADCAST, execution=HookExecution.ASYNC)
    async def count(event: RoomEvent, ctx: RoomContext) -> None:
        ran.append(event.index)

    most_pending = 0
    for i in range(3000):
        await kit.process_inbound(text("a", f"m{i}", channel_id="ws"))
        most_pending = max(most_pending, kit.hook_engine.pending_tasks)
    assert len(ran) > 2000  # they ran during the loop, not all at close
    assert most_pending <= 200  # bounded, not one run per message sent
    await kit.close()
    assert sorted(ran) == list(range(1, 3001))
