"""Connector tokens for a bot: OAuth 2.0 client credentials, cached until they expire.

``POST {token_endpoint}`` form-encoded with ``grant_type=client_credentials``,
``client_id`` (the app id), ``client_secret`` and
``scope=https://api.botframework.com/.default``; the answer's ``access_token`` is sent as
``Authorization: Bearer …`` to the Connector until ``expires_in`` runs out.
"""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlencode

from roomkit.errors import InvalidArgumentError
from roomkit.providers.teams.config import BOT_FRAMEWORK_SCOPE, TeamsConfig
from roomkit.providers.vendor import VendorAPIError, VendorHTTP

__all__ = ["BotTokenSource", "read_microsoft_error"]

# A token is renewed this long before it expires, so none expires in flight.
_RENEW_MARGIN = 300.0


def read_microsoft_error(body: bytes) -> tuple[str | None, str, str | None]:
    """``(code, message, None)`` of an Azure AD or Connector error body."""
    try:
        data = json.loads(body)
    except ValueError:
        return None, body[:300].decode("utf-8", "replace") or "(empty body)", None
    if not isinstance(data, dict):
        return None, str(data)[:300], None
    error = data.get("error")
    if isinstance(error, dict):  # the Connector: {"error": {"code", "message"}}
        return error.get("code"), str(error.get("message") or "(no message)"), None
    # Azure AD: {"error": "invalid_client", "error_description": "AADSTS7000215: …"}
    description = str(data.get("error_description") or "(no description)")
    return (str(error) if error else None), description.split("\r\n", 1)[0], None


class BotTokenSource:
    """Hands out a valid Connector token, fetching one only when the cached one is stale.

    Raises from :meth:`token`:
        VendorAPIError: the token endpoint refused the credentials.
    """

    def __init__(self, config: TeamsConfig, http: VendorHTTP) -> None:
        if config.app_password is None:
            raise InvalidArgumentError(
                "app_password", None, "the bot's client secret (certificate auth is not supported)"
            )
        self._config = config
        self._http = http
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()  # concurrent sends share one token request

    async def token(self) -> str:
        """A bearer token valid for at least a few more minutes."""
        async with self._lock:
            if self._token is None or time.monotonic() >= self._expires_at:
                await self._fetch()
            assert self._token is not None
            return self._token

    async def _fetch(self) -> None:
        assert self._config.app_password is not None
        form = {
            "grant_type": "client_credentials",
            "client_id": self._config.app_id,
            "client_secret": self._config.app_password.get_secret_value(),
            "scope": BOT_FRAMEWORK_SCOPE,
        }
        response = await self._http.post(
            self._config.token_endpoint,
            content=urlencode(form),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        data = response.json()
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise VendorAPIError(
                "the token endpoint answered without an access_token", provider="teams"
            )
        lifetime = float(data.get("expires_in") or 0)
        self._token = token
        self._expires_at = time.monotonic() + max(lifetime - _RENEW_MARGIN, lifetime / 2)
