"""Content transcoding: shape content to what the target channel can carry.

Content the target supports passes through as the same object (no copy: this is on the
fan-out hot path). Anything else is downgraded, richest to plainest, ending at text.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod

from roomkit.models.binding import ChannelCapabilities
from roomkit.models.content import (
    MEDIA_TYPE_OF,
    AudioContent,
    CompositeContent,
    DeleteContent,
    EditContent,
    EventContent,
    LocationContent,
    MediaContent,
    RichContent,
    SystemContent,
    TemplateContent,
    TextContent,
    VideoContent,
)
from roomkit.models.enums import ChannelMediaType

_TAGS = re.compile(r"<[^>]+>")
_MARKDOWN = re.compile(r"(\*\*|__|\*|_|`|~~|^#+\s*)", re.MULTILINE)


class ContentTranscoder(ABC):
    """Turns content into a form a channel can carry."""

    @abstractmethod
    def transcode(
        self, content: EventContent, capabilities: ChannelCapabilities
    ) -> EventContent | None:
        """The content as ``capabilities`` allow, or None when it cannot be carried at all."""


class DefaultContentTranscoder(ContentTranscoder):
    """Keeps what the target supports; downgrades the rest to plain text."""

    def transcode(
        self, content: EventContent, capabilities: ChannelCapabilities
    ) -> EventContent | None:
        media_type = MEDIA_TYPE_OF[content.type]
        if media_type in capabilities.media_types and not isinstance(
            content, (CompositeContent, EditContent, DeleteContent)
        ):
            return content
        if isinstance(content, CompositeContent):
            return self._composite(content, capabilities)
        if isinstance(content, EditContent):
            if capabilities.supports_edit:
                return content
            inner = self.transcode(content.new_content, capabilities)
            return TextContent(body=f"Edited: {_text_of(inner) if inner else ''}".rstrip())
        if isinstance(content, DeleteContent):
            return content if capabilities.supports_delete else TextContent(body="Message deleted")
        if ChannelMediaType.TEXT not in capabilities.media_types:
            return None
        return TextContent(body=_text_of(content))

    def _composite(
        self, content: CompositeContent, capabilities: ChannelCapabilities
    ) -> EventContent | None:
        parts = [self.transcode(part, capabilities) for part in content.parts]
        kept = [p for p in parts if p is not None]
        if not kept:
            return None
        if all(p is q for p, q in zip(parts, content.parts, strict=True)):
            return content
        if all(isinstance(p, TextContent) for p in kept):
            return TextContent(body="\n".join(_text_of(p) for p in kept))
        return CompositeContent(parts=kept)


def _text_of(content: EventContent) -> str:
    """The best plain-text rendering of any content."""
    if isinstance(content, TextContent | SystemContent):
        return content.body
    if isinstance(content, RichContent):
        body = content.plain_text or _strip(content.body, content.format)
        options = [str(b.get("title") or b.get("text") or "") for b in content.buttons]
        options += content.quick_replies
        options = [o for o in options if o]
        return body + ("\n" + "\n".join(f"- {o}" for o in options) if options else "")
    if isinstance(content, MediaContent):
        return " ".join(p for p in (content.caption, content.url) if p)
    if isinstance(content, LocationContent):
        where = content.label or content.address or "Location"
        return f"{where}: https://maps.google.com/?q={content.latitude},{content.longitude}"
    if isinstance(content, AudioContent):
        return content.transcript or f"Audio: {content.url}"
    if isinstance(content, VideoContent):
        return f"Video: {content.url}"
    if isinstance(content, TemplateContent):
        if content.body:
            return content.body
        params = ", ".join(f"{k}={v}" for k, v in content.parameters.items())
        return f"{content.template_id}({params})" if params else content.template_id
    if isinstance(content, CompositeContent):
        return "\n".join(_text_of(p) for p in content.parts)
    if isinstance(content, EditContent):
        return f"Edited: {_text_of(content.new_content)}"
    return "Message deleted"


def _strip(body: str, fmt: str) -> str:
    return _TAGS.sub("", body) if fmt == "html" else _MARKDOWN.sub("", body)
