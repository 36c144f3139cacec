"""The documented RoomKit methods, judged by what a user sees: stored, delivered, published."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from roomkit import (
    ChannelNotFoundError,
    ChannelType,
    EphemeralEvent,
    EphemeralEventType,
    HookExecution,
    HookResult,
    HookTrigger,
    IdentificationStatus,
    Identity,
    IdentityNotFoundError,
    InMemoryLockManager,
    InvalidArgumentError,
    ParticipantNotFoundError,
    RoomContext,
    RoomKit,
    RoomNotFoundError,
    SMSChannel,
    WebSocketChannel,
)
from roomkit.models.delivery import DeliveryStatus
from roomkit.models.policy import RateLimit, RetryPolicy
from roomkit.providers.sms.mock import MockSMSProvider
from tests.roomkit.helpers import text


async def _sms_room(kit: RoomKit, room_id: str = "r1") -> MockSMSProvider:
    provider = MockSMSProvider()
    kit.register_channel(SMSChannel("sms", provider=provider))
    await kit.create_room(room_id)
    return provider


async def test_constructor_keeps_the_voice_and_agent_collaborators() -> None:
    """What the later layers will use is kept and shown, not dropped."""
    stt, tts, voice, runner, strategy, telemetry = (object() for _ in range(6))
    locks = InMemoryLockManager()
    kit = RoomKit(
        lock_manager=locks,
        stt=stt,
        tts=tts,
        voice=voice,
        task_runner=runner,
        delivery_strategy=strategy,
        telemetry=telemetry,
    )
    assert (kit.stt, kit.tts, kit.voice, kit.task_runner) == (stt, tts, voice, runner)
    assert (kit.delivery_strategy, kit.telemetry) == (strategy, telemetry)
    assert kit.lock_manager is locks
    await kit.close()


async def test_attach_channel_keywords_land_on_the_binding(kit: RoomKit) -> None:
    """metadata, participant_id, rate_limit, retry_policy and channel_type are stored."""
    await _sms_room(kit)
    limit, retry = RateLimit(max_per_second=2.0), RetryPolicy(max_retries=1)
    await kit.attach_channel(
        "r1",
        "sms",
        ChannelType.WHATSAPP,
        metadata={"phone_number": "+15550100"},
        participant_id="p1",
        rate_limit=limit,
        retry_policy=retry,
    )
    binding = await kit.get_binding("r1", "sms")
    assert binding.channel_type is ChannelType.WHATSAPP
    assert binding.metadata["phone_number"] == "+15550100"
    assert (binding.participant_id, binding.rate_limit, binding.retry_policy) == (
        "p1",
        limit,
        retry,
    )
    assert [b.channel_id for b in await kit.list_bindings("r1")] == ["sms"]


async def test_attach_channel_refuses_an_unknown_keyword(kit: RoomKit) -> None:
    """A misspelt keyword is an error, not silently dropped; nothing is attached."""
    await _sms_room(kit)
    with pytest.raises(InvalidArgumentError, match="metdata"):
        await kit.attach_channel("r1", "sms", metdata={"a": 1})
    assert await kit.list_bindings("r1") == []


async def test_bindings_of_unknown_rooms_and_channels_are_typed_errors(kit: RoomKit) -> None:
    await _sms_room(kit)
    with pytest.raises(ChannelNotFoundError):
        await kit.get_binding("r1", "sms")
    with pytest.raises(RoomNotFoundError):
        await kit.list_bindings("nope")


async def test_list_channels_and_channels_property(kit: RoomKit) -> None:
    ws = WebSocketChannel("ws")
    kit.register_channel(ws)
    await _sms_room(kit)
    assert [c.channel_id for c in kit.list_channels()] == ["ws", "sms"]
    assert kit.channels["ws"] is ws and kit.get_channel("nope") is None


async def test_update_binding_metadata_merges_and_persists(kit: RoomKit) -> None:
    await _sms_room(kit)
    await kit.attach_channel("r1", "sms", metadata={"a": 1, "b": 2})
    updated = await kit.update_binding_metadata("r1", "sms", {"b": 3, "c": 4})
    assert {"a": 1, "b": 3, "c": 4}.items() <= updated.metadata.items()
    stored = await kit.store.get_binding("r1", "sms")
    assert stored is not None and stored.metadata == updated.metadata


async def test_update_room_metadata_merges_and_persists(kit: RoomKit) -> None:
    await kit.create_room("r1", metadata={"tier": "gold", "x": 1})
    room = await kit.update_room_metadata("r1", {"x": 2})
    assert room.metadata == {"tier": "gold", "x": 2}
    assert (await kit.get_room("r1")).metadata == {"tier": "gold", "x": 2}
    with pytest.raises(RoomNotFoundError):
        await kit.update_room_metadata("nope", {})


async def test_tool_calls_reactions_and_typing_data_are_published(kit: RoomKit) -> None:
    """Subscribers of the room receive each, in order, with the documented data."""
    seen: list[EphemeralEvent] = []

    async def record(event: EphemeralEvent) -> None:
        seen.append(event)

    await kit.subscribe_room("r1", record)
    calls = [{"name": "lookup", "arguments": {"q": "x"}}]
    await kit.publish_tool_call("r1", "ai", calls)
    await kit.publish_tool_call("r1", "ai", calls, EphemeralEventType.TOOL_CALL_END, duration_ms=12)
    await kit.publish_reaction("r1", "ann", "evt-1", "👍")
    await kit.publish_typing("r1", "ann", data={"name": "Ann"})
    for _ in range(20):
        if len(seen) == 4:
            break
        await asyncio.sleep(0.01)
    assert [e.type for e in seen] == [
        EphemeralEventType.TOOL_CALL_START,
        EphemeralEventType.TOOL_CALL_END,
        EphemeralEventType.REACTION,
        EphemeralEventType.TYPING_START,
    ]
    assert seen[0].data == {"tool_calls": calls} and seen[0].channel_id == "ai"
    assert seen[1].data["duration_ms"] == 12
    assert seen[2].data == {"target_event_id": "evt-1", "emoji": "👍", "action": "add"}
    assert seen[3].data == {"name": "Ann"}
    with pytest.raises(InvalidArgumentError):
        await kit.publish_reaction("r1", "ann", "evt-1", "👍", action="toggle")


async def test_delivery_status_reaches_handlers_and_hooks(kit: RoomKit) -> None:
    """process_delivery_status runs decorated handlers and the room's ON_DELIVERY_STATUS hooks
    with the DeliveryStatus, even when one handler raises."""
    await _sms_room(kit)
    handled: list[str] = []
    hooked: list[tuple[str, str]] = []

    @kit.on_delivery_status
    def broken(status: DeliveryStatus) -> None:
        raise RuntimeError("handler bug")

    @kit.on_delivery_status
    async def track(status: DeliveryStatus) -> None:
        handled.append(status.status)

    @kit.hook(HookTrigger.ON_DELIVERY_STATUS, execution=HookExecution.ASYNC)
    async def hook(status: Any, ctx: RoomContext) -> None:
        hooked.append((status.message_id, ctx.room.id))

    status = DeliveryStatus(
        room_id="r1", channel_id="sms", provider="mock", message_id="m1", status="delivered"
    )
    await kit.process_delivery_status(status)
    assert handled == ["delivered"] and hooked == [("m1", "r1")]


async def test_inbound_rate_limit_refuses_and_stores_nothing() -> None:
    """Beyond the limit a message is refused with reason "rate_limited", per channel."""
    async with RoomKit(inbound_rate_limit=RateLimit(max_per_minute=2)) as kit:
        kit.register_channel(WebSocketChannel("ws"))
        kit.register_channel(WebSocketChannel("ws2"))
        await kit.create_room("r1")
        await kit.attach_channel("r1", "ws")
        await kit.attach_channel("r1", "ws2")
        results = [await kit.process_inbound(text("u", f"m{i}", channel_id="ws")) for i in range(3)]
        assert [r.blocked for r in results] == [False, False, True]
        assert results[2].reason == "rate_limited" and results[2].event is None
        other = await kit.process_inbound(text("u", "hi", channel_id="ws2"))
        assert not other.blocked
        assert [e.content.body for e in await kit.get_timeline("r1")] == ["m0", "m1", "hi"]  # type: ignore[union-attr]


async def test_ensure_participant_creates_once(kit: RoomKit) -> None:
    await _sms_room(kit)
    first = await kit.ensure_participant("r1", "sms", "p1", display_name="Ann")
    again = await kit.ensure_participant("r1", "sms", "p1", display_name="Other")
    assert first.identification is IdentificationStatus.PENDING
    assert again.display_name == "Ann"
    assert [p.id for p in await kit.store.list_participants("r1")] == ["p1"]


async def test_resolve_participant_identifies_or_refuses(kit: RoomKit) -> None:
    await _sms_room(kit)
    with pytest.raises(ParticipantNotFoundError):
        await kit.resolve_participant("r1", "p1", "id-1")
    await kit.ensure_participant("r1", "sms", "p1")
    with pytest.raises(IdentityNotFoundError):
        await kit.resolve_participant("r1", "p1", "id-1")
    await kit.store.create_identity(Identity(id="id-1", display_name="Ann"))
    resolved = await kit.resolve_participant("r1", "p1", "id-1")
    stored = await kit.store.get_participant("r1", "p1")
    assert stored is not None and stored.identification is IdentificationStatus.IDENTIFIED
    assert (stored.identity_id, stored.resolved_by) == ("id-1", "manual")
    assert resolved.display_name == "Ann"


async def test_hook_engine_public_runs(kit: RoomKit) -> None:
    """run_sync_hooks stops at a block; run_async_hooks waits and honours name prefixes."""
    await _sms_room(kit)
    ran: list[str] = []

    @kit.hook(HookTrigger.ON_ERROR, name="first")
    async def first(event: Any, ctx: RoomContext) -> HookResult:
        ran.append("first")
        return HookResult.block("no")

    @kit.hook(HookTrigger.ON_ERROR, priority=1, name="second")
    async def second(event: Any, ctx: RoomContext) -> None:
        ran.append("second")

    for name in ("audit.a", "audit.b", "other"):

        async def record(event: Any, ctx: RoomContext, name: str = name) -> None:
            ran.append(name)

        kit.add_room_hook("r1", HookTrigger.ON_ERROR, HookExecution.ASYNC, record, name=name)

    context = RoomContext(room=await kit.get_room("r1"))
    engine = kit.hook_engine
    outcome = await engine.run_sync_hooks("r1", HookTrigger.ON_ERROR, object(), context)
    assert outcome.blocked and ran == ["first"]
    await engine.run_async_hooks(
        "r1",
        HookTrigger.ON_ERROR,
        object(),
        context,
        name_prefix="audit",
        exclude_name_prefix="audit.b",
    )
    assert ran == ["first", "audit.a"]


async def test_detach_channel_says_whether_it_was_attached(kit: RoomKit) -> None:
    await _sms_room(kit)
    await kit.attach_channel("r1", "sms")
    assert await kit.detach_channel("r1", "sms") is True
    assert await kit.detach_channel("r1", "sms") is False
    assert await kit.list_bindings("r1") == []
    with pytest.raises(RoomNotFoundError):
        await kit.detach_channel("nope", "sms")


async def test_send_event_takes_the_documented_arguments(kit: RoomKit) -> None:
    """participant_id and provider land on the event's source; positional as documented."""
    await _sms_room(kit)
    await kit.attach_channel("r1", "sms", participant_id="bound")
    from roomkit import EventType, TextContent

    event = await kit.send_event(
        "r1", "sms", TextContent(body="hi"), EventType.MESSAGE, 0, "ann", {"k": 1}, "all", "acme"
    )
    assert (event.source.participant_id, event.source.provider) == ("ann", "acme")
    assert event.metadata == {"k": 1}
    stored = await kit.store.get_event(event.id)
    assert stored is not None and stored.source.participant_id == "ann"


async def test_create_room_takes_metadata_positionally(kit: RoomKit) -> None:
    room = await kit.create_room("r1", {"tier": "gold"})
    assert (await kit.get_room(room.id)).metadata == {"tier": "gold"}
