"""Client → server requests: one frozen dataclass per request type, and the parser the
server runs on every text a client sends (:func:`decode_client_frame`).

A client builds a request, turns it into a frame with ``to_frame()`` and sends
:func:`~roomz.protocol.encode` of it; the server decodes the text back into the same class,
every field validated, or raises a :class:`~roomz.errors.ProtocolError` naming the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from roomz.errors import ProtocolError, Reason
from roomz.protocol.codec import load_object
from roomz.protocol.limits import (
    DEFAULT_ROOM,
    HISTORY_PAGE_LIMIT,
    MAX_CONTENT_LENGTH,
    MAX_DISPLAY_NAME_LENGTH,
    MAX_FRAME_BYTES,
    MAX_ID_LENGTH,
    MAX_INDEX,
    NOT_IN_IDS,
    NOT_IN_NAMES,
    PRESENCE_STATUSES,
    ROOM_PATTERN,
    SURROGATE,
)


@dataclass(frozen=True, slots=True)
class Request:
    """Base of every client request; each is answered by one ``result`` (``ping``: ``pong``)."""

    type: ClassVar[str] = ""
    request_id: str

    def to_frame(self) -> dict[str, Any]:
        """The request as a frame dict, ready for :func:`encode`."""
        frame: dict[str, Any] = {"type": self.type}
        frame.update((f.name, getattr(self, f.name)) for f in fields(self))
        return frame


@dataclass(frozen=True, slots=True)
class Send(Request):
    """Post a message; ``client_id`` makes a resend after a reconnect idempotent."""

    type: ClassVar[str] = "send"
    content: str
    room: str = DEFAULT_ROOM
    client_id: str | None = None


@dataclass(frozen=True, slots=True)
class SetDisplayName(Request):
    """Set (``name``) or clear (``None``) the user's display name."""

    type: ClassVar[str] = "set_display_name"
    name: str | None


@dataclass(frozen=True, slots=True)
class Typing(Request):
    """Start (``state=True``) or stop typing in a room."""

    type: ClassVar[str] = "typing"
    room: str
    state: bool


@dataclass(frozen=True, slots=True)
class Presence(Request):
    """Announce ``online`` or ``away``."""

    type: ClassVar[str] = "presence"
    status: str


@dataclass(frozen=True, slots=True)
class Read(Request):
    """Mark a room read up to and including ``index``."""

    type: ClassVar[str] = "read"
    room: str
    index: int


@dataclass(frozen=True, slots=True)
class CreateRoom(Request):
    """Create a room (the creator joins it)."""

    type: ClassVar[str] = "create_room"
    room: str


@dataclass(frozen=True, slots=True)
class ListRooms(Request):
    """List the rooms, with membership and each room's last index."""

    type: ClassVar[str] = "list_rooms"


@dataclass(frozen=True, slots=True)
class Join(Request):
    """Join a room; the result carries its recent history."""

    type: ClassVar[str] = "join"
    room: str


@dataclass(frozen=True, slots=True)
class Leave(Request):
    """Leave a room."""

    type: ClassVar[str] = "leave"
    room: str


@dataclass(frozen=True, slots=True)
class History(Request):
    """One page of ``room``'s messages, in index order.

    Forwards (``before`` is ``None``): the oldest messages whose index is greater than
    ``since``. Backwards (``before`` set): the newest messages whose index is below
    ``before`` (and above ``since``). At most ``limit`` messages (``None``: the server's
    :data:`HISTORY_PAGE_LIMIT`), and a page stops growing past :data:`HISTORY_PAGE_BYTES`;
    the reply's ``has_more`` says whether another page follows in that direction.
    """

    type: ClassVar[str] = "history"
    room: str
    since: int = 0
    limit: int | None = None
    before: int | None = None


@dataclass(frozen=True, slots=True)
class Who(Request):
    """The members of ``room`` with a socket open in any server process."""

    type: ClassVar[str] = "who"
    room: str = DEFAULT_ROOM


@dataclass(frozen=True, slots=True)
class Ping(Request):
    """Liveness check, answered by ``pong``."""

    type: ClassVar[str] = "ping"


# -- decoding ------------------------------------------------------------------------------


class _Fields:
    """Typed reads of one frame's fields; each failure names the field and the value."""

    def __init__(self, frame: Mapping[str, Any], request_id: str | None) -> None:
        self.frame = frame
        self.request_id = request_id

    def fail(self, reason: Reason, message: str) -> ProtocolError:
        return ProtocolError.of(reason, message, request_id=self.request_id)

    def require(self, name: str) -> Any:
        if name not in self.frame:
            kind = self.frame.get("type")
            where = f"{kind!r} frame" if isinstance(kind, str) else "frame"
            raise self.fail(Reason.MISSING_FIELD, f"{where} needs field {name!r}")
        return self.frame[name]

    def invalid(self, name: str, expected: str) -> ProtocolError:
        shown = repr(self.frame[name])
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        return self.fail(Reason.INVALID_FIELD, f"field {name!r} must be {expected}, got {shown}")

    def identifier(self, name: str) -> str:
        value = self.require(name)
        if not isinstance(value, str) or not 0 < len(value) <= MAX_ID_LENGTH:
            raise self.invalid(name, f"a string of 1-{MAX_ID_LENGTH} characters")
        if NOT_IN_IDS.search(value):
            raise self.invalid(name, "text without control characters or lone surrogates")
        return value

    def optional_identifier(self, name: str) -> str | None:
        return None if self.frame.get(name) is None else self.identifier(name)

    def room(self, name: str = "room") -> str:
        value = self.require(name)
        if not isinstance(value, str) or not ROOM_PATTERN.fullmatch(value):
            raise self.invalid(name, f"a room id matching {ROOM_PATTERN.pattern}")
        return value

    def optional_room(self, name: str = "room") -> str:
        return DEFAULT_ROOM if self.frame.get(name) is None else self.room(name)

    def integer(self, name: str, *, minimum: int, maximum: int = MAX_INDEX) -> int:
        value = self.require(name)
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise self.invalid(name, f"an integer from {minimum} to {maximum}")
        return value

    def optional_bounded(self, name: str, minimum: int, maximum: int = MAX_INDEX) -> int | None:
        return (
            None
            if self.frame.get(name) is None
            else self.integer(name, minimum=minimum, maximum=maximum)
        )

    def flag(self, name: str) -> bool:
        value = self.require(name)
        if not isinstance(value, bool):
            raise self.invalid(name, "true or false")
        return value

    def choice(self, name: str, options: tuple[str, ...]) -> str:
        value = self.require(name)
        if value not in options:
            raise self.invalid(name, "one of " + ", ".join(map(repr, options)))
        return str(value)

    def display_name(self, name: str = "name") -> str | None:
        value = self.require(name)
        if value is None:
            return None
        if not isinstance(value, str) or not 0 < len(value.strip()) <= MAX_DISPLAY_NAME_LENGTH:
            limit = MAX_DISPLAY_NAME_LENGTH
            raise self.invalid(name, f"null or a non-blank string of at most {limit} characters")
        if NOT_IN_NAMES.search(value):
            raise self.invalid(
                name, "a name without control characters, line breaks or direction overrides"
            )
        return value.strip()

    def content(self, max_content: int) -> str:
        value = self.require("content")
        if not isinstance(value, str):
            raise self.invalid("content", "a string")
        if not value.strip():
            raise self.fail(Reason.EMPTY_CONTENT, "message content is empty")
        if SURROGATE.search(value):
            raise self.invalid("content", "Unicode text (it holds a lone surrogate)")
        if len(value) > max_content:
            message = f"message is {len(value)} characters; the limit is {max_content}"
            raise self.fail(Reason.CONTENT_TOO_LONG, message)
        return value


def _send(f: _Fields, rid: str, max_content: int) -> Send:
    content = f.content(max_content)
    return Send(rid, content, f.optional_room(), f.optional_identifier("client_id"))


def _history(f: _Fields, rid: str, _: int) -> History:
    # `since` is required when paging forwards, as it always was; `before` pages backwards.
    before = f.optional_bounded("before", 1)
    since = f.integer("since", minimum=0) if before is None else f.optional_bounded("since", 0)
    limit = f.optional_bounded("limit", 1, HISTORY_PAGE_LIMIT)
    return History(rid, f.room(), since or 0, limit, before)


_Decoder = Callable[[_Fields, str, int], Request]
_DECODERS: dict[str, _Decoder] = {
    "send": _send,
    "set_display_name": lambda f, rid, _: SetDisplayName(rid, f.display_name()),
    "typing": lambda f, rid, _: Typing(rid, f.room(), f.flag("state")),
    "presence": lambda f, rid, _: Presence(rid, f.choice("status", PRESENCE_STATUSES)),
    "read": lambda f, rid, _: Read(rid, f.room(), f.integer("index", minimum=1)),
    "create_room": lambda f, rid, _: CreateRoom(rid, f.room()),
    "list_rooms": lambda f, rid, _: ListRooms(rid),
    "join": lambda f, rid, _: Join(rid, f.room()),
    "leave": lambda f, rid, _: Leave(rid, f.room()),
    "history": _history,
    "who": lambda f, rid, _: Who(rid, f.optional_room()),
    "ping": lambda f, rid, _: Ping(rid),
}
CLIENT_FRAME_TYPES = frozenset(_DECODERS)


def decode_client_frame(
    data: str | bytes,
    *,
    max_content: int = MAX_CONTENT_LENGTH,
    max_frame_bytes: int = MAX_FRAME_BYTES,
) -> Request:
    """Parse and validate one client frame into one of the :class:`Request` subclasses.

    A server that raises ``max_content`` far above 4,000 raises ``max_frame_bytes`` with it.

    Raises:
        ProtocolError: with ``request_id`` set whenever the frame carried a usable one.
    """
    frame = load_object(data, max_frame_bytes)
    rid = frame.get("request_id")
    usable = rid if isinstance(rid, str) and 0 < len(rid) <= MAX_ID_LENGTH else None
    if usable is not None and NOT_IN_IDS.search(usable):
        usable = None  # not echoed: an answer carrying it could not be sent
    reader = _Fields(frame, usable)
    kind = reader.require("type")
    if not isinstance(kind, str):
        raise reader.invalid("type", "a string")
    decoder = _DECODERS.get(kind)
    if decoder is None:
        expected = ", ".join(sorted(_DECODERS))
        raise reader.fail(Reason.UNKNOWN_TYPE, f"unknown frame type {kind!r}; expected {expected}")
    return decoder(reader, reader.identifier("request_id"), max_content)
