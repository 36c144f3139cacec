"""MessengerWebhook — the Messenger Platform's webhook endpoint in the webhook app.

``GET`` answers the subscription check (``hub.challenge``); ``POST`` is verified with
``X-Hub-Signature-256`` before the body is read. Messages (never the page's own echoes)
go to the room, keyed by ``mid``; delivery and read receipts become one
:class:`DeliveryStatus` per sent message they move forward.
"""

from __future__ import annotations

from collections.abc import Mapping

from roomkit.models.delivery import DeliveryStatus
from roomkit.models.inbound import InboundMessage
from roomkit.providers._graph_webhook import GraphWebhook
from roomkit.providers.messenger.facebook import PROVIDER, FacebookMessengerProvider
from roomkit.providers.messenger.receipts import Receipt, SentLedger, parse_messenger_receipts
from roomkit.providers.messenger.webhook import parse_messenger_webhook
from roomkit.webhooks import Intake

__all__ = ["MessengerWebhook"]


class MessengerWebhook(GraphWebhook):
    """Args:
    app_secret: the Meta app's secret (the HMAC-SHA256 key).
    verify_token: the token entered in the app's webhook settings.
    provider: the page's sending provider: told of each inbound message (its
        ``RESPONSE`` window) and the ledger that maps watermarks to sent mids; without
        one, only receipts naming their mids are reported.
    """

    vendor = "messenger"

    def __init__(
        self,
        channel_id: str,
        app_secret: str,
        verify_token: str,
        *,
        provider: FacebookMessengerProvider | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(channel_id, app_secret, verify_token, path=path)
        self.provider = provider
        self.sent = provider.sent if provider else SentLedger()

    def read(self, body: bytes, headers: Mapping[str, str], url: str) -> Intake:
        payload = self.verified_body(body, headers)
        if payload.get("object") != "page":
            raise ValueError(f"expected object page, got {payload.get('object')!r}")
        messages = parse_messenger_webhook(payload, self.channel_id)
        for message in messages:
            if self.provider is not None:
                self.provider.note_inbound(message.sender_id, message.metadata["timestamp"] or 0)
        statuses = [s for r in parse_messenger_receipts(payload) for s in self._statuses(r)]
        intake: list[InboundMessage | DeliveryStatus] = [*messages, *statuses]
        return intake

    def _statuses(self, receipt: Receipt) -> list[DeliveryStatus]:
        return [
            DeliveryStatus(
                provider=PROVIDER,
                message_id=mid,
                status=receipt.status,
                recipient=receipt.recipient,
                raw={"watermark": receipt.watermark, "mids": list(receipt.mids)},
            )
            for mid in self.sent.advance(receipt)
        ]
