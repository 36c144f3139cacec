"""Server-side sessions: a random bearer token, its hash in the database, an expiry.

Revoking deletes the row, so a revoked token fails exactly like a made-up one. The cookie
that carries a session in browsers is set by :mod:`roomz.server.routes`.
"""

from __future__ import annotations

from collections.abc import Callable

from roomz.server.auth.store import AuthStore
from roomz.server.auth.sweep import Sweep
from roomz.server.auth.tokens import digest, new_token, plausible

_PURGE_EVERY = 3600.0  # seconds between sweeps of expired sessions


class Sessions:
    """Create, verify and revoke sessions.

    Args:
        store: where the hashes live.
        ttl: seconds a session lasts from its creation.
        clock: the time, in seconds since the epoch.
    """

    def __init__(self, store: AuthStore, ttl: float, clock: Callable[[], float]) -> None:
        self._store = store
        self._ttl = ttl
        self._clock = clock
        self._sweep = Sweep(_PURGE_EVERY)

    async def create(self, email: str) -> str:
        """A new session token for ``email`` (the user must exist)."""
        now = self._clock()
        if self._sweep.due(now):
            await self._store.purge_sessions(now)
        token = new_token()
        await self._store.add_session(digest(token), email, now, now + self._ttl)
        return token

    async def verify(self, token: str) -> tuple[str, str | None] | None:
        """``(email, display_name)`` for a live session; ``None`` for anything else."""
        if not plausible(token):
            return None
        return await self._store.session_user(digest(token), self._clock())

    async def expires_at(self, token: str) -> float | None:
        """When the session named by ``token`` expires (epoch seconds); ``None`` if unknown."""
        return await self._store.session_expiry(digest(token)) if plausible(token) else None

    async def revoke(self, token: str) -> None:
        """End the session named by ``token``, if there is one."""
        if plausible(token):
            await self._store.delete_session(digest(token))


SESSION_COOKIE = "roomz_session"


def session_cookie(token: str, *, max_age: float, secure: bool) -> str:
    """The ``Set-Cookie`` value that carries ``token`` in browsers.

    ``HttpOnly`` keeps it from page scripts, ``SameSite=Strict`` from requests other sites
    start, ``Secure`` (on HTTPS deployments) from plain-text connections.
    """
    return _cookie(token, int(max_age), secure)


def clearing_cookie(*, secure: bool) -> str:
    """The ``Set-Cookie`` value that makes a browser drop the session cookie."""
    return _cookie("", 0, secure)


def _cookie(value: str, max_age: int, secure: bool) -> str:
    attributes = f"{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}"
    return attributes + "; Secure" if secure else attributes
