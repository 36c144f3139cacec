"""VoiceMeUpConfig — the API user a VoiceMeUp provider sends as."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

from roomkit.models.policy import RetryPolicy

__all__ = ["VoiceMeUpConfig"]

_HOSTS = {
    "production": "https://clients.voicemeup.com",
    "sandbox": "https://dev-clients.voicemeup.com",
}


class VoiceMeUpConfig(BaseModel):
    """API user, token, sender and how sends are made.

    Args:
        username: the API user (sent as the ``username`` field).
        auth_token: the user's API token (the ``auth_token`` field); never shown in
            reprs, logs or errors.
        from_number: the default sender DID.
        environment: ``"production"`` or ``"sandbox"``; decides the host.
        timeout: seconds per API request.
        api_base_url: the host instead of the environment's (a stand-in server in tests).
        retry_policy: how rate limits (429, ``Retry-After``) and 5xx answers are retried.
    """

    username: str = Field(min_length=1)
    auth_token: SecretStr
    from_number: str
    environment: str = "production"
    timeout: float = Field(default=10.0, gt=0)
    api_base_url: str | None = None
    retry_policy: RetryPolicy = Field(default_factory=RetryPolicy)

    @property
    def base_url(self) -> str:
        """The JSON API root, ending in ``/``: ``{host}/api/v1.1/json/``."""
        host = self.api_base_url or _HOSTS.get(self.environment, _HOSTS["production"])
        return f"{host.rstrip('/')}/api/v1.1/json/"
