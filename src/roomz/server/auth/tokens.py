"""Secret tokens, the only form in which the database sees them, and what login links and
sessions have in common.

A token is 32 random bytes from :mod:`secrets` (256 bits), URL-safe base64 without
padding (43 characters), so it fits a URL query, a cookie and a header unchanged. The
database keeps only its SHA-256: someone who reads the tables cannot log in with what they
read, and a token with any character changed hashes to a row that does not exist.

:class:`HashedTokens` is the part login links and sessions share: issue a token for an
address with an expiry, store its hash, sweep expired rows now and then, and turn a
presented token into the hash to look up (``None`` for anything that cannot be ours).
"""

from __future__ import annotations

import hashlib
import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar

from roomz.server.auth.store import AuthStore
from roomz.server.auth.sweep import Sweep

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 256  # longer input is not ours; refuse it before hashing


def new_token() -> str:
    """A fresh random token."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(token: str) -> str:
    """The stored form of ``token``: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def plausible(token: object) -> bool:
    """Whether ``token`` could be one of ours (a non-empty, short string) at all."""
    return isinstance(token, str) and 0 < len(token) <= MAX_TOKEN_LENGTH


class HashedTokens(ABC):
    """Tokens issued for an address, valid for ``ttl`` seconds, stored as hashes.

    Args:
        store: where the hashes live.
        ttl: seconds a token stays valid from its issue.
        clock: the time, in seconds since the epoch.
    """

    purge_every: ClassVar[float]
    """Seconds between two sweeps of expired rows (each rides on an :meth:`issue`)."""

    def __init__(self, store: AuthStore, ttl: float, clock: Callable[[], float]) -> None:
        self._store = store
        self._ttl = ttl
        self._clock = clock
        self._sweep = Sweep(self.purge_every)

    async def issue(self, email: str) -> str:
        """A new token for ``email``; only its hash is stored."""
        now = self._clock()
        if self._sweep.due(now):
            await self._purge(now)
        token = new_token()
        await self._add(digest(token), email, now, now + self._ttl)
        return token

    @staticmethod
    def hashed(token: object) -> str | None:
        """The hash to look ``token`` up by; ``None`` when it cannot be one of ours."""
        return digest(token) if isinstance(token, str) and plausible(token) else None

    @abstractmethod
    async def _add(self, token_hash: str, email: str, now: float, expires_at: float) -> None:
        """Store a new token's hash."""

    @abstractmethod
    async def _purge(self, now: float) -> None:
        """Delete the rows that expired by ``now``."""
