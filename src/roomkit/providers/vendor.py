"""The I/O shell every transport vendor shares: one httpx client, retries, typed errors.

Vendors differ in body encoding (Twilio forms, Telnyx JSON) and in how their error bodies
read; the retry rule is the same for all: a retryable answer (408, 409, 429, 5xx, a
timeout, a dropped connection) is tried again after the :class:`RetryPolicy` delay, never
sooner than the vendor's ``Retry-After``; any other 4xx is the request's fault and raised
at once. Headers are never put in an error message: they hold the credentials.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from roomkit._extras import require
from roomkit.errors import ProviderError
from roomkit.models.policy import RetryPolicy
from roomkit.providers.wire.errors import is_retryable_status, parse_retry_after

if TYPE_CHECKING:
    import httpx

__all__ = ["VendorAPIError", "VendorHTTP"]

logger = logging.getLogger(__name__)


class VendorAPIError(ProviderError):
    """A vendor answered a send with an error.

    Args:
        code: the vendor's error code (Twilio ``21211`` for an invalid number, …).
        more_info: the vendor's page about that code, when it gives one.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        more_info: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.code = code
        self.more_info = more_info

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(provider={self.provider!r}, status_code={self.status_code!r},"
            f" code={self.code!r}, retryable={self.retryable!r}, message={str(self)!r})"
        )


_MAX_REDIRECTS = 5


def origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased, the unit credentials are bound to."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


# What a vendor's error body says: (code, message, more_info).
ErrorReader = Callable[[bytes], tuple[str | None, str, str | None]]


class VendorHTTP:
    """POSTs to one vendor with retries; raises :class:`VendorAPIError` on an error answer.

    Args:
        provider: vendor name, used in errors and logs.
        read_error: turns the vendor's error body into ``(code, message, more_info)``.
        timeout: seconds for the whole request.
        retry_policy: how often and how patiently retryable failures are tried again.
        auth: ``httpx`` auth (Twilio's Basic auth) or None.
        headers: sent with every request (a Bearer token); never logged.
    """

    def __init__(
        self,
        provider: str,
        read_error: ErrorReader,
        *,
        timeout: float,
        retry_policy: RetryPolicy,
        auth: tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._httpx = require("httpx", "http")
        self.provider = provider
        self.retry_policy = retry_policy
        self._read_error = read_error
        self._client: httpx.AsyncClient = self._httpx.AsyncClient(
            auth=auth, headers=dict(headers or {}), timeout=timeout
        )

    async def post(self, url: str, **request: Any) -> httpx.Response:
        """POST (``data=``, ``json=``, ``content=``, ``headers=``) and return the 2xx answer.

        Raises:
            VendorAPIError: an error answer that is permanent, or retryable ones until the
                policy gives up.
            ProviderError: a timeout or a lost connection, once the retries are spent.
        """
        retry = 0
        while True:
            try:
                return await self._attempt(url, request)
            except ProviderError as exc:
                delay = self._delay(exc, retry)
                if delay is None:
                    raise
                logger.warning("%s: %s; retrying in %.2fs", self.provider, exc, delay)
                await asyncio.sleep(delay)
                retry += 1

    async def fetch(self, url: str, *, trusted_origin: str) -> httpx.Response:
        """GET ``url`` (inbound media), following up to five redirects.

        The credentials (auth and headers such as a Bearer token) go only to URLs on
        ``trusted_origin`` (``scheme://host[:port]`` of the vendor's API); a redirect to
        any other host, such as a storage bucket, is followed without them.

        Raises:
            VendorAPIError: an error answer, or too many redirects.
            ProviderError: a timeout or a lost connection.
        """
        for _ in range(_MAX_REDIRECTS + 1):
            trusted = origin(url) == trusted_origin
            request = self._client.build_request("GET", url)
            if not trusted:
                for name in self._client.headers:
                    request.headers.pop(name, None)
            response = await self._send(request, trusted)
            location = response.headers.get("location")
            if not response.is_redirect or location is None:
                if response.status_code >= 400:
                    raise self._api_error(response)
                return response
            url = str(response.url.join(location))
        raise VendorAPIError(
            f"{self.provider}: more than {_MAX_REDIRECTS} redirects fetching media",
            provider=self.provider,
        )

    async def _send(self, request: httpx.Request, trusted: bool) -> httpx.Response:
        try:
            if trusted:
                return await self._client.send(request)
            return await self._client.send(request, auth=None)
        except self._httpx.HTTPError as exc:
            raise self._lost(exc, "fetching media") from None

    def _delay(self, exc: ProviderError, retry: int) -> float | None:
        if not exc.retryable or retry >= self.retry_policy.max_retries:
            return None
        return self.retry_policy.delay(retry, exc.retry_after)

    async def _attempt(self, url: str, request: dict[str, Any]) -> httpx.Response:
        try:
            response = await self._client.post(url, **request)
        except self._httpx.HTTPError as exc:
            raise self._lost(exc, "talking to the API") from None
        if response.status_code >= 400:
            raise self._api_error(response)
        return response

    def _lost(self, exc: Exception, doing: str) -> ProviderError:
        # The exception's text can hold the URL; its type says enough and leaks nothing.
        return ProviderError(
            f"{self.provider}: {type(exc).__name__} {doing}", retryable=True, provider=self.provider
        )

    def _api_error(self, response: httpx.Response) -> VendorAPIError:
        code, message, more_info = self._read_error(response.content)
        status = response.status_code
        return VendorAPIError(
            f"{self.provider} answered HTTP {status}"
            + (f" (code {code})" if code else "")
            + f": {message}",
            code=code,
            more_info=more_info,
            retryable=is_retryable_status(status),
            provider=self.provider,
            status_code=status,
            retry_after=parse_retry_after(response.headers),
        )

    async def close(self) -> None:
        """Close the connection pool. Idempotent."""
        await self._client.aclose()
