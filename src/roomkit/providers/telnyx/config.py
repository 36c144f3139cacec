"""TelnyxConfig — the API key and number a Telnyx provider sends with."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

from roomkit.models.policy import RetryPolicy

__all__ = ["TelnyxConfig"]


class TelnyxConfig(BaseModel):
    """API key, sender and how sends are made.

    Args:
        api_key: the v2 API key, sent as a Bearer token; a ``SecretStr``, never shown.
        from_number: the default sender (E.164).
        messaging_profile_id: sends through this messaging profile when set.
        timeout: seconds per API request.
        base_url: API root (a stand-in server in tests).
        webhook_url: where Telnyx posts the delivery statuses of each sent message
            (without it, the messaging profile's webhook URL).
        retry_policy: how rate limits (429, ``Retry-After``) and 5xx answers are retried.
    """

    api_key: SecretStr
    from_number: str
    messaging_profile_id: str | None = None
    timeout: float = Field(default=10.0, gt=0)
    base_url: str = "https://api.telnyx.com"
    webhook_url: str | None = None
    retry_policy: RetryPolicy = Field(default_factory=RetryPolicy)

    @property
    def api_url(self) -> str:
        """The Messages resource."""
        return f"{self.base_url.rstrip('/')}/v2/messages"
