"""GraphWebhook — what Meta's webhook receivers share: the subscription handshake and the
``X-Hub-Signature-256`` check, both keyed by the app's settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from roomkit.providers._graph import hub_challenge, verify_hub_signature, webhook_body
from roomkit.webhooks import WebhookReceiver, WebhookSignatureError

__all__ = ["GraphWebhook"]


class GraphWebhook(WebhookReceiver):
    """A Meta webhook endpoint (subclasses read the body).

    Args:
        app_secret: the Meta app's secret (the HMAC-SHA256 key).
        verify_token: the token entered in the app's webhook settings.
    """

    signature_header = "x-hub-signature-256"

    def __init__(
        self, channel_id: str, app_secret: str, verify_token: str, *, path: str | None = None
    ) -> None:
        super().__init__(channel_id, path)
        self._app_secret = app_secret
        self._verify_token = verify_token

    def handshake(self, query: Mapping[str, str]) -> str | None:
        return hub_challenge(query, self._verify_token)

    def verified_body(self, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        """The JSON body, once its signature is checked.

        Raises:
            WebhookSignatureError: the signature does not fit the body.
            ValueError: the body is not a JSON object.
        """
        if not verify_hub_signature(self._app_secret, body, headers.get(self.signature_header, "")):
            raise WebhookSignatureError(self.vendor)
        return webhook_body(body)
