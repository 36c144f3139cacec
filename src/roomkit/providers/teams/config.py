"""TeamsConfig — the Azure bot registration a Teams provider authenticates as."""

from __future__ import annotations

from pydantic import BaseModel, SecretStr

__all__ = ["TeamsConfig"]


class TeamsConfig(BaseModel):
    """App id with either a password or a certificate (thumbprint + private key).

    ``tenant_id`` is ``"common"`` for a multi-tenant bot. Secrets are ``SecretStr``: they
    never appear in ``repr`` or logs.
    """

    app_id: str
    app_password: SecretStr | None = None
    tenant_id: str = "common"
    certificate_thumbprint: str | None = None
    certificate_private_key: SecretStr | None = None
    certificate_public: str | None = None

    @property
    def uses_certificate_auth(self) -> bool:
        """Whether the bot authenticates with its certificate rather than a password."""
        return self.certificate_thumbprint is not None and self.certificate_private_key is not None
