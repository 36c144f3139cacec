"""SinchWebhook — Sinch SMS callbacks (inbound messages, delivery reports) into the kit."""

from __future__ import annotations

import json
from collections.abc import Mapping

from roomkit.providers.sinch.webhook import (
    DEFAULT_TOLERANCE,
    is_sinch_status,
    parse_sinch_status,
    parse_sinch_webhook,
    verify_sinch_signature,
)
from roomkit.webhooks import Intake, WebhookReceiver, WebhookSignatureError

__all__ = ["SinchWebhook"]


class SinchWebhook(WebhookReceiver):
    """Signed Sinch callbacks; answers 200 once the event is stored.

    Args:
        secret: the callback secret (``SinchConfig.webhook_secret``).
        tolerance: seconds the signed timestamp may be from now.
    """

    vendor = "sinch"
    signature_header = "x-sinch-webhook-signature"

    def __init__(
        self,
        channel_id: str,
        secret: str,
        *,
        tolerance: float = DEFAULT_TOLERANCE,
        path: str | None = None,
    ) -> None:
        super().__init__(channel_id, path)
        self._secret = secret
        self.tolerance = tolerance

    def read(self, body: bytes, headers: Mapping[str, str], url: str) -> Intake:
        if not verify_sinch_signature(
            self._secret,
            body,
            headers.get(self.signature_header, ""),
            headers.get("x-sinch-webhook-signature-nonce"),
            headers.get("x-sinch-webhook-signature-timestamp"),
            tolerance=self.tolerance,
        ):
            raise WebhookSignatureError(self.vendor)
        payload = json.loads(body)
        if not isinstance(payload, dict):
            raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
        if is_sinch_status(payload):
            return parse_sinch_status(payload)
        if str(payload.get("type", "")).startswith("delivery_report"):
            return None  # batch summaries repeat what the per-recipient reports said
        return parse_sinch_webhook(payload, self.channel_id)
