"""Stand-in vendor servers on loopback and providers pointed at them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from roomkit.providers.ai.anthropic import AnthropicAIProvider, AnthropicConfig
from roomkit.providers.ai.gemini import GeminiAIProvider, GeminiConfig
from roomkit.providers.ai.openai import OpenAIAIProvider, OpenAIConfig
from tests.standins.anthropic import AnthropicStandIn
from tests.standins.gemini import GeminiStandIn
from tests.standins.openai import OpenAIStandIn
from tests.standins.server import serve_app


@pytest.fixture
async def anthropic() -> AsyncIterator[tuple[AnthropicStandIn, AnthropicAIProvider]]:
    app = AnthropicStandIn()
    async with serve_app(app) as url:
        app.base_url = url
        provider = AnthropicAIProvider(
            AnthropicConfig(api_key="sk-ant-test", model="claude-test-1", base_url=url)
        )
        yield app, provider
        await provider.close()


@pytest.fixture
async def openai() -> AsyncIterator[tuple[OpenAIStandIn, OpenAIAIProvider]]:
    app = OpenAIStandIn()
    async with serve_app(app) as url:
        app.base_url = url
        provider = OpenAIAIProvider(
            OpenAIConfig(api_key="sk-test", model="gpt-test-1", base_url=f"{url}/v1")
        )
        yield app, provider
        await provider.close()


@pytest.fixture
async def gemini() -> AsyncIterator[tuple[GeminiStandIn, GeminiAIProvider]]:
    app = GeminiStandIn()
    async with serve_app(app) as url:
        app.base_url = url
        provider = GeminiAIProvider(
            GeminiConfig(api_key="g-test", model="gemini-test", base_url=f"{url}/v1beta")
        )
        yield app, provider
        await provider.close()
