"""VoiceMeUp's split MMS put back together.

VoiceMeUp delivers an MMS of text and an image as two webhooks with different
``sms_hash`` es: first the text with a ``….mms.html`` wrapper as its attachment, then the
image without text. Both share ``source_number``, ``destination_number`` and
``datetime_transmission``. The first is held until the second arrives (one message with
the text and the image) or until a timeout, when the text alone goes to ``on_timeout``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from roomkit.models.inbound import InboundMessage

__all__ = ["MMSJoiner", "MMSSettings", "OnTimeout", "attachment", "is_wrapper"]

logger = logging.getLogger(__name__)

OnTimeout = Callable[[InboundMessage], Awaitable[None] | None]
Build = Callable[[dict[str, Any], str], InboundMessage]


@dataclass
class MMSSettings:
    """How long a first part waits for its image, and who gets it when none comes."""

    timeout_seconds: float = 5.0
    on_timeout: OnTimeout | None = None


def attachment(payload: dict[str, Any]) -> tuple[str | None, str | None]:
    """``(url, mime_type)`` of the webhook's attachment."""
    url = payload.get("attachment") or payload.get("attachment_url")
    mime = payload.get("attachment_mime_type") or payload.get("attachment_type")
    return (str(url) if url else None), (str(mime) if mime else None)


def is_wrapper(payload: dict[str, Any]) -> bool:
    """Whether the attachment is the ``.mms.html`` wrapper of a split MMS's first part."""
    url, mime = attachment(payload)
    return bool(url) and (
        str(url).endswith(".mms.html") or (mime == "text/html" and ".mms." in str(url))
    )


def _key(payload: dict[str, Any]) -> str:
    parts = ("source_number", "destination_number", "datetime_transmission")
    return ":".join(str(payload.get(p, "")) for p in parts)


@dataclass
class MMSJoiner:
    """Holds first parts by their correlation key; one per provider."""

    settings: Callable[[], MMSSettings]
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    _timers: set[asyncio.Task[None]] = field(default_factory=set)

    def take(self, payload: dict[str, Any], channel_id: str, build: Build) -> InboundMessage | None:
        """The message ``payload`` completes, or None while a first part waits."""
        key = _key(payload)
        if is_wrapper(payload):
            self.pending[key] = payload
            timer = asyncio.get_running_loop().create_task(self._expire(key, channel_id, build))
            self._timers.add(timer)
            timer.add_done_callback(self._timers.discard)
            return None
        first = self.pending.pop(key, None)
        if first is None:
            return build(payload, channel_id)
        merged = dict(payload)
        merged["message"] = first.get("message", "")
        merged["sms_hash"] = f"{first.get('sms_hash', '')}+{payload.get('sms_hash', '')}"
        return build(merged, channel_id)

    async def _expire(self, key: str, channel_id: str, build: Build) -> None:
        settings = self.settings()
        await asyncio.sleep(settings.timeout_seconds)
        first = self.pending.pop(key, None)
        if first is None:
            return
        text_only = {k: v for k, v in first.items() if not k.startswith("attachment")}
        message = build(text_only, channel_id)
        if settings.on_timeout is None:
            logger.warning("voicemeup: MMS image never came; text kept nowhere (no on_timeout)")
            return
        result = settings.on_timeout(message)
        if inspect.isawaitable(result):
            await result

    async def close(self) -> None:
        """Cancel the waiting timers (their first parts are dropped)."""
        for timer in list(self._timers):
            timer.cancel()
        self.pending.clear()
