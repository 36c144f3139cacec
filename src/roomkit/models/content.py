"""The content union: what an event carries. ``type`` is the discriminator."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from roomkit.models.enums import ChannelMediaType, DeleteType


def _check_url(url: str) -> str:
    if not url.startswith(("http://", "https://", "data:")):
        raise ValueError(f"url must start with http://, https:// or data:, got {url[:40]!r}")
    return url


Url = Annotated[str, AfterValidator(_check_url)]


class TextContent(BaseModel):
    """Plain text."""

    type: Literal["text"] = "text"
    body: str
    language: str | None = None


class RichContent(BaseModel):
    """Formatted text (markdown or HTML) with an optional plain-text fallback and buttons."""

    type: Literal["rich"] = "rich"
    body: str
    format: Literal["markdown", "html"] = "markdown"
    plain_text: str | None = None
    buttons: list[dict[str, Any]] = Field(default_factory=list)
    cards: list[dict[str, Any]] = Field(default_factory=list)
    quick_replies: list[str] = Field(default_factory=list)


class MediaContent(BaseModel):
    """An image or file by URL."""

    type: Literal["media"] = "media"
    url: Url
    mime_type: str
    filename: str | None = None
    caption: str | None = None
    size_bytes: int | None = Field(default=None, ge=0)


class LocationContent(BaseModel):
    """A point on the map."""

    type: Literal["location"] = "location"
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    label: str | None = None
    address: str | None = None


class AudioContent(BaseModel):
    """A sound recording by URL, with its transcript when known."""

    type: Literal["audio"] = "audio"
    url: Url
    mime_type: str = "audio/ogg"
    duration_seconds: float | None = Field(default=None, ge=0)
    transcript: str | None = None


class VideoContent(BaseModel):
    """A video by URL."""

    type: Literal["video"] = "video"
    url: Url
    mime_type: str = "video/mp4"
    duration_seconds: float | None = Field(default=None, ge=0)
    thumbnail_url: Url | None = None


class SystemContent(BaseModel):
    """A message from the system itself (joins, errors, notices)."""

    type: Literal["system"] = "system"
    body: str
    code: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class TemplateContent(BaseModel):
    """A pre-approved vendor template (e.g. WhatsApp) with its parameters."""

    type: Literal["template"] = "template"
    template_id: str
    language: str = "en"
    parameters: dict[str, Any] = Field(default_factory=dict)
    body: str | None = None


class EditContent(BaseModel):
    """Replaces the content of an earlier event."""

    type: Literal["edit"] = "edit"
    target_event_id: str
    new_content: EventContent
    edit_source: str | None = None


class DeleteContent(BaseModel):
    """Withdraws an earlier event."""

    type: Literal["delete"] = "delete"
    target_event_id: str
    delete_type: DeleteType = DeleteType.SENDER
    reason: str | None = None


class CompositeContent(BaseModel):
    """Several parts sent together (text with images, for instance)."""

    type: Literal["composite"] = "composite"
    parts: list[EventContent] = Field(min_length=1)


EventContent = Annotated[
    TextContent
    | RichContent
    | MediaContent
    | LocationContent
    | AudioContent
    | VideoContent
    | CompositeContent
    | SystemContent
    | TemplateContent
    | EditContent
    | DeleteContent,
    Field(discriminator="type"),
]

EditContent.model_rebuild()
CompositeContent.model_rebuild()

# The capability a channel needs to carry each kind of content.
MEDIA_TYPE_OF: dict[str, ChannelMediaType] = {
    "text": ChannelMediaType.TEXT,
    "rich": ChannelMediaType.RICH,
    "media": ChannelMediaType.MEDIA,
    "location": ChannelMediaType.LOCATION,
    "audio": ChannelMediaType.AUDIO,
    "video": ChannelMediaType.VIDEO,
    "template": ChannelMediaType.TEMPLATE,
    "system": ChannelMediaType.TEXT,
    "edit": ChannelMediaType.TEXT,
    "delete": ChannelMediaType.TEXT,
    "composite": ChannelMediaType.TEXT,
}
