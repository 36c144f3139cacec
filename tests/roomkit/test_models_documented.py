"""Behaviour of the documented models: helpers, frozen records, what is and is not serialised."""

from __future__ import annotations

import dataclasses
import json

import pytest

from roomkit import (
    Cancel,
    ChannelBinding,
    ChannelCapabilities,
    ChannelCategory,
    ChannelMediaType,
    ChannelOutput,
    ChannelType,
    DeleteType,
    DeliveryMode,
    HookResult,
    IdentificationStatus,
    IdentityHookResult,
    InboundMessage,
    InjectedEvent,
    InjectMessage,
    Observation,
    ProtocolTrace,
    Room,
    RoomContext,
    SessionStartedEvent,
    SteeringDirective,
    Task,
    TextContent,
    UpdateSystemPrompt,
)
from roomkit.models.event import ChannelData, DeleteContent
from tests.roomkit.contracts.stores import event


def _binding(channel_id: str, kind: ChannelType, **fields: object) -> ChannelBinding:
    return ChannelBinding(room_id="r", channel_id=channel_id, channel_type=kind, **fields)  # type: ignore[arg-type]


def test_room_context_other_channels_and_channels_by_type() -> None:
    """other_channels leaves one channel out; channels_by_type keeps one type; both in order."""
    context = RoomContext(
        room=Room(id="r"),
        bindings=[
            _binding("sms-1", ChannelType.SMS),
            _binding("ai", ChannelType.AI, category=ChannelCategory.INTELLIGENCE),
            _binding("sms-2", ChannelType.SMS),
        ],
    )
    assert [b.channel_id for b in context.other_channels("ai")] == ["sms-1", "sms-2"]
    assert [b.channel_id for b in context.other_channels("nope")] == ["sms-1", "ai", "sms-2"]
    assert [b.channel_id for b in context.channels_by_type(ChannelType.SMS)] == ["sms-1", "sms-2"]
    assert context.channels_by_type(ChannelType.EMAIL) == []
    assert context.get_binding("ai") is context.bindings[1]


def test_capabilities_defaults_and_bounds() -> None:
    """Text only, broadcast delivery by default; sizes and durations must be positive."""
    caps = ChannelCapabilities()
    assert (
        caps.media_types == [ChannelMediaType.TEXT] and caps.delivery_mode is DeliveryMode.BROADCAST
    )
    assert ChannelCapabilities().media_types is not caps.media_types  # each its own list
    for field in ("max_buttons", "max_audio_duration_seconds", "max_video_duration_seconds"):
        with pytest.raises(ValueError, match=field):
            ChannelCapabilities(**{field: 0})
    direct = ChannelCapabilities(delivery_mode="direct", supported_audio_formats=["ogg"])  # type: ignore[arg-type]
    assert direct.delivery_mode is DeliveryMode.DIRECT
    assert ChannelCapabilities.model_validate_json(direct.model_dump_json()) == direct


def test_binding_read_index_must_not_be_negative() -> None:
    """last_read_index is a watermark: None (nothing read) or an index >= 0."""
    assert _binding("s", ChannelType.SMS).last_read_index is None
    with pytest.raises(ValueError, match="last_read_index"):
        _binding("s", ChannelType.SMS, last_read_index=-1)


def test_channel_output_stream_is_never_serialised() -> None:
    """response_stream travels in memory only; metadata_updates are data like any other."""

    async def deltas() -> None:  # pragma: no cover - never iterated
        yield None  # type: ignore[misc]

    out = ChannelOutput(response_stream=deltas(), metadata_updates={"stage": "quoted"})
    dumped = json.loads(out.model_dump_json())
    assert "response_stream" not in dumped and dumped["metadata_updates"] == {"stage": "quoted"}
    assert ChannelOutput.empty() == ChannelOutput()


def test_inbound_session_is_not_serialised() -> None:
    """An inbound message may carry a live session object; its JSON never includes it."""
    session = object()
    message = InboundMessage(
        channel_id="v", sender_id="u", content=TextContent(body="hi"), session=session
    )
    assert message.session is session
    assert "session" not in json.loads(message.model_dump_json())


def test_event_channel_data_keeps_any_keys_and_delete_types() -> None:
    """channel_data holds whatever keys a channel puts there; DeleteContent defaults to SENDER."""
    stored = event("r", "hi", channel_data={"thread_id": "t", "reply_to": {"id": "e1"}})
    again = type(stored).model_validate_json(stored.model_dump_json())
    assert again.channel_data == ChannelData(thread_id="t", reply_to={"id": "e1"})
    assert DeleteContent(target_event_id="e").delete_type is DeleteType.SENDER
    assert [d.value for d in DeleteType] == ["sender", "system", "admin"]


def test_hook_result_block_carries_tasks_and_observations() -> None:
    """block(reason, injected, tasks, observations) keeps all four; allow() has empty metadata."""
    task = Task(id="t", room_id="r", title="review")
    note = Observation(id="o", room_id="r", channel_id="ai", content="spam")
    result = HookResult.block("spam", tasks=[task], observations=[note])
    assert (result.action, result.reason, result.tasks, result.observations) == (
        "block",
        "spam",
        [task],
        [note],
    )
    allowed = HookResult.allow()
    assert allowed.metadata == {} and allowed.metadata is not HookResult.allow().metadata


def test_identity_hook_result_constructors() -> None:
    """pending keeps candidates (None when not given); challenge sends inject with a message."""
    assert IdentityHookResult.pending().candidates is None
    inject = InjectedEvent(event=event("r", "Reply with your account number"))
    challenge = IdentityHookResult.challenge(inject, message="verify")
    assert challenge.status is IdentificationStatus.CHALLENGE_SENT
    assert (challenge.inject, challenge.message) == (inject, "verify")
    assert IdentityHookResult.reject().reason == "Unknown sender"


def test_frozen_records_cannot_change() -> None:
    """SessionStartedEvent and ProtocolTrace are frozen dataclasses with a UTC timestamp."""
    started = SessionStartedEvent(
        room_id="r", channel_id="v", channel_type=ChannelType.VOICE, participant_id="p"
    )
    trace = ProtocolTrace(channel_id="v", direction="inbound", protocol="sip", summary="INVITE")
    for record in (started, trace):
        with pytest.raises(dataclasses.FrozenInstanceError):
            record.room_id = "other"  # type: ignore[misc]
        assert record.timestamp.tzinfo is not None
    assert (trace.raw, trace.metadata, trace.session_id) == (None, {}, None)


def test_steering_directives_are_one_union() -> None:
    """The three directives, their documented defaults, and the union that names them."""
    assert Cancel().reason == "cancelled" and InjectMessage(content="hi").role == "user"
    for directive in (Cancel(), InjectMessage(content="x"), UpdateSystemPrompt(append="y")):
        assert isinstance(directive, SteeringDirective)
    assert not isinstance(TextContent(body="x"), SteeringDirective)
