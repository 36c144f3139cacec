"""GeminiAIProvider against the generateContent stand-in on loopback."""

from __future__ import annotations

from contextlib import aclosing

import pytest

from roomkit.errors import ProviderError
from roomkit.providers.ai.base import (
    AIContext,
    AIMessage,
    AIProvider,
    AITool,
    StreamDone,
    StreamEvent,
    StreamTextDelta,
    StreamToolCall,
)
from roomkit.providers.ai.gemini import GeminiAIProvider
from roomkit.providers.wire import gemini as wire
from tests.standins import gemini as vendor
from tests.standins.gemini import GeminiStandIn
from tests.standins.scripted import Reply

Env = tuple[GeminiStandIn, GeminiAIProvider]
TOOL = AITool(
    name="weather",
    description="Weather",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}},
)
CONTEXT = AIContext(
    messages=[AIMessage(role="user", content="Oslo?")],
    system_prompt="Short.",
    max_tokens=90,
    tools=[TOOL],
)


async def collect(provider: AIProvider, context: AIContext) -> list[StreamEvent]:
    async with aclosing(provider.generate_structured_stream(context)) as events:
        return [event async for event in events]


async def test_generate_sends_the_documented_request(gemini: Env) -> None:
    """Model in the path, key in x-goog-api-key, the exact body."""
    app, provider = gemini
    app.queue(Reply.json(vendor.response("Cold")))
    response = await provider.generate(CONTEXT)
    assert app.last.path == "/v1beta/models/gemini-test:generateContent"
    assert app.last.headers["x-goog-api-key"] == "g-test"
    assert app.last.json == {
        "contents": [{"role": "user", "parts": [{"text": "Oslo?"}]}],
        "generationConfig": {"temperature": 0.7, "maxOutputTokens": 90},
        "systemInstruction": {"parts": [{"text": "Short."}]},
        "tools": [{"functionDeclarations": [{"name": "weather", "description": "Weather",
                                             "parameters": TOOL.parameters}]}],
    }  # fmt: skip
    assert response.content == "Cold"
    assert response.usage == {"input_tokens": 8, "output_tokens": 4}


async def test_function_call_with_signature(gemini: Env) -> None:
    """functionCall parts become tool calls keeping their thoughtSignature."""
    app, provider = gemini
    app.queue(Reply.json(vendor.response("", [("weather", {"city": "Oslo"}, "SIG")])))
    (call,) = (await provider.generate(CONTEXT)).tool_calls
    assert (call.name, call.arguments, call.metadata[wire.SIGNATURE]) == (
        "weather", {"city": "Oslo"}, "SIG",
    )  # fmt: skip


async def test_stream(gemini: Env) -> None:
    """streamGenerateContent?alt=sse chunks become deltas, calls and done."""
    app, provider = gemini
    app.queue(Reply.sse(vendor.response_stream(["Co", "ld"], [("weather", {}, None)])))
    events = await collect(provider, CONTEXT)
    assert app.last.path == "/v1beta/models/gemini-test:streamGenerateContent"
    assert app.last.query == "alt=sse"
    assert [e.text for e in events if isinstance(e, StreamTextDelta)] == ["Co", "ld"]
    assert [e.name for e in events if isinstance(e, StreamToolCall)] == ["weather"]
    assert isinstance(events[-1], StreamDone)


async def test_resource_exhausted(gemini: Env) -> None:
    """429 RESOURCE_EXHAUSTED is retryable, with its message."""
    app, provider = gemini
    app.queue(Reply.json(vendor.error_body(429, "Quota exceeded"), 429, {"retry-after": "3"}))
    with pytest.raises(ProviderError, match="Quota exceeded") as info:
        await provider.generate(CONTEXT)
    assert (info.value.retryable, info.value.retry_after) == (True, 3.0)


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (400, False)])
async def test_http_errors(gemini: Env, status: int, retryable: bool) -> None:
    """INTERNAL is retryable, INVALID_ARGUMENT is not."""
    app, provider = gemini
    app.queue(Reply.json(vendor.error_body(status, "bad"), status))
    with pytest.raises(ProviderError) as info:
        await collect(provider, CONTEXT)
    assert info.value.retryable is retryable


async def test_malformed_json(gemini: Env) -> None:
    """A body that is not JSON is refused."""
    app, provider = gemini
    app.queue(Reply.raw(b"not json at all"))
    with pytest.raises(ProviderError):
        await provider.generate(CONTEXT)


async def test_stream_dropped_midway(gemini: Env) -> None:
    """A cut connection, before any chunk finished, is a retryable error."""
    app, provider = gemini
    app.queue(Reply.sse(vendor.response_stream(["a", "b", "c"]), drop_after=1))
    with pytest.raises(ProviderError) as info:
        await collect(provider, CONTEXT)
    assert info.value.retryable
