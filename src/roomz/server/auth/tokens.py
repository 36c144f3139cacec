"""Secret tokens and the only form in which the database sees them.

A token is 32 random bytes from :mod:`secrets` (256 bits), URL-safe base64 without
padding (43 characters), so it fits a URL query, a cookie and a header unchanged. The
database keeps only its SHA-256: someone who reads the tables cannot log in with what they
read, and a token with any character changed hashes to a row that does not exist.
"""

from __future__ import annotations

import hashlib
import secrets

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
