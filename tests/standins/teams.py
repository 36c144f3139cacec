"""Microsoft's side of a Teams bot on loopback: the token endpoint, the Bot Framework's
OpenID document and keys, the Connector, and a signer minting the JWTs channels send.

One app serves them all at its base URL:

- ``POST /botframework.com/oauth2/v2.0/token`` (client credentials) → an access token;
- ``GET /v1/.well-known/openidconfiguration`` → ``{"jwks_uri": …/v1/.well-known/keys}``;
- ``GET /v1/.well-known/keys`` → the signer's RSA public key, endorsed for ``msteams``;
- ``POST /v3/conversations[/{id}/activities]`` → the Connector, Bearer token required.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from roomkit.models.policy import RetryPolicy
from roomkit.providers.teams.config import TeamsConfig
from tests.standins.scripted import Recorded, Reply, ScriptedApp

APP_ID = "00000000-0000-4000-8000-0000000000b0"
APP_PASSWORD = "app~password.secret-value"
ISSUER = "https://api.botframework.com"
TOKEN_PATH = "/botframework.com/oauth2/v2.0/token"
OPENID_PATH = "/v1/.well-known/openidconfiguration"
KEYS_PATH = "/v1/.well-known/keys"


def teams_config(app: ScriptedApp, password: str = APP_PASSWORD) -> TeamsConfig:
    """The bot's config with every Microsoft endpoint on ``app``; quick retries."""
    return TeamsConfig(
        app_id=APP_ID,
        app_password=password,
        token_url=app.base_url + TOKEN_PATH,
        openid_metadata_url=app.base_url + OPENID_PATH,
        retry_policy=RetryPolicy(max_retries=2, base_delay_seconds=0.01),
    )


def connector_error(status: int, code: str, message: str, **headers: str) -> Reply:
    return Reply.json({"error": {"code": code, "message": message}}, status, headers)


class ChannelSigner:
    """The Bot Framework's signing key: mints the token it sends with each Activity."""

    def __init__(self, kid: str = "bf-key-1", endorsements: tuple[str, ...] = ("msteams",)) -> None:
        self.kid = kid
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        self.jwk = {**jwk, "kid": kid, "use": "sig", "endorsements": list(endorsements)}

    def token(self, service_url: str, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": ISSUER, "aud": APP_ID, "serviceurl": service_url, "nbf": now - 5,
                "exp": now + 3600, **claims}  # fmt: skip
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": self.kid})


class TeamsStandIn(ScriptedApp):
    """Records every request; answers each path as Microsoft's services do."""

    def __init__(self, signer: ChannelSigner | None = None) -> None:
        super().__init__()
        self.signer = signer or ChannelSigner()
        self.keys = [self.signer.jwk]
        self.issued: list[str] = []
        self.token_lifetime = 3599  # the expires_in of issued tokens

    def calls(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    def _choose(self, request: Recorded) -> Reply:
        if self.replies:
            return self.replies.popleft()
        if request.path == OPENID_PATH:
            return Reply.json({"issuer": ISSUER, "jwks_uri": self.base_url + KEYS_PATH,
                               "id_token_signing_alg_values_supported": ["RS256"]})  # fmt: skip
        if request.path == KEYS_PATH:
            return Reply.json({"keys": self.keys})
        if request.path == TOKEN_PATH:
            return self._token(request)
        if not request.path.startswith("/v3/conversations"):
            return connector_error(404, "NotFound", "no such resource")
        if request.headers.get("authorization") not in {f"Bearer {t}" for t in self.issued}:
            return connector_error(401, "Unauthorized", "Authorization has been denied")
        if request.path == "/v3/conversations":
            return Reply.json({"id": f"a:conv-{len(self.requests)}"}, 201)
        return Reply.json({"id": f"1:activity-{len(self.requests)}"}, 201)

    def _token(self, request: Recorded) -> Reply:
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if (form.get("client_id"), form.get("client_secret")) != (APP_ID, APP_PASSWORD):
            body = {
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret provided.",
            }
            return Reply.json(body, 401)  # fmt: skip
        token = f"connector-token-{len(self.issued) + 1}"
        self.issued.append(token)
        lifetime = self.token_lifetime
        return Reply.json({"token_type": "Bearer", "expires_in": lifetime,
                           "ext_expires_in": lifetime, "access_token": token})  # fmt: skip


def activity(
    service_url: str,
    text: str = "hello bot",
    activity_id: str = "act-1",
    conversation_id: str = "a:conv-personal",
    **fields: Any,
) -> dict[str, Any]:
    """A personal-chat ``message`` Activity as Teams posts it to a bot."""
    return {
        "type": "message", "id": activity_id, "timestamp": "2026-12-08T01:00:00.000Z",
        "serviceUrl": service_url, "channelId": "msteams",
        "from": {"id": "29:user-1", "name": "Ann", "aadObjectId": "aad-user-1"},
        "conversation": {"id": conversation_id, "conversationType": "personal",
                         "tenantId": "tenant-1"},
        "recipient": {"id": f"28:{APP_ID}", "name": "Room bot"},
        "text": text, "textFormat": "plain", "locale": "en-US",
        "channelData": {"tenant": {"id": "tenant-1"}},
        **fields,
    }  # fmt: skip
