"""Magic links: issued for one address, good once, and only until they expire."""

from __future__ import annotations

from roomz.server.auth.tokens import HashedTokens


class MagicLinks(HashedTokens):
    """Issue, check and consume login tokens (see :class:`HashedTokens` for the arguments)."""

    purge_every = 60.0

    async def usable(self, token: str) -> bool:
        """Whether ``token`` is unused and unexpired; spends nothing."""
        token_hash = self.hashed(token)
        expires_at = None if token_hash is None else await self._store.link_expiry(token_hash)
        return expires_at is not None and self._clock() < expires_at

    async def consume(self, token: str) -> str | None:
        """The address ``token`` was issued for, if it is unused and unexpired; the token is
        spent either way, so a second call with it returns ``None``."""
        token_hash = self.hashed(token)
        found = None if token_hash is None else await self._store.take_link(token_hash)
        if found is None:
            return None
        email, expires_at = found
        return email if self._clock() < expires_at else None

    async def _add(self, token_hash: str, email: str, now: float, expires_at: float) -> None:
        await self._store.add_link(token_hash, email, expires_at)

    async def _purge(self, now: float) -> None:
        await self._store.purge_links(now)
