"""Every enumeration of the public API. Values are the wire/storage strings."""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class ChannelType(StrEnum):
    """What kind of channel an event came from or goes to."""

    SMS = "sms"
    MMS = "mms"
    RCS = "rcs"
    EMAIL = "email"
    WEBSOCKET = "websocket"
    WHATSAPP = "whatsapp"
    WHATSAPP_PERSONAL = "whatsapp_personal"
    MESSENGER = "messenger"
    TEAMS = "teams"
    TELEGRAM = "telegram"
    VOICE = "voice"
    REALTIME_VOICE = "realtime_voice"
    PUSH = "push"
    WEBHOOK = "webhook"
    AI = "ai"
    SYSTEM = "system"


@unique
class ChannelCategory(StrEnum):
    """Transports carry messages to people; intelligence channels react and answer."""

    TRANSPORT = "transport"
    INTELLIGENCE = "intelligence"


@unique
class ChannelDirection(StrEnum):
    """Which way a channel, or one event on it, flows."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"
    BIDIRECTIONAL = "bidirectional"


@unique
class ChannelMediaType(StrEnum):
    """Kinds of content a channel can carry."""

    TEXT = "text"
    RICH = "rich"
    MEDIA = "media"
    LOCATION = "location"
    AUDIO = "audio"
    VIDEO = "video"
    TEMPLATE = "template"


@unique
class EventType(StrEnum):
    """What a room event is."""

    MESSAGE = "message"
    SYSTEM = "system"
    TYPING = "typing"
    READ_RECEIPT = "read_receipt"
    DELIVERY_RECEIPT = "delivery_receipt"
    PRESENCE = "presence"
    REACTION = "reaction"
    EDIT = "edit"
    DELETE = "delete"
    PARTICIPANT_JOINED = "participant_joined"
    PARTICIPANT_LEFT = "participant_left"
    PARTICIPANT_IDENTIFIED = "participant_identified"
    CHANNEL_ATTACHED = "channel_attached"
    CHANNEL_DETACHED = "channel_detached"
    CHANNEL_MUTED = "channel_muted"
    CHANNEL_UNMUTED = "channel_unmuted"
    CHANNEL_UPDATED = "channel_updated"
    TASK_CREATED = "task_created"
    OBSERVATION = "observation"
    TASK_DELEGATED = "task_delegated"
    TASK_COMPLETED = "task_completed"
    DTMF = "dtmf"
    RECORDING_STARTED = "recording_started"
    RECORDING_STOPPED = "recording_stopped"


@unique
class DeleteType(StrEnum):
    """Who withdrew a message."""

    SENDER = "sender"
    SYSTEM = "system"
    ADMIN = "admin"


@unique
class EventStatus(StrEnum):
    """Where an event stands in its life."""

    PENDING = "pending"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    BLOCKED = "blocked"


@unique
class Access(StrEnum):
    """What a binding may do in its room."""

    READ_WRITE = "read_write"
    READ_ONLY = "read_only"
    WRITE_ONLY = "write_only"
    NONE = "none"


@unique
class Visibility(StrEnum):
    """Who sees an event."""

    ALL = "all"
    NONE = "none"
    TRANSPORT = "transport"
    INTELLIGENCE = "intelligence"


@unique
class RoomStatus(StrEnum):
    """The life of a room."""

    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"
    ARCHIVED = "archived"


@unique
class HookTrigger(StrEnum):
    """When a hook fires."""

    BEFORE_BROADCAST = "before_broadcast"
    AFTER_BROADCAST = "after_broadcast"
    ON_CHANNEL_ATTACHED = "on_channel_attached"
    ON_CHANNEL_DETACHED = "on_channel_detached"
    ON_CHANNEL_MUTED = "on_channel_muted"
    ON_CHANNEL_UNMUTED = "on_channel_unmuted"
    ON_ROOM_CREATED = "on_room_created"
    ON_ROOM_CLOSED = "on_room_closed"
    ON_ROOM_PAUSED = "on_room_paused"
    ON_IDENTITY_AMBIGUOUS = "on_identity_ambiguous"
    ON_IDENTITY_UNKNOWN = "on_identity_unknown"
    ON_PARTICIPANT_IDENTIFIED = "on_participant_identified"
    ON_TASK_CREATED = "on_task_created"
    ON_DELIVERY_STATUS = "on_delivery_status"
    ON_ERROR = "on_error"
    BEFORE_TOOL_USE = "before_tool_use"
    ON_TOOL_CALL = "on_tool_call"
    AFTER_TOOL_ROUND = "after_tool_round"
    ON_SPEECH_START = "on_speech_start"
    ON_SPEECH_END = "on_speech_end"
    ON_TRANSCRIPTION = "on_transcription"
    BEFORE_TTS = "before_tts"
    AFTER_TTS = "after_tts"
    ON_BARGE_IN = "on_barge_in"
    ON_TTS_CANCELLED = "on_tts_cancelled"
    ON_PARTIAL_TRANSCRIPTION = "on_partial_transcription"
    ON_VAD_SILENCE = "on_vad_silence"
    ON_VAD_AUDIO_LEVEL = "on_vad_audio_level"
    ON_INPUT_AUDIO_LEVEL = "on_input_audio_level"
    ON_OUTPUT_AUDIO_LEVEL = "on_output_audio_level"
    ON_SPEAKER_CHANGE = "on_speaker_change"
    ON_SESSION_STARTED = "on_session_started"
    ON_DTMF = "on_dtmf"
    ON_TURN_COMPLETE = "on_turn_complete"
    ON_TURN_INCOMPLETE = "on_turn_incomplete"
    ON_BACKCHANNEL = "on_backchannel"
    ON_RECORDING_STARTED = "on_recording_started"
    ON_RECORDING_STOPPED = "on_recording_stopped"
    ON_REALTIME_TOOL_CALL = "on_realtime_tool_call"
    ON_REALTIME_TEXT_INJECTED = "on_realtime_text_injected"
    ON_AI_THINKING = "on_ai_thinking"
    ON_PROTOCOL_TRACE = "on_protocol_trace"
    ON_PHASE_TRANSITION = "on_phase_transition"
    ON_HANDOFF = "on_handoff"
    ON_HANDOFF_REJECTED = "on_handoff_rejected"
    ON_TASK_DELEGATED = "on_task_delegated"
    ON_TASK_COMPLETED = "on_task_completed"


@unique
class HookExecution(StrEnum):
    """SYNC hooks run in the pipeline and may block or modify; ASYNC ones run on the side."""

    SYNC = "sync"
    ASYNC = "async"


@unique
class IdentificationStatus(StrEnum):
    """Outcome of identity resolution."""

    IDENTIFIED = "identified"
    PENDING = "pending"
    AMBIGUOUS = "ambiguous"
    UNKNOWN = "unknown"
    REJECTED = "rejected"
    CHALLENGE_SENT = "challenge_sent"


@unique
class ParticipantRole(StrEnum):
    """What a participant is in a room."""

    OWNER = "owner"
    AGENT = "agent"
    MEMBER = "member"
    OBSERVER = "observer"
    BOT = "bot"


@unique
class ParticipantStatus(StrEnum):
    """Whether a participant is still in the room."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    LEFT = "left"
    BANNED = "banned"


@unique
class TaskStatus(StrEnum):
    """The life of a task."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


@unique
class DeliveryMode(StrEnum):
    """How a channel delivers to the people it reaches: to all of them, one, or each in turn."""

    BROADCAST = "broadcast"
    DIRECT = "direct"
    ROUND_ROBIN = "round_robin"
