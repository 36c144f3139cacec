"""The I/O shell the HTTP AI providers share: one httpx client, errors mapped once.

Everything vendor-specific (bodies, parsing) lives in :mod:`roomkit.providers.wire`; this
module only moves bytes and turns transport failures into
:class:`~roomkit.errors.ProviderError`: a timeout or a dropped connection is retryable,
an HTTP error answer is mapped by :func:`~roomkit.providers.wire.errors.http_error`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any, Protocol

from roomkit._extras import require
from roomkit.errors import ProviderError
from roomkit.providers.ai.base import AIProvider
from roomkit.providers.wire.errors import dropped, http_error
from roomkit.providers.wire.sse import ServerSentEvent, SSEDecoder

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger(__name__)


class HTTPSession:
    """An ``httpx.AsyncClient`` bound to one vendor's base URL and headers.

    Args:
        provider: vendor name, used in errors.
        base_url: prefix of every path.
        headers: sent with every request (authentication, API version).
        timeout: read/write/pool budget in seconds — how long a slow model may take
            before its first byte and between chunks.
        connect_timeout: TCP connect alone, so a dead host is given up on quickly.
    """

    def __init__(
        self,
        provider: str,
        base_url: str,
        headers: dict[str, str],
        *,
        timeout: float,
        connect_timeout: float,
    ) -> None:
        httpx_module = require("httpx", "http")
        self.provider = provider
        self._httpx = httpx_module
        self._client: httpx.AsyncClient = httpx_module.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers=headers,
            timeout=httpx_module.Timeout(timeout, connect=connect_timeout),
        )

    async def post_json(self, path: str, body: dict[str, Any]) -> bytes:
        """POST ``body`` and return the raw answer of a 2xx response.

        Raises:
            ProviderError: an HTTP error answer, a timeout or a lost connection.
        """
        try:
            response = await self._client.post(path, json=body)
        except self._httpx.HTTPError as exc:
            raise self._transport_error(exc) from exc
        if response.status_code >= 400:
            raise http_error(
                self.provider, response.status_code, response.content, response.headers
            )
        return response.content

    async def post_sse(
        self, path: str, body: dict[str, Any]
    ) -> AsyncGenerator[ServerSentEvent, None]:
        """POST ``body`` and yield the server-sent events of the answer as they arrive.

        Raises:
            ProviderError: an HTTP error answer, a timeout or a connection lost mid-stream.
        """
        decoder = SSEDecoder()
        try:
            async with self._client.stream("POST", path, json=body) as response:
                if response.status_code >= 400:
                    content = await response.aread()
                    raise http_error(self.provider, response.status_code, content, response.headers)
                async for chunk in response.aiter_bytes():
                    for event in decoder.feed(chunk):
                        yield event
        except self._httpx.HTTPError as exc:
            raise self._transport_error(exc) from exc

    def _transport_error(self, exc: Exception) -> ProviderError:
        if isinstance(exc, self._httpx.TimeoutException):
            return ProviderError(
                f"{self.provider} timed out: {type(exc).__name__}",
                retryable=True,
                provider=self.provider,
            )
        return dropped(self.provider, f"{type(exc).__name__}: {exc}")

    async def close(self) -> None:
        """Close the client. Idempotent."""
        await self._client.aclose()


class _VendorConfig(Protocol):
    @property
    def model(self) -> str: ...

    @property
    def base_url(self) -> str: ...

    @property
    def timeout(self) -> float: ...

    @property
    def connect_timeout(self) -> float: ...


class HTTPAIProvider(AIProvider):
    """What the vendor providers share: their config, one session, name and model."""

    provider: str = "http"

    def __init__(self, config: _VendorConfig, headers: dict[str, str]) -> None:
        self._config = config
        self._session = HTTPSession(
            self.provider,
            config.base_url,
            headers,
            timeout=config.timeout,
            connect_timeout=config.connect_timeout,
        )

    @property
    def name(self) -> str:
        return self.provider

    @property
    def model_name(self) -> str:
        return self._config.model

    @property
    def supports_vision(self) -> bool:
        return True  # every vendor here takes images (the wire modules encode them)

    @property
    def supports_streaming(self) -> bool:
        return True

    @property
    def supports_structured_streaming(self) -> bool:
        return True

    async def close(self) -> None:
        await self._session.close()
