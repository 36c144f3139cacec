"""MessengerConfig — the Facebook page a Messenger provider sends as."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

__all__ = ["MessengerConfig"]


class MessengerConfig(BaseModel):
    """Page access token, app secret (verifies webhook signatures), Graph API version.

    Secrets are ``SecretStr``: they never appear in ``repr`` or logs.
    """

    page_access_token: SecretStr
    app_secret: SecretStr | None = None
    api_version: str = "v21.0"
    timeout: float = Field(default=30.0, gt=0)

    @property
    def base_url(self) -> str:
        """The Graph API root for :attr:`api_version`."""
        return f"https://graph.facebook.com/{self.api_version}"
