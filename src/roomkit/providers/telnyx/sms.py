"""TelnyxSMSProvider — SMS and MMS through Telnyx's v2 Messages API.

``POST {base_url}/v2/messages`` with a JSON body (``from``, ``to``, ``text``,
``media_urls``, ``messaging_profile_id``, ``webhook_url``) and the API key as a Bearer
token. Inbound webhooks are verified with the account's Ed25519 public key.
"""

from __future__ import annotations

import json
from typing import Any

from roomkit.errors import InvalidArgumentError
from roomkit.models.event import RoomEvent
from roomkit.providers._content import text_and_media
from roomkit.providers.base import ProviderResult
from roomkit.providers.sms.base import SMSProvider
from roomkit.providers.telnyx.config import TelnyxConfig
from roomkit.providers.telnyx.signature import verify_telnyx_signature
from roomkit.providers.telnyx.webhook import PROVIDER, parse_telnyx_webhook
from roomkit.providers.vendor import VendorHTTP

__all__ = ["TelnyxSMSProvider", "parse_telnyx_webhook"]


def read_telnyx_error(body: bytes) -> tuple[str | None, str, str | None]:
    """``(code, message, more_info)`` of Telnyx's ``{"errors": [...]}`` body."""
    try:
        data: Any = json.loads(body)
        first = data["errors"][0]
    except (ValueError, KeyError, IndexError, TypeError):
        return None, body[:300].decode("utf-8", "replace") or "(empty body)", None
    message = first.get("detail") or first.get("title") or "(no message)"
    code = first.get("code")
    more_info = (first.get("meta") or {}).get("url")
    return None if code is None else str(code), str(message), more_info


class TelnyxSMSProvider(SMSProvider):
    """Sends SMS/MMS with a Telnyx API key and verifies Telnyx webhooks.

    Args:
        config: key, sender and send settings.
        public_key: the account's base64 Ed25519 public key, for :meth:`verify_signature`.

    Raises from :meth:`send`:
        VendorAPIError: Telnyx refused the message (``code`` ``40310`` for an invalid
            number, ``10009`` for a bad key, …); a 429 or 5xx only once the
            config's ``retry_policy`` gives up.
    """

    def __init__(self, config: TelnyxConfig, public_key: str | None = None) -> None:
        self.config = config
        self.public_key = public_key
        self._http = VendorHTTP(
            PROVIDER,
            read_telnyx_error,
            timeout=config.timeout,
            retry_policy=config.retry_policy,
            headers={"Authorization": f"Bearer {config.api_key.get_secret_value()}"},
        )

    @property
    def name(self) -> str:
        return PROVIDER

    @property
    def from_number(self) -> str:
        return self.config.from_number

    def __repr__(self) -> str:
        return f"TelnyxSMSProvider(from_number={self.config.from_number!r})"

    async def send(self, event: RoomEvent, to: str, from_: str | None = None) -> ProviderResult:
        """Send ``event``'s text (and media, as MMS) to ``to``; the result holds Telnyx's id."""
        response = await self._http.post(self.config.api_url, json=self._body(event, to, from_))
        data = response.json().get("data") or {}
        recipients = data.get("to") or [{}]
        return ProviderResult(
            success=True,
            provider_message_id=data.get("id"),
            metadata={"status": recipients[0].get("status"), "parts": data.get("parts")},
        )

    def _body(self, event: RoomEvent, to: str, from_: str | None) -> dict[str, Any]:
        text, media = text_and_media(event.content)
        if not text and not media:
            raise InvalidArgumentError("event.content", event.content.type, "text or media")
        body: dict[str, Any] = {"from": from_ or self.config.from_number, "to": to}
        body |= {"text": text} if text else {}
        body |= {"media_urls": media} if media else {}
        if self.config.messaging_profile_id:
            body["messaging_profile_id"] = self.config.messaging_profile_id
        if self.config.webhook_url:
            body["webhook_url"] = self.config.webhook_url
        return body

    def verify_signature(
        self, payload: bytes, signature: str, timestamp: str | None = None
    ) -> bool:
        """Whether ``telnyx-signature-ed25519`` fits ``telnyx-timestamp|payload`` and is fresh.

        Raises:
            InvalidArgumentError: the provider was built without ``public_key``.
        """
        if not self.public_key:
            raise InvalidArgumentError(
                "public_key", None, "the account's base64 Ed25519 key to verify webhooks"
            )
        return verify_telnyx_signature(self.public_key, payload, signature, timestamp)

    async def close(self) -> None:
        await self._http.close()
