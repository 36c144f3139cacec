"""roomkit — pure-async multi-channel conversation orchestration.

Everything a user needs is importable from here. Optional backends (SQLite, PostgreSQL,
Redis) and vendor providers are imported from their own modules, or lazily by name from
here, so ``import roomkit`` loads none of their dependencies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit._extras import lazy_getattr
from roomkit._version import __version__
from roomkit.broadcast.transcode import ContentTranscoder, DefaultContentTranscoder
from roomkit.channels import (
    Channel,
    EmailChannel,
    HTTPChannel,
    MessengerChannel,
    RCSChannel,
    SMSChannel,
    StreamChunk,
    StreamEnd,
    StreamError,
    StreamMessage,
    StreamSendFn,
    StreamStart,
    TeamsChannel,
    TelegramChannel,
    TransportChannel,
    WebSocketChannel,
    WhatsAppChannel,
    WhatsAppPersonalChannel,
)
from roomkit.errors import (
    BackendConnectionError,
    ChannelAlreadyAttachedError,
    ChannelAlreadyRegisteredError,
    ChannelNotFoundError,
    ChannelNotRegisteredError,
    EventNotFoundError,
    IdentityNotFoundError,
    InvalidArgumentError,
    KitClosedError,
    LockTimeoutError,
    ParticipantNotFoundError,
    ProcessTimeoutError,
    ProviderError,
    RoomClosedError,
    RoomExistsError,
    RoomKitError,
    RoomNotFoundError,
    SchemaVersionError,
    SourceAlreadyAttachedError,
    SourceNotFoundError,
    StoreError,
    TaskNotFoundError,
    VoiceBackendNotConfiguredError,
    VoiceNotConfiguredError,
)
from roomkit.hooks.engine import HookEngine
from roomkit.hooks.filters import HookRegistration
from roomkit.identity.base import IdentityResolver
from roomkit.identity.mock import MockIdentityResolver
from roomkit.kit import RoomKit
from roomkit.locks.base import RoomLockManager
from roomkit.locks.memory import InMemoryLockManager
from roomkit.models import (
    Access,
    AudioContent,
    ChannelBinding,
    ChannelCapabilities,
    ChannelCategory,
    ChannelDirection,
    ChannelMediaType,
    ChannelType,
    CompositeContent,
    DeleteContent,
    EditContent,
    EphemeralEvent,
    EphemeralEventType,
    EventContent,
    EventSource,
    EventStatus,
    EventType,
    FrameworkEvent,
    HookExecution,
    HookResult,
    HookTrigger,
    IdentificationStatus,
    Identity,
    IdentityHookResult,
    IdentityResult,
    InboundMessage,
    InboundResult,
    InjectedEvent,
    LocationContent,
    MediaContent,
    Observation,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    RichContent,
    Room,
    RoomContext,
    RoomEvent,
    RoomStatus,
    SystemContent,
    Task,
    TaskStatus,
    TemplateContent,
    TextContent,
    VideoContent,
    Visibility,
)
from roomkit.models.channel import ChannelOutput, RateLimit, RetryPolicy
from roomkit.models.delivery import DeliveryResult, DeliveryStatus, ProviderResult
from roomkit.models.enums import DeleteType, DeliveryMode
from roomkit.models.room import RoomTimers
from roomkit.models.session_event import SessionStartedEvent
from roomkit.models.steering import Cancel, InjectMessage, SteeringDirective, UpdateSystemPrompt
from roomkit.models.trace import ProtocolTrace
from roomkit.realtime.base import EphemeralCallback, RealtimeBackend
from roomkit.realtime.memory import InMemoryRealtime
from roomkit.routing import DefaultInboundRoomRouter, InboundRoomRouter
from roomkit.store.base import ConversationStore
from roomkit.store.memory import InMemoryStore

if TYPE_CHECKING:  # the lazy names below, for type checkers and editors
    from roomkit.channels.ai import AIChannel
    from roomkit.locks.redis import RedisLockManager
    from roomkit.realtime.redis import RedisRealtime
    from roomkit.store.postgres import PostgresStore
    from roomkit.store.sqlite import SQLiteStore

# Names whose modules need an optional dependency, or are large and not on every kit's
# path (the AI channel and its tool loop): imported on first access only.
_LAZY = {
    "AIChannel": "roomkit.channels.ai",
    "SQLiteStore": "roomkit.store.sqlite",
    "PostgresStore": "roomkit.store.postgres",
    "RedisLockManager": "roomkit.locks.redis",
    "RedisRealtime": "roomkit.realtime.redis",
}


__getattr__ = lazy_getattr(__name__, _LAZY)


__all__ = [
    "AIChannel",
    "Access",
    "AudioContent",
    "BackendConnectionError",
    "Cancel",
    "Channel",
    "ChannelAlreadyAttachedError",
    "ChannelAlreadyRegisteredError",
    "ChannelBinding",
    "ChannelCapabilities",
    "ChannelCategory",
    "ChannelDirection",
    "ChannelMediaType",
    "ChannelNotFoundError",
    "ChannelNotRegisteredError",
    "ChannelOutput",
    "ChannelType",
    "CompositeContent",
    "ContentTranscoder",
    "ConversationStore",
    "DefaultContentTranscoder",
    "DefaultInboundRoomRouter",
    "DeleteContent",
    "DeleteType",
    "DeliveryMode",
    "DeliveryResult",
    "DeliveryStatus",
    "EditContent",
    "EmailChannel",
    "EphemeralCallback",
    "EphemeralEvent",
    "EphemeralEventType",
    "EventContent",
    "EventNotFoundError",
    "EventSource",
    "EventStatus",
    "EventType",
    "FrameworkEvent",
    "HTTPChannel",
    "HookEngine",
    "HookExecution",
    "HookRegistration",
    "HookResult",
    "HookTrigger",
    "IdentificationStatus",
    "Identity",
    "IdentityHookResult",
    "IdentityNotFoundError",
    "IdentityResolver",
    "IdentityResult",
    "InMemoryLockManager",
    "InMemoryRealtime",
    "InMemoryStore",
    "InboundMessage",
    "InboundResult",
    "InboundRoomRouter",
    "InjectMessage",
    "InjectedEvent",
    "InvalidArgumentError",
    "KitClosedError",
    "LocationContent",
    "LockTimeoutError",
    "MediaContent",
    "MessengerChannel",
    "MockIdentityResolver",
    "Observation",
    "Participant",
    "ParticipantNotFoundError",
    "ParticipantRole",
    "ParticipantStatus",
    "PostgresStore",
    "ProcessTimeoutError",
    "ProtocolTrace",
    "ProviderError",
    "ProviderResult",
    "RCSChannel",
    "RateLimit",
    "RealtimeBackend",
    "RedisLockManager",
    "RedisRealtime",
    "RetryPolicy",
    "RichContent",
    "Room",
    "RoomClosedError",
    "RoomContext",
    "RoomEvent",
    "RoomExistsError",
    "RoomKit",
    "RoomKitError",
    "RoomLockManager",
    "RoomNotFoundError",
    "RoomStatus",
    "RoomTimers",
    "SMSChannel",
    "SQLiteStore",
    "SchemaVersionError",
    "SessionStartedEvent",
    "SourceAlreadyAttachedError",
    "SourceNotFoundError",
    "SteeringDirective",
    "StoreError",
    "StreamChunk",
    "StreamEnd",
    "StreamError",
    "StreamMessage",
    "StreamSendFn",
    "StreamStart",
    "SystemContent",
    "Task",
    "TaskNotFoundError",
    "TaskStatus",
    "TeamsChannel",
    "TelegramChannel",
    "TemplateContent",
    "TextContent",
    "TransportChannel",
    "UpdateSystemPrompt",
    "VideoContent",
    "Visibility",
    "VoiceBackendNotConfiguredError",
    "VoiceNotConfiguredError",
    "WebSocketChannel",
    "WhatsAppChannel",
    "WhatsAppPersonalChannel",
    "__version__",
]
