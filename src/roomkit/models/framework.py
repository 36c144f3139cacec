"""FrameworkEvent — what ``kit.on(...)`` handlers receive."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from roomkit.models._base import utcnow


class FrameworkEvent(BaseModel):
    """Something the framework did or noticed: a room created, a hook failed, a delivery lost."""

    type: str
    room_id: str | None = None
    channel_id: str | None = None
    event_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    timestamp: datetime = Field(default_factory=utcnow)
