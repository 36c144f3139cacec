"""SessionStartedEvent: what ``ON_SESSION_STARTED`` hooks receive."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from roomkit.models._base import utcnow
from roomkit.models.enums import ChannelType


@dataclass(frozen=True)
class SessionStartedEvent:
    """A participant's session (a voice call, a socket) started on a channel in a room.

    ``session`` is the live session object when the channel has one; the event is frozen
    so hooks cannot change what other hooks see.
    """

    room_id: str
    channel_id: str
    channel_type: ChannelType
    participant_id: str
    session: Any | None = None
    timestamp: datetime = field(default_factory=utcnow)
