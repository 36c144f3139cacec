"""The tool loop: call the model, run the tools it asks for, repeat until it answers.

One loop per turn. Each round:

1. checkpoint — a :class:`~roomkit.channels.ai.steering.Cancel` already received ends the
   loop before another (costly) model call;
2. the model is called (streamed when a text sink is given); an answer without tool calls
   ends the loop;
3. the round's tool calls run concurrently; their results are appended to the messages;
4. ``after_tool_round`` is told, then the steering queue is drained: injected messages
   and prompt updates are in the next request.

A cancel also trips an event that interrupts steps 2 and 3 at once. Limits end the loop
with what was said so far: ``max_tool_rounds`` (a model still asking for tools after that
many rounds gets no more), the overall ``timeout`` (None: none), and a warning is logged
when round ``warn_after`` starts. Provider errors propagate to the caller.

The answer's text is every round's text, rounds separated by a blank line — exactly what
a text sink received.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from contextlib import aclosing, suppress
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from roomkit.channels.ai.steering import LoopSteering, apply_directives
from roomkit.channels.ai.tools import AfterToolRound, ToolCallInfo, ToolExecutor, ToolRound
from roomkit.providers.ai.base import (
    AIContext,
    AIMessage,
    AIProvider,
    AIResponse,
    AITextPart,
    AIThinkingPart,
    MessagePart,
    ResponseAccumulator,
    StreamTextDelta,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")
StopReason = Literal["completed", "max_tool_rounds", "timeout", "cancelled"]


@dataclass(frozen=True, slots=True)
class LoopLimits:
    """How far a loop may go."""

    max_rounds: int = 200
    timeout: float | None = 300.0
    warn_after: int = 50


@dataclass(slots=True)
class LoopOutcome:
    """How a loop ended and what the model said."""

    text: str
    stop_reason: StopReason
    rounds: int
    last_response: AIResponse | None
    usage: dict[str, int] = field(default_factory=dict)
    thinking: str | None = None


class _Cancelled(Exception):
    """Raised inside the loop when the cancel event interrupts a step."""


class ToolLoop:
    """Runs one turn. Not reusable: build one per turn."""

    def __init__(
        self,
        provider: AIProvider,
        executor: ToolExecutor,
        steering: LoopSteering,
        info: ToolCallInfo,
        *,
        limits: LoopLimits = LoopLimits(),
        after_tool_round: AfterToolRound | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> None:
        self._provider = provider
        self._executor = executor
        self._steering = steering
        self._info = info
        self._limits = limits
        self._after_tool_round = after_tool_round
        self._on_text = on_text
        self._pieces: list[str] = []
        self._round_spoke = False
        self._usage: dict[str, int] = {}
        self._last: AIResponse | None = None
        self._rounds = 0

    async def run(self, context: AIContext) -> LoopOutcome:
        """Run the loop on ``context`` (its messages grow as rounds go)."""
        try:
            async with asyncio.timeout(self._limits.timeout) as deadline:
                return await self._run_rounds(context)
        except TimeoutError:
            if not deadline.expired():
                raise  # a timeout of something inside, not of the loop
            logger.warning("tool loop %s timed out", self._steering.loop_id)
            return self._outcome("timeout")
        except _Cancelled:
            return self._outcome("cancelled")

    async def _run_rounds(self, context: AIContext) -> LoopOutcome:
        while True:
            if self._steering.cancelled:
                return self._outcome("cancelled")
            response = await self._race(self._call_model(_snapshot(context)))
            if not response.tool_calls:
                return self._outcome("completed")
            if self._rounds >= self._limits.max_rounds:
                logger.warning("tool loop stopped after %d rounds", self._rounds)
                return self._outcome("max_tool_rounds")
            self._rounds += 1
            if self._rounds == self._limits.warn_after:
                logger.warning(
                    "tool loop %s reached round %d", self._steering.loop_id, self._rounds
                )
            await self._tool_round(context, response)
            apply_directives(context, self._steering.drain())

    async def _tool_round(self, context: AIContext, response: AIResponse) -> None:
        context.messages.append(_assistant_message(response))
        info = dataclasses.replace(self._info, round=self._rounds)
        results = await self._race(self._executor.run_round(response.tool_calls, info))
        context.messages.append(AIMessage(role="tool", content=list(results)))
        if self._after_tool_round is not None:
            try:
                await self._after_tool_round(ToolRound(info, response.tool_calls, results))
            except Exception:
                logger.exception("after_tool_round hook failed")

    async def _call_model(self, context: AIContext) -> AIResponse:
        self._round_spoke = False
        if self._on_text is None:
            response = await self._provider.generate(context)
            self._say(response.content)
        else:
            accumulator = ResponseAccumulator()
            async with aclosing(self._provider.generate_structured_stream(context)) as events:
                async for event in events:
                    accumulator.add(event)
                    if isinstance(event, StreamTextDelta):
                        self._say(event.text)
            response = accumulator.response()
        self._last = response
        for key, value in response.usage.items():
            self._usage[key] = self._usage.get(key, 0) + value
        return response

    def _say(self, text: str) -> None:
        """Record (and stream) text, a blank line between rounds that both spoke."""
        if not text:
            return
        if not self._round_spoke and self._pieces:
            self._emit("\n\n")
        self._round_spoke = True
        self._emit(text)

    def _emit(self, text: str) -> None:
        self._pieces.append(text)
        if self._on_text is not None:
            self._on_text(text)

    async def _race(self, step: Awaitable[T]) -> T:
        """Await ``step`` unless the cancel event fires first (then raise _Cancelled)."""
        task = asyncio.ensure_future(step)
        waiter = asyncio.ensure_future(self._steering.cancel_event.wait())
        try:
            await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            # This task owns both: neither may outlive the step, whatever ended it.
            waiter.cancel()
            if not task.done():
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
        if not task.done() or task.cancelled():
            raise _Cancelled
        return task.result()

    def _outcome(self, reason: StopReason) -> LoopOutcome:
        if reason == "cancelled":
            logger.info("tool loop %s cancelled: %s", self._steering.loop_id,
                        self._steering.cancel_reason)  # fmt: skip
        return LoopOutcome(
            text="".join(self._pieces),
            stop_reason=reason,
            rounds=self._rounds,
            last_response=self._last,
            usage=dict(self._usage),
            thinking=self._last.thinking if self._last else None,
        )


def _snapshot(context: AIContext) -> AIContext:
    """A copy for one request: later rounds must not change what was sent."""
    return context.model_copy(update={"messages": list(context.messages)})


def _assistant_message(response: AIResponse) -> AIMessage:
    parts: list[MessagePart] = []
    if response.thinking:
        parts.append(
            AIThinkingPart(thinking=response.thinking, signature=response.thinking_signature)
        )
    if response.content:
        parts.append(AITextPart(text=response.content))
    parts.extend(call.as_part() for call in response.tool_calls)
    return AIMessage(role="assistant", content=parts)
