"""OpenAIAIProvider — Chat Completions over httpx, for OpenAI and every server speaking it.

Point ``base_url`` at vLLM (``http://host:8000/v1``), Ollama (``http://host:11434/v1``) or
llama.cpp's server to use a local model. Bodies and parsing are in
:mod:`roomkit.providers.wire.openai`. Needs the ``http`` extra.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Literal

from roomkit.providers.ai._http import HTTPAIProvider
from roomkit.providers.ai.base import AIContext, AIResponse, StreamEvent
from roomkit.providers.wire import openai as wire


@dataclass(frozen=True, slots=True)
class OpenAIConfig:
    """How to reach an OpenAI-compatible server.

    Args:
        api_key: sent as ``Authorization: Bearer``; ``None`` for local servers without auth.
        model: the model id; required.
        base_url: API root including ``/v1``.
        max_tokens_field: ``"max_tokens"`` (what compatible servers read) or
            ``"max_completion_tokens"`` (what OpenAI's reasoning models require).
        include_usage: ask for the usage chunk at the end of a stream.
        timeout: seconds a slow model may take before its first byte and between chunks.
        connect_timeout: seconds for the TCP connect alone.
    """

    api_key: str | None = field(repr=False)
    model: str
    base_url: str = "https://api.openai.com/v1"
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    include_usage: bool = True
    timeout: float = 120.0
    connect_timeout: float = 5.0


class OpenAIAIProvider(HTTPAIProvider):
    """Chat Completions via ``POST {base_url}/chat/completions``."""

    provider = wire.PROVIDER

    def __init__(self, config: OpenAIConfig) -> None:
        super().__init__(config, wire.build_headers(config.api_key))
        self._config: OpenAIConfig = config

    def _body(self, context: AIContext, *, stream: bool) -> dict[str, object]:
        return wire.build_request(
            context,
            model=self._config.model,
            stream=stream,
            max_tokens_field=self._config.max_tokens_field,
            include_usage=self._config.include_usage,
        )

    async def generate(self, context: AIContext) -> AIResponse:
        body = self._body(context, stream=False)
        return wire.parse_response(await self._session.post_json(wire.COMPLETIONS_PATH, body))

    async def generate_structured_stream(
        self, context: AIContext
    ) -> AsyncGenerator[StreamEvent, None]:
        parser = wire.StreamParser()
        body = self._body(context, stream=True)
        async with aclosing(self._session.post_sse(wire.COMPLETIONS_PATH, body)) as events:
            async for sse in events:
                for event in parser.feed(sse):
                    yield event
                if parser.finished:
                    return
        for event in parser.finish():
            yield event
