"""The readable text of an event's content, for channels that can only carry text."""

from __future__ import annotations

from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    EditContent,
    EventContent,
    LocationContent,
    MediaContent,
    RichContent,
    SystemContent,
    TemplateContent,
    TextContent,
)


def extract_text(content: EventContent) -> str:
    """What a reader would see of ``content`` as plain text ("" when there is nothing).

    Text, system and rich content give their body (rich content its plain-text fallback
    when it has one); media its caption; audio its transcript; a template its rendered
    body; a location its label or address; an edit the text of its new content; a
    composite the text of its parts, one per line. A deletion has no text.
    """
    if isinstance(content, TextContent | SystemContent):
        return content.body
    if isinstance(content, RichContent):
        return content.plain_text or content.body
    if isinstance(content, MediaContent):
        return content.caption or ""
    if isinstance(content, AudioContent):
        return content.transcript or ""
    if isinstance(content, TemplateContent):
        return content.body or ""
    if isinstance(content, LocationContent):
        return content.label or content.address or ""
    if isinstance(content, EditContent):
        return extract_text(content.new_content)
    if isinstance(content, CompositeContent):
        return "\n".join(text for part in content.parts if (text := extract_text(part)))
    return ""  # video and deletions carry no text
