"""VoiceMeUpWebhook — VoiceMeUp's inbound SMS/MMS webhooks into the kit.

VoiceMeUp signs nothing; the callback URL configured on the DID carries a secret
``token`` query parameter instead, compared in constant time (a request without it
answers 401, a wrong one 403). Split MMS are joined by the provider.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from roomkit.providers.voicemeup.sms import VoiceMeUpSMSProvider
from roomkit.webhooks import Intake, WebhookReceiver, WebhookSignatureError

__all__ = ["VoiceMeUpWebhook"]


def _token(url: str) -> str | None:
    return dict(parse_qsl(urlsplit(url).query)).get("token")


class VoiceMeUpWebhook(WebhookReceiver):
    """Webhooks whose URL carries ``?token=<token>``.

    Args:
        provider: the channel's provider (it joins split MMS).
        token: the secret in the callback URL.
    """

    vendor = "voicemeup"

    def __init__(
        self,
        channel_id: str,
        provider: VoiceMeUpSMSProvider,
        token: str,
        *,
        path: str | None = None,
    ) -> None:
        super().__init__(channel_id, path)
        self.provider = provider
        self._token = token

    def has_credentials(self, headers: Mapping[str, str], url: str) -> bool:
        return _token(url) is not None

    def read(self, body: bytes, headers: Mapping[str, str], url: str) -> Intake:
        if not hmac.compare_digest((_token(url) or "").encode(), self._token.encode()):
            raise WebhookSignatureError(self.vendor)
        payload: Any
        if headers.get("content-type", "").startswith("application/json"):
            payload = json.loads(body)
        else:
            payload = dict(parse_qsl(body.decode(), keep_blank_values=True))
        if not isinstance(payload, dict):
            raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
        return self.provider.parse_mms_webhook(payload, self.channel_id)
