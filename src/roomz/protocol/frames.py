"""Server → client frames: a :class:`User`, one frozen dataclass per frame type the server
sends, and the client's lenient reader of them (:func:`decode_server_frame`).

The server builds a frame object and sends :func:`~roomz.protocol.encode` of its
``to_frame()``; the JSON keys and their order are those of docs/protocol.md. Clients hand
their users the frames as dicts, as documented; :meth:`User.of` reads the user object of
any of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, ClassVar

from roomz.errors import ProtocolError, Reason
from roomz.protocol.codec import load_object
from roomz.protocol.limits import MAX_SERVER_FRAME_BYTES


def timestamp(moment: datetime | None = None) -> str:
    """UTC time as the protocol writes it: ``2024-01-01T12:00:00Z``."""
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class User:
    """The user object of every frame: ``{"id": "user:<email>", "email", "display_name"}``."""

    id: str
    email: str
    display_name: str | None = None

    @classmethod
    def named(cls, email: str, display_name: str | None = None) -> User:
        """The user with address ``email`` (their id is ``user:<email>``)."""
        return cls(f"user:{email}", email, display_name)

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> User:
        """The user of a frame's ``user`` object (a missing ``display_name`` is ``None``).

        Raises:
            ProtocolError: ``id`` or ``email`` is not a string.
        """
        uid, email, name = data.get("id"), data.get("email"), data.get("display_name")
        if not isinstance(uid, str) or not isinstance(email, str):
            raise ProtocolError.of(Reason.INVALID_FIELD, f"not a user object: {dict(data)!r}")
        return cls(uid, email, name if isinstance(name, str) else None)

    @property
    def label(self) -> str:
        """How chat shows the user: ``"Alice (alice@example.com)"``, or the email alone."""
        return f"{self.display_name} ({self.email})" if self.display_name else self.email

    def to_dict(self) -> dict[str, Any]:
        """The wire object, a new dict each call."""
        return {"id": self.id, "email": self.email, "display_name": self.display_name}


@dataclass(frozen=True, slots=True)
class ServerFrame:
    """Base of every frame the server sends."""

    type: ClassVar[str] = ""

    def to_frame(self) -> dict[str, Any]:
        """The frame as a dict, ready for :func:`~roomz.protocol.encode`."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Authenticated(ServerFrame):
    """The first frame of every connection; ``rooms`` = ``[{"room", "last_index"}]``.
    ``session_token`` is ``None`` (and left out) on sockets the session cookie opened."""

    type: ClassVar[str] = "authenticated"
    user: User
    session_token: str | None
    rooms: tuple[Mapping[str, Any], ...] = ()
    server_time: str = field(default_factory=timestamp)

    def to_frame(self) -> dict[str, Any]:
        frame: dict[str, Any] = {"type": self.type, "user": self.user.to_dict()}
        frame.update(channel=self.user.id, server_time=self.server_time)
        if self.session_token is not None:
            frame["session_token"] = self.session_token
        frame["rooms"] = [dict(room) for room in self.rooms]
        return frame


@dataclass(frozen=True, slots=True)
class Message(ServerFrame):
    """A stored chat message, broadcast to the room (sender included) and in histories."""

    type: ClassVar[str] = "message"
    id: str
    user: User
    content: str
    room: str
    index: int
    client_id: str | None = None
    timestamp: str = field(default_factory=timestamp)

    def to_frame(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.id,
            "user": self.user.to_dict(),
            "content": self.content,
            "timestamp": self.timestamp,
            "room": self.room,
            "index": self.index,
            "client_id": self.client_id,
        }


@dataclass(frozen=True, slots=True)
class Event(ServerFrame):
    """Base of the event frames: ``user`` and ``timestamp``, then the frame's own fields."""

    user: User
    timestamp: str = field(default_factory=timestamp, kw_only=True)

    def to_frame(self) -> dict[str, Any]:
        frame = {"type": self.type, "user": self._user(), "timestamp": self.timestamp}
        frame.update((f.name, getattr(self, f.name)) for f in fields(self) if f.name not in _BASE)
        return frame

    def _user(self) -> dict[str, Any]:
        return self.user.to_dict()


_BASE = frozenset(("user", "timestamp"))


@dataclass(frozen=True, slots=True)
class UserJoined(Event):
    """A user joined ``room``, or opened a connection (``room`` is then the default room)."""

    type: ClassVar[str] = "user_joined"
    room: str
    total_connections: int


@dataclass(frozen=True, slots=True)
class UserLeft(Event):
    """A user left ``room``, or closed a connection (``room`` is then the default room)."""

    type: ClassVar[str] = "user_left"
    room: str
    remaining_connections: int


@dataclass(frozen=True, slots=True)
class DisplayNameChanged(Event):
    """A user set or cleared their display name; ``user`` goes out as ``{"id", "email"}``."""

    type: ClassVar[str] = "display_name_changed"

    def _user(self) -> dict[str, Any]:
        return {"id": self.user.id, "email": self.user.email}

    def to_frame(self) -> dict[str, Any]:
        frame = Event.to_frame(self)
        frame["display_name"] = self.user.display_name
        return frame


@dataclass(frozen=True, slots=True)
class TypingEvent(Event):
    """A user started (``state`` true) or stopped typing in ``room``."""

    type: ClassVar[str] = "typing"
    room: str
    state: bool


@dataclass(frozen=True, slots=True)
class PresenceEvent(Event):
    """A user is ``online``, ``away`` or (their last socket closed) ``offline``."""

    type: ClassVar[str] = "presence"
    status: str


@dataclass(frozen=True, slots=True)
class ReadReceipt(Event):
    """A user has read ``room`` up to ``index``."""

    type: ClassVar[str] = "read_receipt"
    room: str
    index: int


@dataclass(frozen=True, slots=True)
class Result(ServerFrame):
    """The answer to one request: ``body`` is ``{"status": "ok", ...}`` or an error body."""

    type: ClassVar[str] = "result"
    request_id: str
    body: Mapping[str, Any]

    @classmethod
    def ok(cls, request_id: str, **fields: Any) -> Result:
        """A successful answer carrying the request's ok fields."""
        return cls(request_id, {"status": "ok", **fields})

    def to_frame(self) -> dict[str, Any]:
        return {"type": self.type, "request_id": self.request_id, **self.body}


@dataclass(frozen=True, slots=True)
class ErrorFrame(ServerFrame):
    """A problem not tied to a request; ``body`` is ``{"error", "code", "reason", ...}``."""

    type: ClassVar[str] = "error"
    body: Mapping[str, Any]

    def to_frame(self) -> dict[str, Any]:
        return {"type": self.type, **self.body}


@dataclass(frozen=True, slots=True)
class Pong(ServerFrame):
    """The answer to ``ping``."""

    type: ClassVar[str] = "pong"
    request_id: str
    server_time: str = field(default_factory=timestamp)

    def to_frame(self) -> dict[str, Any]:
        return {"type": self.type, "request_id": self.request_id, "server_time": self.server_time}


def decode_server_frame(data: str | bytes) -> dict[str, Any]:
    """Parse one server frame leniently: any JSON object with a string ``type``.

    Raises:
        ProtocolError: the text is not JSON, not an object, or has no string ``type``.
    """
    frame = load_object(data, MAX_SERVER_FRAME_BYTES)
    if not isinstance(frame.get("type"), str):
        raise ProtocolError.of(Reason.INVALID_FRAME, "server frame has no string 'type'")
    return frame


def event_data(frame: Mapping[str, Any]) -> dict[str, Any]:
    """What a client event handler receives: the frame without ``type``."""
    return {key: value for key, value in frame.items() if key != "type"}
