"""The AI surface under its documented names: AIChannel's signature and members, the
provider models' fields and defaults, MockAIProvider's constructor, vision, tasks."""

from __future__ import annotations

import inspect

import pytest
from pydantic import ValidationError

from roomkit import (
    AIContext,
    AIImagePart,
    AIMessage,
    AIProvider,
    AIResponse,
    AITextPart,
    AITool,
    ChannelBinding,
    ChannelCapabilities,
    ChannelMediaType,
    ChannelType,
    MediaContent,
    MockAIProvider,
    Observation,
    RoomKit,
    StreamDone,
    StreamTextDelta,
    StreamThinkingDelta,
    Task,
    WebSocketChannel,
)
from roomkit.channels.ai import AIChannel, NoScriptExecutor, SlidingWindowMemory
from tests.roomkit.ai.helpers import answer, room, said
from tests.roomkit.helpers import text

DOCUMENTED_AI_CHANNEL = [
    ("channel_id", inspect.Parameter.empty), ("provider", inspect.Parameter.empty),
    ("system_prompt", None), ("temperature", 0.7), ("max_tokens", 1024),
    ("max_context_events", 50), ("tool_handler", None), ("max_tool_rounds", 200),
    ("tool_loop_timeout_seconds", 300.0), ("tool_loop_warn_after", 50),
    ("retry_policy", None), ("fallback_provider", None), ("skills", None),
    ("script_executor", None), ("memory", None), ("tool_policy", None),
    ("thinking_budget", None),
]  # fmt: skip


def test_ai_channel_takes_the_documented_parameters_in_order() -> None:
    """Names, order and defaults of AIChannel.__init__ are the documented ones."""
    params = list(inspect.signature(AIChannel.__init__).parameters.values())[1:]
    assert [(p.name, p.default) for p in params] == DOCUMENTED_AI_CHANNEL


def test_ai_channel_info_and_capabilities_follow_the_provider() -> None:
    """info names provider and model; a vision provider makes the channel take media."""
    plain = AIChannel("ai", MockAIProvider())
    assert plain.info == {"provider": "mock", "model": "mock"}
    assert ChannelMediaType.MEDIA not in plain.capabilities().media_types
    seeing = AIChannel("ai", MockAIProvider(vision=True))
    assert ChannelMediaType.MEDIA in seeing.capabilities().media_types
    assert seeing.capabilities().supports_media


def _photo() -> MediaContent:
    return MediaContent(url="https://img.example/cat.png", mime_type="image/png", caption="Look")


async def test_a_vision_provider_is_sent_the_image_itself() -> None:
    """With supports_vision the user's image reaches the model as an AIImagePart."""
    provider = MockAIProvider(["A cat."], vision=True)
    event = said("").model_copy(update={"content": _photo()})
    await answer(AIChannel("ai", provider), event)
    content = provider.calls[0].messages[-1].content
    assert isinstance(content, list)
    assert isinstance(content[0], AITextPart) and "Look" in content[0].text
    assert content[1] == AIImagePart(url="https://img.example/cat.png", mime_type="image/png")


async def test_a_provider_without_vision_reads_a_line_about_the_image() -> None:
    """Without vision the image is described in text; no image part is sent."""
    provider = MockAIProvider(["?"])
    event = said("").model_copy(update={"content": _photo()})
    await answer(AIChannel("ai", provider), event)
    message = provider.calls[0].messages[-1]
    assert message.content == "[image/png https://img.example/cat.png: Look]"


async def test_the_context_carries_the_room_and_the_askers_capabilities() -> None:
    """AIContext.room is the room; target_* say what the asking channel can show."""
    provider = MockAIProvider(["ok"])
    sms = ChannelBinding(
        channel_id="ws", room_id="room-1", channel_type=ChannelType.SMS,
        capabilities=ChannelCapabilities(max_length=160),
    )  # fmt: skip
    event = said("hi")
    context = room([event]).model_copy(update={"bindings": [sms]})
    await answer(AIChannel("ai", provider), event, context)
    sent = provider.calls[0]
    assert sent.room is not None and sent.room.room.id == "room-1"
    assert sent.target_capabilities is not None and sent.target_capabilities.max_length == 160
    assert sent.target_media_types == [ChannelMediaType.TEXT]
    assert (sent.temperature, sent.max_tokens, sent.thinking_budget) == (0.7, 1024, None)


async def test_tasks_and_observations_of_an_answer_reach_the_room() -> None:
    """AIResponse.tasks and .observations are stored for the room like any channel's."""
    response = AIResponse(
        content="I will call you back.",
        tasks=[Task(room_id="r", title="Call Ann back")],
        observations=[Observation(room_id="r", channel_id="ai", content="wants a call")],
    )
    async with RoomKit() as kit:
        kit.register_channel(WebSocketChannel("ws"))
        kit.register_channel(AIChannel("ai", MockAIProvider(ai_responses=[response])))
        await kit.create_room("r")
        await kit.attach_channel("r", "ws")
        await kit.attach_channel("r", "ai")
        await kit.process_inbound(text("ann", "call me", channel_id="ws"))
        assert [t.title for t in await kit.list_tasks("r")] == ["Call Ann back"]
        assert [o.content for o in await kit.list_observations("r")] == ["wants a call"]


async def test_memory_given_to_the_channel_decides_what_the_model_sees() -> None:
    """memory= takes today's MemoryProvider implementations (here a 1-event window)."""
    provider = MockAIProvider(["ok"])
    ai = AIChannel("ai", provider, max_context_events=50, memory=SlidingWindowMemory(1))
    first, second = said("first"), said("second")
    await answer(ai, second, room([first, second]))
    assert [m.content for m in provider.calls[0].messages] == ["second"]


async def test_mock_streams_as_documented() -> None:
    """streaming=True: text arrives word by word; the structured stream ends with StreamDone."""
    provider = MockAIProvider(["one two three"], streaming=True)
    assert provider.supports_streaming and provider.supports_structured_streaming
    context = AIContext(messages=[AIMessage(role="user", content="go")])
    assert [t async for t in provider.generate_stream(context)] == ["one ", "two ", "three"]
    events = [e async for e in provider.generate_structured_stream(context)]
    assert all(isinstance(e, StreamTextDelta) for e in events[:-1])
    assert isinstance(events[-1], StreamDone) and events[-1].finish_reason == "stop"
    assert not MockAIProvider().supports_structured_streaming


async def test_a_provider_with_only_generate_can_be_streamed() -> None:
    """The base class turns generate into both documented streams."""

    class Plain(AIProvider):
        async def generate(self, context: AIContext) -> AIResponse:
            return AIResponse(content="whole answer", thinking="hmm")

    provider = Plain()
    assert not provider.supports_vision and not provider.supports_structured_streaming
    context = AIContext()
    assert [t async for t in provider.generate_stream(context)] == ["whole answer"]
    kinds = [type(e) async for e in provider.generate_structured_stream(context)]
    assert kinds == [StreamThinkingDelta, StreamTextDelta, StreamDone]


def test_documented_required_fields_are_required() -> None:
    """AITool needs a description, AIResponse content, StreamThinkingDelta its text."""
    with pytest.raises(ValidationError, match="description"):
        AITool(name="lookup")  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="content"):
        AIResponse()  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="thinking"):
        StreamThinkingDelta()  # type: ignore[call-arg]
    assert AIMessage(role="developer", content="x").role == "developer"  # role is a str


def test_parameters_that_cannot_take_effect_are_reported(caplog: pytest.LogCaptureFixture) -> None:
    """script_executor without skills, or max_context_events beside a memory, is logged."""
    AIChannel("quiet", MockAIProvider(), memory=SlidingWindowMemory(5))
    assert caplog.records == []
    AIChannel("a", MockAIProvider(), max_context_events=10, memory=SlidingWindowMemory(5))
    AIChannel("b", MockAIProvider(), script_executor=NoScriptExecutor())
    messages = [r.getMessage() for r in caplog.records]
    assert "AIChannel 'a': max_context_events=10 is unused" in messages[0]
    assert "AIChannel 'b': script_executor is unused" in messages[1]
