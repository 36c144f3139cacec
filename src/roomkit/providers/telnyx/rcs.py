"""TelnyxRCSProvider — RCS through Telnyx's RCS API, with SMS fallback.

``POST {base_url}/v2/messages/rcs`` (Bearer key) with ``agent_id``, ``to``,
``messaging_profile_id`` and ``agent_message.content_message`` (``text``, or one
``content_info.file_url`` for media). With ``fallback`` the recipient is checked first,
``GET /v2/messaging/rcs/capabilities/{agent_id}/{phone}`` (404 or no features: not
RCS-capable), and an incapable one gets an SMS through the Telnyx SMS provider from
``fallback_from``. Inbound RCS arrives in Telnyx's messaging webhook envelope (Ed25519
signed, as SMS); see :func:`parse_telnyx_rcs_webhook`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, Field, SecretStr

from roomkit.errors import InvalidArgumentError
from roomkit.models.event import RoomEvent
from roomkit.models.inbound import InboundMessage
from roomkit.models.policy import RetryPolicy
from roomkit.providers._content import text_and_media
from roomkit.providers.rcs.base import RCSDeliveryResult, RCSProvider
from roomkit.providers.telnyx.config import TelnyxConfig
from roomkit.providers.telnyx.sms import TelnyxSMSProvider, read_telnyx_error
from roomkit.providers.telnyx.webhook import PROVIDER, parse_telnyx_webhook
from roomkit.providers.vendor import VendorAPIError, VendorHTTP, origin

__all__ = ["TelnyxRCSConfig", "TelnyxRCSProvider", "parse_telnyx_rcs_webhook"]


class TelnyxRCSConfig(BaseModel):
    """API key, RCS agent, and the SMS sender used when RCS is unavailable.

    ``fallback_from`` is the SMS sender of fallbacks (the messaging profile's number pool
    picks one when it is None); ``base_url``, ``webhook_url`` and ``retry_policy`` are as
    in ``TelnyxConfig``.
    """

    api_key: SecretStr
    agent_id: str = Field(min_length=1)
    messaging_profile_id: str | None = None
    timeout: float = Field(default=10.0, gt=0)
    fallback_from: str | None = None
    base_url: str = "https://api.telnyx.com"
    webhook_url: str | None = None
    retry_policy: RetryPolicy = Field(default_factory=RetryPolicy)

    def sms_config(self) -> TelnyxConfig:
        """The same account as the SMS config of fallbacks."""
        return TelnyxConfig(
            api_key=self.api_key,
            from_number=self.fallback_from or "",
            messaging_profile_id=self.messaging_profile_id,
            timeout=self.timeout,
            base_url=self.base_url,
            webhook_url=self.webhook_url,
            retry_policy=self.retry_policy,
        )


def parse_telnyx_rcs_webhook(
    payload: dict[str, Any], channel_id: str, *, strict: bool = True
) -> InboundMessage:
    """An inbound RCS message from Telnyx's ``message.received`` webhook.

    Raises:
        InvalidArgumentError: as :func:`~roomkit.providers.telnyx.sms.parse_telnyx_webhook`.
    """
    message = parse_telnyx_webhook(payload, channel_id, strict=strict)
    return message.model_copy(update={"metadata": {**message.metadata, "channel": "rcs"}})


class TelnyxRCSProvider(RCSProvider):
    """Sends RCS as a Telnyx agent, falling back to SMS for recipients without RCS.

    Raises from :meth:`send`:
        VendorAPIError: Telnyx refused the message; a 429 or 5xx only once the config's
            ``retry_policy`` gives up.
        InvalidArgumentError: the event has neither text nor media.
    """

    def __init__(self, config: TelnyxRCSConfig, public_key: str | None = None) -> None:
        self.config = config
        self.public_key = public_key
        self._root = config.base_url.rstrip("/")
        self._http = VendorHTTP(
            PROVIDER,
            read_telnyx_error,
            timeout=config.timeout,
            retry_policy=config.retry_policy,
            headers={"Authorization": f"Bearer {config.api_key.get_secret_value()}"},
        )
        self._sms = TelnyxSMSProvider(config.sms_config(), public_key)

    @property
    def name(self) -> str:
        return PROVIDER

    @property
    def sender_id(self) -> str:
        return self.config.agent_id

    def __repr__(self) -> str:
        return f"TelnyxRCSProvider(agent_id={self.config.agent_id!r})"

    async def check_capability(self, phone_number: str) -> bool:
        """Whether ``phone_number`` can receive RCS from the agent (Telnyx's capability check)."""
        agent, phone = quote(self.config.agent_id, safe=""), quote(phone_number, safe="+")
        url = f"{self._root}/v2/messaging/rcs/capabilities/{agent}/{phone}"
        try:
            response = await self._http.fetch(url, trusted_origin=origin(self._root))
        except VendorAPIError as exc:
            if exc.status_code == 404:
                return False
            raise
        data = response.json().get("data") or {}
        return bool(data.get("features"))

    async def send(self, event: RoomEvent, to: str, *, fallback: bool = True) -> RCSDeliveryResult:
        """Send ``event`` to ``to`` over RCS, or as SMS when ``fallback`` and RCS is unavailable."""
        if fallback and not await self.check_capability(to):
            sms = await self._sms.send(event, to)
            return RCSDeliveryResult(
                success=True,
                provider_message_id=sms.provider_message_id,
                metadata=sms.metadata,
                channel_used="sms",
                fallback=True,
            )
        url = f"{self._root}/v2/messages/rcs"
        response = await self._http.post(url, json=self._body(event, to))
        data = response.json().get("data") or {}
        recipients = data.get("to") or [{}]
        return RCSDeliveryResult(
            success=True,
            provider_message_id=data.get("id"),
            metadata={"status": recipients[0].get("status")},
        )

    def _body(self, event: RoomEvent, to: str) -> dict[str, Any]:
        text, media = text_and_media(event.content)
        if not text and not media:
            raise InvalidArgumentError("event.content", event.content.type, "text or media")
        content: dict[str, Any] = (
            {"content_info": {"file_url": media[0]}} if media else {"text": text}
        )
        body: dict[str, Any] = {
            "agent_id": self.config.agent_id,
            "to": to,
            "agent_message": {"content_message": content},
        }
        if self.config.messaging_profile_id:
            body["messaging_profile_id"] = self.config.messaging_profile_id
        if self.config.webhook_url:
            body["webhook_url"] = self.config.webhook_url
        return body

    async def parse_webhook(self, payload: dict[str, Any]) -> InboundMessage:
        """``payload`` (Telnyx's webhook JSON) as a message of channel ``"rcs"``."""
        return parse_telnyx_rcs_webhook(payload, "rcs")

    def verify_signature(
        self, payload: bytes, signature: str, timestamp: str | None = None
    ) -> bool:
        """As ``TelnyxSMSProvider.verify_signature``: RCS webhooks are signed the same way."""
        return self._sms.verify_signature(payload, signature, timestamp)

    async def close(self) -> None:
        """Close both connection pools. Idempotent."""
        await self._http.close()
        await self._sms.close()
