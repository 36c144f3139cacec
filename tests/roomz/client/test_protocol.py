"""roomz.protocol: decoding client frames (every malformed case), and building frames."""

from __future__ import annotations

import json
from typing import Any

import pytest

from roomz import protocol as p
from roomz.errors import REASON_CODES, ProtocolError, Reason


def frame(kind: str = "send", **fields: Any) -> str:
    return json.dumps({"type": kind, "request_id": "r1", **fields})


def rejected(data: str | bytes, **kwargs: Any) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        p.decode_client_frame(data, **kwargs)
    return caught.value


MALFORMED: list[tuple[str, str | bytes, int, str, str | None]] = [
    # (case, text, code, reason, request_id the error carries)
    ("not json", "{nope", 400, "invalid_json", None),
    ("empty text", "", 400, "invalid_json", None),
    ("bad utf-8", b"\xff\xfe{}", 400, "invalid_json", None),
    (
        "NaN",
        '{"type": "read", "request_id": "r1", "room": "a", "index": NaN}',
        400,
        "invalid_json",
        None,
    ),
    ("array", "[1, 2]", 400, "invalid_frame", None),
    ("string", '"send"', 400, "invalid_frame", None),
    ("null", "null", 400, "invalid_frame", None),
    ("no type", '{"request_id": "r1"}', 400, "missing_field", "r1"),
    ("type not a string", '{"type": 3, "request_id": "r1"}', 400, "invalid_field", "r1"),
    ("unknown type", frame("shout"), 400, "unknown_type", "r1"),
    ("unknown type, no id", '{"type": "shout"}', 400, "unknown_type", None),
    ("no request_id", '{"type": "ping"}', 400, "missing_field", None),
    ("request_id not a string", '{"type": "ping", "request_id": 7}', 400, "invalid_field", None),
    ("request_id empty", '{"type": "ping", "request_id": ""}', 400, "invalid_field", None),
    (
        "request_id too long",
        json.dumps({"type": "ping", "request_id": "x" * 129}),
        400,
        "invalid_field",
        None,
    ),
    ("send without content", frame(), 400, "missing_field", "r1"),
    ("content not a string", frame(content=5), 400, "invalid_field", "r1"),
    ("content empty", frame(content=""), 400, "empty_content", "r1"),
    ("content blank", frame(content=" \n\t "), 400, "empty_content", "r1"),
    ("content too long", frame(content="x" * 4001), 413, "content_too_long", "r1"),
    ("room not a string", frame(content="hi", room=1), 400, "invalid_field", "r1"),
    ("room with a space", frame(content="hi", room="a b"), 400, "invalid_field", "r1"),
    ("room too long", frame(content="hi", room="a" * 65), 400, "invalid_field", "r1"),
    ("client_id not a string", frame(content="hi", client_id=[]), 400, "invalid_field", "r1"),
    ("name missing", frame("set_display_name"), 400, "missing_field", "r1"),
    ("name blank", frame("set_display_name", name="  "), 400, "invalid_field", "r1"),
    ("name too long", frame("set_display_name", name="n" * 65), 400, "invalid_field", "r1"),
    ("name not a string", frame("set_display_name", name=1), 400, "invalid_field", "r1"),
    ("typing without state", frame("typing", room="a"), 400, "missing_field", "r1"),
    ("typing state a string", frame("typing", room="a", state="yes"), 400, "invalid_field", "r1"),
    ("presence unknown", frame("presence", status="busy"), 400, "invalid_field", "r1"),
    ("read index negative", frame("read", room="a", index=-1), 400, "invalid_field", "r1"),
    ("read index a bool", frame("read", room="a", index=True), 400, "invalid_field", "r1"),
    ("read index a float", frame("read", room="a", index=1.5), 400, "invalid_field", "r1"),
    ("join without room", frame("join"), 400, "missing_field", "r1"),
    ("leave room null", frame("leave", room=None), 400, "invalid_field", "r1"),
    ("create_room empty", frame("create_room", room=""), 400, "invalid_field", "r1"),
    ("history without since", frame("history", room="a"), 400, "missing_field", "r1"),
    ("history since a string", frame("history", room="a", since="0"), 400, "invalid_field", "r1"),
    ("who room a number", frame("who", room=3), 400, "invalid_field", "r1"),
]


@pytest.mark.parametrize(
    ("text", "code", "reason", "request_id"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_malformed_frames_are_rejected_with_code_and_reason(
    text: str | bytes, code: int, reason: str, request_id: str | None
) -> None:
    """Each malformed frame gives its code, its reason, and the request id when readable."""
    error = rejected(text)
    assert (error.code, error.reason, error.request_id) == (code, reason, request_id)
    assert error.to_dict() == {"error": error.message, "code": code, "reason": reason}


def test_frame_over_the_byte_limit_is_rejected_before_parsing() -> None:
    """A frame larger than MAX_FRAME_BYTES is refused as frame_too_large (413)."""
    error = rejected("é" * p.MAX_FRAME_BYTES)
    assert (error.code, error.reason) == (413, "frame_too_large")


def test_the_content_limit_is_configurable() -> None:
    """max_content overrides MAX_CONTENT_LENGTH; content at the limit passes."""
    assert isinstance(p.decode_client_frame(frame(content="x" * 10), max_content=10), p.Send)
    error = rejected(frame(content="x" * 11), max_content=10)
    assert (error.code, error.reason) == (413, "content_too_long")
    assert "11" in error.message and "10" in error.message


def test_the_first_failure_in_documented_order_is_reported() -> None:
    """Fields are checked in the documented order: content before room before client_id."""
    assert rejected(frame(content="", room=1, client_id=2)).reason == "empty_content"
    assert rejected(frame(content="hi", room=1, client_id=2)).message.startswith("field 'room'")
    assert rejected('{"type": "nope"}').reason == "unknown_type"  # before the missing id


def test_messages_name_the_field_and_value() -> None:
    """An invalid field's message names the field and shows the value."""
    error = rejected(frame("presence", status="busy"))
    assert "'status'" in error.message and "'busy'" in error.message


VALID: list[tuple[str, p.Request]] = [
    (frame(content="hi"), p.Send("r1", "hi", p.DEFAULT_ROOM, None)),
    (frame(content="hi", room="dev", client_id="c1"), p.Send("r1", "hi", "dev", "c1")),
    (frame(content="hi", room=None, client_id=None), p.Send("r1", "hi")),
    (frame("set_display_name", name=" Alice "), p.SetDisplayName("r1", "Alice")),
    (frame("set_display_name", name=None), p.SetDisplayName("r1", None)),
    (frame("typing", room="dev", state=False), p.Typing("r1", "dev", False)),
    (frame("presence", status="away"), p.Presence("r1", "away")),
    (frame("read", room="dev", index=4), p.Read("r1", "dev", 4)),
    (frame("create_room", room="dev-2"), p.CreateRoom("r1", "dev-2")),
    (frame("list_rooms"), p.ListRooms("r1")),
    (frame("join", room="dev"), p.Join("r1", "dev")),
    (frame("leave", room="dev"), p.Leave("r1", "dev")),
    (frame("history", room="dev", since=0), p.History("r1", "dev", 0)),
    (frame("who"), p.Who("r1", p.DEFAULT_ROOM)),
    (frame("who", room="dev"), p.Who("r1", "dev")),
    (frame("ping", extra="ignored"), p.Ping("r1")),
]


@pytest.mark.parametrize(("text", "expected"), VALID, ids=[v[1].type for v in VALID])
def test_valid_frames_decode_to_typed_requests(text: str, expected: p.Request) -> None:
    """Every request type decodes; unknown fields are ignored; names are trimmed."""
    assert p.decode_client_frame(text) == expected


@pytest.mark.parametrize("request_", [v[1] for v in VALID], ids=[v[1].type for v in VALID])
def test_requests_round_trip_through_encode(request_: p.Request) -> None:
    """What the client encodes, the server decodes to the same request."""
    assert p.decode_client_frame(p.encode(request_.to_frame())) == request_


def test_every_client_frame_type_has_a_request_class() -> None:
    """The decoder table and the request classes name the same frame types."""
    assert {type(v[1]).type for v in VALID} == p.CLIENT_FRAME_TYPES


def test_server_frames_have_the_documented_fields() -> None:
    """message, result, error, authenticated and pong carry exactly the documented fields."""
    user = p.user_info("ann@example.com", "Ann")
    message = p.message_frame("m1", user, "hi", room="general", index=3, client_id="c1")
    assert set(message) == {
        "type",
        "id",
        "user",
        "content",
        "timestamp",
        "room",
        "index",
        "client_id",
    }
    ok = p.result_frame("r1", message_id="m1", timestamp=message["timestamp"])
    assert p.event_data(ok) == {
        "request_id": "r1",
        "status": "ok",
        "message_id": "m1",
        "timestamp": message["timestamp"],
    }
    failure = ProtocolError.of(Reason.CONTENT_TOO_LONG, "too long", request_id="r2")
    assert failure.to_frame() == {
        "type": "result",
        "request_id": "r2",
        "error": "too long",
        "code": 413,
        "reason": "content_too_long",
    }
    failure.request_id = None
    assert failure.to_frame() == {"type": "error", **failure.to_dict()}
    auth = p.authenticated_frame(user, "s1", rooms=[{"room": "general", "last_index": 0}])
    assert auth["channel"] == "user:ann@example.com" and auth["session_token"] == "s1"
    assert set(p.pong_frame("r3")) == {"type", "request_id", "server_time"}


EVENT_FIELDS: dict[str, dict[str, Any]] = {
    "user_joined": {"room": "general", "total_connections": 2},
    "user_left": {"room": "lab", "remaining_connections": 0},
    "display_name_changed": {"display_name": "Ann"},
    "typing": {"room": "lab", "state": True},
    "presence": {"status": "away"},
    "read_receipt": {"room": "lab", "index": 7},
}


def test_event_frames_accept_only_event_types() -> None:
    """event_frame builds the six event types, each with the documented fields, and
    refuses anything else."""
    user = p.user_info("ann@example.com")
    assert set(EVENT_FIELDS) == set(p.EVENT_FRAME_TYPES)
    for kind, own in EVENT_FIELDS.items():
        frame = p.event_frame(kind, user, **own)
        assert list(frame)[:3] == ["type", "user", "timestamp"]
        assert frame["type"] == kind and {k: frame[k] for k in own} == own
    renamed = p.event_frame("display_name_changed", user, display_name="Ann")
    assert renamed["user"] == {"id": "user:ann@example.com", "email": "ann@example.com"}
    with pytest.raises(ValueError, match="result"):
        p.event_frame("result", user)


def test_server_frames_decode_leniently() -> None:
    """decode_server_frame accepts any object with a string type; refuses the rest."""
    assert p.decode_server_frame('{"type": "future_frame", "x": 1}')["x"] == 1
    for text in ("[]", '{"type": 1}', "nope"):
        with pytest.raises(ProtocolError):
            p.decode_server_frame(text)


def test_labels_and_timestamps() -> None:
    """display_label shows "Name (email)" or the email; timestamps are UTC with a Z."""
    assert p.display_label(p.user_info("a@x.io", "Al")) == "Al (a@x.io)"
    assert p.display_label(p.user_info("a@x.io")) == "a@x.io"
    assert p.timestamp().endswith("Z") and len(p.timestamp()) == 20


def test_every_reason_has_a_code() -> None:
    """REASON_CODES covers the Reason enum."""
    assert set(REASON_CODES) == set(Reason)
