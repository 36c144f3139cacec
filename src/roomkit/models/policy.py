"""Rate limits and retry policies: plain settings that channels, bindings and providers read."""

from __future__ import annotations

import random

from pydantic import BaseModel, Field

__all__ = ["RateLimit", "RetryPolicy"]


class RateLimit(BaseModel):
    """At most this many events per second, minute and hour (None: no limit on that window)."""

    max_per_second: float | None = Field(default=None, gt=0.0)
    max_per_minute: float | None = Field(default=None, gt=0.0)
    max_per_hour: float | None = Field(default=None, gt=0.0)


class RetryPolicy(BaseModel):
    """How often and how patiently to retry a failed call.

    Args:
        max_retries: retries after the first attempt (0: none).
        base_delay_seconds: the first retry's delay.
        max_delay_seconds: the cap on any delay; a vendor asking for a longer wait gives up.
        exponential_base: each later retry waits this many times longer.
        jitter: the fraction of each delay that may be randomly cut (0, the default: exact).
    """

    max_retries: int = Field(default=3, ge=0)
    base_delay_seconds: float = Field(default=1.0, gt=0.0)
    max_delay_seconds: float = Field(default=60.0, gt=0.0)
    exponential_base: float = Field(default=2.0, gt=0.0)
    jitter: float = Field(default=0.0, ge=0.0, le=1.0)

    def delay(self, retry: int, retry_after: float | None = None) -> float | None:
        """Seconds before retry number ``retry`` (0 for the first), or None to give up.

        A vendor's ``retry_after`` is honoured: the wait is at least that long, and a request
        to wait longer than ``max_delay_seconds`` gives up rather than stall the caller.
        """
        backoff = min(
            self.base_delay_seconds * self.exponential_base**retry, self.max_delay_seconds
        )
        backoff *= 1.0 - self.jitter * random.random()
        if retry_after is None:
            return backoff
        if retry_after > self.max_delay_seconds:
            return None
        return max(backoff, retry_after)
