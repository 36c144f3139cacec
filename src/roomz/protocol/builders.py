"""The frame-building functions of the protocol's first version, each a line over the frame
classes of :mod:`roomz.protocol.frames`, for code that passes users and frames as dicts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from roomz.protocol.frames import (
    Authenticated,
    DisplayNameChanged,
    Event,
    Message,
    Pong,
    PresenceEvent,
    ReadReceipt,
    Result,
    TypingEvent,
    User,
    UserJoined,
    UserLeft,
    timestamp,
)
from roomz.protocol.limits import EVENT_FRAME_TYPES

_EVENTS: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (UserJoined, UserLeft, DisplayNameChanged, TypingEvent, PresenceEvent, ReadReceipt)
}


def user_info(email: str, display_name: str | None = None) -> dict[str, Any]:
    """The user object of every frame: ``{"id": "user:<email>", "email", "display_name"}``."""
    return User.named(email, display_name).to_dict()


def display_label(user: Mapping[str, Any] | User) -> str:
    """How chat shows a user: ``"Alice (alice@example.com)"``, or the email alone."""
    return (user if isinstance(user, User) else User.of(user)).label


def authenticated_frame(
    user: Mapping[str, Any], session_token: str, *, rooms: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """First frame on every connection; ``rooms`` = ``[{"room", "last_index"}]`` memberships."""
    return Authenticated(User.of(user), session_token, tuple(rooms or ())).to_frame()


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
    author = User.of(user)
    return Message(
        message_id, author, content, room, index, client_id, at or timestamp()
    ).to_frame()


def event_frame(kind: str, user: Mapping[str, Any], **fields_: Any) -> dict[str, Any]:
    """``user_joined``, ``user_left``, ``display_name_changed``, ``typing``, ``presence`` or
    ``read_receipt``: ``user`` and ``timestamp`` plus the frame's own fields (see the docs)."""
    cls = _EVENTS.get(kind)
    if cls is None:
        raise ValueError(f"{kind!r} is not one of {EVENT_FRAME_TYPES}")
    who = User.of(user)
    if cls is DisplayNameChanged:
        who = User(who.id, who.email, fields_.pop("display_name", None))
    return cls(who, **fields_).to_frame()


def result_frame(request_id: str, **fields_: Any) -> dict[str, Any]:
    """A successful answer: ``{"type": "result", "request_id", "status": "ok", ...}``."""
    return Result.ok(request_id, **fields_).to_frame()


def pong_frame(request_id: str) -> dict[str, Any]:
    """The answer to ``ping``."""
    return Pong(request_id).to_frame()
