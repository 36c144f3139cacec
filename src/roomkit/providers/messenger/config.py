"""MessengerConfig — the Facebook page a Messenger provider sends as."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

from roomkit.models.policy import RetryPolicy

__all__ = ["MessengerConfig"]


class MessengerConfig(BaseModel):
    """Page access token, app secret (verifies webhook signatures), Graph API version.

    Secrets are ``SecretStr``: they never appear in ``repr`` or logs.

    Args:
        page_id: the page sends go out as (``/{page_id}/messages``); ``me`` (the token's
            page) when None.
        graph_url: the Graph API host (a stand-in server in tests).
        retry_policy: how rate limits and 5xx answers are retried.
    """

    page_access_token: SecretStr
    app_secret: SecretStr | None = None
    api_version: str = "v21.0"
    timeout: float = Field(default=30.0, gt=0)
    page_id: str | None = None
    graph_url: str = "https://graph.facebook.com"
    retry_policy: RetryPolicy = Field(default_factory=RetryPolicy)

    @property
    def base_url(self) -> str:
        """The Graph API root for :attr:`api_version`."""
        return f"{self.graph_url.rstrip('/')}/{self.api_version}"

    @property
    def messages_url(self) -> str:
        """The Send API endpoint of the page."""
        return f"{self.base_url}/{self.page_id or 'me'}/messages"
