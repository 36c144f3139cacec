"""Framework overhead per AI turn (public API only). Prints one JSON line.

A room holds a WebSocket user and an AIChannel whose provider answers instantly
(MockAIProvider, no delay). A turn is timed from ``process_inbound`` of the user's message
to its return, when the AI's reply is stored and broadcast; the provider's own time is
measured separately (calls timed inside a wrapper) and subtracted.

  turn_ms        overhead of one turn without tools
  tool_round_ms  overhead added by one tool round (turn with one tool call minus plain turn)

Usage: python bench/ai.py [--quick]
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncGenerator
from typing import Any

from roomkit import AIChannel, InboundMessage, RoomEvent, RoomKit, TextContent, WebSocketChannel
from roomkit.providers.ai.base import AIContext, AIResponse, AIToolCall, StreamEvent
from roomkit.providers.ai.mock import MockAIProvider

QUICK = "--quick" in sys.argv
TOOL = {"name": "lookup", "parameters": {"type": "object", "properties": {}}}


class TimedProvider(MockAIProvider):
    """MockAIProvider that adds up the time spent inside it."""

    spent = 0.0

    async def generate(self, context: AIContext) -> AIResponse:
        start = time.perf_counter()
        try:
            return await super().generate(context)
        finally:
            self.spent += time.perf_counter() - start

    async def generate_structured_stream(
        self, context: AIContext
    ) -> AsyncGenerator[StreamEvent, None]:
        start = time.perf_counter()
        async for item in super().generate_structured_stream(context):
            yield item
        self.spent += time.perf_counter() - start


async def _sink(connection_id: str, event: RoomEvent) -> None:
    return None


async def _turns(turns: int, script: list[Any]) -> float:
    provider = TimedProvider(script)

    async def lookup(name: str, arguments: dict[str, Any]) -> Any:
        return {"ok": True}

    kit = RoomKit()
    ws = WebSocketChannel("ws")
    ws.register_connection("c", _sink)
    kit.register_channel(ws)
    kit.register_channel(AIChannel("ai", provider, tool_handler=lookup))
    await kit.create_room("r")
    await kit.attach_channel("r", "ws")
    await kit.attach_channel("r", "ai", metadata={"tools": [TOOL]})
    messages = [
        InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body=f"q{i}"))
        for i in range(turns + 50)
    ]
    for message in messages[:50]:  # warm up, and fill the context window
        await kit.process_inbound(message, room_id="r")
    provider.spent = 0.0
    start = time.perf_counter()
    for message in messages[50:]:
        await kit.process_inbound(message, room_id="r")
    elapsed = time.perf_counter() - start - provider.spent
    await kit.close()
    return elapsed / turns * 1e3


async def main() -> None:
    turns = 200 if QUICK else 2000
    plain = await _turns(turns, ["answer"])
    tool_call = AIResponse(
        content="",
        tool_calls=[AIToolCall(id="t1", name="lookup", arguments={})],
        finish_reason="tool_use",
    )
    with_tool = await _turns(turns, [tool_call, "answer"])
    print(json.dumps({"turn_ms": round(plain, 3), "tool_round_ms": round(with_tool - plain, 3)}))


if __name__ == "__main__":
    asyncio.run(main())
