"""ChannelBinding (a channel attached to a room) and ChannelCapabilities."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from roomkit.models._base import utcnow
from roomkit.models.enums import (
    Access,
    ChannelCategory,
    ChannelDirection,
    ChannelMediaType,
    ChannelType,
    DeliveryMode,
)
from roomkit.models.policy import RateLimit, RetryPolicy


class ChannelCapabilities(BaseModel):
    """What a channel can carry; content is transcoded down to this before delivery.

    Frozen: one instance is shared by every binding of a channel (change it with
    ``model_copy(update=...)``).
    """

    model_config = ConfigDict(frozen=True)

    media_types: list[ChannelMediaType] = Field(default_factory=lambda: [ChannelMediaType.TEXT])
    max_length: int | None = Field(default=None, gt=0)
    supports_threading: bool = False
    supports_typing: bool = False
    supports_read_receipts: bool = False
    supports_reactions: bool = False
    supports_edit: bool = False
    supports_delete: bool = False
    supports_rich_text: bool = False
    supports_buttons: bool = False
    max_buttons: int | None = Field(default=None, gt=0)
    supports_cards: bool = False
    supports_quick_replies: bool = False
    supports_media: bool = False
    supported_media_types: list[str] = Field(default_factory=list)
    max_media_size_bytes: int | None = Field(default=None, gt=0)
    supports_audio: bool = False
    max_audio_duration_seconds: int | None = Field(default=None, gt=0)
    supported_audio_formats: list[str] = Field(default_factory=list)
    supports_video: bool = False
    max_video_duration_seconds: int | None = Field(default=None, gt=0)
    supported_video_formats: list[str] = Field(default_factory=list)
    supports_templates: bool = False
    delivery_receipts: bool = False
    delivery_mode: DeliveryMode = DeliveryMode.BROADCAST
    custom: dict[str, Any] = Field(default_factory=dict)

    def supports(self, media_type: ChannelMediaType) -> bool:
        """Whether content of ``media_type`` can be delivered as is."""
        return media_type in self.media_types


class ChannelBinding(BaseModel):
    """A channel attached to a room, with what it may do there.

    ``visibility`` filters which events this binding receives: ``"all"``, ``"none"``,
    ``"transport"``, ``"intelligence"``, or a comma-separated list of channel ids.
    """

    channel_id: str = Field(min_length=1)
    room_id: str = Field(min_length=1)
    channel_type: ChannelType
    category: ChannelCategory = ChannelCategory.TRANSPORT
    direction: ChannelDirection = ChannelDirection.BIDIRECTIONAL
    access: Access = Access.READ_WRITE
    muted: bool = False
    visibility: str = "all"
    participant_id: str | None = None
    last_read_index: int | None = Field(default=None, ge=0)
    attached_at: datetime = Field(default_factory=utcnow)
    capabilities: ChannelCapabilities = Field(default_factory=ChannelCapabilities)
    rate_limit: RateLimit | None = None
    retry_policy: RetryPolicy | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
