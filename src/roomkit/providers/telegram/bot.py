"""TelegramBotProvider — a bot on the Telegram Bot API: sends, webhook secret, long polling.

Sends are ``POST {api_url}/bot{token}/{method}`` with JSON bodies (``sendMessage``; media
by URL through ``sendPhoto`` / ``sendDocument`` / ``sendAudio`` / ``sendVideo``). A 429's
``parameters.retry_after`` is waited out before the retry; other 4xx answers are raised at
once as :class:`~roomkit.providers.vendor.VendorAPIError`. The URL holds the token, so no
URL is ever put in a log line or an error.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from roomkit.errors import InvalidArgumentError, ProviderError
from roomkit.models.event import RoomEvent
from roomkit.providers.base import ProviderResult
from roomkit.providers.telegram.api import read_telegram_error, retry_after_of, send_requests
from roomkit.providers.telegram.base import TelegramProvider
from roomkit.providers.telegram.config import TelegramConfig
from roomkit.providers.vendor import VendorAPIError, VendorHTTP, origin

if TYPE_CHECKING:
    import httpx

__all__ = ["TelegramBotProvider", "UpdateHandler"]

PROVIDER = "telegram"
logger = logging.getLogger(__name__)

# Called with each Update (the JSON object) that long polling receives.
UpdateHandler = Callable[[dict[str, Any]], Awaitable[None]]


# A bot token in a URL path, as httpx logs every request's URL at INFO.
_TOKEN_IN_URL = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")


class _RedactTokens(logging.Filter):
    """Replaces bot tokens in the URLs httpx logs; the token is the bot's only credential."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN_IN_URL.search(message):
            record.msg, record.args = _TOKEN_IN_URL.sub("/bot<token>", message), ()
        return True


def _redact_httpx_logs() -> None:
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactTokens) for f in httpx_logger.filters):
        httpx_logger.addFilter(_RedactTokens())


class _BotAPIHTTP(VendorHTTP):
    """VendorHTTP that also reads the wait a 429 asks for from the body, where Telegram puts it."""

    def _api_error(self, response: httpx.Response) -> VendorAPIError:
        error = super()._api_error(response)
        if error.retry_after is None:
            error.retry_after = retry_after_of(response.content)
        return error


class TelegramBotProvider(TelegramProvider):
    """Sends as one bot, checks its webhook secret, and can long-poll ``getUpdates``.

    Raises from :meth:`send`:
        VendorAPIError: Telegram refused a call (``code`` "400" for a chat not found,
            "403" when the user blocked the bot, "401" for a bad token); a 429 or 5xx only
            once the config's ``retry_policy`` gives up.
        InvalidArgumentError: the event has nothing Telegram can carry.
    """

    def __init__(self, config: TelegramConfig) -> None:
        self.config = config
        _redact_httpx_logs()
        self._http = _BotAPIHTTP(
            PROVIDER,
            read_telegram_error,
            timeout=config.timeout,
            retry_policy=config.retry_policy,
        )
        self._polling: asyncio.Task[None] | None = None

    @property
    def name(self) -> str:
        return PROVIDER

    def __repr__(self) -> str:
        return "TelegramBotProvider(bot_token=**********)"

    async def call(self, method: str, body: dict[str, Any], *, wait: float = 0.0) -> Any:
        """Call Bot API ``method`` with ``body``; return its ``result``.

        ``wait`` is added to the request timeout (a long poll's own wait).

        Raises:
            VendorAPIError: an error answer, including a 200 with ``"ok": false``.
        """
        url = f"{self.config.base_url}/{method}"
        response = await self._http.post(url, json=body, timeout=self.config.timeout + wait)
        data = response.json()
        if not isinstance(data, dict) or not data.get("ok"):
            code, message, _ = read_telegram_error(response.content)
            raise VendorAPIError(
                f"{PROVIDER} {method} failed: {message}", code=code, provider=PROVIDER
            )
        return data.get("result")

    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        """Send ``event`` to chat ``to``; the result holds the (last) sent ``message_id``."""
        results = [await self.call(m, body) for m, body in send_requests(event.content, to)]
        ids = [str(r.get("message_id")) for r in results if isinstance(r, dict)]
        return ProviderResult(
            success=True,
            provider_message_id=ids[-1] if ids else None,
            metadata={"message_ids": ids},
        )

    async def fetch_file(self, file_id: str) -> tuple[bytes, str]:
        """Download an inbound file (a message's ``file_id``): ``(content, content_type)``.

        ``getFile`` names its ``file_path``; the file is then read from
        ``{api_url}/file/bot{token}/{file_path}``. The token is part of that URL, so it
        is only ever sent to the configured Bot API server.

        Raises:
            VendorAPIError: an unknown ``file_id``, or a file over the Bot API's 20 MB.
        """
        file = await self.call("getFile", {"file_id": file_id})
        path = file.get("file_path") if isinstance(file, dict) else None
        if not isinstance(path, str) or not path:
            raise VendorAPIError(f"{PROVIDER} getFile gave no file_path", provider=PROVIDER)
        root = self.config.api_url.rstrip("/")
        url = f"{root}/file/bot{self.config.bot_token.get_secret_value()}/{path}"
        response = await self._http.fetch(url, trusted_origin=origin(root))
        return response.content, response.headers.get("content-type", "application/octet-stream")

    def verify_signature(self, payload: bytes, signature: str) -> bool:
        """Whether ``signature`` (``X-Telegram-Bot-Api-Secret-Token``) is the webhook secret.

        Telegram signs nothing: it echoes the secret, compared here in constant time.

        Raises:
            InvalidArgumentError: the config has no ``webhook_secret``.
        """
        if self.config.webhook_secret is None:
            raise InvalidArgumentError(
                "webhook_secret", None, "the secret_token given to setWebhook"
            )
        expected = self.config.webhook_secret.get_secret_value().encode()
        return hmac.compare_digest(signature.encode(), expected)

    def start_polling(
        self,
        on_update: UpdateHandler,
        *,
        poll_timeout: int = 30,
        allowed_updates: list[str] | None = None,
    ) -> asyncio.Task[None]:
        """Receive updates by long polling ``getUpdates`` instead of a webhook.

        Each Update goes to ``on_update`` in order; the next poll's ``offset`` confirms it
        to Telegram (an update whose handler raised is logged and not asked for again).
        Failed polls are logged and retried after the retry policy's delays. The task
        belongs to this provider: :meth:`close` cancels it.

        Raises:
            RuntimeError: polling already runs.
        """
        if self._polling is not None and not self._polling.done():
            raise RuntimeError("this TelegramBotProvider is already polling")
        body: dict[str, Any] = {"timeout": poll_timeout}
        if allowed_updates is not None:
            body["allowed_updates"] = allowed_updates
        self._polling = asyncio.create_task(self._poll(on_update, body), name="telegram-polling")
        return self._polling

    async def _poll(self, on_update: UpdateHandler, body: dict[str, Any]) -> None:
        failures = 0
        while True:
            try:
                updates = await self.call("getUpdates", body, wait=float(body["timeout"]))
            except ProviderError as exc:
                delay = self._backoff(failures, exc)
                logger.warning("%s: getUpdates failed: %s; again in %.2fs", PROVIDER, exc, delay)
                failures += 1
                await asyncio.sleep(delay)
                continue
            failures = 0
            for update in updates if isinstance(updates, list) else []:
                await self._handle(on_update, update)
                body["offset"] = int(update["update_id"]) + 1

    def _backoff(self, failures: int, exc: ProviderError) -> float:
        policy = self.config.retry_policy
        delay = policy.delay(min(failures, 10), exc.retry_after)
        # A poller never gives up: past the policy's patience it waits what was asked.
        return delay if delay is not None else max(exc.retry_after or 0.0, policy.max_delay_seconds)

    @staticmethod
    async def _handle(on_update: UpdateHandler, update: dict[str, Any]) -> None:
        try:
            await on_update(update)
        except Exception:
            logger.exception("%s: handling update %s failed", PROVIDER, update.get("update_id"))

    async def close(self) -> None:
        """Stop polling (if it runs) and close the connection pool. Idempotent."""
        if self._polling is not None:
            self._polling.cancel()
            await asyncio.gather(self._polling, return_exceptions=True)
            self._polling = None
        await self._http.close()
