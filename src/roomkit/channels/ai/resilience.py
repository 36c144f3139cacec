"""Retries with backoff and provider fallback, as providers that wrap providers.

``AIChannel(retry_policy=..., fallback_provider=...)`` composes them as::

    FallbackAIProvider([RetryingAIProvider(primary), RetryingAIProvider(fallback)])

The flow for one generation:

* a retryable error (408, 409, 429, 5xx, timeout, lost connection) is retried after
  ``min(base_delay_seconds * exponential_base ** n, max_delay_seconds)``, shortened by up
  to ``jitter`` of itself at random so that many clients do not retry in step; a vendor's
  ``Retry-After`` is honoured as a minimum — and when it asks for longer than
  ``max_delay_seconds`` the retries stop at once instead of sleeping that long;
* when retries are exhausted, the fallback is tried;
* a non-retryable error (another 4xx, an unreadable answer) fails at once, fallback
  included — the same request would be refused again.

A stream is only retried or handed to the fallback before its first event: text already
shown to people cannot be taken back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import aclosing
from typing import NoReturn

from roomkit.errors import ProviderError
from roomkit.models.policy import RetryPolicy
from roomkit.providers.ai.base import AIContext, AIProvider, AIResponse, StreamEvent

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


class RetryingAIProvider(AIProvider):
    """Retries ``inner``'s retryable failures according to ``policy``.

    Args:
        inner: the provider to call.
        policy: how often and how long to wait.
        sleep: the coroutine used to wait (tests pass one that records delays).
    """

    def __init__(self, inner: AIProvider, policy: RetryPolicy, *, sleep: Sleep = asyncio.sleep):
        self.inner = inner
        self.policy = policy
        self._sleep = sleep

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def model_name(self) -> str:
        return self.inner.model_name

    @property
    def supports_vision(self) -> bool:
        return self.inner.supports_vision

    @property
    def supports_streaming(self) -> bool:
        return self.inner.supports_streaming

    @property
    def supports_structured_streaming(self) -> bool:
        return self.inner.supports_structured_streaming

    async def _wait_before_retry(self, error: ProviderError, retry: int) -> bool:
        """Sleep before retry number ``retry``; False when ``error`` must not be retried."""
        if not error.retryable or retry >= self.policy.max_retries:
            return False
        delay = self.policy.delay(retry, error.retry_after)
        if delay is None:
            logger.warning("%s asked to wait %ss; not retrying", self.name, error.retry_after)
            return False
        logger.info("%s failed (%s); retry %d in %.2fs", self.name, error, retry + 1, delay)
        await self._sleep(delay)
        return True

    async def generate(self, context: AIContext) -> AIResponse:
        retry = 0
        while True:
            try:
                return await self.inner.generate(context)
            except ProviderError as error:
                if not await self._wait_before_retry(error, retry):
                    raise
            retry += 1

    async def generate_structured_stream(
        self, context: AIContext
    ) -> AsyncGenerator[StreamEvent, None]:
        retry = 0
        while True:
            started = False
            try:
                async with aclosing(self.inner.generate_structured_stream(context)) as events:
                    async for event in events:
                        started = True
                        yield event
                return
            except ProviderError as error:
                if started or not await self._wait_before_retry(error, retry):
                    raise
            retry += 1

    async def close(self) -> None:
        await self.inner.close()


def _retryable(error: ProviderError) -> bool:
    return error.retryable


class FallbackAIProvider(AIProvider):
    """Tries ``providers`` in order until one answers.

    Args:
        providers: the primary first, then each fallback.
        should_fallback: whether an error lets the next provider try; by default only
            retryable errors do (a refused request would be refused again).

    Raises:
        ProviderError: from :meth:`generate` / :meth:`stream` when every provider failed,
            naming each failure.
    """

    def __init__(
        self,
        providers: Sequence[AIProvider],
        *,
        should_fallback: Callable[[ProviderError], bool] = _retryable,
    ) -> None:
        if not providers:
            raise ValueError("FallbackAIProvider needs at least one provider")
        self.providers = list(providers)
        self._should_fallback = should_fallback

    @property
    def name(self) -> str:
        return "fallback(" + ",".join(p.name for p in self.providers) + ")"

    @property
    def model_name(self) -> str:
        return self.providers[0].model_name

    @property
    def supports_vision(self) -> bool:
        return self.providers[0].supports_vision

    @property
    def supports_streaming(self) -> bool:
        return self.providers[0].supports_streaming

    @property
    def supports_structured_streaming(self) -> bool:
        return self.providers[0].supports_structured_streaming

    def _give_up(self, failures: list[ProviderError], error: ProviderError, index: int) -> bool:
        failures.append(error)
        last = index == len(self.providers) - 1
        if not last and self._should_fallback(error):
            logger.warning("%s failed (%s); falling back", self.providers[index].name, error)
            return False
        return True

    async def generate(self, context: AIContext) -> AIResponse:
        failures: list[ProviderError] = []
        for index, provider in enumerate(self.providers):
            try:
                return await provider.generate(context)
            except ProviderError as error:
                if self._give_up(failures, error, index):
                    _raise_combined(failures, error)
        raise AssertionError("unreachable: the last provider either answers or raises")

    async def generate_structured_stream(
        self, context: AIContext
    ) -> AsyncGenerator[StreamEvent, None]:
        failures: list[ProviderError] = []
        for index, provider in enumerate(self.providers):
            started = False
            try:
                async with aclosing(provider.generate_structured_stream(context)) as events:
                    async for event in events:
                        started = True
                        yield event
                return
            except ProviderError as error:
                if started:
                    raise
                if self._give_up(failures, error, index):
                    _raise_combined(failures, error)

    async def close(self) -> None:
        for provider in self.providers:
            await provider.close()


def _raise_combined(failures: list[ProviderError], error: ProviderError) -> NoReturn:
    """Raise one error for a chain of failures: the last one's fields, every message."""
    if len(failures) == 1:
        raise error
    raise _combined(failures) from error


def _combined(failures: list[ProviderError]) -> ProviderError:
    last = failures[-1]
    summary = "; ".join(f"{e.provider or 'provider'}: {e}" for e in failures)
    return ProviderError(
        f"every provider failed — {summary}",
        retryable=last.retryable,
        provider=last.provider,
        status_code=last.status_code,
        retry_after=last.retry_after,
    )


def resilient(
    provider: AIProvider,
    retry_policy: RetryPolicy | None,
    fallback_provider: AIProvider | None,
) -> AIProvider:
    """``provider`` wrapped with retries (each provider its own) and the fallback."""
    chain = [provider] if fallback_provider is None else [provider, fallback_provider]
    if retry_policy is not None and retry_policy.max_retries > 0:
        chain = [RetryingAIProvider(p, retry_policy) for p in chain]
    return chain[0] if len(chain) == 1 else FallbackAIProvider(chain)
