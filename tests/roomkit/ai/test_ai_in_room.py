"""The AI channel in a real room: a WebSocket user, an SMS user, tools, streaming, loops."""

from __future__ import annotations

from typing import Any

from roomkit import (
    AIChannel,
    EventType,
    InboundMessage,
    RoomEvent,
    RoomKit,
    SMSChannel,
    StreamChunk,
    StreamEnd,
    StreamMessage,
    StreamStart,
    TextContent,
    WebSocketChannel,
)
from roomkit.providers.ai.base import AIResponse, AIToolCall
from roomkit.providers.ai.mock import MockAIProvider
from roomkit.providers.sms.mock import MockSMSProvider


async def test_ai_answers_with_a_tool_round_streamed_to_ws_and_whole_to_sms() -> None:
    """One room: the WebSocket user sees the answer stream, the SMS user gets one message."""
    weather_calls: list[dict[str, Any]] = []

    async def tools(name: str, arguments: dict[str, Any]) -> Any:
        weather_calls.append({"name": name, **arguments})
        return {"forecast": "sunny", "high_c": 21}

    provider = MockAIProvider(
        [
            AIResponse(
                content="",
                tool_calls=[AIToolCall(id="c1", name="weather", arguments={"city": "Oslo"})],
                finish_reason="tool_use",
            ),
            "Tomorrow in Oslo: sunny, 21 C.",
        ],
        streaming=True,
    )
    sms = MockSMSProvider()
    streamed: list[StreamMessage] = []
    events: list[RoomEvent] = []

    async def on_stream(connection_id: str, message: StreamMessage) -> None:
        streamed.append(message)

    async def on_event(connection_id: str, event: RoomEvent) -> None:
        events.append(event)

    async with RoomKit() as kit:
        ws = WebSocketChannel("ws")
        kit.register_channel(ws)
        kit.register_channel(SMSChannel("sms", provider=sms))
        kit.register_channel(AIChannel("ai", provider, tool_handler=tools))
        ws.register_connection("browser", on_event, stream_send_fn=on_stream)
        await kit.create_room("r")
        await kit.attach_channel("r", "ws")
        await kit.attach_channel("r", "sms", metadata={"phone_number": "+15550199"})
        weather = {
            "name": "weather",
            "description": "Forecast for a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        }
        await kit.attach_channel("r", "ai", metadata={"tools": [weather]})

        await kit.process_inbound(
            InboundMessage(
                channel_id="ws", sender_id="alice", content=TextContent(body="Weather in Oslo?")
            )
        )
        timeline = await kit.get_timeline("r")

    assert weather_calls == [{"name": "weather", "city": "Oslo"}]
    answer = "Tomorrow in Oslo: sunny, 21 C."
    assert [(e.source.channel_id, e.content.body) for e in timeline] == [  # type: ignore[union-attr]
        ("ws", "Weather in Oslo?"),
        ("ai", answer),
    ]
    reply = timeline[1]
    assert reply.chain_depth == 1 and reply.type is EventType.MESSAGE
    # The WebSocket user saw the answer arrive piece by piece, then the stored event once.
    assert isinstance(streamed[0], StreamStart)
    chunks = [m.delta for m in streamed if isinstance(m, StreamChunk)]
    assert len(chunks) > 1 and "".join(chunks) == answer
    assert isinstance(streamed[-1], StreamEnd) and streamed[-1].event.id == reply.id
    assert [e.id for e in events] == [reply.id] and events[0].index == 2
    # The SMS user got the question and then the whole answer as one message.
    assert [(s["to"], s["event"].content.body) for s in sms.sent] == [
        ("+15550199", "Weather in Oslo?"),
        ("+15550199", answer),
    ]
    # The model was asked twice: once for the tool call, once with the tool's result.
    assert len(provider.calls) == 2


async def test_two_ais_stop_at_max_chain_depth() -> None:
    """Two AI channels answering each other stop at max_chain_depth."""
    exceeded: list[int] = []
    async with RoomKit(max_chain_depth=4) as kit:
        kit.on("chain_depth_exceeded")(lambda fe: exceeded.append(fe.data["chain_depth"]))
        kit.register_channel(WebSocketChannel("ws"))
        kit.register_channel(AIChannel("ai-a", MockAIProvider(["from a"])))
        kit.register_channel(AIChannel("ai-b", MockAIProvider(["from b"])))
        await kit.create_room("r")
        for channel_id in ("ws", "ai-a", "ai-b"):
            await kit.attach_channel("r", channel_id)
        await kit.process_inbound(
            InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body="start"))
        )
        timeline = await kit.get_timeline("r", limit=200)
    depths = [e.chain_depth for e in timeline]
    assert max(depths) == 4 and exceeded and set(exceeded) == {5}


async def test_tool_hooks_can_refuse_a_tool_and_see_every_call() -> None:
    """BEFORE_TOOL_USE blocks a tool; ON_TOOL_CALL and AFTER_TOOL_ROUND report the round."""
    from roomkit import HookResult, HookTrigger, RoomContext

    ran: list[str] = []
    seen: list[tuple[str, Any]] = []

    async def tools(name: str, arguments: dict[str, Any]) -> Any:
        ran.append(name)
        return "done"

    provider = MockAIProvider(
        [
            AIResponse(
                content="",
                tool_calls=[
                    AIToolCall(id="1", name="refund", arguments={"amount": 500}),
                    AIToolCall(id="2", name="lookup", arguments={}),
                ],
                finish_reason="tool_use",
            ),
            "ok",
        ]
    )
    async with RoomKit() as kit:

        @kit.hook(HookTrigger.BEFORE_TOOL_USE, channel_ids={"ai"})
        async def no_refunds(event: RoomEvent, ctx: RoomContext) -> HookResult:
            if event.content.data["tool"] == "refund":  # type: ignore[union-attr]
                return HookResult.block("refunds need a human")
            return HookResult.allow()

        @kit.hook(HookTrigger.ON_TOOL_CALL)
        async def on_call(event: RoomEvent, ctx: RoomContext) -> None:
            data = event.content.data  # type: ignore[union-attr]
            seen.append((data["tool"], data["is_error"]))

        @kit.hook(HookTrigger.AFTER_TOOL_ROUND)
        async def after_round(event: RoomEvent, ctx: RoomContext) -> None:
            seen.append(("round", event.content.data["tools"]))  # type: ignore[union-attr]

        kit.register_channel(WebSocketChannel("ws"))
        kit.register_channel(AIChannel("ai", provider, tool_handler=tools))
        await kit.create_room("r")
        await kit.attach_channel("r", "ws")
        refund = {"name": "refund", "parameters": {"type": "object", "properties": {}}}
        lookup = {"name": "lookup", "parameters": {"type": "object", "properties": {}}}
        await kit.attach_channel("r", "ai", metadata={"tools": [refund, lookup]})
        await kit.process_inbound(
            InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body="refund me"))
        )
    assert ran == ["lookup"]
    assert sorted(seen[:2]) == [("lookup", False), ("refund", True)]
    assert seen[2] == ("round", ["refund", "lookup"])
    second_request = provider.calls[1].model_dump_json()
    assert "refunds need a human" in second_request
