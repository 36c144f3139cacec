"""The roomz wire protocol, Sans-I/O: frames in and out as text, no sockets, no event loop.

Every frame is one JSON object with a string ``"type"``; docs/protocol.md lists each frame
and field. The parts:

- :mod:`~roomz.protocol.requests`: one frozen dataclass per client request (:class:`Send`,
  :class:`History` ...) and :func:`decode_client_frame`, which the server calls on every
  text it reads (a :class:`~roomz.errors.ProtocolError` it raises answers itself with
  ``to_frame()``);
- :mod:`~roomz.protocol.frames`: the :class:`User`, one frozen dataclass per frame the
  server sends (:class:`Authenticated`, :class:`Message`, :class:`UserJoined` ...,
  :class:`Result`, :class:`Pong`), and :func:`decode_server_frame`, the client's reader;
- :mod:`~roomz.protocol.limits`: sizes, defaults and patterns;
- :mod:`~roomz.protocol.builders`: the ``*_frame`` functions, for code holding dicts.

Both sides send :func:`encode` of a frame's ``to_frame()``. Unknown fields are ignored in
both directions, so either side may add fields without breaking the other.
"""

from __future__ import annotations

from roomz.protocol.builders import (
    authenticated_frame,
    display_label,
    event_frame,
    message_frame,
    pong_frame,
    result_frame,
    user_info,
)
from roomz.protocol.codec import encode
from roomz.protocol.frames import (
    Authenticated,
    DisplayNameChanged,
    ErrorFrame,
    Event,
    Message,
    Pong,
    PresenceEvent,
    ReadReceipt,
    Result,
    ServerFrame,
    TypingEvent,
    User,
    UserJoined,
    UserLeft,
    decode_server_frame,
    event_data,
    timestamp,
)
from roomz.protocol.limits import (
    DEFAULT_ROOM,
    EVENT_FRAME_TYPES,
    HISTORY_PAGE_BYTES,
    HISTORY_PAGE_LIMIT,
    MAX_CONTENT_LENGTH,
    MAX_DISPLAY_NAME_LENGTH,
    MAX_FRAME_BYTES,
    MAX_ID_LENGTH,
    MAX_INDEX,
    MAX_SERVER_FRAME_BYTES,
    PRESENCE_OFFLINE,
    PRESENCE_STATUSES,
    ROOM_PATTERN,
    SERVER_FRAME_TYPES,
)
from roomz.protocol.requests import (
    CLIENT_FRAME_TYPES,
    CreateRoom,
    History,
    Join,
    Leave,
    ListRooms,
    Ping,
    Presence,
    Read,
    Request,
    Send,
    SetDisplayName,
    Typing,
    Who,
    decode_client_frame,
)

__all__ = [
    "CLIENT_FRAME_TYPES",
    "DEFAULT_ROOM",
    "EVENT_FRAME_TYPES",
    "HISTORY_PAGE_BYTES",
    "HISTORY_PAGE_LIMIT",
    "MAX_CONTENT_LENGTH",
    "MAX_DISPLAY_NAME_LENGTH",
    "MAX_FRAME_BYTES",
    "MAX_ID_LENGTH",
    "MAX_INDEX",
    "MAX_SERVER_FRAME_BYTES",
    "PRESENCE_OFFLINE",
    "PRESENCE_STATUSES",
    "ROOM_PATTERN",
    "SERVER_FRAME_TYPES",
    "Authenticated",
    "CreateRoom",
    "DisplayNameChanged",
    "ErrorFrame",
    "Event",
    "History",
    "Join",
    "Leave",
    "ListRooms",
    "Message",
    "Ping",
    "Pong",
    "Presence",
    "PresenceEvent",
    "Read",
    "ReadReceipt",
    "Request",
    "Result",
    "Send",
    "ServerFrame",
    "SetDisplayName",
    "Typing",
    "TypingEvent",
    "User",
    "UserJoined",
    "UserLeft",
    "Who",
    "authenticated_frame",
    "decode_client_frame",
    "decode_server_frame",
    "display_label",
    "encode",
    "event_data",
    "event_frame",
    "message_frame",
    "pong_frame",
    "result_frame",
    "timestamp",
    "user_info",
]
