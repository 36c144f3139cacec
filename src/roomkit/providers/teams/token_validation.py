"""Proof that an Activity came from the Bot Framework: its ``Authorization`` JWT.

The Bot Framework signs the token it sends with every Activity (RS256) with keys listed at
the ``jwks_uri`` of its OpenID document. A token is accepted when its key is one of those
(and endorses the Activity's channel, when the key lists endorsements), its issuer is
``https://api.botframework.com``, its audience is the bot's app id, it has not expired
(give or take the configured leeway), and its ``serviceurl`` claim is the Activity's
``serviceUrl`` — so a token for one service cannot steer replies to another. Keys are
fetched with httpx and cached (a day, or until a token names a key not seen yet), so
validation never blocks the event loop on I/O.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from roomkit._extras import require
from roomkit.errors import ProviderError, RoomKitError
from roomkit.providers.vendor import VendorHTTP, origin

__all__ = ["BOT_FRAMEWORK_ISSUER", "BotFrameworkTokenValidator", "TeamsAuthError"]

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
_KEYS_LIFETIME = 24 * 3600.0  # the SDKs refresh daily


class TeamsAuthError(RoomKitError):
    """An Activity's token is missing, malformed, or fails a check; the reason says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Bot Framework token refused: {reason}")
        self.reason = reason


@dataclass
class _Keys:
    by_kid: dict[str, tuple[Any, list[str]]] = field(default_factory=dict)
    fetched_at: float = float("-inf")


class BotFrameworkTokenValidator:
    """Validates the JWTs of inbound Activities for one bot (``app_id``).

    Args:
        app_id: the audience every token must carry.
        metadata_url: the OpenID document (``jwks_uri`` inside).
        http: the client keys are fetched with.
        leeway: seconds of clock skew allowed on ``exp`` and ``nbf``.
        refetch_after: seconds after a fetch before a token naming an unknown key (the
            keys rotated) fetches them again; a stream of forged key ids costs one fetch
            per interval at most.
    """

    def __init__(
        self,
        app_id: str,
        metadata_url: str,
        http: VendorHTTP,
        *,
        leeway: float,
        refetch_after: float = 300.0,
    ) -> None:
        self._jwt = require("jwt", "teams")
        self.app_id = app_id
        self.metadata_url = metadata_url
        self.leeway = leeway
        self.refetch_after = refetch_after
        self._http = http
        self._keys = _Keys()
        self._refreshing = asyncio.Lock()

    async def validate(
        self, authorization: str, service_url: str, channel_id: str
    ) -> dict[str, Any]:
        """The claims of the token in ``authorization`` (``Bearer <jwt>``), once it passes.

        Raises:
            TeamsAuthError: the token fails a check (or its keys cannot be fetched).
        """
        token, kid = self._token_and_kid(authorization)
        age = time.monotonic() - self._keys.fetched_at
        unknown = kid not in self._keys.by_kid and age >= self.refetch_after
        if age > _KEYS_LIFETIME or unknown:
            await self._refresh(self._keys.fetched_at)
        return self._check(token, kid, service_url, channel_id)

    def validate_cached(
        self, authorization: str, service_url: str, channel_id: str
    ) -> dict[str, Any]:
        """:meth:`validate` with the keys already fetched, for callers that cannot await.

        Raises:
            TeamsAuthError: as :meth:`validate`; also when the token's key is not cached.
        """
        token, kid = self._token_and_kid(authorization)
        return self._check(token, kid, service_url, channel_id)

    def _token_and_kid(self, authorization: str) -> tuple[str, str]:
        scheme, _, token = authorization.partition(" ")
        if scheme != "Bearer" or not token:
            raise TeamsAuthError("the Authorization header is not 'Bearer <token>'")
        try:
            header = self._jwt.get_unverified_header(token)
        except self._jwt.InvalidTokenError:
            raise TeamsAuthError("the token is not a JWT") from None
        if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
            raise TeamsAuthError("the token is not RS256-signed with a key id")
        return token, header["kid"]

    def _check(self, token: str, kid: str, service_url: str, channel_id: str) -> dict[str, Any]:
        found = self._keys.by_kid.get(kid)
        if found is None:
            raise TeamsAuthError("the token's signing key is not in the Bot Framework's key set")
        key, endorsements = found
        if endorsements and channel_id not in endorsements:
            raise TeamsAuthError(f"the signing key does not endorse channel {channel_id!r}")
        try:
            claims: dict[str, Any] = self._jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self.app_id,
                issuer=BOT_FRAMEWORK_ISSUER,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud"]},
            )
        except self._jwt.InvalidTokenError as exc:
            raise TeamsAuthError(type(exc).__name__) from None  # its text can quote claims
        if claims.get("serviceurl") != service_url:
            raise TeamsAuthError("the serviceurl claim is not the Activity's serviceUrl")
        return claims

    async def _refresh(self, seen: float) -> None:
        async with self._refreshing:
            if self._keys.fetched_at != seen:
                return  # another request refreshed them while this one waited
            try:
                self._keys = await self._fetch_keys()
            except (ProviderError, ValueError, KeyError, TypeError, self._jwt.PyJWTError) as exc:
                raise TeamsAuthError(f"the signing keys could not be fetched ({exc})") from None

    async def _fetch_keys(self) -> _Keys:
        document = await self._get_json(self.metadata_url)
        jwks = await self._get_json(str(document["jwks_uri"]))
        keys = _Keys(fetched_at=time.monotonic())
        for jwk in jwks["keys"]:
            if jwk.get("kty") == "RSA" and isinstance(jwk.get("kid"), str):
                key = self._jwt.PyJWK(jwk, algorithm="RS256").key
                keys.by_kid[jwk["kid"]] = (key, list(jwk.get("endorsements") or []))
        return keys

    async def _get_json(self, url: str) -> dict[str, Any]:
        response = await self._http.fetch(url, trusted_origin=origin(url))
        data = json.loads(response.content)
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object from {url}")
        return data
