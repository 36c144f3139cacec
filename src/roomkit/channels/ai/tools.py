"""Tool calls: who serves them, which are allowed, and the hooks around them.

A **tool handler** is ``async def handler(name: str, arguments: dict) -> Any``; text is
passed to the model as is, anything else as its JSON. Tools the channel serves itself
(skills) are tried first, then the handler.

Every call ends as a result the model reads — never as an exception out of the loop:

* a call to a tool the turn did not offer, or that the :class:`ToolPolicy` denies, is
  refused with an error result;
* ``before_tool_use`` may allow it, block it (the reason is the result) or modify its
  arguments; a hook that raises blocks the call (it is the kit's job to apply its own
  fail-open policy before an exception escapes);
* a handler that raises gives ``{"error": "Tool '<name>' failed (<ExceptionClass>)"}``:
  the exception's message is logged, never shown to the model, since it may hold secrets.

Hook signatures (all optional, all async, set on ``AIChannel.tool_hooks``)::

    before_tool_use(call: AIToolCall, info: ToolCallInfo) -> ToolDecision | None
    on_tool_call(call: AIToolCall, result: AIToolResultPart, info: ToolCallInfo) -> None
    after_tool_round(round: ToolRound) -> None
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from roomkit.models.event import RoomEvent
from roomkit.providers.ai.base import AITool, AIToolCall, AIToolResultPart

logger = logging.getLogger(__name__)

ToolHandler = Callable[[str, dict[str, Any]], Awaitable[Any]]


class ToolPolicy(BaseModel):
    """Which tools the model may be offered and may call, by name or ``fnmatch`` glob.

    A name matching any ``deny`` pattern is refused; otherwise, when ``allow`` is not
    empty, the name must match one of its patterns. Empty lists permit everything.
    """

    allow: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)

    def permits(self, name: str) -> bool:
        """Whether a tool called ``name`` may be used."""
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in self.deny):
            return False
        return not self.allow or any(fnmatch.fnmatchcase(name, p) for p in self.allow)

    def filter(self, tools: Iterable[AITool]) -> list[AITool]:
        """The tools of ``tools`` this policy permits."""
        return [t for t in tools if self.permits(t.name)]


@dataclass(frozen=True, slots=True)
class ToolCallInfo:
    """Where a tool call happens: channel, room, loop, round (from 1) and the event
    the turn answers."""

    channel_id: str
    room_id: str
    loop_id: str
    round: int
    event: RoomEvent


@dataclass(frozen=True, slots=True)
class ToolDecision:
    """What ``before_tool_use`` decided: ``allow``, ``block`` (with a reason the model
    reads) or ``modify`` (with replacement arguments)."""

    action: Literal["allow", "block", "modify"] = "allow"
    reason: str = ""
    arguments: dict[str, Any] | None = None

    @classmethod
    def allow(cls) -> ToolDecision:
        return cls()

    @classmethod
    def block(cls, reason: str) -> ToolDecision:
        return cls(action="block", reason=reason)

    @classmethod
    def modify(cls, arguments: dict[str, Any]) -> ToolDecision:
        return cls(action="modify", arguments=arguments)


@dataclass(frozen=True, slots=True)
class ToolRound:
    """One finished round: the calls the model made and their results, in order."""

    info: ToolCallInfo
    calls: list[AIToolCall]
    results: list[AIToolResultPart]


BeforeToolUse = Callable[[AIToolCall, ToolCallInfo], Awaitable[ToolDecision | None]]
OnToolCall = Callable[[AIToolCall, AIToolResultPart, ToolCallInfo], Awaitable[None]]
AfterToolRound = Callable[[ToolRound], Awaitable[None]]


@dataclass(slots=True)
class ToolHooks:
    """Optional callbacks around tool use; the kit wires its hook engine to these."""

    before_tool_use: BeforeToolUse | None = None
    on_tool_call: OnToolCall | None = None
    after_tool_round: AfterToolRound | None = None


class Toolset(Protocol):
    """Tools a channel serves itself (skills): declared, then answered in-process."""

    def tools(self) -> list[AITool]: ...

    def handles(self, name: str) -> bool: ...

    async def call(self, name: str, arguments: dict[str, Any]) -> str: ...


def error_result(call: AIToolCall, message: str) -> AIToolResultPart:
    """A result telling the model its call failed."""
    body = json.dumps({"error": message})
    return AIToolResultPart(tool_call_id=call.id, name=call.name, result=body, is_error=True)


def as_text(value: Any) -> str:
    """A handler's return value as the text the model reads."""
    return value if isinstance(value, str) else json.dumps(value, default=str)


@dataclass(slots=True)
class ToolExecutor:
    """Runs one turn's tool calls. Built per turn with the tools that turn offered."""

    handler: ToolHandler | None
    offered: set[str]
    toolsets: Sequence[Toolset] = ()
    policy: ToolPolicy | None = None
    exempt: set[str] = field(default_factory=set)  # names the policy never filters
    hooks: ToolHooks = field(default_factory=ToolHooks)

    async def run_round(
        self, calls: list[AIToolCall], info: ToolCallInfo
    ) -> list[AIToolResultPart]:
        """Run ``calls`` concurrently; results come back in the calls' order."""
        return list(await asyncio.gather(*(self.run(call, info) for call in calls)))

    async def run(self, call: AIToolCall, info: ToolCallInfo) -> AIToolResultPart:
        """Run one call and report it to ``on_tool_call``."""
        result = await self._gated(call, info)
        if self.hooks.on_tool_call is not None:
            try:
                await self.hooks.on_tool_call(call, result, info)
            except Exception:
                logger.exception("on_tool_call hook failed for %s", call.name)
        return result

    def _refusal(self, call: AIToolCall) -> str | None:
        if call.name not in self.offered:
            return f"Unknown tool: {call.name}"
        exempt = call.name in self.exempt
        if self.policy is not None and not exempt and not self.policy.permits(call.name):
            return f"Tool '{call.name}' is not allowed"
        return None

    async def _gated(self, call: AIToolCall, info: ToolCallInfo) -> AIToolResultPart:
        refusal = self._refusal(call)
        if refusal is not None:
            return error_result(call, refusal)
        if self.hooks.before_tool_use is not None:
            try:
                decision = await self.hooks.before_tool_use(call, info)
            except Exception:
                logger.exception("before_tool_use hook failed for %s; call blocked", call.name)
                return error_result(call, f"Tool '{call.name}' was blocked")
            if decision is not None and decision.action == "block":
                return error_result(call, decision.reason or f"Tool '{call.name}' was blocked")
            if decision is not None and decision.arguments is not None:
                call = call.model_copy(update={"arguments": decision.arguments})
        return await self._dispatch(call)

    async def _dispatch(self, call: AIToolCall) -> AIToolResultPart:
        serve = self._server_for(call.name)
        if serve is None:
            return error_result(call, f"No handler for tool {call.name}")
        try:
            value = await serve(call.name, call.arguments)
        except Exception as exc:
            logger.exception("tool %s failed", call.name)
            return error_result(call, f"Tool '{call.name}' failed ({type(exc).__name__})")
        return AIToolResultPart(tool_call_id=call.id, name=call.name, result=as_text(value))

    def _server_for(self, name: str) -> ToolHandler | None:
        for toolset in self.toolsets:
            if toolset.handles(name):
                return toolset.call
        return self.handler


def binding_tools(meta: dict[str, Any]) -> list[AITool]:
    """Tools from binding metadata; a dict may leave out the description (as in JSON config)."""
    raw = meta.get("tools") or []
    return [
        t if isinstance(t, AITool) else AITool.model_validate({"description": "", **t}) for t in raw
    ]


def unique_tools(tools: list[AITool]) -> list[AITool]:
    """One tool per name; the first one given wins."""
    seen: dict[str, AITool] = {}
    for tool in tools:
        if tool.name in seen:
            logger.warning("tool %r is declared twice; keeping the first", tool.name)
            continue
        seen[tool.name] = tool
    return list(seen.values())
