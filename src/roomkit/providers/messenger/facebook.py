"""FacebookMessengerProvider — Messenger through the Graph Send API.

``POST {base_url}/{page_id|me}/messages`` with the page access token as Bearer and a JSON
body ``{"recipient": {"id": PSID}, "messaging_type", "message"}``. ``messaging_type`` is
``RESPONSE`` within 24 hours of the person's last message, ``MESSAGE_TAG`` (with ``tag``)
when the event's metadata names a ``message_tag``, else ``UPDATE``; an explicit
``metadata["messaging_type"]`` wins. Each sent ``mid`` is kept with its send time so that
delivery and read watermarks can be mapped back to the messages they cover.
"""

from __future__ import annotations

import time
from typing import Any

from roomkit.errors import InvalidArgumentError
from roomkit.models.content import (
    AudioContent,
    EventContent,
    MediaContent,
    VideoContent,
)
from roomkit.models.event import RoomEvent
from roomkit.providers._content import media_parts, text_and_media
from roomkit.providers._graph import GraphHTTP, verify_hub_signature
from roomkit.providers.base import ProviderResult
from roomkit.providers.messenger.base import MessengerProvider
from roomkit.providers.messenger.config import MessengerConfig
from roomkit.providers.messenger.receipts import SentLedger

__all__ = ["FacebookMessengerProvider"]

PROVIDER = "messenger"
WINDOW_MS = 24 * 3600 * 1000
_KINDS = {"image": "image", "video": "video", "audio": "audio"}  # anything else: "file"


class FacebookMessengerProvider(MessengerProvider):
    """Sends as a Facebook page and verifies its webhooks.

    Raises from :meth:`send`:
        GraphAPIError: the Send API refused (``code`` 551: the person is unavailable,
            10 / 2018278: outside the messaging window, 190: bad token); rate limits only
            once the config's retries are spent.
    """

    def __init__(self, config: MessengerConfig) -> None:
        self.config = config
        self.sent = SentLedger()
        self._last_inbound: dict[str, int] = {}
        self._http = GraphHTTP(
            PROVIDER,
            config.page_access_token,
            timeout=config.timeout,
            retry_policy=config.retry_policy,
        )

    @property
    def name(self) -> str:
        return PROVIDER

    def __repr__(self) -> str:
        return f"FacebookMessengerProvider(page_id={self.config.page_id!r})"

    def note_inbound(self, psid: str, at_ms: int) -> None:
        """``psid`` wrote at ``at_ms``: replies within 24 hours go as ``RESPONSE``."""
        self._last_inbound[psid] = max(at_ms, self._last_inbound.get(psid, 0))

    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        """Send ``event`` to the page-scoped id ``to``: the text, then each attachment."""
        base = {"recipient": {"id": to}, **self._messaging_type(event, to)}
        mids: list[str] = []
        for message in message_objects(event.content):
            response = await self._http.post(
                self.config.messages_url,
                json={**base, "message": message},
                headers={"Idempotency-Key": f"{event.id}:{to}:{len(mids)}"},
            )
            mid = str(response.json().get("message_id", ""))
            self.sent.record(mid, to, _now_ms())
            mids.append(mid)
        return ProviderResult(success=True, provider_message_id=mids[-1], metadata={"mids": mids})

    def verify_signature(self, payload: bytes, signature: str) -> bool:
        """Whether ``X-Hub-Signature-256`` ``signature`` fits ``payload`` (False without an
        ``app_secret`` configured)."""
        secret = self.config.app_secret
        return secret is not None and verify_hub_signature(
            secret.get_secret_value(), payload, signature
        )

    def _messaging_type(self, event: RoomEvent, to: str) -> dict[str, str]:
        tag = event.metadata.get("message_tag")
        kind = event.metadata.get("messaging_type")
        if kind is None:
            recent = _now_ms() - self._last_inbound.get(to, -WINDOW_MS) < WINDOW_MS
            kind = "MESSAGE_TAG" if tag else ("RESPONSE" if recent else "UPDATE")
        return {"messaging_type": str(kind), **({"tag": str(tag)} if tag else {})}

    async def close(self) -> None:
        await self._http.close()


def message_objects(content: EventContent) -> list[dict[str, Any]]:
    """Send API ``message`` objects for ``content``: its text, then one per attachment.

    Raises:
        InvalidArgumentError: ``content`` has neither text nor media.
    """
    text, _ = text_and_media(content)
    objects: list[dict[str, Any]] = [{"text": text}] if text else []
    objects += [_attachment(part) for part in media_parts(content)]
    if not objects:
        raise InvalidArgumentError("event.content", content.type, "text or media")
    return objects


def _attachment(part: MediaContent | AudioContent | VideoContent) -> dict[str, Any]:
    kind = _KINDS.get(part.mime_type.split("/")[0], "file")
    payload = {"url": str(part.url), "is_reusable": True}
    return {"attachment": {"type": kind, "payload": payload}}


def _now_ms() -> int:
    return time.time_ns() // 1_000_000
