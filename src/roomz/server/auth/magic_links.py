"""Magic links: issued for one address, good once, and only until they expire."""

from __future__ import annotations

from collections.abc import Callable

from roomz.server.auth.store import AuthStore
from roomz.server.auth.sweep import Sweep
from roomz.server.auth.tokens import digest, new_token, plausible

_PURGE_EVERY = 60.0  # seconds between sweeps of expired links


class MagicLinks:
    """Issue and consume login tokens.

    Args:
        store: where the hashes live.
        ttl: seconds a token stays valid.
        clock: the time, in seconds since the epoch.
    """

    def __init__(self, store: AuthStore, ttl: float, clock: Callable[[], float]) -> None:
        self._store = store
        self._ttl = ttl
        self._clock = clock
        self._sweep = Sweep(_PURGE_EVERY)

    async def issue(self, email: str) -> str:
        """A new token for ``email``; only its hash is stored."""
        now = self._clock()
        if self._sweep.due(now):
            await self._store.purge_links(now)
        token = new_token()
        await self._store.add_link(digest(token), email, now + self._ttl)
        return token

    async def usable(self, token: str) -> bool:
        """Whether ``token`` is unused and unexpired; spends nothing."""
        if not plausible(token):
            return False
        expires_at = await self._store.link_expiry(digest(token))
        return expires_at is not None and self._clock() < expires_at

    async def consume(self, token: str) -> str | None:
        """The address ``token`` was issued for, if it is unused and unexpired; the token is
        spent either way, so a second call with it returns ``None``."""
        if not plausible(token):
            return None
        found = await self._store.take_link(digest(token))
        if found is None:
            return None
        email, expires_at = found
        return email if self._clock() < expires_at else None
