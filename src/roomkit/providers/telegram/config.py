"""TelegramConfig — the bot a Telegram provider sends as."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

__all__ = ["TelegramConfig"]


class TelegramConfig(BaseModel):
    """Bot token and the secret Telegram echoes in ``X-Telegram-Bot-Api-Secret-Token``.

    Secrets are ``SecretStr``: they never appear in ``repr`` or logs.
    """

    bot_token: SecretStr
    webhook_secret: SecretStr | None = None
    timeout: float = Field(default=30.0, gt=0)

    @property
    def base_url(self) -> str:
        """The Bot API root for this bot. It holds the token: never log it."""
        return f"https://api.telegram.org/bot{self.bot_token.get_secret_value()}"
