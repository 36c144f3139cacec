"""Sliding-window limits on login requests, per address and per client.

An address may be sent ``per_email`` links, and a client address may ask for
``per_client`` links, in any ``window`` seconds. Only accepted requests count, so a client
that is refused does not push its own window further out.

The requests are counted in the database, so every process sharing it enforces one limit
(two processes deciding at the same instant may each let one request more through). The
keys are stored hashed: the table does not list who tried to log in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from roomz.server.auth.errors import RateLimited
from roomz.server.auth.store import AuthStore
from roomz.server.auth.sweep import Sweep
from roomz.server.auth.tokens import digest

_PURGE_EVERY = 60.0  # seconds between sweeps of requests older than the window


class LoginLimits:
    """The per-email and per-client limits of link requests, checked together.

    Args:
        store: where requests are counted.
        per_email: requests one address may have in a window.
        per_client: requests one client may make in a window.
        window: the window, in seconds.
        clock: the time, in seconds since the epoch.
    """

    def __init__(
        self,
        store: AuthStore,
        *,
        per_email: int,
        per_client: int,
        window: float,
        clock: Callable[[], float],
    ) -> None:
        self._store = store
        self._limits = {"email": per_email, "client": per_client}
        self._window = window
        self._clock = clock
        self._sweep = Sweep(_PURGE_EVERY)
        # Check-then-count is one step within this process: concurrent requests of one
        # client cannot all pass the check before any of them is counted.
        self._turn = asyncio.Lock()

    async def admit(self, email: str, client: str) -> None:
        """Count a request for ``email`` from ``client``, or refuse it.

        Raises:
            RateLimited: either limit is spent; ``retry_after`` is the longer wait.
        """
        keys = [("email", digest(email)), ("client", digest(client))]
        async with self._turn:
            now = self._clock()
            await self._purge(now)
            wait = max([await self._wait(kind, key, now) for kind, key in keys])
            if wait > 0:
                raise RateLimited(wait)
            await self._store.add_requests(keys, now)

    async def _wait(self, kind: str, key: str, now: float) -> float:
        """Seconds until ``key`` may make one more request (0 when it may now)."""
        since = now - self._window
        oldest = await self._store.nth_newest_request(kind, key, self._limits[kind], since)
        return 0.0 if oldest is None else oldest - since

    async def _purge(self, now: float) -> None:
        if self._sweep.due(now):
            await self._store.purge_requests(now - self._window)
