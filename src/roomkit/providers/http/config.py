"""HTTPProviderConfig — where an HTTP provider posts room events."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, field_validator

from roomkit.models.policy import RetryPolicy

__all__ = ["HTTPProviderConfig"]


class HTTPProviderConfig(BaseModel):
    """The webhook URL, an optional signing secret, a timeout and extra headers.

    ``secret`` signs requests as Standard Webhooks (``whsec_<base64>``, or a plain string
    used as its bytes); it is a ``SecretStr`` and never appears in ``repr`` or logs.
    ``retry_policy`` says how 429s, 5xx answers and timeouts are retried.
    """

    webhook_url: str
    secret: SecretStr | None = None
    timeout: float = Field(default=30.0, gt=0)
    headers: dict[str, str] = Field(default_factory=dict, repr=False)  # may hold credentials
    retry_policy: RetryPolicy = Field(default_factory=RetryPolicy)

    @field_validator("webhook_url")
    @classmethod
    def validate_webhook_url(cls, v: str) -> str:
        """An absolute ``http`` or ``https`` URL with a host."""
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"webhook_url {v!r} is not an absolute http(s) URL; "
                "expected e.g. 'https://example.com/hook'"
            )
        return v
