"""Every error roomz raises on purpose, and the error codes of the wire protocol.

The client tree::

    ClientError                  base of every error the client library raises
    ├── ConnectionError          the server cannot be reached, or the socket is not open;
    │                            also a ``builtins.ConnectionError`` (so an ``OSError``)
    └── AuthenticationError      the server refused the token (HTTP 401 on the handshake)

``roomz.ConnectionError`` shadows the builtin inside this package on purpose: the seed API
names it so. It subclasses the builtin as well, so ``except ConnectionError`` written
against either name catches it.

Protocol errors (server and client alike)::

    ProtocolError                a frame the protocol does not allow; carries ``code`` (an
                                 HTTP-like number) and ``reason`` (a stable snake_case string)

Server errors::

    ChatError                    a well-formed request the chat refuses (no such room, not a
                                 member, rate limited ...); carries ``code``, ``reason`` and
                                 ``extra`` fields such as ``retry_after``

Every error a peer reports on the wire is ``{"error": str, "code": int, "reason": str}``;
clients switch on ``reason`` — ``error`` is for humans and may change. :class:`Reason` lists
the reasons and :data:`REASON_CODES` their codes.
"""

from __future__ import annotations

import builtins
from enum import StrEnum
from typing import Any


class Reason(StrEnum):
    """The stable ``reason`` strings of error frames and error results."""

    INVALID_JSON = "invalid_json"  # the frame is not JSON text
    INVALID_FRAME = "invalid_frame"  # JSON, but not an object with a string "type"
    FRAME_TOO_LARGE = "frame_too_large"  # more bytes than MAX_FRAME_BYTES
    UNKNOWN_TYPE = "unknown_type"  # a "type" the protocol does not define
    MISSING_FIELD = "missing_field"  # a required field is absent
    INVALID_FIELD = "invalid_field"  # a field has the wrong type or an invalid value
    EMPTY_CONTENT = "empty_content"  # message content is empty or only whitespace
    CONTENT_TOO_LONG = "content_too_long"  # message content over the server's limit
    INVALID_EMAIL = "invalid_email"  # POST /auth/login with an unusable address
    INVALID_TOKEN = "invalid_token"  # unknown, used, expired or revoked token
    NO_TOKEN = "no_token"  # client side: connect() had no token to offer
    NOT_AUTHENTICATED = "not_authenticated"  # a request before authentication
    FORBIDDEN_ORIGIN = "forbidden_origin"  # a browser request or socket from another site
    NOT_A_MEMBER = "not_a_member"  # a room request from a user who has not joined it
    ROOM_NOT_FOUND = "room_not_found"
    ROOM_EXISTS = "room_exists"
    RATE_LIMITED = "rate_limited"
    TOO_MANY_SOCKETS = "too_many_sockets"  # the user has the most sockets a process allows
    SESSION_REVOKED = "session_revoked"  # close reason: the socket's session was logged out
    SESSION_EXPIRED = "session_expired"  # close reason: the socket's session expired
    UNAVAILABLE = "unavailable"  # a backend (lock, pub/sub) is down; retry after retry_after
    TIMEOUT = "timeout"  # client side: no result within connection_timeout
    CONNECTION_LOST = "connection_lost"  # client side: the socket closed before the result
    RECONNECT_FAILED = "reconnect_failed"  # client side: max_reconnect_attempts spent
    INTERNAL_ERROR = "internal_error"


REASON_CODES: dict[Reason, int] = {
    Reason.INVALID_JSON: 400,
    Reason.INVALID_FRAME: 400,
    Reason.FRAME_TOO_LARGE: 413,
    Reason.UNKNOWN_TYPE: 400,
    Reason.MISSING_FIELD: 400,
    Reason.INVALID_FIELD: 400,
    Reason.EMPTY_CONTENT: 400,
    Reason.CONTENT_TOO_LONG: 413,
    Reason.INVALID_EMAIL: 400,
    Reason.INVALID_TOKEN: 401,
    Reason.NO_TOKEN: 401,
    Reason.NOT_AUTHENTICATED: 401,
    Reason.FORBIDDEN_ORIGIN: 403,
    Reason.NOT_A_MEMBER: 403,
    Reason.ROOM_NOT_FOUND: 404,
    Reason.ROOM_EXISTS: 409,
    Reason.RATE_LIMITED: 429,
    Reason.TOO_MANY_SOCKETS: 429,
    Reason.SESSION_REVOKED: 401,
    Reason.SESSION_EXPIRED: 401,
    Reason.UNAVAILABLE: 503,
    Reason.TIMEOUT: 408,
    Reason.CONNECTION_LOST: 503,
    Reason.RECONNECT_FAILED: 503,
    Reason.INTERNAL_ERROR: 500,
}


def error_body(reason: Reason, message: str, **extra: Any) -> dict[str, Any]:
    """The wire shape of an error: ``{"error": message, "code": ..., "reason": ...}``."""
    return {"error": message, "code": REASON_CODES[reason], "reason": str(reason), **extra}


class ProtocolError(ValueError):
    """A frame the protocol does not allow.

    Args:
        code: HTTP-like status number (400, 413, ...).
        reason: stable snake_case string a peer can switch on.
        message: human-readable text naming the offending value.
        request_id: the frame's ``request_id`` when it could be read, so the server can
            answer with a ``result`` instead of a bare ``error`` frame.
    """

    def __init__(
        self, code: int, reason: str, message: str, *, request_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.request_id = request_id

    @classmethod
    def of(cls, reason: Reason, message: str, *, request_id: str | None = None) -> ProtocolError:
        """Build the error for ``reason`` with its standard code."""
        return cls(REASON_CODES[reason], str(reason), message, request_id=request_id)

    def to_dict(self) -> dict[str, Any]:
        """The wire shape: ``{"error", "code", "reason"}``."""
        return {"error": self.message, "code": self.code, "reason": self.reason}

    def to_frame(self) -> dict[str, Any]:
        """The frame answering the rejected request: a failed ``result`` carrying its
        ``request_id``, or, when there is none to answer, an ``error`` frame."""
        if self.request_id is None:
            return {"type": "error", **self.to_dict()}
        return {"type": "result", "request_id": self.request_id, **self.to_dict()}

    def __repr__(self) -> str:
        return (
            f"ProtocolError(code={self.code}, reason={self.reason!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class ClientError(Exception):
    """Base exception for client errors.

    ``code`` and ``reason`` are set when the failure maps to a protocol error (for example
    401 / ``invalid_token``); otherwise they are ``None``.
    """

    def __init__(self, message: str, *, code: int | None = None, reason: str | None = None):
        super().__init__(message)
        self.code = code
        self.reason = reason

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r}, code={self.code!r}, reason={self.reason!r})"


class ConnectionError(ClientError, builtins.ConnectionError):
    """Connection-related errors: unreachable server, failed handshake, socket not open."""


class AuthenticationError(ClientError):
    """Authentication-related errors: the server refused the token."""


class ChatError(Exception):
    """A request the chat refuses, with a stable protocol reason and its HTTP-like code.

    Args:
        reason: the stable reason the answer carries.
        message: text for people, naming the offending value.
        extra: more fields for the answer (such as ``retry_after``).
    """

    def __init__(self, reason: Reason, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.reason = reason
        self.code = REASON_CODES[reason]
        self.extra = extra

    def frame(self) -> dict[str, Any]:
        """The answer's fields: ``{"error", "code", "reason", **extra}``."""
        return error_body(self.reason, str(self), **self.extra)

    def __repr__(self) -> str:
        reason = str(self.reason)
        return f"ChatError(reason={reason!r}, message={str(self)!r}, extra={self.extra!r})"
