"""AnthropicAIProvider against the Messages API stand-in on loopback."""

from __future__ import annotations

from contextlib import aclosing

import pytest

from roomkit.errors import ProviderError
from roomkit.providers.ai.anthropic import AnthropicAIProvider, AnthropicConfig
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
from tests.standins import anthropic as vendor
from tests.standins.anthropic import AnthropicStandIn
from tests.standins.scripted import Reply

Env = tuple[AnthropicStandIn, AnthropicAIProvider]
CONTEXT = AIContext(
    messages=[AIMessage(role="user", content="Weather in Oslo?")],
    system_prompt="You are terse.",
    max_tokens=200,
    thinking_budget=1024,
    tools=[
        AITool(name="get_weather", description="", parameters={"type": "object", "properties": {}})
    ],
)


async def collect(provider: AIProvider, context: AIContext) -> list[StreamEvent]:
    async with aclosing(provider.generate_structured_stream(context)) as events:
        return [event async for event in events]


async def test_generate_sends_the_documented_request(anthropic: Env) -> None:
    """Path, headers and the exact body: model, max_tokens, system, messages, tools,
    thinking."""
    app, provider = anthropic
    app.queue(Reply.json(vendor.message("Cold.")))
    response = await provider.generate(CONTEXT)
    request = app.last
    assert (request.method, request.path) == ("POST", "/v1/messages")
    assert request.headers["x-api-key"] == "sk-ant-test"
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert request.json == {
        "model": "claude-test-1",
        "max_tokens": 1224,
        "system": "You are terse.",
        "messages": [{"role": "user", "content": "Weather in Oslo?"}],
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "tools": [{"name": "get_weather", "input_schema": {"type": "object", "properties": {}}}],
    }
    assert response.content == "Cold."
    assert response.usage == {"input_tokens": 12, "output_tokens": 7}


async def test_generate_tool_calls(anthropic: Env) -> None:
    """tool_use blocks become tool calls."""
    app, provider = anthropic
    app.queue(Reply.json(vendor.message("", [("toolu_1", "get_weather", {"city": "Oslo"})])))
    response = await provider.generate(CONTEXT)
    assert [(c.id, c.arguments) for c in response.tool_calls] == [("toolu_1", {"city": "Oslo"})]
    assert response.finish_reason == "tool_use"


async def test_stream(anthropic: Env) -> None:
    """SSE frames become deltas, a tool call and done; the request asked to stream."""
    app, provider = anthropic
    app.queue(Reply.sse(vendor.message_stream(["Col", "d."], [("toolu_2", "get_weather", {})])))
    events = await collect(provider, CONTEXT)
    assert app.last.json["stream"] is True
    assert [e.text for e in events if isinstance(e, StreamTextDelta)] == ["Col", "d."]
    assert [e.id for e in events if isinstance(e, StreamToolCall)] == ["toolu_2"]
    assert isinstance(events[-1], StreamDone)


async def test_rate_limit_with_retry_after(anthropic: Env) -> None:
    """429 is retryable and carries Retry-After in seconds."""
    app, provider = anthropic
    body = vendor.error_body("rate_limit_error", "Number of requests exceeded")
    app.queue(Reply.json(body, 429, {"retry-after": "7"}))
    with pytest.raises(ProviderError) as info:
        await provider.generate(CONTEXT)
    error = info.value
    assert (error.status_code, error.retryable, error.retry_after) == (429, True, 7.0)
    assert "Number of requests exceeded" in str(error)


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (529, True), (400, False)])
async def test_http_errors(anthropic: Env, status: int, retryable: bool) -> None:
    """5xx (and 529 overloaded) are retryable; 400 is not — streaming or not."""
    app, provider = anthropic
    body = vendor.error_body("api_error", "boom")
    app.queue(Reply.json(body, status), Reply.json(body, status))
    with pytest.raises(ProviderError) as info:
        await provider.generate(CONTEXT)
    assert (info.value.status_code, info.value.retryable) == (status, retryable)
    with pytest.raises(ProviderError) as info:
        await collect(provider, CONTEXT)
    assert (info.value.status_code, info.value.retryable) == (status, retryable)


async def test_missing_key_is_refused(anthropic: Env) -> None:
    """The stand-in checks auth like the API: an empty key is a non-retryable 401."""
    app, _ = anthropic
    config = AnthropicConfig(api_key="", model="claude-test-1", base_url=app.base_url)
    provider = AnthropicAIProvider(config)
    try:
        with pytest.raises(ProviderError) as info:
            await provider.generate(CONTEXT)
    finally:
        await provider.close()
    assert (info.value.status_code, info.value.retryable) == (401, False)
    assert "sk-secret" not in repr(AnthropicConfig(api_key="sk-secret", model="m"))


async def test_malformed_json(anthropic: Env) -> None:
    """A 200 whose body is not JSON is a non-retryable ProviderError."""
    app, provider = anthropic
    app.queue(Reply.raw(b"{not json"))
    with pytest.raises(ProviderError) as info:
        await provider.generate(CONTEXT)
    assert not info.value.retryable


async def test_stream_dropped_midway(anthropic: Env) -> None:
    """The connection cut mid-stream: the deltas before it arrive, then a retryable error."""
    app, provider = anthropic
    app.queue(Reply.sse(vendor.message_stream(["a", "b", "c"]), drop_after=5))
    seen: list[str] = []
    with pytest.raises(ProviderError) as info:
        async with aclosing(provider.generate_structured_stream(CONTEXT)) as events:
            async for event in events:
                if isinstance(event, StreamTextDelta):
                    seen.append(event.text)
    assert info.value.retryable
    assert seen == ["a", "b"]


async def test_stream_ending_without_message_stop(anthropic: Env) -> None:
    """A body that ends cleanly but early is also a retryable error."""
    app, provider = anthropic
    app.queue(Reply.sse(vendor.message_stream(["a"])[:-1]))
    with pytest.raises(ProviderError) as info:
        await collect(provider, CONTEXT)
    assert info.value.retryable


async def test_close_is_idempotent(anthropic: Env) -> None:
    """close() twice is fine."""
    _, provider = anthropic
    await provider.close()
    await provider.close()
