"""Server-side sessions: a random bearer token, its hash in the database, an expiry.

Revoking deletes the row, so a revoked token fails exactly like a made-up one. The cookie
that carries a session in browsers is set by :mod:`roomz.server.routes`.
"""

from __future__ import annotations

from roomz.server.auth.tokens import HashedTokens


class Sessions(HashedTokens):
    """Create (:meth:`issue`), verify and revoke sessions (see :class:`HashedTokens` for
    the arguments; ``ttl`` counts from the session's creation)."""

    purge_every = 3600.0

    async def verify(self, token: str) -> tuple[str, str | None] | None:
        """``(email, display_name)`` for a live session; ``None`` for anything else."""
        token_hash = self.hashed(token)
        if token_hash is None:
            return None
        return await self._store.session_user(token_hash, self._clock())

    async def expires_at(self, token: str) -> float | None:
        """When the session named by ``token`` expires (epoch seconds); ``None`` if unknown."""
        token_hash = self.hashed(token)
        return None if token_hash is None else await self._store.session_expiry(token_hash)

    async def revoke(self, token: str) -> None:
        """End the session named by ``token``, if there is one."""
        token_hash = self.hashed(token)
        if token_hash is not None:
            await self._store.delete_session(token_hash)

    async def _add(self, token_hash: str, email: str, now: float, expires_at: float) -> None:
        await self._store.add_session(token_hash, email, now, expires_at)

    async def _purge(self, now: float) -> None:
        await self._store.purge_sessions(now)


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
