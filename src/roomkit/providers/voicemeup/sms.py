"""VoiceMeUpSMSProvider — SMS and MMS through VoiceMeUp's client API.

``POST {base_url}queue_sms``, form-encoded: ``username``, ``auth_token``,
``source_number`` and ``destination_number`` (digits, no ``+``), ``message`` and, for
MMS, one ``attachment`` URL. VoiceMeUp answers JSON: ``response_details.response_status``
``success`` with a ``queued_sms_hash`` message (the ``provider_message_id``), or ``error``
with coded messages, raised as :class:`~roomkit.providers.vendor.VendorAPIError`.
Inbound webhooks carry ``source_number``, ``destination_number``, ``message``,
``sms_hash`` and an optional attachment; split MMS are joined (:mod:`.mms`).
"""

from __future__ import annotations

import json
from typing import Any

from roomkit.errors import InvalidArgumentError
from roomkit.models.event import RoomEvent
from roomkit.models.inbound import InboundMessage
from roomkit.providers._content import text_and_media
from roomkit.providers.base import ProviderResult
from roomkit.providers.sms.base import SMSProvider
from roomkit.providers.sms.meta import WebhookMeta
from roomkit.providers.vendor import VendorAPIError, VendorHTTP
from roomkit.providers.voicemeup.config import VoiceMeUpConfig
from roomkit.providers.voicemeup.mms import MMSJoiner, MMSSettings, OnTimeout, attachment

__all__ = ["VoiceMeUpSMSProvider", "configure_voicemeup_mms", "parse_voicemeup_webhook"]

PROVIDER = "voicemeup"
_DEFAULTS = MMSSettings()


def configure_voicemeup_mms(
    *, timeout_seconds: float = 5.0, on_timeout: OnTimeout | None = None
) -> None:
    """The MMS settings of every provider not configured with :meth:`configure_mms`."""
    _DEFAULTS.timeout_seconds = timeout_seconds
    _DEFAULTS.on_timeout = on_timeout


def _messages(data: Any) -> list[dict[str, Any]]:
    details = data.get("response_details", {}) if isinstance(data, dict) else {}
    listed = (details.get("response_messages") or {}).get("message") or []
    return [m for m in ([listed] if isinstance(listed, dict) else listed) if isinstance(m, dict)]


def read_voicemeup_error(body: bytes) -> tuple[str | None, str, str | None]:
    """``(code, message, more_info)`` of VoiceMeUp's answer."""
    try:
        messages = _messages(json.loads(body))
    except ValueError:
        return None, body[:300].decode("utf-8", "replace") or "(empty body)", None
    if not messages:
        return None, "(no message)", None
    first = messages[0]
    code = first.get("code")
    return (str(code) if code else None), str(first.get("_content") or code or ""), None


def voicemeup_message_meta(payload: dict[str, Any]) -> WebhookMeta:
    """One inbound webhook as a message, deduplicated by its ``sms_hash``.

    Raises:
        InvalidArgumentError: no ``source_number`` or ``sms_hash``.
    """
    if not payload.get("source_number") or not payload.get("sms_hash"):
        raise InvalidArgumentError(
            "webhook", sorted(payload), "a VoiceMeUp message with source_number and sms_hash"
        )
    url, mime = attachment(payload)
    return WebhookMeta(
        provider=PROVIDER,
        sender="+" + str(payload["source_number"]).lstrip("+"),
        recipient=str(payload.get("destination_number", "")),
        body=str(payload.get("message") or ""),
        external_id=str(payload["sms_hash"]),
        timestamp=None,
        raw=dict(payload),
        media_urls=[{"url": url, "mime_type": mime}] if url else [],
    )


def parse_voicemeup_webhook(payload: dict[str, Any], channel_id: str) -> InboundMessage:
    """The message :func:`voicemeup_message_meta` reads, for ``kit.process_inbound``."""
    return voicemeup_message_meta(payload).to_inbound(channel_id)


class VoiceMeUpSMSProvider(SMSProvider):
    """Sends SMS/MMS as a VoiceMeUp API user and joins split inbound MMS.

    Raises from :meth:`send`:
        VendorAPIError: VoiceMeUp refused the message (its ``code``); a 429 or 5xx only
            once the config's ``retry_policy`` gives up.
        InvalidArgumentError: the event has neither text nor media.
    """

    def __init__(self, config: VoiceMeUpConfig) -> None:
        self.config = config
        self._http = VendorHTTP(
            PROVIDER, read_voicemeup_error, timeout=config.timeout, retry_policy=config.retry_policy
        )
        self._mms: MMSSettings | None = None
        self._joiner = MMSJoiner(lambda: self._mms or _DEFAULTS)

    @property
    def name(self) -> str:
        return PROVIDER

    @property
    def from_number(self) -> str:
        return self.config.from_number

    def __repr__(self) -> str:
        return f"VoiceMeUpSMSProvider(username={self.config.username!r})"

    def configure_mms(
        self, *, timeout_seconds: float = 5.0, on_timeout: OnTimeout | None = None
    ) -> None:
        """How long a split MMS's text waits for its image; ``on_timeout`` gets it alone."""
        self._mms = MMSSettings(timeout_seconds, on_timeout)

    def parse_mms_webhook(self, payload: dict[str, Any], channel_id: str) -> InboundMessage | None:
        """The message ``payload`` completes; None while a split MMS waits for its image.

        Must run inside the event loop (the wait is a timer on it).
        """
        return self._joiner.take(payload, channel_id, parse_voicemeup_webhook)

    async def send(self, event: RoomEvent, to: str, from_: str | None = None) -> ProviderResult:
        """Send ``event`` to ``to``; the result holds VoiceMeUp's ``queued_sms_hash``."""
        body, media = text_and_media(event.content)
        if not body and not media:
            raise InvalidArgumentError("event.content", event.content.type, "text or media")
        form = {
            "username": self.config.username,
            "auth_token": self.config.auth_token.get_secret_value(),
            "source_number": (from_ or self.config.from_number).lstrip("+"),
            "destination_number": to.lstrip("+"),
        }
        form |= {"message": body} if body else {}
        form |= {"attachment": media[0]} if media else {}
        response = await self._http.post(f"{self.config.base_url}queue_sms", data=form)
        return ProviderResult(success=True, provider_message_id=self._queued(response.content))

    @staticmethod
    def _queued(body: bytes) -> str | None:
        data = json.loads(body)
        status = data.get("response_details", {}).get("response_status")
        if status != "success":
            code, message, _ = read_voicemeup_error(body)
            raise VendorAPIError(
                f"{PROVIDER} refused the message (code {code}): {message}",
                code=code,
                provider=PROVIDER,
                status_code=200,
            )
        hashes = [m.get("_content") for m in _messages(data) if m.get("code") == "queued_sms_hash"]
        return str(hashes[0]) if hashes else None

    async def close(self) -> None:
        """Close the connection pool and drop split MMS still waiting. Idempotent."""
        await self._joiner.close()
        await self._http.close()
