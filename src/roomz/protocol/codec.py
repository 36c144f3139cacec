"""JSON text in and out: every frame is one JSON object, at most so many bytes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from roomz.errors import ProtocolError, Reason


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def load_object(data: str | bytes, max_bytes: int) -> dict[str, Any]:
    """Parse ``data`` as one JSON object of at most ``max_bytes`` UTF-8 bytes.

    Raises:
        ProtocolError: too large, not JSON (NaN and Infinity included), or not an object.
    """
    size = len(data) if isinstance(data, bytes) or data.isascii() else len(data.encode())
    if size > max_bytes:
        message = f"frame is {size} bytes; the limit is {max_bytes}"
        raise ProtocolError.of(Reason.FRAME_TOO_LARGE, message)
    try:
        frame = json.loads(data, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError
        raise ProtocolError.of(Reason.INVALID_JSON, f"frame is not valid JSON: {exc}") from None
    if not isinstance(frame, dict):
        kind = type(frame).__name__
        raise ProtocolError.of(Reason.INVALID_FRAME, f"frame must be a JSON object, not {kind}")
    return frame


def encode(frame: Mapping[str, Any]) -> str:
    """Serialise a frame to compact JSON text (non-ASCII kept as is)."""
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
