"""OpenAI Chat Completions bodies and parsing, without sockets."""

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
    StreamDone,
    StreamEvent,
    StreamTextDelta,
    StreamThinkingDelta,
    StreamToolCall,
)
from roomkit.providers.wire import openai as wire
from roomkit.providers.wire.sse import SSEDecoder
from tests.standins import openai as standin

TOOL = AITool(name="lookup", description="Look up", parameters={"type": "object"})


def decode(frames: list[str]) -> list[StreamEvent]:
    parser = wire.StreamParser()
    events = [e for sse in SSEDecoder().feed("".join(frames)) for e in parser.feed(sse)]
    return events + list(parser.finish())


def test_request_body() -> None:
    """System prompt first, then messages; function tools; stream with usage."""
    context = AIContext(
        messages=[AIMessage(role="user", content="Hi")],
        system_prompt="Be brief.",
        temperature=0.3,
        max_tokens=50,
        tools=[TOOL],
    )
    assert wire.build_request(context, model="gpt-x", stream=True) == {
        "model": "gpt-x",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
        ],
        "temperature": 0.3,
        "max_tokens": 50,
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "lookup",
                    "description": "Look up",
                    "parameters": {"type": "object"},
                },
            }
        ],
        "stream": True,
        "stream_options": {"include_usage": True},
    }


def test_max_completion_tokens_field() -> None:
    """Reasoning models take max_completion_tokens instead."""
    body = wire.build_request(AIContext(), model="o", max_tokens_field="max_completion_tokens")
    assert body["max_completion_tokens"] == 1024 and "max_tokens" not in body


def test_tool_loop_history() -> None:
    """Assistant tool_calls with JSON-string arguments; one tool message per result;
    thinking is not sent."""
    context = AIContext(
        messages=[
            AIMessage(
                role="assistant",
                content=[
                    AIThinkingPart(thinking="t"),
                    AIToolCallPart(id="c1", name="lookup", arguments={"q": 1}),
                    AIToolCallPart(id="c2", name="lookup", arguments={"q": 2}),
                ],
            ),
            AIMessage(
                role="tool",
                content=[
                    AIToolResultPart(tool_call_id="c1", name="lookup", result="one"),
                    AIToolResultPart(tool_call_id="c2", name="lookup", result="two"),
                ],
            ),
            AIMessage(role="assistant", content=[AITextPart(text="Done")]),
        ]
    )
    messages = wire.build_messages(context)
    assert messages == [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "lookup", "arguments": '{"q": 1}'},
                },
                {
                    "id": "c2",
                    "type": "function",
                    "function": {"name": "lookup", "arguments": '{"q": 2}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "one"},
        {"role": "tool", "tool_call_id": "c2", "content": "two"},
        {"role": "assistant", "content": "Done"},
    ]


def test_parse_response() -> None:
    """Content, tool calls with parsed arguments, reasoning, finish reason, usage."""
    raw = standin.completion("", [("call_1", "lookup", {"q": "x"})], reasoning="why")
    response = wire.parse_response(json.dumps(raw))
    assert response.content == ""
    assert [(c.id, c.name, c.arguments) for c in response.tool_calls] == [
        ("call_1", "lookup", {"q": "x"})
    ]
    assert response.thinking == "why"
    assert response.finish_reason == "tool_calls"
    assert response.usage == {"input_tokens": 11, "output_tokens": 6}


def test_bad_tool_arguments_are_malformed() -> None:
    """Arguments that are not a JSON object are refused."""
    raw = standin.completion("x")
    raw["choices"][0]["message"]["tool_calls"] = [
        {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{oops"}}
    ]
    with pytest.raises(ProviderError):
        wire.parse_response(json.dumps(raw))


def test_stream_assembles_fragments_by_index() -> None:
    """Text deltas, tool calls assembled from fragments, then done with usage."""
    frames = standin.completion_stream(
        ["Hi", " there"], [("c1", "lookup", {"q": "a"}), ("c2", "lookup", {"q": "b"})]
    )
    events = decode(frames)
    assert [e.text for e in events if isinstance(e, StreamTextDelta)] == ["Hi", " there"]
    calls = [e for e in events if isinstance(e, StreamToolCall)]
    assert [(c.id, c.arguments) for c in calls] == [("c1", {"q": "a"}), ("c2", {"q": "b"})]
    done = events[-1]
    assert isinstance(done, StreamDone)
    assert done.finish_reason == "tool_calls"
    assert done.usage == {"input_tokens": 11, "output_tokens": 6}


def test_reasoning_deltas_are_thinking() -> None:
    """Compatible servers' reasoning_content deltas become thinking deltas."""
    chunk = {
        "choices": [{"index": 0, "delta": {"reasoning_content": "hmm"}, "finish_reason": None}]
    }
    frames = [f"data: {json.dumps(chunk)}\n\n", *standin.completion_stream(["ok"])]
    events = decode(frames)
    assert isinstance(events[0], StreamThinkingDelta) and events[0].thinking == "hmm"


def test_stream_without_done_after_finish_reason_is_complete() -> None:
    """Some servers omit [DONE]; a finish_reason already marks the answer complete."""
    events = decode(standin.completion_stream(["ok"], done=False))
    assert isinstance(events[-1], StreamDone)


def test_stream_cut_before_finish_is_retryable() -> None:
    """No finish_reason and no [DONE]: the stream was cut."""
    frames = standin.completion_stream(["a", "b"])[:2]
    with pytest.raises(ProviderError) as info:
        decode(frames)
    assert info.value.retryable


def test_error_chunk() -> None:
    """An error object mid-stream raises."""
    with pytest.raises(ProviderError, match="overloaded"):
        decode(['data: {"error": {"message": "overloaded"}}\n\n'])
