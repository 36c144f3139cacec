"""The roomz wire protocol, Sans-I/O: frames in and out as text, no sockets, no event loop.

Every frame is one JSON object with a string ``"type"``; docs/protocol.md lists each frame
and field. The server calls :func:`decode_client_frame` on every text it reads and answers
a :class:`~roomz.errors.ProtocolError` with its ``to_frame()``; it builds its other frames
with the ``*_frame`` functions. The client builds requests with the dataclasses below,
encodes them with :func:`encode`, and reads the server's frames with
:func:`decode_server_frame`.

Unknown fields are ignored in both directions, so either side may add fields without
breaking the other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, ClassVar

from roomz.errors import ProtocolError, Reason

MAX_CONTENT_LENGTH = 4000  # characters; the default, a server may configure another
MAX_FRAME_BYTES = 64 * 1024  # client→server frame, UTF-8 bytes: 4,000 escaped characters fit
MAX_SERVER_FRAME_BYTES = 16 * 1024 * 1024  # server→client, what a client accepts
HISTORY_PAGE_LIMIT = 500  # messages a `history` reply carries at most (and its default `limit`)
HISTORY_PAGE_BYTES = 1024 * 1024  # a history page's messages stop growing past this many bytes
MAX_INDEX = 2**63 - 1  # message indexes are 64-bit signed integers in the stores
MAX_ID_LENGTH = 128  # request_id and client_id
MAX_DISPLAY_NAME_LENGTH = 64
DEFAULT_ROOM = "general"  # every user is a member; `send` without `room` goes there
PRESENCE_STATUSES = ("online", "away")  # what a client may announce
PRESENCE_OFFLINE = "offline"  # what the server announces when a user's last socket closes
ROOM_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # 1-64 chars, no leading _ . -
EVENT_FRAME_TYPES = (
    "user_joined",
    "user_left",
    "display_name_changed",
    "typing",
    "presence",
    "read_receipt",
)
# What no identifier may hold: control characters (NUL, newlines ...), the line and paragraph
# separators, and lone surrogates (not Unicode text: no store or socket can carry them).
_NOT_IN_IDS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# Display names also refuse the bidirectional overrides and isolates, which let a name
# reverse the text shown after it (U+202A-U+202E, U+2066-U+2069).
_NOT_IN_NAMES = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
SERVER_FRAME_TYPES = frozenset(
    ("authenticated", "message", "result", "error", "pong", *EVENT_FRAME_TYPES)
)


# -- client → server requests ------------------------------------------------------------


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


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _load_object(data: str | bytes, max_bytes: int) -> dict[str, Any]:
    size = len(data) if isinstance(data, bytes) or data.isascii() else len(data.encode())
    if size > max_bytes:
        message = f"frame is {size} bytes; the limit is {max_bytes}"
        raise ProtocolError.of(Reason.FRAME_TOO_LARGE, message)
    try:
        frame = json.loads(data, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError
        raise ProtocolError.of(Reason.INVALID_JSON, f"frame is not valid JSON: {exc}") from None
    if not isinstance(frame, dict):
        kind = type(frame).__name__
        raise ProtocolError.of(Reason.INVALID_FRAME, f"frame must be a JSON object, not {kind}")
    return frame


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
        if _NOT_IN_IDS.search(value):
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
        if _NOT_IN_NAMES.search(value):
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
        if _SURROGATE.search(value):
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
    frame = _load_object(data, max_frame_bytes)
    rid = frame.get("request_id")
    usable = rid if isinstance(rid, str) and 0 < len(rid) <= MAX_ID_LENGTH else None
    if usable is not None and _NOT_IN_IDS.search(usable):
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


def decode_server_frame(data: str | bytes) -> dict[str, Any]:
    """Parse one server frame leniently: any JSON object with a string ``type``.

    Raises:
        ProtocolError: the text is not JSON, not an object, or has no string ``type``.
    """
    frame = _load_object(data, MAX_SERVER_FRAME_BYTES)
    if not isinstance(frame.get("type"), str):
        raise ProtocolError.of(Reason.INVALID_FRAME, "server frame has no string 'type'")
    return frame


def encode(frame: Mapping[str, Any]) -> str:
    """Serialise a frame to compact JSON text (non-ASCII kept as is)."""
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def event_data(frame: Mapping[str, Any]) -> dict[str, Any]:
    """What a client event handler receives: the frame without ``type``."""
    return {key: value for key, value in frame.items() if key != "type"}


# -- server → client frames ------------------------------------------------------------


def timestamp(moment: datetime | None = None) -> str:
    """UTC time as the protocol writes it: ``2024-01-01T12:00:00Z``."""
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def user_info(email: str, display_name: str | None = None) -> dict[str, Any]:
    """The user object of every frame: ``{"id": "user:<email>", "email", "display_name"}``."""
    return {"id": f"user:{email}", "email": email, "display_name": display_name}


def display_label(user: Mapping[str, Any]) -> str:
    """How chat shows a user: ``"Alice (alice@example.com)"``, or the email alone."""
    name = user.get("display_name")
    return f"{name} ({user['email']})" if name else str(user["email"])


def authenticated_frame(
    user: Mapping[str, Any], session_token: str, *, rooms: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """First frame on every connection; ``rooms`` = ``[{"room", "last_index"}]`` memberships."""
    return {
        "type": "authenticated",
        "user": dict(user),
        "channel": user["id"],
        "server_time": timestamp(),
        "session_token": session_token,
        "rooms": rooms or [],
    }


def message_frame(
    message_id: str,
    user: Mapping[str, Any],
    content: str,
    *,
    room: str,
    index: int,
    client_id: str | None = None,
    at: str | None = None,
) -> dict[str, Any]:
    """A stored chat message, broadcast to the room (sender included) and in histories."""
    return {
        "type": "message",
        "id": message_id,
        "user": dict(user),
        "content": content,
        "timestamp": at or timestamp(),
        "room": room,
        "index": index,
        "client_id": client_id,
    }


def event_frame(kind: str, user: Mapping[str, Any], **fields_: Any) -> dict[str, Any]:
    """``user_joined``, ``user_left``, ``display_name_changed``, ``typing``, ``presence`` or
    ``read_receipt``: ``user`` and ``timestamp`` plus the frame's own fields (see the docs)."""
    if kind not in EVENT_FRAME_TYPES:
        raise ValueError(f"{kind!r} is not one of {EVENT_FRAME_TYPES}")
    return {"type": kind, "user": dict(user), "timestamp": timestamp(), **fields_}


def result_frame(request_id: str, **fields_: Any) -> dict[str, Any]:
    """A successful answer: ``{"type": "result", "request_id", "status": "ok", ...}``."""
    return {"type": "result", "request_id": request_id, "status": "ok", **fields_}


def pong_frame(request_id: str) -> dict[str, Any]:
    """The answer to ``ping``."""
    return {"type": "pong", "request_id": request_id, "server_time": timestamp()}
