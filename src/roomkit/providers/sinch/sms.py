"""SinchSMSProvider — SMS and MMS through the Sinch SMS REST API.

``POST {api_url}/batches`` with a Bearer token and a JSON batch: ``from``, ``to`` (a list),
``body`` and ``type`` ``mt_text``; an event with media goes as ``mt_media`` with ``body``
``{"url", "message"}`` (Sinch carries one media item per MMS; the first is sent).
``delivery_report`` ``per_recipient`` asks for the reports read by
:func:`~roomkit.providers.sinch.webhook.parse_sinch_status`; the batch ``id`` is the
result's ``provider_message_id`` and the status's ``message_id``.
"""

from __future__ import annotations

import json
from typing import Any

from roomkit.errors import InvalidArgumentError
from roomkit.models.event import RoomEvent
from roomkit.providers._content import text_and_media
from roomkit.providers.base import ProviderResult
from roomkit.providers.sinch.config import SinchConfig
from roomkit.providers.sinch.webhook import PROVIDER, parse_sinch_webhook, verify_sinch_signature
from roomkit.providers.sms.base import SMSProvider
from roomkit.providers.vendor import VendorHTTP

__all__ = ["SinchSMSProvider", "parse_sinch_webhook"]


def read_sinch_error(body: bytes) -> tuple[str | None, str, str | None]:
    """``(code, message, more_info)`` of Sinch's ``{"code", "text"}`` error body."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        return None, body[:300].decode("utf-8", "replace") or "(empty body)", None
    if not isinstance(data, dict):
        return None, str(data)[:300], None
    code = data.get("code")
    return None if code is None else str(code), str(data.get("text") or "(no text)"), None


class SinchSMSProvider(SMSProvider):
    """Sends SMS/MMS as a Sinch service plan and verifies its signed callbacks.

    Raises from :meth:`send`:
        VendorAPIError: Sinch refused the batch (``code`` ``syntax_invalid_parameter_format``
            for a bad number, ``unauthorized`` for a bad token, …); a 429 or 5xx only once
            the config's ``retry_policy`` gives up.
        InvalidArgumentError: the event has neither text nor media.
    """

    def __init__(self, config: SinchConfig) -> None:
        self.config = config
        self._http = VendorHTTP(
            PROVIDER,
            read_sinch_error,
            timeout=config.timeout,
            retry_policy=config.retry_policy,
            headers={"Authorization": f"Bearer {config.api_token.get_secret_value()}"},
        )

    @property
    def name(self) -> str:
        return PROVIDER

    @property
    def from_number(self) -> str:
        return self.config.from_number

    def __repr__(self) -> str:
        return f"SinchSMSProvider(service_plan_id={self.config.service_plan_id!r})"

    async def send(self, event: RoomEvent, to: str, from_: str | None = None) -> ProviderResult:
        """Send ``event`` to ``to`` as one batch; the result holds the batch id."""
        response = await self._http.post(
            f"{self.config.api_url}/batches", json=self._batch(event, to, from_)
        )
        data = response.json()
        return ProviderResult(
            success=True,
            provider_message_id=data.get("id"),
            metadata={"canceled": data.get("canceled"), "type": data.get("type")},
        )

    def _batch(self, event: RoomEvent, to: str, from_: str | None) -> dict[str, Any]:
        body, media = text_and_media(event.content)
        if not body and not media:
            raise InvalidArgumentError("event.content", event.content.type, "text or media")
        batch: dict[str, Any] = {
            "from": from_ or self.config.from_number,
            "to": [to],
            "delivery_report": "per_recipient",
            "client_reference": event.id,
        }
        if media:
            batch |= {"type": "mt_media", "body": {"url": media[0], "message": body}}
        else:
            batch |= {"type": "mt_text", "body": body}
        if self.config.callback_url:
            batch["callback_url"] = self.config.callback_url
        return batch

    def verify_signature(
        self, payload: bytes, signature: str, timestamp: str | None = None
    ) -> bool:
        """Whether ``x-sinch-webhook-signature`` ``signature`` fits ``payload``.

        Sinch signs ``{body}.{nonce}.{timestamp}``: pass ``timestamp`` as the
        ``x-sinch-webhook-signature-nonce`` and ``-timestamp`` headers joined by a dot
        (``"{nonce}.{timestamp}"``). False without a configured ``webhook_secret``.
        """
        secret = self.config.webhook_secret
        nonce, dot, stamp = (timestamp or "").rpartition(".")
        if secret is None or not dot:
            return False
        return verify_sinch_signature(secret.get_secret_value(), payload, signature, nonce, stamp)

    async def close(self) -> None:
        """Close the connection pool. Idempotent."""
        await self._http.close()
