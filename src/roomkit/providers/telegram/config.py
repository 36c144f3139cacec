"""TelegramConfig — the bot a Telegram provider sends as."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

from roomkit.models.policy import RetryPolicy

__all__ = ["TelegramConfig"]


class TelegramConfig(BaseModel):
    """Bot token and the secret Telegram echoes in ``X-Telegram-Bot-Api-Secret-Token``.

    Args:
        bot_token: the token BotFather gave; part of every API URL.
        webhook_secret: the ``secret_token`` given to ``setWebhook``; Telegram sends it back
            in ``X-Telegram-Bot-Api-Secret-Token`` with every update.
        timeout: seconds per API request (a long poll adds its own wait to it).
        api_url: the Bot API server (a stand-in or a local Bot API server in tests).
        retry_policy: how 429 answers (``parameters.retry_after``) and 5xx are retried.

    Secrets are ``SecretStr``: they never appear in ``repr`` or logs.
    """

    bot_token: SecretStr
    webhook_secret: SecretStr | None = None
    timeout: float = Field(default=30.0, gt=0)
    api_url: str = "https://api.telegram.org"
    retry_policy: RetryPolicy = Field(default_factory=RetryPolicy)

    @property
    def base_url(self) -> str:
        """The Bot API root for this bot. It holds the token: never log it."""
        return f"{self.api_url.rstrip('/')}/bot{self.bot_token.get_secret_value()}"
