"""What Meta's Graph API vendors share (WhatsApp Cloud API, Messenger).

Webhooks: each POST carries ``X-Hub-Signature-256: sha256=<hex>``, the HMAC-SHA256 of the
raw body keyed with the app secret; a subscription is confirmed by answering a ``GET`` with
``hub.mode=subscribe``, the configured ``hub.verify_token`` and echoing ``hub.challenge``.
Sends: errors come as ``{"error": {"message", "type", "code", "error_subcode",
"fbtrace_id"}}``, often with HTTP 400 even for rate limits, so retry is decided by ``code``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from roomkit.providers.vendor import VendorAPIError, VendorHTTP

if TYPE_CHECKING:
    import httpx

__all__ = [
    "RATE_LIMIT_CODES",
    "GraphAPIError",
    "GraphHTTP",
    "hub_challenge",
    "read_graph_error",
    "verify_hub_signature",
    "webhook_body",
]

# Graph error codes meaning "too many requests, try later": app/account throttling (4),
# the phone number's throughput (80007) and the Cloud API rate limit (130429).
RATE_LIMIT_CODES = frozenset({"4", "80007", "130429"})


def verify_hub_signature(app_secret: str, body: bytes, header: str) -> bool:
    """Whether ``header`` (``sha256=<hex>``) is the HMAC-SHA256 of ``body`` under ``app_secret``."""
    scheme, _, digest = header.partition("=")
    if scheme != "sha256" or not digest:
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, digest)


def hub_challenge(query: Mapping[str, str], verify_token: str) -> str | None:
    """The ``hub.challenge`` to echo when ``query`` is a subscription with our token, else None."""
    token = query.get("hub.verify_token", "")
    if query.get("hub.mode") != "subscribe" or not hmac.compare_digest(token, verify_token):
        return None
    return query.get("hub.challenge")


def webhook_body(body: bytes) -> dict[str, Any]:
    """The JSON object of a webhook body.

    Raises:
        ValueError: not JSON, or not an object.
    """
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    return data


def read_graph_error(body: bytes) -> tuple[str | None, str, str | None]:
    """``(code, message, fbtrace_id)`` of a Graph error body."""
    error = _error_object(body)
    code = error.get("code")
    message = str(error.get("message") or body[:300].decode("utf-8", "replace") or "(empty)")
    return (None if code is None else str(code)), message, error.get("fbtrace_id")


def _error_object(body: bytes) -> dict[str, Any]:
    try:
        data: Any = json.loads(body)
    except ValueError:
        return {}
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, dict) else {}


class GraphAPIError(VendorAPIError):
    """Graph refused a request.

    Attributes:
        code: Graph's error ``code`` (``131047``: the 24-hour window is closed, …).
        subcode: ``error_subcode``, when Graph gives one.
        fbtrace_id: Meta's trace id for the failed call, for their support.
    """

    def __init__(
        self, message: str, *, subcode: str | None = None, fbtrace_id: str | None = None, **kw: Any
    ) -> None:
        super().__init__(message, **kw)
        self.subcode = subcode
        self.fbtrace_id = fbtrace_id


class GraphHTTP(VendorHTTP):
    """:class:`VendorHTTP` sending ``token`` as Bearer (never in the URL, where it would be
    logged); errors are :class:`GraphAPIError`, retried by Graph's code."""

    def __init__(self, provider: str, token: SecretStr, **options: Any) -> None:
        bearer = {"Authorization": f"Bearer {token.get_secret_value()}"}
        super().__init__(provider, read_graph_error, headers=bearer, **options)

    def _api_error(self, response: httpx.Response) -> VendorAPIError:
        base = super()._api_error(response)
        error = _error_object(response.content)
        subcode = error.get("error_subcode")
        return GraphAPIError(
            str(base),
            subcode=None if subcode is None else str(subcode),
            fbtrace_id=base.more_info,
            code=base.code,
            more_info=base.more_info,
            retryable=base.retryable or base.code in RATE_LIMIT_CODES,
            provider=base.provider,
            status_code=base.status_code,
            retry_after=base.retry_after,
        )
