"""MockAIProvider — scripted answers for tests, shipped for users' own tests too."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncGenerator, Sequence
from copy import deepcopy

from roomkit.providers.ai.base import (
    AIContext,
    AIProvider,
    AIResponse,
    StreamEvent,
    StreamTextDelta,
    response_to_events,
)

Scripted = str | AIResponse | BaseException


def _as_sent(context: AIContext) -> AIContext:
    """A copy of ``context`` that later changes do not reach (the tool loop goes on
    appending to its messages). The room, a per-turn snapshot nobody changes, is shared:
    copying it would cost more than the rest together."""
    mutable = ("messages", "tools", "target_media_types", "metadata")
    return context.model_copy(update={name: deepcopy(getattr(context, name)) for name in mutable})


class MockAIProvider(AIProvider):
    """Answers from a script, in order, starting over when it runs out.

    Each entry of ``responses`` is a text (answered with ``finish_reason="stop"``), a full
    :class:`AIResponse` (to script tool calls, thinking or usage), or an exception, which
    is raised instead of answering (to script failures such as a ``ProviderError``).
    Every :class:`AIContext` received is recorded in :attr:`calls`, as sent.

    Args:
        responses: the script; defaults to one ``"Hello from AI"``.
        vision: whether :attr:`supports_vision` is True (the channel then sends images).
        ai_responses: more entries, appended after ``responses``.
        streaming: whether :attr:`supports_streaming` and
            :attr:`supports_structured_streaming` are True; the stream then yields the text
            word by word.

    Attributes set after construction: :attr:`delay`, seconds to wait before answering
    each call (for timeout and cancel tests), and :attr:`model`, the reported model name.
    """

    def __init__(
        self,
        responses: Sequence[Scripted] | None = None,
        *,
        vision: bool = False,
        ai_responses: Sequence[AIResponse] | None = None,
        streaming: bool = False,
    ) -> None:
        script: list[Scripted] = [*(responses or []), *(ai_responses or [])]
        self.responses: list[Scripted] = script or ["Hello from AI"]
        self.calls: list[AIContext] = []
        self.closed = False
        self.delay = 0.0
        self.model = "mock"
        self._index = 0
        self._vision = vision
        self._streaming = streaming

    @property
    def name(self) -> str:
        return "mock"

    @property
    def model_name(self) -> str:
        return self.model

    @property
    def supports_vision(self) -> bool:
        return self._vision

    @property
    def supports_streaming(self) -> bool:
        return self._streaming

    @property
    def supports_structured_streaming(self) -> bool:
        return self._streaming

    async def _next(self, context: AIContext) -> AIResponse:
        self.calls.append(_as_sent(context))
        entry = self.responses[self._index % len(self.responses)]
        self._index += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if isinstance(entry, BaseException):
            raise entry
        if isinstance(entry, str):
            return AIResponse(
                content=entry,
                finish_reason="stop",
                usage={"input_tokens": 10, "output_tokens": 5},
            )
        return entry

    async def generate(self, context: AIContext) -> AIResponse:
        return await self._next(context)

    async def generate_structured_stream(
        self, context: AIContext
    ) -> AsyncGenerator[StreamEvent, None]:
        response = await self._next(context)
        for event in response_to_events(response):
            if not isinstance(event, StreamTextDelta):
                yield event
                continue
            for piece in re.findall(r"\S+\s*|\s+", event.text):
                yield StreamTextDelta(text=piece)
                await asyncio.sleep(0)  # let consumers see each piece separately

    async def close(self) -> None:
        self.closed = True
