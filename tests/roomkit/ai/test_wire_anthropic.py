"""Anthropic Messages API bodies and parsing, without sockets."""

from __future__ import annotations

import json

import pytest

from roomkit.errors import ProviderError
from roomkit.providers.ai.base import (
    AIContext,
    AIMessage,
    AITextPart,
    AIThinkingPart,
    AITool,
    AIToolCallPart,
    AIToolResultPart,
    ResponseAccumulator,
    StreamDone,
    StreamEvent,
    StreamTextDelta,
    StreamToolCall,
)
from roomkit.providers.wire import anthropic as wire
from roomkit.providers.wire.sse import SSEDecoder
from tests.standins import anthropic as standin

WEATHER = AITool(
    name="get_weather",
    description="Weather for a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}},
)


def decode(frames: list[str]) -> list[StreamEvent]:
    parser = wire.StreamParser()
    events = [e for sse in SSEDecoder().feed("".join(frames)) for e in parser.feed(sse)]
    return events + list(parser.finish())


def test_request_body() -> None:
    """Model, max_tokens, system, messages, temperature and tools as documented."""
    context = AIContext(
        messages=[AIMessage(role="user", content="Hi")],
        system_prompt="Be brief.",
        temperature=0.2,
        max_tokens=300,
        tools=[WEATHER, AITool(name="ping", description="")],
    )
    assert wire.build_request(context, model="claude-x", stream=True) == {
        "model": "claude-x",
        "max_tokens": 300,
        "system": "Be brief.",
        "messages": [{"role": "user", "content": "Hi"}],
        "temperature": 0.2,
        "tools": [
            {
                "name": "get_weather",
                "description": "Weather for a city",
                "input_schema": WEATHER.parameters,
            },
            {"name": "ping", "input_schema": {"type": "object", "properties": {}}},
        ],
        "stream": True,
    }


def test_thinking_replaces_temperature_and_raises_max_tokens() -> None:
    """With a budget, thinking is enabled, temperature dropped, max_tokens above it."""
    context = AIContext(messages=[], max_tokens=1000, thinking_budget=2048)
    body = wire.build_request(context, model="m")
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert "temperature" not in body
    assert body["max_tokens"] == 3048


def test_tool_loop_history_becomes_blocks() -> None:
    """Thinking, text and tool_use blocks; results as a user turn of tool_result blocks;
    leading system messages join the system prompt, later ones become user text."""
    context = AIContext(
        system_prompt="P",
        messages=[
            AIMessage(role="system", content="Summary"),
            AIMessage(role="user", content="Weather?"),
            AIMessage(
                role="assistant",
                content=[
                    AIThinkingPart(thinking="hmm", signature="sig"),
                    AIThinkingPart(thinking="unsigned"),
                    AITextPart(text="Checking."),
                    AIToolCallPart(id="t1", name="get_weather", arguments={"city": "Oslo"}),
                ],
            ),
            AIMessage(
                role="tool",
                content=[
                    AIToolResultPart(tool_call_id="t1", name="get_weather", result="cold"),
                ],
            ),
            AIMessage(role="system", content="Injected"),
        ],
    )
    body = wire.build_request(context, model="m")
    assert body["system"] == "P\n\nSummary"
    assert body["messages"][1] == {
        "role": "assistant",
        "content": [
            {"type": "thinking", "thinking": "hmm", "signature": "sig"},
            {"type": "text", "text": "Checking."},
            {"type": "tool_use", "id": "t1", "name": "get_weather", "input": {"city": "Oslo"}},
        ],
    }
    assert body["messages"][2] == {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "cold"}],
    }
    assert body["messages"][3] == {"role": "user", "content": "Injected"}


def test_error_result_is_flagged() -> None:
    """A failed tool call is sent with is_error."""
    part = AIToolResultPart(tool_call_id="t", name="x", result="boom", is_error=True)
    message = AIMessage(role="tool", content=[part])
    body = wire.build_request(AIContext(messages=[message]), model="m")
    assert body["messages"][0]["content"][0]["is_error"] is True


def test_parse_response_with_tools_and_thinking() -> None:
    """Text, tool calls, thinking with signature, stop reason and usage."""
    raw = standin.message(
        "Let me check.", [("toolu_1", "get_weather", {"city": "Oslo"})], ("because", "S1")
    )
    response = wire.parse_response(json.dumps(raw))
    assert response.content == "Let me check."
    assert [(c.id, c.name, c.arguments) for c in response.tool_calls] == [
        ("toolu_1", "get_weather", {"city": "Oslo"})
    ]
    assert (response.thinking, response.thinking_signature) == ("because", "S1")
    assert response.finish_reason == "tool_use"
    assert response.usage == {"input_tokens": 12, "output_tokens": 7}


@pytest.mark.parametrize(
    "body", [b"{", b'{"type": "message"}', b'{"type": "message", "content": [{}]}']
)
def test_malformed_response(body: bytes) -> None:
    """Anything that is not a message object is a non-retryable ProviderError."""
    with pytest.raises(ProviderError) as info:
        wire.parse_response(body)
    assert not info.value.retryable


def test_stream_assembles_text_tools_and_thinking() -> None:
    """Deltas come through; tool input JSON is assembled; the stream ends with done."""
    frames = standin.message_stream(
        ["Hel", "lo"], [("toolu_9", "get_weather", {"city": "Paris"})], ("think", "SIG")
    )
    events = decode(frames)
    accumulator = ResponseAccumulator()
    for event in events:
        accumulator.add(event)
    response = accumulator.response()
    assert [e.text for e in events if isinstance(e, StreamTextDelta)] == ["Hel", "lo"]
    assert [e for e in events if isinstance(e, StreamToolCall)][0].arguments == {"city": "Paris"}
    assert (response.thinking, response.thinking_signature) == ("think", "SIG")
    assert isinstance(events[-1], StreamDone)
    assert events[-1].finish_reason == "tool_use"
    assert events[-1].usage == {"input_tokens": 12, "output_tokens": 9}


def test_stream_cut_before_message_stop_is_retryable() -> None:
    """A stream that ends early raises a retryable error."""
    frames = standin.message_stream(["Hel", "lo"])[:-2]
    with pytest.raises(ProviderError) as info:
        decode(frames)
    assert info.value.retryable


@pytest.mark.parametrize(("kind", "retryable"), [("overloaded_error", True),
                                                  ("invalid_request_error", False)])  # fmt: skip
def test_stream_error_event(kind: str, retryable: bool) -> None:
    """An error event ends the stream with a ProviderError of the right retryability."""
    frames = [
        standin.message_stream(["a"])[0],
        standin.frame("error", standin.error_body(kind, "x")),
    ]
    with pytest.raises(ProviderError) as info:
        decode(frames)
    assert info.value.retryable is retryable
