"""Task and Observation — what hooks and intelligence channels record about a room."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from roomkit.models._base import new_id, utcnow
from roomkit.models.enums import TaskStatus


class Task(BaseModel):
    """Work to be done for a room (a follow-up, an escalation)."""

    id: str = Field(default_factory=new_id, min_length=1)
    room_id: str = Field(min_length=1)
    title: str
    description: str | None = None
    assigned_to: str | None = None
    status: TaskStatus = TaskStatus.PENDING
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Observation(BaseModel):
    """Something noticed about a room (sentiment, intent, a fact)."""

    id: str = Field(default_factory=new_id, min_length=1)
    room_id: str = Field(min_length=1)
    channel_id: str
    content: str
    category: str | None = None
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime = Field(default_factory=utcnow)
