"""WhatsAppCloudWebhook — the Cloud API's webhook endpoint in the webhook app.

``GET`` answers Meta's subscription check (``hub.challenge``); ``POST`` is verified with
``X-Hub-Signature-256`` before the body is read. Inbound messages open the 24-hour window
on the provider; statuses reach the kit only when they move a message forward (WhatsApp
sends ``sent``/``delivered``/``read`` out of order), so a late ``delivered`` after ``read``
is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping

from roomkit.models.delivery import DeliveryStatus
from roomkit.models.inbound import InboundMessage
from roomkit.providers._graph_webhook import GraphWebhook
from roomkit.providers.whatsapp.cloud import WhatsAppCloudProvider, message_time
from roomkit.providers.whatsapp.ledger import StatusLedger
from roomkit.providers.whatsapp.webhook import parse_whatsapp_webhook
from roomkit.webhooks import Intake

__all__ = ["WhatsAppCloudWebhook"]


class WhatsAppCloudWebhook(GraphWebhook):
    """Args:
    app_secret: the Meta app's secret (the HMAC-SHA256 key).
    verify_token: the token entered in the app's webhook settings.
    provider: the sending provider, told of each inbound message (its window) and
        sharing its status ledger; without one the receiver keeps its own ledger.
    """

    vendor = "whatsapp"

    def __init__(
        self,
        channel_id: str,
        app_secret: str,
        verify_token: str,
        *,
        provider: WhatsAppCloudProvider | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(channel_id, app_secret, verify_token, path=path)
        self.provider = provider
        self.statuses = provider.statuses if provider else StatusLedger()

    def read(self, body: bytes, headers: Mapping[str, str], url: str) -> Intake:
        messages, statuses = parse_whatsapp_webhook(
            self.verified_body(body, headers), self.channel_id
        )
        for message in messages:
            self._open_window(message)
        fresh = [s for s in statuses if self.statuses.advance(s.message_id, s.status)]
        intake: list[InboundMessage | DeliveryStatus] = [*messages, *fresh]
        return intake

    def _open_window(self, message: InboundMessage) -> None:
        if self.provider is None:
            return
        at = message_time(message)
        self.provider.note_inbound(message.sender_id, at)
        if message.metadata.get("user_id"):
            self.provider.note_inbound(message.metadata["user_id"], at)
