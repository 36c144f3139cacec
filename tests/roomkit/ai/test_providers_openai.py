"""OpenAIAIProvider against the Chat Completions stand-in on loopback."""

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
from roomkit.providers.ai.openai import OpenAIAIProvider, OpenAIConfig
from tests.standins import openai as vendor
from tests.standins.openai import OpenAIStandIn
from tests.standins.scripted import Reply

Env = tuple[OpenAIStandIn, OpenAIAIProvider]
TOOL = AITool(name="lookup", description="Look up", parameters={"type": "object"})
CONTEXT = AIContext(
    messages=[AIMessage(role="user", content="Find x")],
    system_prompt="Sys",
    temperature=0.5,
    max_tokens=77,
    tools=[TOOL],
)


async def collect(provider: AIProvider, context: AIContext) -> list[StreamEvent]:
    async with aclosing(provider.generate_structured_stream(context)) as events:
        return [event async for event in events]


async def test_generate_sends_the_documented_request(openai: Env) -> None:
    """Bearer auth, /chat/completions and the exact body."""
    app, provider = openai
    app.queue(Reply.json(vendor.completion("Found.")))
    response = await provider.generate(CONTEXT)
    assert app.last.path == "/v1/chat/completions"
    assert app.last.headers["authorization"] == "Bearer sk-test"
    assert app.last.json == {
        "model": "gpt-test-1",
        "messages": [{"role": "system", "content": "Sys"}, {"role": "user", "content": "Find x"}],
        "temperature": 0.5,
        "max_tokens": 77,
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
    }
    assert response.content == "Found."
    assert response.finish_reason == "stop"


async def test_generate_tool_calls(openai: Env) -> None:
    """tool_calls with JSON-string arguments become parsed tool calls."""
    app, provider = openai
    app.queue(Reply.json(vendor.completion(None, [("call_1", "lookup", {"q": "x"})])))
    response = await provider.generate(CONTEXT)
    assert [(c.id, c.name, c.arguments) for c in response.tool_calls] == [
        ("call_1", "lookup", {"q": "x"})
    ]


async def test_stream(openai: Env) -> None:
    """Streamed chunks, tool call fragments assembled, usage at the end."""
    app, provider = openai
    app.queue(Reply.sse(vendor.completion_stream(["A", "B"], [("call_9", "lookup", {"q": 1})])))
    events = await collect(provider, CONTEXT)
    assert app.last.json["stream"] is True
    assert app.last.json["stream_options"] == {"include_usage": True}
    assert [e.text for e in events if isinstance(e, StreamTextDelta)] == ["A", "B"]
    assert [(e.id, e.arguments) for e in events if isinstance(e, StreamToolCall)] == [
        ("call_9", {"q": 1})
    ]
    done = events[-1]
    assert isinstance(done, StreamDone) and done.usage["output_tokens"] == 6


async def test_local_server_without_key(openai: Env) -> None:
    """base_url is configurable and no key means no Authorization header (vLLM, Ollama)."""
    app, _ = openai
    app.require_key = False
    app.queue(Reply.json(vendor.completion("local")))
    provider = OpenAIAIProvider(
        OpenAIConfig(api_key=None, model="llama", base_url=f"{app.base_url}/v1")
    )
    try:
        response = await provider.generate(CONTEXT)
    finally:
        await provider.close()
    assert response.content == "local"
    assert "authorization" not in app.last.headers
    assert app.last.json["model"] == "llama"


async def test_rate_limit(openai: Env) -> None:
    """429 with Retry-After is retryable and says how long to wait."""
    app, provider = openai
    app.queue(Reply.json({"error": {"message": "Rate limit reached"}}, 429, {"retry-after": "1"}))
    with pytest.raises(ProviderError) as info:
        await provider.generate(CONTEXT)
    assert (info.value.retryable, info.value.retry_after) == (True, 1.0)


@pytest.mark.parametrize(("status", "retryable"), [(503, True), (401, False), (422, False)])
async def test_http_errors(openai: Env, status: int, retryable: bool) -> None:
    """5xx retryable, other 4xx not."""
    app, provider = openai
    app.queue(Reply.json({"error": {"message": "nope"}}, status))
    with pytest.raises(ProviderError) as info:
        await collect(provider, CONTEXT)
    assert (info.value.status_code, info.value.retryable) == (status, retryable)


async def test_malformed_json(openai: Env) -> None:
    """A body that is not JSON is refused."""
    app, provider = openai
    app.queue(Reply.raw(b"<html>oops</html>", content_type="text/html"))
    with pytest.raises(ProviderError, match="unreadable"):
        await provider.generate(CONTEXT)


async def test_stream_dropped_midway(openai: Env) -> None:
    """A cut connection mid-stream is a retryable error."""
    app, provider = openai
    app.queue(Reply.sse(vendor.completion_stream(["a", "b", "c"]), drop_after=2))
    with pytest.raises(ProviderError) as info:
        await collect(provider, CONTEXT)
    assert info.value.retryable
