"""ChannelOutput — what a channel hands back from ``deliver`` or ``on_event``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from roomkit.models.binding import ChannelBinding, ChannelCapabilities
from roomkit.models.event import RoomEvent
from roomkit.models.policy import RateLimit, RetryPolicy
from roomkit.models.task import Observation, Task

__all__ = [
    "ChannelBinding",
    "ChannelCapabilities",
    "ChannelOutput",
    "RateLimit",
    "RetryPolicy",
]


class ChannelOutput(BaseModel):
    """Responses (which re-enter the room), tasks and observations from a channel.

    ``response_stream`` is an async iterator of text deltas when the channel streams its
    response (never serialised); ``metadata_updates`` are merged into the room's metadata.
    ``delivered`` is False when a transport's provider reported a failed send; ``error``
    says why.
    """

    responded: bool = False
    response_events: list[RoomEvent] = Field(default_factory=list)
    response_stream: Any = Field(default=None, exclude=True)
    tasks: list[Task] = Field(default_factory=list)
    observations: list[Observation] = Field(default_factory=list)
    metadata_updates: dict[str, Any] = Field(default_factory=dict)
    delivered: bool = True
    error: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def empty(cls) -> ChannelOutput:
        """Nothing to report."""
        return cls()

    @classmethod
    def failed(cls, error: str, **metadata: Any) -> ChannelOutput:
        """The delivery failed because of ``error``."""
        return cls(delivered=False, error=error, metadata=metadata)
