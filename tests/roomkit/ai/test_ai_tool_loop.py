"""The AI channel's tool loop: rounds, limits, concurrency, policy, hooks, steering."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import pytest

from roomkit.channels.ai import (
    AIChannel,
    Cancel,
    InjectMessage,
    ToolCallInfo,
    ToolDecision,
    ToolPolicy,
    ToolRound,
    UpdateSystemPrompt,
)
from roomkit.models.content import SystemContent
from roomkit.providers.ai.base import AIContext, AIToolCall, AIToolCallPart, AIToolResultPart
from roomkit.providers.ai.mock import MockAIProvider
from tests.roomkit.ai.helpers import answer, binding, body, calls, said, until

WEATHER = {"name": "get_weather", "description": "Weather", "parameters": {"type": "object"}}
TOOLS = binding(metadata={"tools": [WEATHER, {"name": "delete_all"}, {"name": "search_docs"}]})


def results(context: AIContext) -> list[AIToolResultPart]:
    """The tool results sent in ``context``'s last message."""
    content = context.messages[-1].content
    assert isinstance(content, list)
    return [p for p in content if isinstance(p, AIToolResultPart)]


class Recorder:
    """A tool handler recording calls; optionally slow or failing."""

    def __init__(self, delay: float = 0.0, fail: bool = False) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.delay = delay
        self.fail = fail
        self.running = 0
        self.peak = 0

    async def __call__(self, name: str, arguments: dict[str, Any]) -> Any:
        self.calls.append((name, arguments))
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await asyncio.sleep(self.delay)
            if self.fail:
                raise ValueError("secret connection string")
            return {"city": arguments.get("city"), "temp": 21}
        finally:
            self.running -= 1


async def test_tool_round_then_answer() -> None:
    """The model's call runs; the next request carries the call and its JSON result."""
    provider = MockAIProvider([calls(("get_weather", {"city": "Oslo"})), "It is 21."])
    handler = Recorder()
    ai = AIChannel("ai", provider, tool_handler=handler)
    output = await answer(ai, said("Weather?"), bound=TOOLS)
    assert body(output) == "It is 21." and output.metadata["tool_rounds"] == 1
    assert handler.calls == [("get_weather", {"city": "Oslo"})]
    assert [t.name for t in provider.calls[0].tools] == ["get_weather", "delete_all", "search_docs"]
    second = provider.calls[1]
    assistant = second.messages[-2]
    assert assistant.role == "assistant"
    assert isinstance(assistant.content, list)
    assert isinstance(assistant.content[0], AIToolCallPart)
    (result,) = results(second)
    assert json.loads(result.result) == {"city": "Oslo", "temp": 21}
    assert not result.is_error


async def test_max_tool_rounds() -> None:
    """A model that never stops calling tools is cut off after max_tool_rounds; the room
    is told why no answer came."""
    provider = MockAIProvider([calls(("get_weather", {}))])
    handler = Recorder()
    ai = AIChannel("ai", provider, tool_handler=handler, max_tool_rounds=3)
    output = await answer(ai, said("loop"), bound=TOOLS)
    assert len(handler.calls) == 3 and len(provider.calls) == 4
    assert output.metadata["stop_reason"] == "max_tool_rounds"
    (notice,) = output.response_events
    assert isinstance(notice.content, SystemContent)
    assert notice.content.code == "ai_tool_loop_limit"


async def test_loop_timeout() -> None:
    """The whole loop is bounded by tool_loop_timeout_seconds."""
    provider = MockAIProvider([calls(("get_weather", {}), text="Looking")])
    ai = AIChannel("ai", provider, tool_handler=Recorder(delay=10), tool_loop_timeout_seconds=0.2)
    started = time.monotonic()
    output = await answer(ai, said("slow"), bound=TOOLS)
    assert time.monotonic() - started < 2
    assert output.metadata["stop_reason"] == "timeout"
    assert body(output) == "Looking"


async def test_warns_after(caplog: pytest.LogCaptureFixture) -> None:
    """A warning is logged when the loop reaches tool_loop_warn_after rounds."""
    provider = MockAIProvider([calls(("get_weather", {})), calls(("get_weather", {})), "ok"])
    ai = AIChannel("ai", provider, tool_handler=Recorder(), tool_loop_warn_after=2)
    with caplog.at_level(logging.WARNING):
        await answer(ai, said("x"), bound=TOOLS)
    assert any("reached round 2" in r.getMessage() for r in caplog.records)


async def test_parallel_calls_run_concurrently() -> None:
    """Calls of one round run at the same time; results keep the calls' order."""
    round_one = calls(("get_weather", {"city": "A"}), ("get_weather", {"city": "B"}),
                      ("get_weather", {"city": "C"}))  # fmt: skip
    provider = MockAIProvider([round_one, "done"])
    handler = Recorder(delay=0.2)
    ai = AIChannel("ai", provider, tool_handler=handler)
    started = time.monotonic()
    await answer(ai, said("x"), bound=TOOLS)
    assert time.monotonic() - started < 0.5
    assert handler.peak == 3
    cities = [json.loads(r.result)["city"] for r in results(provider.calls[1])]
    assert cities == ["A", "B", "C"]


async def test_raising_tool_is_an_error_result() -> None:
    """A tool that raises gives the model an error result, not a crash; its message
    (which may hold secrets) is not shown."""
    provider = MockAIProvider([calls(("get_weather", {})), "Sorry, no weather."])
    ai = AIChannel("ai", provider, tool_handler=Recorder(fail=True))
    output = await answer(ai, said("x"), bound=TOOLS)
    assert body(output) == "Sorry, no weather."
    (result,) = results(provider.calls[1])
    assert result.is_error
    assert json.loads(result.result) == {"error": "Tool 'get_weather' failed (ValueError)"}
    assert "secret" not in result.result


async def test_unknown_tool_and_missing_handler() -> None:
    """A call to a tool not offered, or with no handler, gets an error result."""
    provider = MockAIProvider([calls(("made_up", {}), ("get_weather", {})), "ok"])
    ai = AIChannel("ai", provider)
    await answer(ai, said("x"), bound=TOOLS)
    unknown, unserved = results(provider.calls[1])
    assert json.loads(unknown.result) == {"error": "Unknown tool: made_up"}
    assert json.loads(unserved.result) == {"error": "No handler for tool get_weather"}


async def test_tool_policy_filters_offer_and_calls() -> None:
    """Denied tools are not offered; a call to one anyway is refused, never run."""
    policy = ToolPolicy(allow=["get_*", "delete_*"], deny=["delete_*"])
    provider = MockAIProvider([calls(("delete_all", {}), ("get_weather", {})), "ok"])
    handler = Recorder()
    ai = AIChannel("ai", provider, tool_handler=handler, tool_policy=policy)
    await answer(ai, said("x"), bound=TOOLS)
    assert [t.name for t in provider.calls[0].tools] == ["get_weather"]
    refused, allowed = results(provider.calls[1])
    assert refused.is_error and not allowed.is_error
    assert handler.calls == [("get_weather", {})]


def test_tool_policy_rules() -> None:
    """Empty permits all; deny wins; a non-empty allow list is required to match."""
    assert ToolPolicy().permits("anything")
    assert not ToolPolicy(deny=["rm*"]).permits("rm_rf")
    assert ToolPolicy(allow=["search_?"]).permits("search_a")
    assert not ToolPolicy(allow=["search_?"]).permits("search_ab")


async def test_tool_hooks() -> None:
    """before_tool_use can block or modify; on_tool_call and after_tool_round observe."""
    provider = MockAIProvider([calls(("get_weather", {"city": "Oslo"}), ("search_docs", {})), "ok"])
    handler = Recorder()
    ai = AIChannel("ai", provider, tool_handler=handler)
    observed: list[tuple[str, bool, int]] = []
    rounds: list[ToolRound] = []

    async def before(call: AIToolCall, info: ToolCallInfo) -> ToolDecision | None:
        if call.name == "search_docs":
            return ToolDecision.block("docs are offline")
        return ToolDecision.modify({"city": "Bergen"})

    async def on_call(call: AIToolCall, result: AIToolResultPart, info: ToolCallInfo) -> None:
        observed.append((call.name, result.is_error, info.round))

    async def after(round_: ToolRound) -> None:
        rounds.append(round_)

    ai.tool_hooks.before_tool_use = before
    ai.tool_hooks.on_tool_call = on_call
    ai.tool_hooks.after_tool_round = after
    output = await answer(ai, said("x"), bound=TOOLS)
    assert handler.calls == [("get_weather", {"city": "Bergen"})]
    assert sorted(observed) == [("get_weather", False, 1), ("search_docs", True, 1)]
    blocked = results(provider.calls[1])[1]
    assert json.loads(blocked.result) == {"error": "docs are offline"}
    (round_,) = rounds
    assert round_.info.loop_id == output.metadata["loop_id"] and len(round_.results) == 2


async def test_tool_handler_property_and_extra_tools() -> None:
    """tool_handler can be replaced; extra_tools are offered in every room."""
    from roomkit.providers.ai.base import AITool

    provider = MockAIProvider([calls(("handoff", {"to": "human"})), "handed off"])
    ai = AIChannel("ai", provider)
    handler = Recorder()
    ai.tool_handler = handler
    ai.extra_tools.append(AITool(name="handoff", description="Hand the conversation over"))
    assert ai.tool_handler is handler
    await answer(ai, said("x"))
    assert [t.name for t in provider.calls[0].tools] == ["handoff"]
    assert handler.calls == [("handoff", {"to": "human"})]


async def test_cancel_ends_the_loop_within_the_round() -> None:
    """Cancel interrupts a running tool at once; no further model call is made."""
    provider = MockAIProvider([calls(("get_weather", {}), text="Let me see"), "never"])
    ai = AIChannel("ai", provider, tool_handler=Recorder(delay=30))
    turn = asyncio.create_task(answer(ai, said("x"), bound=TOOLS))
    await until(lambda: bool(ai.active_loops) and len(provider.calls) == 1)
    started = time.monotonic()
    ai.steer(Cancel(reason="user left"))
    output = await asyncio.wait_for(turn, 2)
    assert time.monotonic() - started < 0.5
    assert output.metadata["stop_reason"] == "cancelled"
    assert output.metadata["cancel_reason"] == "user left"
    assert len(provider.calls) == 1
    assert body(output) == "Let me see"
    assert ai.active_loops == []


async def test_cancel_interrupts_generation() -> None:
    """Cancel during a slow model call returns at once, with nothing to say."""
    late = MockAIProvider(["late"])
    late.delay = 30
    ai = AIChannel("ai", late)
    turn = asyncio.create_task(answer(ai, said("x")))
    await until(lambda: bool(ai.active_loops))
    ai.steer(Cancel())
    output = await asyncio.wait_for(turn, 2)
    assert output.response_events == [] and output.metadata["stop_reason"] == "cancelled"


async def test_inject_and_prompt_update_reach_the_next_request() -> None:
    """Directives sent during a round are in the following model request."""
    provider = MockAIProvider([calls(("get_weather", {})), "ok"])
    ai = AIChannel("ai", provider, system_prompt="Base.")

    async def handler(name: str, arguments: dict[str, Any]) -> str:
        ai.steer(InjectMessage(content="User uploaded a file."))
        ai.steer(UpdateSystemPrompt(append=" VIP."))
        return "sunny"

    ai.tool_handler = handler
    await answer(ai, said("x"), bound=TOOLS)
    first, second = provider.calls
    assert [m.content for m in first.messages] == ["x"]
    assert second.messages[-1].role == "user"
    assert second.messages[-1].content == "User uploaded a file."
    assert (first.system_prompt, second.system_prompt) == ("Base.", "Base. VIP.")


async def test_steer_targets_a_loop_by_id() -> None:
    """loop_id picks one loop; an unknown id or no loop at all is a no-op."""
    provider = MockAIProvider(["slow"])
    provider.delay = 30
    ai = AIChannel("ai", provider)
    ai.steer(Cancel())  # nothing running: ignored
    first = asyncio.create_task(answer(ai, said("a")))
    await until(lambda: len(ai.active_loops) == 1)
    second = asyncio.create_task(answer(ai, said("b")))
    await until(lambda: len(ai.active_loops) == 2)
    ai.steer(Cancel(), loop_id="no-such-loop")
    ai.steer(Cancel(), loop_id=ai.active_loops[0])
    assert (await asyncio.wait_for(first, 2)).metadata["stop_reason"] == "cancelled"
    assert not second.done()
    ai.steer(Cancel())  # the most recent loop: the second
    assert (await asyncio.wait_for(second, 2)).metadata["stop_reason"] == "cancelled"
