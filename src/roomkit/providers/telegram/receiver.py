"""TelegramWebhook — Bot API updates posted to the webhook app, and long polling into a kit."""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from roomkit.providers.telegram.bot import UpdateHandler
from roomkit.providers.telegram.webhook import parse_telegram_webhook
from roomkit.webhooks import Intake, WebhookReceiver, WebhookSignatureError

if TYPE_CHECKING:
    from roomkit.kit import RoomKit

__all__ = ["TelegramWebhook", "updates_into_kit"]

# What setWebhook accepts as a secret_token.
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _update(body: bytes) -> dict[str, Any]:
    data = json.loads(body)
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise ValueError("expected a Telegram Update: a JSON object with an integer update_id")
    return data


class TelegramWebhook(WebhookReceiver):
    """Updates Telegram posts to the URL given to ``setWebhook``; answers an empty 200.

    Telegram signs nothing: it sends the ``secret_token`` of ``setWebhook`` back in
    ``X-Telegram-Bot-Api-Secret-Token``, compared in constant time (missing: 401, wrong:
    403). A redelivered update (Telegram retries until it gets a 2xx) has the same
    ``update_id``, which keys idempotency: one event however often it arrives.

    Args:
        secret_token: the ``secret_token`` given to ``setWebhook`` (1-256 characters of
            ``A-Z``, ``a-z``, ``0-9``, ``_`` and ``-``).

    Raises:
        ValueError: ``secret_token`` is not one Telegram accepts.
    """

    vendor = "telegram"
    signature_header = "x-telegram-bot-api-secret-token"

    def __init__(self, channel_id: str, secret_token: str, *, path: str | None = None) -> None:
        super().__init__(channel_id, path)
        if not _SECRET_TOKEN.fullmatch(secret_token):
            raise ValueError(
                "secret_token must be the one given to setWebhook: 1-256 characters of "
                "A-Z, a-z, 0-9, _ and -"
            )
        self._secret = secret_token.encode()

    def read(self, body: bytes, headers: Mapping[str, str], url: str) -> Intake:
        given = headers.get(self.signature_header, "").encode()
        if not hmac.compare_digest(given, self._secret):
            raise WebhookSignatureError(self.vendor)
        messages = parse_telegram_webhook(_update(body), self.channel_id)
        return messages[0] if messages else None


def updates_into_kit(kit: RoomKit, channel_id: str) -> UpdateHandler:
    """An ``on_update`` for :meth:`TelegramBotProvider.start_polling` that files each
    message into ``kit`` under ``channel_id``, as the webhook would."""

    async def on_update(update: dict[str, Any]) -> None:
        for message in parse_telegram_webhook(update, channel_id):
            await kit.process_inbound(message)

    return on_update
