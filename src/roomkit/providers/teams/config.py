"""TeamsConfig — the Azure bot registration a Teams provider authenticates as."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

from roomkit.models.policy import RetryPolicy

__all__ = ["TeamsConfig"]

# Where the Bot Framework publishes the keys that sign the tokens channels send a bot.
BOT_FRAMEWORK_OPENID = "https://login.botframework.com/v1/.well-known/openidconfiguration"
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"


class TeamsConfig(BaseModel):
    """App id with either a password or a certificate (thumbprint + private key).

    Args:
        app_id: the bot's Microsoft App ID: the client id of its tokens, and the audience
            every token a channel sends it must carry.
        app_password: the client secret used to obtain Connector tokens.
        tenant_id: ``"common"`` for a multi-tenant bot (tokens then come from the
            ``botframework.com`` tenant), else the bot's single tenant.
        token_url: the OAuth 2.0 token endpoint; derived from ``tenant_id`` when None.
        openid_metadata_url: the OpenID document whose ``jwks_uri`` lists signing keys.
        clock_leeway: seconds of clock skew allowed on an inbound token's expiry (the
            Bot Framework SDKs allow five minutes).
        timeout: seconds per HTTP request.
        retry_policy: how 429 (``Retry-After``) and 5xx answers are retried.

    Secrets are ``SecretStr``: they never appear in ``repr`` or logs.
    """

    app_id: str
    app_password: SecretStr | None = None
    tenant_id: str = "common"
    certificate_thumbprint: str | None = None
    certificate_private_key: SecretStr | None = None
    certificate_public: str | None = None
    token_url: str | None = None
    openid_metadata_url: str = BOT_FRAMEWORK_OPENID
    clock_leeway: float = Field(default=300.0, ge=0)
    timeout: float = Field(default=30.0, gt=0)
    retry_policy: RetryPolicy = Field(default_factory=RetryPolicy)

    @property
    def uses_certificate_auth(self) -> bool:
        """Whether the bot authenticates with its certificate rather than a password."""
        return self.certificate_thumbprint is not None and self.certificate_private_key is not None

    @property
    def token_endpoint(self) -> str:
        """Where Connector tokens come from: ``token_url``, else the tenant's v2.0 endpoint."""
        if self.token_url:
            return self.token_url
        tenant = "botframework.com" if self.tenant_id == "common" else self.tenant_id
        return f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
