"""ElasticEmailConfig — the account and sender an ElasticEmail provider sends as."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

from roomkit.models.policy import RetryPolicy

__all__ = ["ElasticEmailConfig"]


class ElasticEmailConfig(BaseModel):
    """API key, sender and how sends are made.

    Args:
        api_key: the account's API key (sent as the ``apikey`` form field); a ``SecretStr``,
            never shown in ``repr``, logs or errors.
        from_email: the default sender address.
        from_name: the sender's display name.
        is_transactional: send as transactional mail (not subject to unsubscribe lists).
        base_url: the ``email/send`` endpoint (a stand-in server in tests).
        timeout: seconds per API request.
        retry_policy: how rate limits (429, ``Retry-After``) and 5xx answers are retried.
    """

    api_key: SecretStr
    from_email: str
    from_name: str | None = None
    is_transactional: bool = True
    base_url: str = "https://api.elasticemail.com/v2/email/send"
    timeout: float = Field(default=30.0, gt=0)
    retry_policy: RetryPolicy = Field(default_factory=RetryPolicy)
