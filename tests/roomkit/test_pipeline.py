"""process_inbound end to end: routing, storing, fan-out, idempotency and ordering."""

from __future__ import annotations

import asyncio

import pytest

from roomkit import (
    Access,
    ChannelNotFoundError,
    ChannelNotRegisteredError,
    EventStatus,
    InvalidArgumentError,
    RoomClosedError,
    RoomExistsError,
    RoomKit,
    RoomNotFoundError,
    TextContent,
    WebSocketChannel,
)
from tests.roomkit.conftest import Socket
from tests.roomkit.helpers import EchoBot, text


async def _room_with_two_sockets(kit: RoomKit) -> tuple[Socket, Socket]:
    alice, bob = Socket(), Socket()
    for name, sock in (("ws-alice", alice), ("ws-bob", bob)):
        channel = WebSocketChannel(name)
        kit.register_channel(channel)
        channel.register_connection(f"{name}-1", sock)
    await kit.create_room("r1")
    await kit.attach_channel("r1", "ws-alice")
    await kit.attach_channel("r1", "ws-bob")
    return alice, bob


async def test_message_is_stored_and_reaches_the_other_channel(kit: RoomKit) -> None:
    """An inbound message is stored with index 1 and delivered to the other binding only."""
    alice, bob = await _room_with_two_sockets(kit)
    result = await kit.process_inbound(text("alice", "hello", channel_id="ws-alice"))
    assert not result.blocked and result.event is not None
    assert result.event.index == 1 and result.event.status is EventStatus.DELIVERED
    assert bob.bodies == ["hello"] and alice.bodies == []
    timeline = await kit.get_timeline("r1")
    assert [e.id for e in timeline] == [result.event.id]


async def test_returned_events_stay_ordinary_models(kit: RoomKit) -> None:
    """The event process_inbound returns can be changed like any pydantic model, and doing
    so changes neither the stored event nor the next message's context."""
    await _room_with_two_sockets(kit)
    first = await kit.process_inbound(text("alice", "one", channel_id="ws-alice"))
    second = await kit.process_inbound(text("alice", "two", channel_id="ws-alice"))
    assert first.event is not None and second.event is not None
    first.event.parent_event_id = "changed"
    first.event.metadata["note"] = "mine"
    assert "parent_event_id" in first.event.model_fields_set
    assert "parent_event_id" not in second.event.model_dump(exclude_unset=True)
    stored = await kit.store.get_event(first.event.id)
    assert stored is not None and stored.parent_event_id is None and stored.metadata == {}
    third = await kit.process_inbound(text("alice", "three", channel_id="ws-alice"))
    assert third.event is not None
    assert "parent_event_id" not in third.event.model_dump(exclude_unset=True)


async def test_router_creates_a_room_for_an_unbound_channel(kit: RoomKit) -> None:
    """With no room bound to the channel, the default router creates one and binds it."""
    kit.register_channel(WebSocketChannel("lonely"))
    first = await kit.process_inbound(text("u", "hi", channel_id="lonely"))
    second = await kit.process_inbound(text("u", "again", channel_id="lonely"))
    assert first.event is not None and second.event is not None
    assert first.event.room_id == second.event.room_id
    assert second.event.index == 2


async def test_explicit_room_id_bypasses_the_router(kit: RoomKit) -> None:
    """process_inbound(room_id=...) stores into that room even if another room is bound."""
    await _room_with_two_sockets(kit)
    await kit.create_room("r2")
    result = await kit.process_inbound(text("a", "direct", channel_id="ws-alice"), room_id="r2")
    assert result.event is not None and result.event.room_id == "r2"


async def test_duplicate_idempotency_key_returns_original_and_broadcasts_nothing(
    kit: RoomKit,
) -> None:
    """The same idempotency key yields the original event, stored once, delivered once."""
    _, bob = await _room_with_two_sockets(kit)
    msg = text("a", "once", channel_id="ws-alice", idempotency_key="k1")
    first = await kit.process_inbound(msg)
    again = await kit.process_inbound(msg)
    assert again.duplicate and again.event is not None and first.event is not None
    assert again.event.id == first.event.id
    assert bob.bodies == ["once"]
    assert await kit.store.get_event_count("r1") == 1


async def test_thousand_concurrent_messages_get_indexes_1_to_1000_in_lock_order(
    kit: RoomKit,
) -> None:
    """1,000 concurrent inbound messages: indexes 1…1000 once each, in the order admitted."""
    _, bob = await _room_with_two_sockets(kit)
    results = await asyncio.gather(
        *(kit.process_inbound(text("a", f"m{i}", channel_id="ws-alice")) for i in range(1000))
    )
    indexes = sorted(r.event.index for r in results if r.event is not None)
    assert indexes == list(range(1, 1001))
    # Deliveries happen under the lock, so bob saw them in exactly index order.
    assert [e.index for e in bob.received] == list(range(1, 1001))
    timeline = await kit.get_timeline("r1", limit=1000)
    assert [e.index for e in timeline] == list(range(1, 1001))


async def test_concurrent_duplicates_yield_one_event(kit: RoomKit) -> None:
    """Fifty concurrent sends with one idempotency key store exactly one event."""
    _, bob = await _room_with_two_sockets(kit)
    msg = text("a", "dup", channel_id="ws-alice", idempotency_key="same")
    results = await asyncio.gather(*(kit.process_inbound(msg) for _ in range(50)))
    ids = {r.event.id for r in results if r.event is not None}
    assert len(ids) == 1
    assert sum(not r.duplicate for r in results) == 1
    assert await kit.store.get_event_count("r1") == 1 and bob.bodies == ["dup"]


async def test_unknown_channel_and_room_are_typed_errors(kit: RoomKit) -> None:
    """Unknown channel, room or binding raise RoomKitError subclasses and store nothing."""
    await _room_with_two_sockets(kit)
    with pytest.raises(ChannelNotRegisteredError, match="nope"):
        await kit.process_inbound(text("a", "x", channel_id="nope"))
    with pytest.raises(RoomNotFoundError, match="ghost"):
        await kit.process_inbound(text("a", "x", channel_id="ws-alice"), room_id="ghost")
    with pytest.raises(RoomNotFoundError):
        await kit.get_timeline("ghost")
    with pytest.raises(ChannelNotFoundError):
        await kit.mute("r1", "ws-carol")
    with pytest.raises(InvalidArgumentError, match="offset"):
        await kit.get_timeline("r1", offset=-1)
    with pytest.raises(RoomExistsError):
        await kit.create_room("r1")
    assert await kit.store.get_event_count("r1") == 0


async def test_invalid_content_is_rejected_at_the_model_boundary() -> None:
    """Content that fails validation never becomes an event."""
    from pydantic import ValidationError

    from roomkit import InboundMessage, LocationContent, MediaContent

    with pytest.raises(ValidationError):
        LocationContent(latitude=123.0, longitude=0.0)
    with pytest.raises(ValidationError, match="url must start with"):
        MediaContent(url="file:///etc/passwd", mime_type="text/plain")
    with pytest.raises(ValidationError):
        InboundMessage.model_validate(
            {"channel_id": "c", "sender_id": "s", "content": {"type": "nonsense"}}
        )


async def test_closed_room_takes_no_events(kit: RoomKit) -> None:
    """A closed room keeps its history and refuses new events with RoomClosedError."""
    await _room_with_two_sockets(kit)
    await kit.process_inbound(text("a", "before", channel_id="ws-alice"))
    await kit.close_room("r1")
    with pytest.raises(RoomClosedError):
        await kit.process_inbound(text("a", "after", channel_id="ws-alice"), room_id="r1")
    assert [e.content.body for e in await kit.get_timeline("r1")] == ["before"]  # type: ignore[union-attr]


async def test_access_mute_and_visibility_shape_the_fan_out(kit: RoomKit) -> None:
    """Write-only bindings receive nothing; muted ones receive but cannot send."""
    alice, bob = await _room_with_two_sockets(kit)
    await kit.set_access("r1", "ws-bob", Access.WRITE_ONLY)
    await kit.process_inbound(text("a", "one", channel_id="ws-alice"))
    assert bob.bodies == []
    await kit.set_access("r1", "ws-bob", Access.READ_WRITE)
    await kit.mute("r1", "ws-alice")
    blocked = await kit.process_inbound(text("a", "muted", channel_id="ws-alice"))
    assert blocked.blocked and "muted" in (blocked.reason or "")
    await kit.process_inbound(text("b", "to alice", channel_id="ws-bob"))
    assert alice.bodies == ["to alice"]
    await kit.unmute("r1", "ws-alice")
    await kit.send_event("r1", "ws-alice", TextContent(body="only bob"), visibility="ws-bob")
    await kit.send_event("r1", "ws-alice", TextContent(body="nobody"), visibility="none")
    assert bob.bodies == ["only bob"]


async def test_intelligence_answer_reenters_one_level_deeper(kit: RoomKit) -> None:
    """An AI channel's answer is stored after the message and reaches the people."""
    alice, bob = await _room_with_two_sockets(kit)
    bot = EchoBot("bot")
    kit.register_channel(bot)
    await kit.attach_channel("r1", "bot")
    await kit.process_inbound(text("a", "ping", channel_id="ws-alice"))
    timeline = await kit.get_timeline("r1")
    assert [(e.index, e.source.channel_id, e.chain_depth) for e in timeline] == [
        (1, "ws-alice", 0),
        (2, "bot", 1),
    ]
    assert timeline[1].parent_event_id == timeline[0].id
    assert alice.bodies == ["echo: ping"] and bob.bodies == ["ping", "echo: ping"]
    assert [e.id for e in bot.seen] == [timeline[0].id]  # it did not answer itself


async def test_chain_depth_stops_two_bots_answering_each_other() -> None:
    """Two AIs in one room stop at max_chain_depth instead of looping forever."""
    events: list[str] = []
    async with RoomKit(max_chain_depth=3) as kit:
        kit.on("chain_depth_exceeded")(lambda fe: events.append(fe.type))
        for name in ("bot-a", "bot-b"):
            kit.register_channel(EchoBot(name))
        kit.register_channel(WebSocketChannel("ws"))
        await kit.create_room("r")
        for name in ("ws", "bot-a", "bot-b"):
            await kit.attach_channel("r", name)
        await kit.process_inbound(text("u", "go", channel_id="ws"))
        timeline = await kit.get_timeline("r", limit=100)
    assert max(e.chain_depth for e in timeline) == 3
    assert events  # the loop was cut and reported


async def test_muted_intelligence_listens_but_is_not_heard(kit: RoomKit) -> None:
    """A muted AI still sees events, but its answers are dropped."""
    _, bob = await _room_with_two_sockets(kit)
    bot = EchoBot("bot")
    kit.register_channel(bot)
    await kit.attach_channel("r1", "bot", muted=True)
    await kit.process_inbound(text("a", "hi", channel_id="ws-alice"))
    assert len(bot.seen) == 1 and bob.bodies == ["hi"]
    assert await kit.store.get_event_count("r1") == 1


async def test_send_event_requires_an_attached_channel(kit: RoomKit) -> None:
    """send_event from a channel not bound to the room is a ChannelNotFoundError."""
    await _room_with_two_sockets(kit)
    kit.register_channel(WebSocketChannel("outsider"))
    with pytest.raises(ChannelNotFoundError):
        await kit.send_event("r1", "outsider", TextContent(body="x"))
    event = await kit.send_event("r1", "ws-alice", TextContent(body="x"))
    assert event.index == 1


async def test_read_watermark_and_unread_counts(kit: RoomKit) -> None:
    """Marking an event read marks everything before it; unread counts what follows."""
    await _room_with_two_sockets(kit)
    events = [
        (await kit.process_inbound(text("a", f"m{i}", channel_id="ws-alice"))).event
        for i in range(5)
    ]
    assert await kit.get_unread_count("r1", "ws-bob") == 5
    await kit.mark_read("r1", "ws-bob", events[2].id)  # type: ignore[union-attr]
    assert await kit.get_unread_count("r1", "ws-bob") == 2
    await kit.mark_read("r1", "ws-bob", events[0].id)  # type: ignore[union-attr]
    assert await kit.get_unread_count("r1", "ws-bob") == 2  # never moves back
    await kit.mark_all_read("r1", "ws-bob")
    assert await kit.get_unread_count("r1", "ws-bob") == 0


async def test_framework_events_report_the_lifecycle(kit: RoomKit) -> None:
    """room_created, channel_attached, channel_connected and friends reach kit.on handlers."""
    seen: list[str] = []

    @kit.on("*")
    async def record(event: object) -> None:
        seen.append(getattr(event, "type", ""))

    kit.register_channel(WebSocketChannel("ws"))
    await kit.create_room("r")
    await kit.attach_channel("r", "ws")
    await kit.connect_websocket("ws", "c1", Socket())
    await kit.disconnect_websocket("ws", "c1")
    await kit.detach_channel("r", "ws")
    assert seen == [
        "room_created",
        "channel_attached",
        "channel_connected",
        "channel_disconnected",
        "channel_detached",
    ]


async def test_event_processed_follows_each_stored_message_not_a_blocked_one(
    kit: RoomKit,
) -> None:
    processed: list[tuple[str | None, object]] = []
    kit.on("event_processed")(lambda fe: processed.append((fe.event_id, fe.data)))
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(WebSocketChannel("quiet"))
    await kit.create_room("r")
    await kit.attach_channel("r", "ws")
    await kit.attach_channel("r", "quiet")
    await kit.mute("r", "quiet")
    first = await kit.process_inbound(text("a", "one", channel_id="ws"), room_id="r")
    muted = await kit.process_inbound(text("b", "shh", channel_id="quiet"), room_id="r")
    second = await kit.process_inbound(text("a", "two", channel_id="ws"), room_id="r")
    assert muted.blocked and first.event is not None and second.event is not None
    assert processed == [
        (first.event.id, {"index": 1, "chain_depth": 0}),
        (second.event.id, {"index": 2, "chain_depth": 0}),
    ]


async def test_kit_closes_once_and_refuses_work_after(kit: RoomKit) -> None:
    """close() is idempotent and a closed kit says so."""
    from roomkit import KitClosedError

    await kit.close()
    await kit.close()
    with pytest.raises(KitClosedError):
        await kit.create_room("late")
