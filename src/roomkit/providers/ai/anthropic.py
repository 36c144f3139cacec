"""AnthropicAIProvider — Claude through the Messages API, over httpx.

Bodies and parsing are in :mod:`roomkit.providers.wire.anthropic`; this module only sends
them. Needs the ``http`` extra (``pip install 'roomkit[http]'``).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass, field

from roomkit.providers.ai._http import HTTPAIProvider
from roomkit.providers.ai.base import AIContext, AIResponse, StreamEvent
from roomkit.providers.wire import anthropic as wire


@dataclass(frozen=True, slots=True)
class AnthropicConfig:
    """How to reach Anthropic.

    Args:
        api_key: sent as ``x-api-key``; never shown in ``repr``.
        model: the model id (``claude-…``); required so an upgrade never changes it.
        base_url: API root, without ``/v1`` (a proxy or a stand-in server in tests).
        timeout: seconds a slow model may take before its first byte and between chunks.
        connect_timeout: seconds for the TCP connect alone.
    """

    api_key: str = field(repr=False)
    model: str
    base_url: str = "https://api.anthropic.com"
    timeout: float = 120.0
    connect_timeout: float = 5.0


class AnthropicAIProvider(HTTPAIProvider):
    """Claude via ``POST {base_url}/v1/messages``, streamed over SSE when asked."""

    provider = wire.PROVIDER

    def __init__(self, config: AnthropicConfig) -> None:
        super().__init__(config, wire.build_headers(config.api_key))
        self._config: AnthropicConfig = config

    async def generate(self, context: AIContext) -> AIResponse:
        body = wire.build_request(context, model=self._config.model)
        return wire.parse_response(await self._session.post_json(wire.MESSAGES_PATH, body))

    async def generate_structured_stream(
        self, context: AIContext
    ) -> AsyncGenerator[StreamEvent, None]:
        body = wire.build_request(context, model=self._config.model, stream=True)
        parser = wire.StreamParser()
        async with aclosing(self._session.post_sse(wire.MESSAGES_PATH, body)) as events:
            async for sse in events:
                for event in parser.feed(sse):
                    yield event
        for event in parser.finish():
            yield event
