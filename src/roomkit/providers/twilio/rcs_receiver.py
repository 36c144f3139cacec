"""TwilioRCSWebhook — Twilio's RCS webhooks: as SMS ones, from ``rcs:+1…`` senders."""

from __future__ import annotations

from typing import Any

from roomkit.models.inbound import InboundMessage
from roomkit.providers.twilio.rcs import parse_twilio_rcs_webhook
from roomkit.webhooks import TwilioWebhook

__all__ = ["TwilioRCSWebhook"]


class TwilioRCSWebhook(TwilioWebhook):
    """Signed like SMS webhooks; the sender is the phone number behind its RCS address."""

    vendor = "twilio-rcs"

    def parse_message(self, form: dict[str, Any]) -> InboundMessage:
        return parse_twilio_rcs_webhook(form, self.channel_id)
