"""AIChannel over each HTTP provider and its stand-in: a streamed tool round, end to end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from roomkit.channels.ai import AIChannel
from roomkit.models.event import RoomEvent
from roomkit.models.room import RoomContext
from roomkit.providers.ai.anthropic import AnthropicAIProvider
from roomkit.providers.ai.gemini import GeminiAIProvider
from roomkit.providers.ai.openai import OpenAIAIProvider
from tests.roomkit.ai.helpers import answer, binding, body, said
from tests.standins import anthropic as claude
from tests.standins import gemini as gem
from tests.standins import openai as oai
from tests.standins.anthropic import AnthropicStandIn
from tests.standins.gemini import GeminiStandIn
from tests.standins.openai import OpenAIStandIn
from tests.standins.scripted import Reply

TOOLS = binding(
    metadata={
        "tools": [
            {
                "name": "get_weather",
                "description": "Weather for a city",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
            }
        ]
    }
)


async def weather(name: str, arguments: dict[str, Any]) -> str:
    return f"{arguments['city']}: 3°C"


class Collect:
    def __init__(self) -> None:
        self.text = ""

    async def __call__(
        self, stream: AsyncIterator[str], event: RoomEvent, ctx: RoomContext
    ) -> None:
        async for delta in stream:
            self.text += delta


async def run(provider: Any) -> tuple[str, str]:
    ai = AIChannel("ai", provider, system_prompt="Be brief.", tool_handler=weather)
    sink = Collect()
    ai.set_stream_sink(sink)
    output = await answer(ai, said("Weather in Oslo?"), bound=TOOLS)
    return body(output), sink.text


async def test_anthropic(anthropic: tuple[AnthropicStandIn, AnthropicAIProvider]) -> None:
    """tool_use streamed, tool_result sent back in a user turn, answer streamed."""
    app, provider = anthropic
    app.queue(
        Reply.sse(
            claude.message_stream(["Checking."], [("toolu_1", "get_weather", {"city": "Oslo"})])
        ),
        Reply.sse(claude.message_stream(["Cold: ", "3°C."])),
    )
    text, streamed = await run(provider)
    assert text == streamed == "Checking.\n\nCold: 3°C."
    second = app.requests[1].json["messages"]
    assert second[1]["content"][-1] == {
        "type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Oslo"},
    }  # fmt: skip
    assert second[2] == {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "Oslo: 3°C"}],
    }


async def test_openai(openai: tuple[OpenAIStandIn, OpenAIAIProvider]) -> None:
    """tool_calls fragments streamed, a tool message sent back, answer streamed."""
    app, provider = openai
    app.queue(
        Reply.sse(oai.completion_stream([], [("call_1", "get_weather", {"city": "Oslo"})])),
        Reply.sse(oai.completion_stream(["Cold."])),
    )
    text, streamed = await run(provider)
    assert text == streamed == "Cold."
    second = app.requests[1].json["messages"]
    assert second[-1] == {"role": "tool", "tool_call_id": "call_1", "content": "Oslo: 3°C"}
    assert second[-2]["tool_calls"][0]["function"] == {
        "name": "get_weather", "arguments": '{"city": "Oslo"}',
    }  # fmt: skip


async def test_gemini(gemini: tuple[GeminiStandIn, GeminiAIProvider]) -> None:
    """functionCall with its signature, a functionResponse sent back, answer streamed."""
    app, provider = gemini
    app.queue(
        Reply.sse(gem.response_stream([], [("get_weather", {"city": "Oslo"}, "SIG")])),
        Reply.sse(gem.response_stream(["Cold."])),
    )
    text, streamed = await run(provider)
    assert text == streamed == "Cold."
    contents = app.requests[1].json["contents"]
    assert contents[-2]["parts"] == [
        {
            "functionCall": {"name": "get_weather", "args": {"city": "Oslo"}},
            "thoughtSignature": "SIG",
        }
    ]
    assert contents[-1]["parts"] == [
        {"functionResponse": {"name": "get_weather", "response": {"result": "Oslo: 3°C"}}}
    ]
