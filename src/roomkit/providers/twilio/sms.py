"""TwilioSMSProvider — SMS and MMS through Twilio's Messages API.

``POST {base_url}/2010-04-01/Accounts/{AccountSid}/Messages.json``, form-encoded, Basic
auth with the account SID and auth token: ``To``, ``From`` (or ``MessagingServiceSid``),
``Body``, one ``MediaUrl`` per attachment and ``StatusCallback``. Each send carries
``I-Twilio-Idempotency-Token`` derived from the event and recipient, so a retried request
never sends twice.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from roomkit.errors import InvalidArgumentError
from roomkit.models.event import RoomEvent
from roomkit.providers._content import text_and_media
from roomkit.providers.base import ProviderResult
from roomkit.providers.sms.base import SMSProvider
from roomkit.providers.twilio.config import TwilioConfig
from roomkit.providers.twilio.signature import verify_twilio_signature
from roomkit.providers.twilio.webhook import PROVIDER, parse_twilio_webhook
from roomkit.providers.vendor import VendorHTTP, origin

__all__ = ["TwilioSMSProvider", "parse_twilio_webhook"]


def read_twilio_error(body: bytes) -> tuple[str | None, str, str | None]:
    """``(code, message, more_info)`` of Twilio's JSON error body."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        return None, body[:300].decode("utf-8", "replace") or "(empty body)", None
    if not isinstance(data, dict):
        return None, str(data)[:300], None
    code = data.get("code")
    return (
        None if code is None else str(code),
        str(data.get("message") or "(no message)"),
        data.get("more_info"),
    )


class TwilioSMSProvider(SMSProvider):
    """Sends SMS/MMS as a Twilio account and verifies its webhooks.

    Raises from :meth:`send`:
        VendorAPIError: Twilio refused the message (``code`` 21211 for an invalid
            number, 20003 for bad credentials, …); a 429 or 5xx only once the
            config's ``retry_policy`` gives up.
    """

    def __init__(self, config: TwilioConfig) -> None:
        self.config = config
        self._http = VendorHTTP(
            PROVIDER,
            read_twilio_error,
            timeout=config.timeout,
            retry_policy=config.retry_policy,
            auth=(config.account_sid, config.auth_token.get_secret_value()),
        )

    @property
    def name(self) -> str:
        return PROVIDER

    @property
    def from_number(self) -> str:
        return self.config.from_number

    def __repr__(self) -> str:
        return f"TwilioSMSProvider(account_sid={self.config.account_sid!r})"

    async def send(self, event: RoomEvent, to: str, from_: str | None = None) -> ProviderResult:
        """Send ``event``'s text (and media, as MMS) to ``to``; the result holds the ``SM…`` sid."""
        response = await self._http.post(
            self.config.api_url,
            content=urlencode(self._form(event, to, from_)),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "I-Twilio-Idempotency-Token": f"{event.id}:{to}",
            },
        )
        data = response.json()
        return ProviderResult(
            success=True,
            provider_message_id=data.get("sid"),
            metadata={
                "status": data.get("status"),
                "num_segments": data.get("num_segments"),
                "from": data.get("from"),  # the sender Twilio chose (RCS or SMS, for RCS sends)
            },
        )

    def _form(self, event: RoomEvent, to: str, from_: str | None) -> list[tuple[str, str]]:
        body, media = text_and_media(event.content)
        if not body and not media:
            raise InvalidArgumentError("event.content", event.content.type, "text or media")
        form = [("To", to)]
        if from_ is None and self.config.messaging_service_sid:
            form.append(("MessagingServiceSid", self.config.messaging_service_sid))
        else:
            form.append(("From", from_ or self.config.from_number))
        form += [("Body", body)] if body else []
        form += [("MediaUrl", url) for url in media]
        if self.config.status_callback:
            form.append(("StatusCallback", self.config.status_callback))
        return form

    async def fetch_media(self, url: str) -> tuple[bytes, str]:
        """Download an inbound ``MediaUrlN``: ``(content, content_type)``.

        The account's credentials are sent to the Twilio API host only; Twilio's redirect
        to its media storage is followed without them.

        Raises:
            VendorAPIError: Twilio or the storage answered with an error.
        """
        response = await self._http.fetch(url, trusted_origin=origin(self.config.base_url))
        content_type = response.headers.get("content-type", "application/octet-stream")
        return response.content, content_type

    def verify_signature(
        self,
        payload: bytes,
        signature: str,
        timestamp: str | None = None,
        url: str | None = None,
    ) -> bool:
        """Whether ``X-Twilio-Signature`` ``signature`` fits a POST of ``payload`` to ``url``.

        ``url`` is the full URL Twilio requested (scheme, host, path and query), as
        configured in the Twilio console; ``timestamp`` is unused (Twilio signs none).

        Raises:
            InvalidArgumentError: ``url`` is missing; Twilio's signature covers it.
        """
        if url is None:
            raise InvalidArgumentError("url", url, "the full URL Twilio posted the webhook to")
        key = self.config.auth_token.get_secret_value()
        return verify_twilio_signature(key, url, payload, signature)

    async def close(self) -> None:
        await self._http.close()
