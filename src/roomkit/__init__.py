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
    HookRegistrationError,
    IdentityNotFoundError,
    IdentityResolverError,
    InvalidArgumentError,
    InvalidMessageError,
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
from roomkit.providers.ai.base import (
    AIContext,
    AIImagePart,
    AIMessage,
    AIProvider,
    AIResponse,
    AITextPart,
    AIThinkingPart,
    AITool,
    AIToolCall,
    AIToolCallPart,
    AIToolResultPart,
    StreamDone,
    StreamEvent,
    StreamTextDelta,
    StreamThinkingDelta,
    StreamToolCall,
)
from roomkit.providers.ai.mock import MockAIProvider
from roomkit.providers.email.base import EmailProvider
from roomkit.providers.email.mock import MockEmailProvider
from roomkit.providers.http.base import HTTPProvider
from roomkit.providers.http.config import HTTPProviderConfig
from roomkit.providers.http.mock import MockHTTPProvider
from roomkit.providers.http.webhook import parse_http_webhook
from roomkit.providers.messenger.base import MessengerProvider
from roomkit.providers.messenger.config import MessengerConfig
from roomkit.providers.messenger.mock import MockMessengerProvider
from roomkit.providers.messenger.webhook import parse_messenger_webhook
from roomkit.providers.rcs.base import RCSDeliveryResult, RCSProvider
from roomkit.providers.rcs.mock import MockRCSProvider
from roomkit.providers.sms.base import SMSProvider
from roomkit.providers.sms.meta import WebhookMeta, extract_sms_meta
from roomkit.providers.sms.mock import MockSMSProvider
from roomkit.providers.sms.phone import is_valid_phone, normalize_phone
from roomkit.providers.teams.base import TeamsProvider
from roomkit.providers.teams.config import TeamsConfig
from roomkit.providers.teams.conversation_store import (
    ConversationReferenceStore,
    InMemoryConversationReferenceStore,
)
from roomkit.providers.teams.mock import MockTeamsProvider
from roomkit.providers.teams.webhook import (
    is_bot_added,
    parse_teams_activity,
    parse_teams_reactions,
    parse_teams_webhook,
)
from roomkit.providers.telegram.base import TelegramProvider
from roomkit.providers.telegram.config import TelegramConfig
from roomkit.providers.telegram.mock import MockTelegramProvider
from roomkit.providers.telegram.webhook import parse_telegram_webhook
from roomkit.providers.whatsapp.base import WhatsAppProvider
from roomkit.providers.whatsapp.mock import MockWhatsAppProvider
from roomkit.realtime.base import EphemeralCallback, RealtimeBackend
from roomkit.realtime.memory import InMemoryRealtime
from roomkit.routing import DefaultInboundRoomRouter, InboundRoomRouter
from roomkit.store.base import ConversationStore
from roomkit.store.memory import InMemoryStore

if TYPE_CHECKING:  # the lazy names below, for type checkers and editors
    from roomkit.channels.ai import AIChannel
    from roomkit.locks.redis import RedisLockManager
    from roomkit.providers.elasticemail.config import ElasticEmailConfig
    from roomkit.providers.elasticemail.email import ElasticEmailProvider
    from roomkit.providers.email.smtp import SMTPEmailConfig, SMTPEmailProvider
    from roomkit.providers.http.provider import WebhookHTTPProvider
    from roomkit.providers.messenger.facebook import FacebookMessengerProvider
    from roomkit.providers.sinch.config import SinchConfig
    from roomkit.providers.sinch.sms import SinchSMSProvider, parse_sinch_webhook
    from roomkit.providers.teams.bot_framework import BotFrameworkTeamsProvider
    from roomkit.providers.telegram.bot import TelegramBotProvider
    from roomkit.providers.telnyx.config import TelnyxConfig
    from roomkit.providers.telnyx.rcs import (
        TelnyxRCSConfig,
        TelnyxRCSProvider,
        parse_telnyx_rcs_webhook,
    )
    from roomkit.providers.telnyx.sms import TelnyxSMSProvider, parse_telnyx_webhook
    from roomkit.providers.twilio.config import TwilioConfig
    from roomkit.providers.twilio.rcs import (
        TwilioRCSConfig,
        TwilioRCSProvider,
        parse_twilio_rcs_webhook,
    )
    from roomkit.providers.twilio.sms import TwilioSMSProvider, parse_twilio_webhook
    from roomkit.providers.vendor import VendorAPIError
    from roomkit.providers.voicemeup.config import VoiceMeUpConfig
    from roomkit.providers.voicemeup.sms import (
        VoiceMeUpSMSProvider,
        configure_voicemeup_mms,
        parse_voicemeup_webhook,
    )
    from roomkit.providers.whatsapp.personal import WhatsAppPersonalProvider
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
    # Vendor providers: their modules reach for httpx (and PyNaCl) when used.
    "FacebookMessengerProvider": "roomkit.providers.messenger.facebook",
    "BotFrameworkTeamsProvider": "roomkit.providers.teams.bot_framework",
    "TelegramBotProvider": "roomkit.providers.telegram.bot",
    "ElasticEmailConfig": "roomkit.providers.elasticemail.config",
    "ElasticEmailProvider": "roomkit.providers.elasticemail.email",
    "SMTPEmailConfig": "roomkit.providers.email.smtp",
    "SMTPEmailProvider": "roomkit.providers.email.smtp",
    "SinchConfig": "roomkit.providers.sinch.config",
    "SinchSMSProvider": "roomkit.providers.sinch.sms",
    "TelnyxConfig": "roomkit.providers.telnyx.config",
    "TelnyxSMSProvider": "roomkit.providers.telnyx.sms",
    "TwilioConfig": "roomkit.providers.twilio.config",
    "TwilioSMSProvider": "roomkit.providers.twilio.sms",
    "TelnyxRCSConfig": "roomkit.providers.telnyx.rcs",
    "TelnyxRCSProvider": "roomkit.providers.telnyx.rcs",
    "TwilioRCSConfig": "roomkit.providers.twilio.rcs",
    "TwilioRCSProvider": "roomkit.providers.twilio.rcs",
    "parse_sinch_webhook": "roomkit.providers.sinch.sms",
    "VendorAPIError": "roomkit.providers.vendor",
    "VoiceMeUpConfig": "roomkit.providers.voicemeup.config",
    "VoiceMeUpSMSProvider": "roomkit.providers.voicemeup.sms",
    "configure_voicemeup_mms": "roomkit.providers.voicemeup.sms",
    "WebhookHTTPProvider": "roomkit.providers.http.provider",
    "WhatsAppPersonalProvider": "roomkit.providers.whatsapp.personal",
    "parse_telnyx_webhook": "roomkit.providers.telnyx.sms",
    "parse_twilio_webhook": "roomkit.providers.twilio.sms",
    "parse_telnyx_rcs_webhook": "roomkit.providers.telnyx.rcs",
    "parse_twilio_rcs_webhook": "roomkit.providers.twilio.rcs",
    "parse_voicemeup_webhook": "roomkit.providers.voicemeup.sms",
}


__getattr__ = lazy_getattr(__name__, _LAZY)


__all__ = [
    "AIChannel",
    "AIContext",
    "AIImagePart",
    "AIMessage",
    "AIProvider",
    "AIResponse",
    "AITextPart",
    "AIThinkingPart",
    "AITool",
    "AIToolCall",
    "AIToolCallPart",
    "AIToolResultPart",
    "Access",
    "AudioContent",
    "BackendConnectionError",
    "BotFrameworkTeamsProvider",
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
    "ConversationReferenceStore",
    "ConversationStore",
    "DefaultContentTranscoder",
    "DefaultInboundRoomRouter",
    "DeleteContent",
    "DeleteType",
    "DeliveryMode",
    "DeliveryResult",
    "DeliveryStatus",
    "EditContent",
    "ElasticEmailConfig",
    "ElasticEmailProvider",
    "EmailChannel",
    "EmailProvider",
    "EphemeralCallback",
    "EphemeralEvent",
    "EphemeralEventType",
    "EventContent",
    "EventNotFoundError",
    "EventSource",
    "EventStatus",
    "EventType",
    "FacebookMessengerProvider",
    "FrameworkEvent",
    "HTTPChannel",
    "HTTPProvider",
    "HTTPProviderConfig",
    "HookEngine",
    "HookExecution",
    "HookRegistration",
    "HookRegistrationError",
    "HookResult",
    "HookTrigger",
    "IdentificationStatus",
    "Identity",
    "IdentityHookResult",
    "IdentityNotFoundError",
    "IdentityResolver",
    "IdentityResolverError",
    "IdentityResult",
    "InMemoryConversationReferenceStore",
    "InMemoryLockManager",
    "InMemoryRealtime",
    "InMemoryStore",
    "InboundMessage",
    "InboundResult",
    "InboundRoomRouter",
    "InjectMessage",
    "InjectedEvent",
    "InvalidArgumentError",
    "InvalidMessageError",
    "KitClosedError",
    "LocationContent",
    "LockTimeoutError",
    "MediaContent",
    "MessengerChannel",
    "MessengerConfig",
    "MessengerProvider",
    "MockAIProvider",
    "MockEmailProvider",
    "MockHTTPProvider",
    "MockIdentityResolver",
    "MockMessengerProvider",
    "MockRCSProvider",
    "MockSMSProvider",
    "MockTeamsProvider",
    "MockTelegramProvider",
    "MockWhatsAppProvider",
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
    "RCSDeliveryResult",
    "RCSProvider",
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
    "SMSProvider",
    "SMTPEmailConfig",
    "SMTPEmailProvider",
    "SQLiteStore",
    "SchemaVersionError",
    "SessionStartedEvent",
    "SinchConfig",
    "SinchSMSProvider",
    "SourceAlreadyAttachedError",
    "SourceNotFoundError",
    "SteeringDirective",
    "StoreError",
    "StreamChunk",
    "StreamDone",
    "StreamEnd",
    "StreamError",
    "StreamEvent",
    "StreamMessage",
    "StreamSendFn",
    "StreamStart",
    "StreamTextDelta",
    "StreamThinkingDelta",
    "StreamToolCall",
    "SystemContent",
    "Task",
    "TaskNotFoundError",
    "TaskStatus",
    "TeamsChannel",
    "TeamsConfig",
    "TeamsProvider",
    "TelegramBotProvider",
    "TelegramChannel",
    "TelegramConfig",
    "TelegramProvider",
    "TelnyxConfig",
    "TelnyxRCSConfig",
    "TelnyxRCSProvider",
    "TelnyxSMSProvider",
    "TemplateContent",
    "TextContent",
    "TransportChannel",
    "TwilioConfig",
    "TwilioRCSConfig",
    "TwilioRCSProvider",
    "TwilioSMSProvider",
    "UpdateSystemPrompt",
    "VendorAPIError",
    "VideoContent",
    "Visibility",
    "VoiceBackendNotConfiguredError",
    "VoiceMeUpConfig",
    "VoiceMeUpSMSProvider",
    "VoiceNotConfiguredError",
    "WebSocketChannel",
    "WebhookHTTPProvider",
    "WebhookMeta",
    "WhatsAppChannel",
    "WhatsAppPersonalChannel",
    "WhatsAppPersonalProvider",
    "WhatsAppProvider",
    "__version__",
    "configure_voicemeup_mms",
    "extract_sms_meta",
    "is_bot_added",
    "is_valid_phone",
    "normalize_phone",
    "parse_http_webhook",
    "parse_messenger_webhook",
    "parse_sinch_webhook",
    "parse_teams_activity",
    "parse_teams_reactions",
    "parse_teams_webhook",
    "parse_telegram_webhook",
    "parse_telnyx_rcs_webhook",
    "parse_telnyx_webhook",
    "parse_twilio_rcs_webhook",
    "parse_twilio_webhook",
    "parse_voicemeup_webhook",
]
