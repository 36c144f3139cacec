"""Standard Webhooks signatures (https://www.standardwebhooks.com), Sans-I/O.

A signed request carries ``webhook-id`` (stable across retries of one message),
``webhook-timestamp`` (unix seconds) and ``webhook-signature``: space-separated
``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``. The key is the secret's base64
payload after ``whsec_``; a secret without that prefix is used as its UTF-8 bytes. A
timestamp outside the tolerance is refused, so a captured request cannot be replayed later;
within it, the receiver drops a repeated ``webhook-id``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Mapping

__all__ = ["DEFAULT_TOLERANCE", "sign_webhook", "signing_key", "verify_webhook"]

DEFAULT_TOLERANCE = 300.0  # seconds either side of now, the specification's default
_PREFIX = "whsec_"


def signing_key(secret: str) -> bytes:
    """The HMAC key of ``secret`` (``whsec_<base64>`` or a plain string).

    Raises:
        ValueError: a ``whsec_`` secret whose payload is not base64.
    """
    if not secret.startswith(_PREFIX):
        return secret.encode()
    try:
        return base64.b64decode(secret.removeprefix(_PREFIX) + "==")
    except binascii.Error:
        raise ValueError("a whsec_ secret must be followed by base64") from None


def sign_webhook(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value for one message."""
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def verify_webhook(
    key: bytes,
    body: bytes,
    headers: Mapping[str, str],
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """Whether ``headers`` carry a fresh ``v1`` signature of ``body`` under ``key``."""
    msg_id = headers.get("webhook-id")
    stamp = headers.get("webhook-timestamp")
    offered = headers.get("webhook-signature")
    if not (msg_id and stamp and offered):
        return False
    try:
        timestamp = int(stamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign_webhook(key, msg_id, timestamp, body).encode()
    return any(hmac.compare_digest(expected, part.encode()) for part in offered.split(" "))
