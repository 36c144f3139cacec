"""RetryPolicy, RetryingAIProvider and FallbackAIProvider with scripted providers."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing

import pytest

from roomkit.channels.ai import FallbackAIProvider, RetryingAIProvider, RetryPolicy
from roomkit.channels.ai.resilience import resilient
from roomkit.errors import ProviderError
from roomkit.providers.ai.base import (
    AIContext,
    AIProvider,
    AIResponse,
    StreamEvent,
    StreamTextDelta,
)
from roomkit.providers.ai.mock import MockAIProvider

CONTEXT = AIContext()


def busy(retry_after: float | None = None) -> ProviderError:
    return ProviderError("busy", retryable=True, status_code=429, retry_after=retry_after)


class Sleeps:
    """A sleep that records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def test_backoff_is_exponential_and_capped() -> None:
    """base * factor**n, capped at max_delay_seconds, without jitter."""
    policy = RetryPolicy(max_retries=5, base_delay_seconds=1, max_delay_seconds=5, jitter=0)
    assert [policy.delay(n) for n in range(4)] == [1, 2, 4, 5]


def test_jitter_only_shortens() -> None:
    """Jitter takes up to its fraction off the delay, never adds."""
    policy = RetryPolicy(base_delay_seconds=1, jitter=0.5)
    delays = [policy.delay(0) for _ in range(200)]
    assert all(d is not None and 0.5 <= d <= 1 for d in delays)
    assert len(set(delays)) > 1


def test_retry_after_is_a_minimum_and_a_limit() -> None:
    """Retry-After lengthens a delay; beyond max_delay_seconds it stops retrying."""
    policy = RetryPolicy(base_delay_seconds=0.1, max_delay_seconds=10, jitter=0)
    assert policy.delay(0, retry_after=3) == 3
    assert policy.delay(0, retry_after=0.01) == 0.1
    assert policy.delay(0, retry_after=60) is None


async def test_retries_until_success() -> None:
    """Retryable errors are retried with growing delays."""
    inner = MockAIProvider([busy(), busy(), "ok"])
    sleeps = Sleeps()
    policy = RetryPolicy(max_retries=3, base_delay_seconds=0.5, jitter=0)
    response = await RetryingAIProvider(inner, policy, sleep=sleeps).generate(CONTEXT)
    assert response.content == "ok"
    assert sleeps.delays == [0.5, 1.0]


async def test_honours_retry_after() -> None:
    """The vendor's Retry-After wins over a shorter backoff."""
    inner = MockAIProvider([busy(retry_after=2.0), "ok"])
    sleeps = Sleeps()
    policy = RetryPolicy(max_retries=1, base_delay_seconds=0.1, jitter=0)
    await RetryingAIProvider(inner, policy, sleep=sleeps).generate(CONTEXT)
    assert sleeps.delays == [2.0]


async def test_gives_up_after_max_retries() -> None:
    """After max_retries, the last error is raised."""
    inner = MockAIProvider([busy()])
    policy = RetryPolicy(max_retries=2, base_delay_seconds=0.001)
    with pytest.raises(ProviderError, match="busy"):
        await RetryingAIProvider(inner, policy, sleep=Sleeps()).generate(CONTEXT)
    assert len(inner.calls) == 3


async def test_non_retryable_is_not_retried() -> None:
    """A 4xx fails at the first attempt."""
    inner = MockAIProvider([ProviderError("bad", status_code=400)])
    with pytest.raises(ProviderError):
        await RetryingAIProvider(inner, RetryPolicy(max_retries=5), sleep=Sleeps()).generate(
            CONTEXT
        )
    assert len(inner.calls) == 1


class FailsMidStream(AIProvider):
    """Streams one delta, then loses the connection."""

    def __init__(self) -> None:
        self.attempts = 0

    async def generate(self, context: AIContext) -> AIResponse:
        raise AssertionError("not used")

    async def generate_structured_stream(
        self, context: AIContext
    ) -> AsyncGenerator[StreamEvent, None]:
        self.attempts += 1
        yield StreamTextDelta(text="partial")
        raise busy()


async def collect(provider: AIProvider) -> list[StreamEvent]:
    async with aclosing(provider.generate_structured_stream(CONTEXT)) as events:
        return [e async for e in events]


async def test_stream_retried_only_before_its_first_event() -> None:
    """A stream failing before any event is retried; one failing after is not."""
    early = RetryingAIProvider(
        MockAIProvider([busy(), "fine"], streaming=True), RetryPolicy(max_retries=1), sleep=Sleeps()
    )
    assert [e for e in await collect(early) if isinstance(e, StreamTextDelta)]
    late_inner = FailsMidStream()
    late = RetryingAIProvider(late_inner, RetryPolicy(max_retries=3), sleep=Sleeps())
    with pytest.raises(ProviderError):
        await collect(late)
    assert late_inner.attempts == 1


async def test_fallback_after_retryable_failure() -> None:
    """The next provider answers when the first fails retryably."""
    first, second = MockAIProvider([busy()]), MockAIProvider(["second"])
    fallback = FallbackAIProvider([first, second])
    assert (await fallback.generate(CONTEXT)).content == "second"
    events = await collect(fallback)
    assert "".join(e.text for e in events if isinstance(e, StreamTextDelta)) == "second"


async def test_fallback_skipped_for_refused_requests() -> None:
    """A non-retryable error is not handed to the fallback."""
    second = MockAIProvider(["unused"])
    fallback = FallbackAIProvider([MockAIProvider([ProviderError("bad")]), second])
    with pytest.raises(ProviderError, match="bad"):
        await fallback.generate(CONTEXT)
    assert second.calls == []


async def test_fallback_error_names_every_failure() -> None:
    """When all fail, one error lists each provider's failure."""
    fallback = FallbackAIProvider(
        [MockAIProvider([busy()]), MockAIProvider([ProviderError("down", provider="b")])]
    )
    with pytest.raises(ProviderError) as info:
        await fallback.generate(CONTEXT)
    assert "busy" in str(info.value) and "down" in str(info.value)


async def test_resilient_composition_and_close() -> None:
    """retry + fallback compose as Fallback(Retrying, Retrying); close reaches all."""
    primary, backup = MockAIProvider(), MockAIProvider()
    chain = resilient(primary, RetryPolicy(max_retries=1), backup)
    assert isinstance(chain, FallbackAIProvider)
    assert all(isinstance(p, RetryingAIProvider) for p in chain.providers)
    assert resilient(primary, None, None) is primary
    await chain.close()
    assert primary.closed and backup.closed


def test_fallback_needs_a_provider() -> None:
    """An empty chain is a configuration error."""
    with pytest.raises(ValueError):
        FallbackAIProvider([])
