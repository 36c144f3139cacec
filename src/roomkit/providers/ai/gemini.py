"""GeminiAIProvider — Gemini's ``generateContent`` REST API over httpx.

Bodies and parsing are in :mod:`roomkit.providers.wire.gemini`. Needs the ``http`` extra.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass, field

from roomkit.providers.ai._http import HTTPAIProvider
from roomkit.providers.ai.base import AIContext, AIResponse, StreamEvent
from roomkit.providers.wire import gemini as wire


@dataclass(frozen=True, slots=True)
class GeminiConfig:
    """How to reach Gemini.

    Args:
        api_key: sent as ``x-goog-api-key``; never shown in ``repr``.
        model: the model id.
        base_url: API root including the version (``…/v1beta``).
        timeout: seconds a slow model may take before its first byte and between chunks.
        connect_timeout: seconds for the TCP connect alone.
    """

    api_key: str = field(repr=False)
    model: str = "gemini-2.5-flash"
    base_url: str = "https://generativelanguage.googleapis.com/v1beta"
    timeout: float = 120.0
    connect_timeout: float = 5.0


class GeminiAIProvider(HTTPAIProvider):
    """Gemini via ``models/{model}:generateContent`` and ``:streamGenerateContent?alt=sse``."""

    provider = wire.PROVIDER

    def __init__(self, config: GeminiConfig) -> None:
        super().__init__(config, wire.build_headers(config.api_key))
        self._config: GeminiConfig = config

    async def generate(self, context: AIContext) -> AIResponse:
        path = wire.request_path(self._config.model, stream=False)
        raw = await self._session.post_json(path, wire.build_request(context))
        return wire.parse_response(raw)

    async def generate_structured_stream(
        self, context: AIContext
    ) -> AsyncGenerator[StreamEvent, None]:
        parser = wire.StreamParser()
        path = wire.request_path(self._config.model, stream=True)
        async with aclosing(self._session.post_sse(path, wire.build_request(context))) as events:
            async for sse in events:
                for event in parser.feed(sse):
                    yield event
        for event in parser.finish():
            yield event
