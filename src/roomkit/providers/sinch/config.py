"""SinchConfig — the service plan a Sinch provider sends as."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from roomkit.models.policy import RetryPolicy

__all__ = ["SinchConfig"]


class SinchConfig(BaseModel):
    """Service plan, API token, sender and how sends are made.

    Args:
        service_plan_id: the service plan (part of every API path).
        api_token: the plan's API token (a Bearer token); never shown in reprs or logs.
        from_number: the default sender (E.164, short code or alphanumeric id).
        region: the API region; decides the host.
        webhook_secret: the callback secret Sinch signs webhooks with
            (``x-sinch-webhook-signature``).
        timeout: seconds per API request.
        base_url: the API root instead of the region's (a stand-in server in tests).
        callback_url: URL Sinch posts each recipient's delivery report to.
        retry_policy: how rate limits (429, ``Retry-After``) and 5xx answers are retried.
    """

    service_plan_id: str = Field(min_length=1)
    api_token: SecretStr
    from_number: str
    region: Literal["us", "eu", "au", "br", "ca"] = "us"
    webhook_secret: SecretStr | None = None
    timeout: float = Field(default=10.0, gt=0)
    base_url: str | None = None
    callback_url: str | None = None
    retry_policy: RetryPolicy = Field(default_factory=RetryPolicy)

    @property
    def api_url(self) -> str:
        """The plan's API root: ``https://{region}.sms.api.sinch.com/xms/v1/{plan}``."""
        root = (self.base_url or f"https://{self.region}.sms.api.sinch.com").rstrip("/")
        return f"{root}/xms/v1/{self.service_plan_id}"
