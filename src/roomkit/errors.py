"""Every error roomkit raises on purpose.

The tree::

    RoomKitError
    ├── RoomNotFoundError            a room id that no room has
    ├── RoomExistsError              create_room with an id that is taken
    ├── RoomClosedError              an event sent into a closed room
    ├── ChannelNotFoundError         a channel that is not attached to the room
    ├── ChannelNotRegisteredError    a channel id that was never registered with the kit
    ├── ChannelAlreadyRegisteredError
    ├── ChannelAlreadyAttachedError
    ├── EventNotFoundError           an event id that is not in the store (or not in that room)
    ├── ParticipantNotFoundError     a participant id that is not in the room
    ├── IdentityNotFoundError
    ├── TaskNotFoundError
    ├── SourceAlreadyAttachedError   attach_source on a channel that already has a source
    ├── SourceNotFoundError          a channel with no source attached
    ├── VoiceNotConfiguredError      a voice call on a kit or channel without STT/TTS
    ├── VoiceBackendNotConfiguredError  a voice session without a voice backend
    ├── InvalidArgumentError         an argument out of range (negative offset); a ValueError too
    ├── InvalidMessageError          an inbound message or event that cannot be stored as it is
    │                                (None, content no longer valid, lone surrogate, non-JSON value)
    ├── IdentityResolverError        a resolver returned something that is not an IdentityResult
    ├── HookRegistrationError        a hook that could never run (no trigger, wrong signature)
    ├── HookTimeoutError             a hook ran past its timeout; a TimeoutError too
    ├── StoreError                   a backend refused or could not complete an operation
    │   ├── SchemaVersionError       a database written by a newer version of roomkit
    │   └── UniqueViolation          a statement broke a unique constraint (SQL drivers)
    ├── LockTimeoutError             a room lock could not be had in time
    ├── ProcessTimeoutError          the locked phase of process_inbound ran past process_timeout
    ├── BackendConnectionError       a server (PostgreSQL, Redis) cannot be reached; names the URL
    ├── ProviderError                a provider call failed; ``retryable`` says if a retry may help
    └── KitClosedError               the kit was closed

Messages name the offending value and, where it helps, what would have been valid.
"""

from __future__ import annotations


class RoomKitError(Exception):
    """Base class of every error roomkit raises on purpose."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class RoomNotFoundError(RoomKitError):
    """Room does not exist."""

    def __init__(self, room_id: str) -> None:
        super().__init__(f"room {room_id!r} does not exist")
        self.room_id = room_id


class RoomExistsError(RoomKitError):
    """A room with this id already exists; it is never replaced."""

    def __init__(self, room_id: str) -> None:
        super().__init__(f"room {room_id!r} already exists")
        self.room_id = room_id


class RoomClosedError(RoomKitError):
    """The room is closed and takes no new events."""

    def __init__(self, room_id: str) -> None:
        super().__init__(f"room {room_id!r} is closed")
        self.room_id = room_id


class ChannelNotFoundError(RoomKitError):
    """Channel binding not found in room."""

    def __init__(self, room_id: str, channel_id: str) -> None:
        super().__init__(f"channel {channel_id!r} is not attached to room {room_id!r}")
        self.room_id = room_id
        self.channel_id = channel_id


class ChannelNotRegisteredError(RoomKitError):
    """Channel not registered with the kit."""

    def __init__(self, channel_id: str, registered: list[str] | None = None) -> None:
        known = f"; registered: {sorted(registered)}" if registered is not None else ""
        super().__init__(f"channel {channel_id!r} is not registered{known}")
        self.channel_id = channel_id


class ChannelAlreadyRegisteredError(RoomKitError):
    """Another channel is already registered under this id."""

    def __init__(self, channel_id: str) -> None:
        super().__init__(f"a channel with id {channel_id!r} is already registered")
        self.channel_id = channel_id


class ChannelAlreadyAttachedError(RoomKitError):
    """The channel is already attached to the room."""

    def __init__(self, room_id: str, channel_id: str) -> None:
        super().__init__(f"channel {channel_id!r} is already attached to room {room_id!r}")
        self.room_id = room_id
        self.channel_id = channel_id


class EventNotFoundError(RoomKitError):
    """The event does not exist (or not in the room named)."""

    def __init__(self, event_id: str, room_id: str | None = None) -> None:
        where = f" in room {room_id!r}" if room_id is not None else ""
        super().__init__(f"event {event_id!r} does not exist{where}")
        self.event_id = event_id
        self.room_id = room_id


class IdentityNotFoundError(RoomKitError):
    """The identity does not exist."""

    def __init__(self, identity_id: str) -> None:
        super().__init__(f"identity {identity_id!r} does not exist")
        self.identity_id = identity_id


class ParticipantNotFoundError(RoomKitError):
    """The participant is not in the room."""

    def __init__(self, participant_id: str, room_id: str | None = None) -> None:
        where = f" in room {room_id!r}" if room_id is not None else ""
        super().__init__(f"participant {participant_id!r} does not exist{where}")
        self.participant_id = participant_id
        self.room_id = room_id


class SourceAlreadyAttachedError(RoomKitError):
    """A source is already attached to this channel; detach it first."""

    def __init__(self, channel_id: str) -> None:
        super().__init__(f"channel {channel_id!r} already has a source attached")
        self.channel_id = channel_id


class SourceNotFoundError(RoomKitError):
    """No source is attached to this channel."""

    def __init__(self, channel_id: str) -> None:
        super().__init__(f"channel {channel_id!r} has no source attached")
        self.channel_id = channel_id


class VoiceNotConfiguredError(RoomKitError):
    """A speech operation was asked of a kit or channel that has no STT or TTS provider."""


class VoiceBackendNotConfiguredError(RoomKitError):
    """A voice session was asked of a kit or channel that has no voice backend."""


class TaskNotFoundError(RoomKitError):
    """The task does not exist."""

    def __init__(self, task_id: str) -> None:
        super().__init__(f"task {task_id!r} does not exist")
        self.task_id = task_id


class InvalidArgumentError(RoomKitError, ValueError):
    """An argument is out of its valid range."""

    def __init__(self, name: str, value: object, expected: str) -> None:
        super().__init__(f"{name}={value!r} is invalid: expected {expected}")
        self.name = name
        self.value = value


class InvalidMessageError(RoomKitError, ValueError):
    """An inbound message (or event) that cannot be stored as it is; nothing was written."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"invalid message: {problem}")
        self.problem = problem


class IdentityResolverError(RoomKitError, TypeError):
    """The identity resolver returned something that is not an ``IdentityResult``."""

    def __init__(self, resolver: object, returned: object) -> None:
        super().__init__(
            f"identity resolver {type(resolver).__name__} returned "
            f"{type(returned).__name__}; resolve() must return an IdentityResult"
        )
        self.returned = returned


class HookRegistrationError(RoomKitError, TypeError):
    """A hook was registered in a way that could never run; nothing was registered."""


class StoreError(RoomKitError):
    """A storage backend refused or could not complete an operation."""


class SchemaVersionError(StoreError):
    """The database was written by a newer roomkit than this one."""

    def __init__(self, found: int, supported: int) -> None:
        super().__init__(
            f"database schema version {found} is newer than this roomkit supports "
            f"({supported}); upgrade roomkit to open it"
        )
        self.found = found
        self.supported = supported


class UniqueViolation(StoreError):
    """A statement broke a unique constraint.

    Raised by the SQL drivers (``roomkit.store.drivers``); the stores handle it themselves,
    an application running its own statements catches it to tell "taken" from a failure.
    """


class HookTimeoutError(RoomKitError, TimeoutError):
    """A hook ran longer than its timeout; also a ``TimeoutError``."""

    def __init__(self, label: str, timeout: float) -> None:
        super().__init__(f"hook {label!r} exceeded its timeout of {timeout:g}s")
        self.label = label
        self.timeout = timeout


class LockTimeoutError(RoomKitError):
    """The per-room lock could not be acquired within the timeout."""

    def __init__(self, room_id: str, timeout: float) -> None:
        super().__init__(f"could not lock room {room_id!r} within {timeout:g}s")
        self.room_id = room_id
        self.timeout = timeout


class ProcessTimeoutError(RoomKitError):
    """The locked processing phase ran past ``process_timeout``."""

    def __init__(self, room_id: str, timeout: float) -> None:
        super().__init__(f"processing in room {room_id!r} exceeded process_timeout={timeout:g}s")
        self.room_id = room_id
        self.timeout = timeout


class BackendConnectionError(RoomKitError):
    """A backend server could not be reached. The URL is shown without its password."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot reach {url}: {reason}")
        self.url = url
        self.reason = reason


class ProviderError(RoomKitError):
    """A provider call failed.

    Args:
        message: what went wrong.
        retryable: whether the same call may succeed later (rate limits, 5xx, timeouts).
        provider: name of the provider.
        status_code: HTTP status, when the failure came from an HTTP answer.
        retry_after: seconds the vendor asked to wait, when it said so.
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        provider: str = "",
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.provider = provider
        self.status_code = status_code
        self.retry_after = retry_after


class KitClosedError(RoomKitError):
    """The RoomKit instance was closed."""

    def __init__(self) -> None:
        super().__init__("this RoomKit has been closed")
