"""Pydantic models at the boundary. Nothing here does I/O."""

from roomkit.models.binding import ChannelBinding, ChannelCapabilities
from roomkit.models.content import (
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
from roomkit.models.enums import (
    Access,
    ChannelCategory,
    ChannelDirection,
    ChannelMediaType,
    ChannelType,
    EventStatus,
    EventType,
    HookExecution,
    HookTrigger,
    IdentificationStatus,
    ParticipantRole,
    ParticipantStatus,
    RoomStatus,
    TaskStatus,
    Visibility,
)
from roomkit.models.ephemeral import EphemeralEvent, EphemeralEventType
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.framework import FrameworkEvent
from roomkit.models.hook import HookResult, InjectedEvent
from roomkit.models.identity import Identity, IdentityHookResult, IdentityResult
from roomkit.models.inbound import InboundMessage, InboundResult
from roomkit.models.participant import Participant
from roomkit.models.room import Room, RoomContext
from roomkit.models.task import Observation, Task

__all__ = [
    "Access",
    "AudioContent",
    "ChannelBinding",
    "ChannelCapabilities",
    "ChannelCategory",
    "ChannelDirection",
    "ChannelMediaType",
    "ChannelType",
    "CompositeContent",
    "DeleteContent",
    "EditContent",
    "EphemeralEvent",
    "EphemeralEventType",
    "EventContent",
    "EventSource",
    "EventStatus",
    "EventType",
    "FrameworkEvent",
    "HookExecution",
    "HookResult",
    "HookTrigger",
    "IdentificationStatus",
    "Identity",
    "IdentityHookResult",
    "IdentityResult",
    "InboundMessage",
    "InboundResult",
    "InjectedEvent",
    "LocationContent",
    "MediaContent",
    "Observation",
    "Participant",
    "ParticipantRole",
    "ParticipantStatus",
    "RichContent",
    "Room",
    "RoomContext",
    "RoomEvent",
    "RoomStatus",
    "SystemContent",
    "Task",
    "TaskStatus",
    "TemplateContent",
    "TextContent",
    "VideoContent",
    "Visibility",
]
