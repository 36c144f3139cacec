"""TwilioConfig — the account a Twilio provider sends as."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

from roomkit.models.policy import RetryPolicy

__all__ = ["TwilioConfig"]


class TwilioConfig(BaseModel):
    """Account SID and auth token, the sender, and how sends are made.

    Args:
        account_sid: the ``AC…`` account id (Basic auth user, part of every API path).
        auth_token: Basic auth password and the key Twilio signs webhooks with; a
            ``SecretStr``, never shown in ``repr`` or logs.
        from_number: the default sender (E.164).
        messaging_service_sid: sends go through this Messaging Service (``MG…``) instead of
            ``from_number`` when set and no explicit sender is given.
        timeout: seconds per API request.
        base_url: API root (a stand-in server in tests).
        status_callback: URL Twilio posts delivery statuses of each sent message to.
        retry_policy: how rate limits (429, ``Retry-After``) and 5xx answers are retried.
    """

    account_sid: str = Field(min_length=1)
    auth_token: SecretStr
    from_number: str
    messaging_service_sid: str | None = None
    timeout: float = Field(default=10.0, gt=0)
    base_url: str = "https://api.twilio.com"
    status_callback: str | None = None
    retry_policy: RetryPolicy = Field(default_factory=RetryPolicy)

    @property
    def api_url(self) -> str:
        """The Messages resource of this account."""
        root = self.base_url.rstrip("/")
        return f"{root}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
