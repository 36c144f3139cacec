"""HTTP answers → :class:`~roomkit.errors.ProviderError`, the same way for every vendor.

Retryable: 408 (timeout), 409 (conflict, which vendors use for transient locks), 429 (rate
limit) and every 5xx (Anthropic's 529 "overloaded" included). Any other 4xx is the
request's fault and is not retried. ``Retry-After`` (seconds or an HTTP date) and the
``retry-after-ms`` variant some vendors send become ``retry_after`` in seconds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from roomkit.errors import ProviderError

RETRYABLE_STATUSES = frozenset({408, 409, 429})


def is_retryable_status(status_code: int) -> bool:
    """Whether an HTTP status means the same request may succeed later."""
    return status_code in RETRYABLE_STATUSES or status_code >= 500


def parse_retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds to wait according to ``retry-after-ms`` or ``Retry-After``, if present."""
    lowered = {k.lower(): v for k, v in headers.items()}
    millis = _as_float(lowered.get("retry-after-ms"))
    if millis is not None:
        return max(millis / 1000.0, 0.0)
    value = lowered.get("retry-after")
    if value is None:
        return None
    seconds = _as_float(value)
    if seconds is not None:
        return max(seconds, 0.0)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def _as_float(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def error_message(body: bytes) -> str:
    """The vendor's error message from a JSON error body, or the body's start.

    Anthropic, OpenAI and Gemini all nest it as ``{"error": {"message": ...}}``.
    """
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data: Any = json.loads(text)
    except ValueError:
        return text[:300] or "(empty body)"
    if isinstance(data, list) and data:
        data = data[0]  # Gemini's streaming endpoint wraps errors in an array
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])
    if isinstance(error, str):
        return error
    return text[:300]


def http_error(
    provider: str, status_code: int, body: bytes, headers: Mapping[str, str]
) -> ProviderError:
    """The :class:`ProviderError` for an HTTP error answer."""
    return ProviderError(
        f"{provider} answered HTTP {status_code}: {error_message(body)}",
        retryable=is_retryable_status(status_code),
        provider=provider,
        status_code=status_code,
        retry_after=parse_retry_after(headers),
    )


def malformed(provider: str, detail: str) -> ProviderError:
    """A body that is not the JSON the vendor documents. Not retried: it is not transient."""
    return ProviderError(f"{provider} sent an unreadable answer: {detail}", provider=provider)


def dropped(provider: str, detail: str) -> ProviderError:
    """A connection or stream that ended before the answer did. Retryable."""
    return ProviderError(
        f"{provider} connection lost before the answer was complete: {detail}",
        retryable=True,
        provider=provider,
    )


def load_json(provider: str, body: bytes | str) -> dict[str, Any]:
    """Parse a JSON object or raise :func:`malformed`."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise malformed(provider, f"invalid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise malformed(provider, f"expected a JSON object, got {type(data).__name__}")
    return data
