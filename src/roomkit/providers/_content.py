"""What an SMS-like vendor can carry of an event: one text body and media URLs.

Broadcast has already transcoded the event to the channel's capabilities; this only
flattens what is left. Kinds without a text form (location, …) fall back to their fields.
"""

from __future__ import annotations

from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    EventContent,
    LocationContent,
    MediaContent,
    RichContent,
    TextContent,
    VideoContent,
)

__all__ = ["media_parts", "text_and_media"]


def text_and_media(content: EventContent) -> tuple[str, list[str]]:
    """``(body, media_urls)`` for ``content``; nested parts are joined with newlines."""
    if isinstance(content, CompositeContent):
        texts: list[str] = []
        urls: list[str] = []
        for part in content.parts:
            text, media = text_and_media(part)
            texts += [text] if text else []
            urls += media
        return "\n".join(texts), urls
    if isinstance(content, TextContent):
        return content.body, []
    if isinstance(content, RichContent):
        return content.plain_text or content.body, []
    if isinstance(content, MediaContent | AudioContent | VideoContent):
        caption = content.caption if isinstance(content, MediaContent) else None
        return caption or "", [str(content.url)]
    if isinstance(content, LocationContent):
        where = content.label or f"{content.latitude},{content.longitude}"
        return f"{where} {content.address or ''}".strip(), []
    return str(getattr(content, "body", "") or ""), []


def media_parts(content: EventContent) -> list[MediaContent | AudioContent | VideoContent]:
    """The media of ``content`` (nested parts in order), for vendors that send each alone."""
    if isinstance(content, CompositeContent):
        return [media for part in content.parts for media in media_parts(part)]
    return [content] if isinstance(content, MediaContent | AudioContent | VideoContent) else []
