"""The Channel contract's defaults: streaming, sessions, bindings, text, protocol tracing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from roomkit import (
    AudioContent,
    Channel,
    ChannelBinding,
    ChannelOutput,
    ChannelType,
    CompositeContent,
    DeleteContent,
    EditContent,
    EventSource,
    HookExecution,
    HookTrigger,
    InboundMessage,
    MediaContent,
    ProtocolTrace,
    RichContent,
    Room,
    RoomContext,
    RoomEvent,
    RoomKit,
    TextContent,
    TransportChannel,
)

CONTEXT = RoomContext(room=Room(id="r"))
BINDING = ChannelBinding(channel_id="rec", room_id="r", channel_type=ChannelType.SMS)


class Recorder(Channel):
    """The smallest channel: implements only what is abstract, records what it is given."""

    channel_type = ChannelType.SMS

    def __init__(self, channel_id: str = "rec") -> None:
        super().__init__(channel_id)
        self.delivered: list[RoomEvent] = []
        self.bindings: list[ChannelBinding] = []
        self.sessions: dict[str, str] = {"call-1": "room-9"}

    async def handle_inbound(self, message: InboundMessage, context: RoomContext) -> RoomEvent:
        return self.event_from(message, context)

    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        self.delivered.append(event)
        return ChannelOutput(metadata={"count": len(self.delivered)})

    def update_binding(self, room_id: str, binding: ChannelBinding) -> None:
        self.bindings.append(binding)

    def resolve_trace_room(self, session_id: str | None) -> str | None:
        return self.sessions.get(session_id or "")


def _event(body: str = "draft") -> RoomEvent:
    source = EventSource(channel_id="ai", channel_type=ChannelType.AI)
    return RoomEvent(room_id="r", source=source, content=TextContent(body=body))


async def _deltas(*parts: str) -> AsyncIterator[str]:
    for part in parts:
        yield part


def _trace(protocol: str = "http", **fields: str) -> ProtocolTrace:
    return ProtocolTrace(
        channel_id="rec", direction="outbound", protocol=protocol, summary="POST /send", **fields
    )  # type: ignore[arg-type]


async def test_default_deliver_stream_collects_then_delivers_once() -> None:
    """A channel that cannot stream gets the whole text in one delivery of the same event."""
    channel = Recorder()
    event = _event()
    out = await channel.deliver_stream(_deltas("Hel", "lo", "!"), event, BINDING, CONTEXT)
    assert out.metadata == {"count": 1}
    [sent] = channel.delivered
    assert sent.id == event.id and sent.content == TextContent(body="Hello!")
    assert channel.supports_streaming_delivery is False


async def test_defaults_describe_a_plain_channel() -> None:
    """No provider, no info, sessions accepted and ignored, nothing to trace."""
    channel = Recorder()
    assert channel.provider_name is None and channel.info == {}
    assert await channel.connect_session(object(), "r", BINDING) is None
    assert await channel.disconnect_session(object(), "r") is None
    assert channel.trace_enabled is False
    channel.emit_trace(_trace())  # nobody listens: nothing happens, nothing raises
    await channel.close()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (TextContent(body="hi"), "hi"),
        (RichContent(body="**hi**", plain_text="hi"), "hi"),
        (RichContent(body="**hi**"), "**hi**"),
        (MediaContent(url="https://x.test/a.png", mime_type="image/png", caption="cat"), "cat"),
        (AudioContent(url="https://x.test/a.ogg", transcript="said"), "said"),
        (EditContent(target_event_id="e", new_content=TextContent(body="fixed")), "fixed"),
        (CompositeContent(parts=[TextContent(body="a"), TextContent(body="b")]), "a\nb"),
        (DeleteContent(target_event_id="e"), ""),
    ],
)
def test_extract_text_reads_each_content_type(content: object, expected: str) -> None:
    """extract_text is static and gives what a reader would see as plain text."""
    event = _event().model_copy(update={"content": content})
    assert Channel.extract_text(event) == expected


async def test_traces_reach_callbacks_filtered_by_protocol() -> None:
    """Each callback gets the traces of the protocols it asked for, sync or async."""
    channel = Recorder()
    everything: list[ProtocolTrace] = []
    sip_only: list[ProtocolTrace] = []
    done = asyncio.Event()

    async def on_sip(trace: ProtocolTrace) -> None:
        sip_only.append(trace)
        done.set()

    channel.on_trace(everything.append)
    channel.on_trace(on_sip, protocols=["sip"])
    assert channel.trace_enabled
    channel.emit_trace(_trace("http"))
    channel.emit_trace(_trace("sip"))
    await asyncio.wait_for(done.wait(), 5)
    assert [t.protocol for t in everything] == ["http", "sip"]
    assert [t.protocol for t in sip_only] == ["sip"]


async def test_a_failing_trace_callback_does_not_stop_the_others() -> None:
    """A callback that raises is logged; the channel and later callbacks carry on."""
    channel = Recorder()
    seen: list[str] = []

    def broken(trace: ProtocolTrace) -> None:
        raise RuntimeError("observer bug")

    channel.on_trace(broken)
    channel.on_trace(lambda trace: seen.append(trace.summary))
    channel.emit_trace(_trace())
    assert seen == ["POST /send"]


async def test_emit_trace_fills_the_room_from_the_session() -> None:
    """A trace with a session id but no room gets the room resolve_trace_room gives."""
    channel = Recorder()
    seen: list[ProtocolTrace] = []
    channel.on_trace(seen.append)
    channel.emit_trace(_trace(session_id="call-1"))
    channel.emit_trace(_trace(session_id="unknown"))
    channel.emit_trace(_trace(session_id="call-1", room_id="given"))
    assert [t.room_id for t in seen] == ["room-9", None, "given"]


async def test_close_waits_for_async_trace_callbacks() -> None:
    """close() returns only after the async callbacks it started have finished."""
    channel = Recorder()
    finished: list[str] = []

    async def slow(trace: ProtocolTrace) -> None:
        await asyncio.sleep(0.05)
        finished.append(trace.protocol)

    channel.on_trace(slow)
    channel.emit_trace(_trace("ws"))
    assert finished == []
    await channel.close()
    assert finished == ["ws"]


def test_on_trace_refuses_what_cannot_be_called() -> None:
    """Registering a non-callable fails at once, not when the first trace arrives."""
    with pytest.raises(TypeError, match="callable"):
        Recorder().on_trace("print")  # type: ignore[arg-type]


async def test_transport_channel_names_its_provider() -> None:
    """provider_name is the provider's name, and the events it makes carry it."""

    class Named:
        name = "acme-sms"

    channel = TransportChannel("sms", ChannelType.SMS, provider=Named())
    assert channel.provider_name == "acme-sms"
    assert TransportChannel("bare", ChannelType.SMS).provider_name is None
    message = InboundMessage(channel_id="sms", sender_id="+1", content=TextContent(body="x"))
    event = await channel.handle_inbound(message, CONTEXT)
    assert event.source.provider == "acme-sms"


async def test_kit_tells_the_channel_when_its_binding_changes(kit: RoomKit) -> None:
    """Muting a binding through the kit calls the channel's update_binding with the new one."""
    channel = Recorder()
    kit.register_channel(channel)
    await kit.create_room("r")
    await kit.attach_channel("r", "rec")
    await kit.mute("r", "rec")
    assert [(b.room_id, b.muted) for b in channel.bindings] == [("r", True)]


async def test_traces_reach_the_rooms_protocol_trace_hooks(kit: RoomKit) -> None:
    """A registered channel's traces run its room's ON_PROTOCOL_TRACE hooks; roomless ones none."""
    channel = Recorder()
    kit.register_channel(channel)
    await kit.create_room("r")
    await kit.create_room("room-9")
    seen: list[tuple[str, str]] = []

    @kit.hook(HookTrigger.ON_PROTOCOL_TRACE, execution=HookExecution.ASYNC)
    async def watch(trace: ProtocolTrace, context: RoomContext) -> None:
        seen.append((context.room.id, trace.summary))

    channel.emit_trace(_trace())  # no room, no session: nothing to run
    channel.emit_trace(_trace(session_id="call-1"))
    channel.emit_trace(_trace(room_id="r"))
    await channel.close()
    await kit.close()
    assert sorted(seen) == [("r", "POST /send"), ("room-9", "POST /send")]
