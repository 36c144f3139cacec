"""The Bot API's wire rules: methods per content kind, and its error body (Sans-I/O).

Every method is ``POST {api_url}/bot{token}/{method}`` with a JSON body; every answer is
``{"ok": true, "result": …}`` or ``{"ok": false, "error_code": 400, "description": …,
"parameters": {"retry_after": 5}}`` (a 429 says how long to wait there, not in a header).
"""

from __future__ import annotations

import json
from typing import Any

from roomkit.errors import InvalidArgumentError
from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    EventContent,
    MediaContent,
    VideoContent,
)
from roomkit.providers._content import text_and_media

__all__ = ["read_telegram_error", "retry_after_of", "send_requests"]

# Bot API limits: a message's text, and a media caption.
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


def _media_of(content: EventContent) -> list[tuple[str, str, str]]:
    """``(method, field, url)`` per media part: the Bot API has one method per kind."""
    if isinstance(content, CompositeContent):
        return [m for part in content.parts for m in _media_of(part)]
    if isinstance(content, AudioContent):
        return [("sendAudio", "audio", str(content.url))]
    if isinstance(content, VideoContent):
        return [("sendVideo", "video", str(content.url))]
    if isinstance(content, MediaContent):
        kind = content.mime_type.split("/", 1)[0]
        method, field = {
            "image": ("sendPhoto", "photo"),
            "audio": ("sendAudio", "audio"),
            "video": ("sendVideo", "video"),
        }.get(kind, ("sendDocument", "document"))
        return [(method, field, str(content.url))]
    return []


def send_requests(content: EventContent, chat_id: str) -> list[tuple[str, dict[str, Any]]]:
    """The ``(method, body)`` calls that deliver ``content`` to ``chat_id``, in order.

    Text alone is one ``sendMessage``. Media go by URL (Telegram fetches them), one call
    each; the text rides as the first one's caption when it fits, else it is sent first.

    Raises:
        InvalidArgumentError: nothing to send, or text over Telegram's 4096 characters.
    """
    text, _ = text_and_media(content)
    media = _media_of(content)
    if not text and not media:
        raise InvalidArgumentError("event.content", content.type, "text or media")
    if len(text) > TEXT_LIMIT:
        raise InvalidArgumentError("text", f"{len(text)} characters", f"≤ {TEXT_LIMIT}")
    calls: list[tuple[str, dict[str, Any]]] = []
    caption = text if media and len(text) <= CAPTION_LIMIT else ""
    if text and not caption:
        calls.append(("sendMessage", {"chat_id": chat_id, "text": text}))
    for index, (method, field, url) in enumerate(media):
        body: dict[str, Any] = {"chat_id": chat_id, field: url}
        if index == 0 and caption:
            body["caption"] = caption
        calls.append((method, body))
    return calls


def _error_body(body: bytes) -> dict[str, Any] | None:
    try:
        data: Any = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def read_telegram_error(body: bytes) -> tuple[str | None, str, str | None]:
    """``(error_code, description, None)`` of a Bot API error body."""
    data = _error_body(body)
    if data is None:
        return None, body[:300].decode("utf-8", "replace") or "(empty body)", None
    code = data.get("error_code")
    return None if code is None else str(code), str(data.get("description") or "(none)"), None


def retry_after_of(body: bytes) -> float | None:
    """The seconds in ``parameters.retry_after`` of an error body, if it has them."""
    data = _error_body(body) or {}
    parameters = data.get("parameters")
    value = parameters.get("retry_after") if isinstance(parameters, dict) else None
    return float(value) if isinstance(value, int | float) and value >= 0 else None
