"""Sliding-window limits on login requests, per address and per client.

A key (an email, a client address) may make ``limit`` requests in any ``window`` seconds.
Only accepted requests count, so a client that is refused does not push its own window
further out. The counts live in this process: several processes behind one load balancer
each enforce the limit on the requests they see.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from roomz.server.auth.errors import RateLimited

_SWEEP_EVERY = 1024  # requests between sweeps of keys whose windows are empty


class SlidingWindow:
    """At most ``limit`` hits per key in any ``window`` seconds."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._since_sweep = 0

    def wait(self, key: str) -> float:
        """Seconds until ``key`` may make one more request (0 when it may now)."""
        now = self._clock()
        hits = self._live(key, now)
        if hits is None or len(hits) < self.limit:
            return 0.0
        return hits[0] + self.window - now

    def hit(self, key: str) -> None:
        """Count one request by ``key`` now."""
        now = self._clock()
        self._hits.setdefault(key, deque()).append(now)
        self._since_sweep += 1
        if self._since_sweep >= _SWEEP_EVERY:
            self._sweep(now)

    def _live(self, key: str, now: float) -> deque[float] | None:
        hits = self._hits.get(key)
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def _sweep(self, now: float) -> None:
        # Bounds memory by the keys seen within one window, whatever keys are sprayed.
        self._since_sweep = 0
        for key in [k for k, hits in self._hits.items() if not self._live(k, now)]:
            del self._hits[key]


class LoginLimits:
    """The per-email and per-client limits of link requests, checked together."""

    def __init__(self, per_email: SlidingWindow, per_client: SlidingWindow) -> None:
        self.per_email = per_email
        self.per_client = per_client

    def admit(self, email: str, client: str) -> None:
        """Count a request for ``email`` from ``client``, or refuse it.

        Raises:
            RateLimited: either limit is spent; ``retry_after`` is the longer wait.
        """
        wait = max(self.per_email.wait(email), self.per_client.wait(client))
        if wait > 0:
            raise RateLimited(wait)
        self.per_email.hit(email)
        self.per_client.hit(client)
