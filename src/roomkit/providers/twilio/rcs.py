"""TwilioRCSProvider — RCS through a Twilio Messaging Service, with SMS fallback.

Twilio sends RCS through the same Messages API as SMS: a Messaging Service whose sender
pool holds an RCS sender tries RCS first and, when the recipient's device cannot take it,
falls back to the pool's SMS/MMS senders. ``fallback=False`` addresses the recipient as
``rcs:+1…``, which Twilio delivers over RCS only. The Message resource's ``from`` names
the sender Twilio picked (``rcs:…`` or a phone number), reported as ``channel_used``.
Sends, retries and errors are :class:`~roomkit.providers.twilio.sms.TwilioSMSProvider`'s.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, SecretStr

from roomkit.models.event import RoomEvent
from roomkit.models.inbound import InboundMessage
from roomkit.models.policy import RetryPolicy
from roomkit.providers.rcs.base import RCSDeliveryResult, RCSProvider
from roomkit.providers.twilio.config import TwilioConfig
from roomkit.providers.twilio.sms import TwilioSMSProvider
from roomkit.providers.twilio.webhook import parse_twilio_webhook

__all__ = ["TwilioRCSConfig", "TwilioRCSProvider", "parse_twilio_rcs_webhook"]

RCS_PREFIX = "rcs:"


class TwilioRCSConfig(BaseModel):
    """The account and the Messaging Service whose sender pool holds the RCS sender.

    ``base_url``, ``status_callback`` and ``retry_policy`` are as in ``TwilioConfig``.
    """

    account_sid: str = Field(min_length=1)
    auth_token: SecretStr
    messaging_service_sid: str = Field(min_length=1)
    timeout: float = Field(default=10.0, gt=0)
    base_url: str = "https://api.twilio.com"
    status_callback: str | None = None
    retry_policy: RetryPolicy = Field(default_factory=RetryPolicy)

    @property
    def api_url(self) -> str:
        """The Messages resource of this account."""
        return self.sms_config().api_url

    def sms_config(self) -> TwilioConfig:
        """The same account as an SMS config sending through the Messaging Service."""
        return TwilioConfig(
            account_sid=self.account_sid,
            auth_token=self.auth_token,
            from_number="",
            messaging_service_sid=self.messaging_service_sid,
            timeout=self.timeout,
            base_url=self.base_url,
            status_callback=self.status_callback,
            retry_policy=self.retry_policy,
        )


def parse_twilio_rcs_webhook(payload: dict[str, Any], channel_id: str) -> InboundMessage:
    """An incoming RCS message; the sender is the phone number behind ``rcs:+1…``.

    Raises:
        InvalidArgumentError: a status callback, or a form without ``From`` or sid.
    """
    form = dict(payload)
    for key in ("From", "To"):
        if isinstance(form.get(key), str):
            form[key] = form[key].removeprefix(RCS_PREFIX)
    message = parse_twilio_webhook(form, channel_id)
    return message.model_copy(update={"metadata": {**message.metadata, "channel": "rcs"}})


class TwilioRCSProvider(RCSProvider):
    """Sends RCS (or, with ``fallback``, whatever the recipient can take) through Twilio.

    Raises from :meth:`send`: what ``TwilioSMSProvider.send`` raises (``VendorAPIError``).
    """

    def __init__(self, config: TwilioRCSConfig) -> None:
        self.config = config
        self._sms = TwilioSMSProvider(config.sms_config())

    @property
    def name(self) -> str:
        return "twilio"

    @property
    def sender_id(self) -> str:
        return self.config.messaging_service_sid

    def __repr__(self) -> str:
        return f"TwilioRCSProvider(messaging_service_sid={self.config.messaging_service_sid!r})"

    async def send(self, event: RoomEvent, to: str, *, fallback: bool = True) -> RCSDeliveryResult:
        """Send ``event`` to ``to``; the result says whether RCS or SMS carried it."""
        address = to if fallback else RCS_PREFIX + to.removeprefix(RCS_PREFIX)
        result = await self._sms.send(event, address)
        sender = str(result.metadata.get("from") or "")
        # Twilio names the chosen sender; until it has chosen, RCS is its first attempt.
        by_sms = bool(sender) and not sender.startswith(RCS_PREFIX)
        return RCSDeliveryResult(
            success=True,
            provider_message_id=result.provider_message_id,
            metadata=result.metadata,
            channel_used="sms" if by_sms else "rcs",
            fallback=by_sms,
        )

    async def parse_webhook(self, payload: dict[str, Any]) -> InboundMessage:
        """``payload`` (Twilio's form) as a message of channel ``payload["channel_id"]``."""
        return parse_twilio_rcs_webhook(payload, str(payload.get("channel_id") or "rcs"))

    async def close(self) -> None:
        """Close the connection pool. Idempotent."""
        await self._sms.close()
