"""WebhookHTTPProvider — room events POSTed as JSON, signed as Standard Webhooks.

Each send is one ``POST`` of :func:`event_body` to the configured URL with the config's
extra headers and, when a secret is set, ``webhook-id`` / ``webhook-timestamp`` /
``webhook-signature``. The id is the same on every retry of one delivery, so the receiver
can drop repeats. Retryable failures (429 with ``Retry-After``, 5xx, timeouts) back off per
the config's ``retry_policy``.
"""

from __future__ import annotations

import json
import time
from typing import Any

from roomkit.models.event import RoomEvent
from roomkit.providers.base import ProviderResult
from roomkit.providers.http.base import HTTPProvider
from roomkit.providers.http.config import HTTPProviderConfig
from roomkit.providers.http.signature import sign_webhook, signing_key
from roomkit.providers.vendor import VendorHTTP
from roomkit.providers.wire.errors import error_message

__all__ = ["WebhookHTTPProvider", "event_body"]

PROVIDER = "webhook"


def _read_error(body: bytes) -> tuple[str | None, str, str | None]:
    return None, error_message(body), None


def event_body(event: RoomEvent, to: str) -> dict[str, Any]:
    """What the receiver gets: who it is for, which room, and the event's content."""
    return {
        "type": "room.event",
        "recipient_id": to,
        "event_id": event.id,
        "room_id": event.room_id,
        "sender_channel_id": event.source.channel_id,
        "content": event.content.model_dump(mode="json"),
        "created_at": event.created_at.isoformat(),
    }


class WebhookHTTPProvider(HTTPProvider):
    """Posts room events to one webhook URL."""

    def __init__(self, config: HTTPProviderConfig) -> None:
        self.config = config
        self._key = None if config.secret is None else signing_key(config.secret.get_secret_value())
        self._http = VendorHTTP(
            PROVIDER,
            _read_error,
            timeout=config.timeout,
            retry_policy=config.retry_policy,
            headers=config.headers,
        )

    def __repr__(self) -> str:
        return f"WebhookHTTPProvider(webhook_url={self.config.webhook_url!r})"

    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        """POST ``event`` for recipient ``to``; the result's id is the ``webhook-id``.

        Raises:
            VendorAPIError: the receiver answered with an error status (retryable ones
                only once the retry policy gives up).
        """
        msg_id = f"msg_{event.id}_{to}"
        body = json.dumps(event_body(event, to), separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", **self._signature(msg_id, body)}
        response = await self._http.post(self.config.webhook_url, content=body, headers=headers)
        return ProviderResult(
            success=True, provider_message_id=msg_id, metadata={"status": response.status_code}
        )

    def _signature(self, msg_id: str, body: bytes) -> dict[str, str]:
        if self._key is None:
            return {}
        timestamp = int(time.time())
        return {
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign_webhook(self._key, msg_id, timestamp, body),
        }

    async def close(self) -> None:
        await self._http.close()
