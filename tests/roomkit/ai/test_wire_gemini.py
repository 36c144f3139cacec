"""Gemini generateContent bodies and parsing, without sockets."""

from __future__ import annotations

import json

import pytest

from roomkit.errors import ProviderError
from roomkit.providers.ai.base import (
    AIContext,
    AIMessage,
    AITextPart,
    AITool,
    AIToolCallPart,
    AIToolResultPart,
    StreamDone,
    StreamEvent,
    StreamTextDelta,
    StreamThinkingDelta,
    StreamToolCall,
)
from roomkit.providers.wire import gemini as wire
from roomkit.providers.wire.sse import SSEDecoder
from tests.standins import gemini as standin

SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "additionalProperties": False,
    "properties": {"city": {"type": "string", "examples": ["Oslo"]}},
    "required": ["city"],
}


def decode(frames: list[str]) -> list[StreamEvent]:
    parser = wire.StreamParser()
    events = [e for sse in SSEDecoder().feed("".join(frames)) for e in parser.feed(sse)]
    return events + list(parser.finish())


def test_request_body() -> None:
    """contents, systemInstruction, functionDeclarations (schema cleaned),
    generationConfig with thinkingConfig."""
    context = AIContext(
        messages=[
            AIMessage(role="user", content="Hi"),
            AIMessage(role="assistant", content="Hello"),
        ],
        system_prompt="Be brief.",
        temperature=0.1,
        max_tokens=64,
        thinking_budget=512,
        tools=[
            AITool(name="weather", description="W", parameters=SCHEMA),
            AITool(name="ping", description=""),
        ],
    )
    assert wire.build_request(context) == {
        "contents": [
            {"role": "user", "parts": [{"text": "Hi"}]},
            {"role": "model", "parts": [{"text": "Hello"}]},
        ],
        "generationConfig": {
            "temperature": 0.1,
            "maxOutputTokens": 64,
            "thinkingConfig": {"thinkingBudget": 512, "includeThoughts": True},
        },
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "tools": [
            {
                "functionDeclarations": [
                    {
                        "name": "weather",
                        "description": "W",
                        "parameters": {
                            "type": "object",
                            "properties": {"city": {"type": "string"}},
                            "required": ["city"],
                        },
                    },
                    {"name": "ping", "description": ""},
                ]
            }
        ],
    }


def test_paths() -> None:
    """generateContent, and streamGenerateContent with alt=sse."""
    assert wire.request_path("g", stream=False) == "/models/g:generateContent"
    assert wire.request_path("g", stream=True) == "/models/g:streamGenerateContent?alt=sse"


def test_function_call_round_trip_keeps_signature_and_id() -> None:
    """A call's thoughtSignature (part level) and Gemini id go back; the response pairs."""
    call = AIToolCallPart(
        id="abc", name="weather", arguments={"city": "Oslo"},
        metadata={wire.SIGNATURE: "SIG", wire.CALL_ID: "abc"},
    )  # fmt: skip
    context = AIContext(
        messages=[
            AIMessage(role="assistant", content=[AITextPart(text="Let me see"), call]),
            AIMessage(
                role="tool",
                content=[
                    AIToolResultPart(tool_call_id="abc", name="weather", result="cold"),
                ],
            ),
        ]
    )
    contents = wire.build_request(context)["contents"]
    assert contents[0] == {
        "role": "model",
        "parts": [
            {"text": "Let me see"},
            {"functionCall": {"name": "weather", "args": {"city": "Oslo"}, "id": "abc"},
             "thoughtSignature": "SIG"},
        ],
    }  # fmt: skip
    assert contents[1] == {
        "role": "user",
        "parts": [
            {"functionResponse": {"name": "weather", "response": {"result": "cold"}, "id": "abc"}}
        ],
    }


def test_parse_response() -> None:
    """Text, thoughts, function calls with signatures, finish reason and usage."""
    raw = standin.response("Sunny", [("weather", {"city": "Oslo"}, "SIG")], thought="hmm")
    response = wire.parse_response(json.dumps(raw))
    assert response.content == "Sunny"
    assert response.thinking == "hmm"
    (call,) = response.tool_calls
    assert (call.name, call.arguments, call.metadata[wire.SIGNATURE]) == (
        "weather", {"city": "Oslo"}, "SIG",
    )  # fmt: skip
    assert call.id.startswith("call_")
    assert response.finish_reason == "STOP"
    assert response.usage == {"input_tokens": 8, "output_tokens": 4}


def test_blocked_prompt() -> None:
    """A prompt blocked by safety settings is a ProviderError."""
    with pytest.raises(ProviderError, match="SAFETY"):
        wire.parse_response(json.dumps({"promptFeedback": {"blockReason": "SAFETY"}}))


def test_stream() -> None:
    """Each chunk's text is a delta; calls come whole; done once a chunk finished."""
    events = decode(standin.response_stream(["Hel", "lo"], [("ping", {}, None)]))
    assert [e.text for e in events if isinstance(e, StreamTextDelta)] == ["Hel", "lo"]
    assert [e.name for e in events if isinstance(e, StreamToolCall)] == ["ping"]
    assert isinstance(events[-1], StreamDone) and events[-1].finish_reason == "STOP"


def test_thought_parts_stream_as_thinking() -> None:
    """Parts marked thought are thinking, not answer text."""
    frame = f"data: {json.dumps(standin.response('ok', thought='why'))}\n\n"
    events = decode([frame])
    assert isinstance(events[0], StreamThinkingDelta)


def test_stream_without_finish_reason_is_retryable() -> None:
    """The body ended before any chunk finished: the stream was cut."""
    with pytest.raises(ProviderError) as info:
        decode(standin.response_stream(["a", "b", "c"])[:2])
    assert info.value.retryable
