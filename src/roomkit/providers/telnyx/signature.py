"""Telnyx webhook signatures: Ed25519 over ``timestamp|body`` (Sans-I/O around PyNaCl).

Telnyx signs ``f"{telnyx-timestamp}|"`` followed by the raw body with its Ed25519 key and
sends the base64 signature in ``telnyx-signature-ed25519``. The account's public key (base64,
from the Mission Control portal) verifies it. A timestamp outside the freshness window is
refused, so a captured webhook cannot be replayed later.
"""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any

from roomkit._extras import require

__all__ = ["DEFAULT_TOLERANCE", "verify_key", "verify_telnyx_signature"]

DEFAULT_TOLERANCE = 300.0  # seconds either side of now, as Telnyx's own libraries use


def verify_telnyx_signature(
    public_key: str,
    body: bytes,
    signature: str,
    timestamp: str | None,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """Whether ``signature`` is Telnyx's over ``timestamp|body`` and ``timestamp`` is fresh.

    Raises:
        ImportError: PyNaCl is missing (``pip install 'roomkit[telnyx]'``).
        ValueError: ``public_key`` is not a base64 Ed25519 public key.
    """
    key = verify_key(public_key)
    exceptions = require("nacl.exceptions", "telnyx")
    if not signature or not timestamp or not _fresh(timestamp, tolerance, now):
        return False
    try:
        raw_signature = base64.b64decode(signature, validate=True)
        key.verify(timestamp.encode() + b"|" + body, raw_signature)
    except (binascii.Error, exceptions.BadSignatureError, ValueError):
        return False
    return True


def verify_key(public_key: str) -> Any:
    """PyNaCl's ``VerifyKey`` for a base64 Ed25519 public key.

    Raises:
        ImportError: PyNaCl is missing (``pip install 'roomkit[telnyx]'``).
        ValueError: ``public_key`` is not a base64 Ed25519 public key.
    """
    signing = require("nacl.signing", "telnyx")
    exceptions = require("nacl.exceptions", "telnyx")
    try:
        return signing.VerifyKey(base64.b64decode(public_key, validate=True))
    except (binascii.Error, exceptions.CryptoError, ValueError, TypeError):
        raise ValueError("the Telnyx public key is not a base64 Ed25519 public key") from None


def _fresh(timestamp: str, tolerance: float, now: float | None) -> bool:
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    return abs((time.time() if now is None else now) - sent) <= tolerance
