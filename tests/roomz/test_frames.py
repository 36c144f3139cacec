"""The server's frames as types: each frame class writes exactly the fields docs/protocol.md
lists for its type, and users travel as :class:`roomz.protocol.User`."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from roomz import protocol as p
from roomz.errors import ProtocolError

DOCS = Path(__file__).parents[2] / "docs" / "protocol.md"
ANN = p.User.named("ann@example.com", "Ann")
# One instance of every frame class the server sends.
FRAMES: list[p.ServerFrame] = [
    p.Authenticated(ANN, "s3cret", ({"room": "general", "last_index": 4},)),
    p.Message("m-1", ANN, "hi", "general", 4, "c-1"),
    p.UserJoined(ANN, "lab", 2),
    p.UserLeft(ANN, "lab", 0),
    p.DisplayNameChanged(ANN),
    p.TypingEvent(ANN, "lab", True),
    p.PresenceEvent(ANN, "away"),
    p.ReadReceipt(ANN, "lab", 4),
    p.Pong("r-1"),
]


def documented_fields() -> dict[str, list[str]]:
    """The "Server → client frames" table: each type and the fields besides ``type``."""
    section = DOCS.read_text().split("## Server → client frames", 1)[1]
    rows = re.findall(r"^\| \[`(\w+)`\]\(#\w+\) \| (.+) \|$", section, re.MULTILINE)
    return {kind: re.findall(r"`(\w+)`", cells) for kind, cells in rows}


@pytest.mark.parametrize("frame", FRAMES, ids=lambda f: f.type)
def test_each_frame_writes_the_documented_fields(frame: p.ServerFrame) -> None:
    """The keys of ``to_frame()`` are ``type`` and the documented fields; it round-trips."""
    written = frame.to_frame()
    assert written["type"] == frame.type
    assert set(written) - {"type"} == set(documented_fields()[frame.type])
    assert p.decode_server_frame(p.encode(written)) == written


def test_every_documented_server_frame_has_a_class() -> None:
    """Each server frame type of the docs is built by one frame class."""
    classes = {frame.type for frame in FRAMES} | {p.Result.type, p.ErrorFrame.type}
    assert classes == set(documented_fields()) == p.SERVER_FRAME_TYPES


def test_frames_are_frozen_and_users_are_written_as_documented() -> None:
    """A frame cannot change once built; its user is the documented object, except in
    ``display_name_changed`` (``{"id", "email"}`` and the name beside it)."""
    message = p.Message("m-1", ANN, "hi", "general", 4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.content = "changed"  # type: ignore[misc]
    user = {"id": "user:ann@example.com", "email": "ann@example.com", "display_name": "Ann"}
    assert message.to_frame()["user"] == user
    renamed = p.DisplayNameChanged(ANN).to_frame()
    assert renamed["user"] == {"id": "user:ann@example.com", "email": "ann@example.com"}
    assert renamed["display_name"] == "Ann"


def test_the_cookie_socket_gets_no_session_token() -> None:
    """``session_token`` None leaves the key out (the page never sees the session)."""
    frame = p.Authenticated(ANN, None).to_frame()
    assert "session_token" not in frame and frame["channel"] == ANN.id


def test_results_carry_their_request_id_and_body() -> None:
    """``Result.ok`` answers ``status: ok`` plus fields; a refusal carries the error body."""
    assert p.Result.ok("r-2", room="lab").to_frame() == {
        "type": "result",
        "request_id": "r-2",
        "status": "ok",
        "room": "lab",
    }
    body = {"error": "bad", "code": 400, "reason": "invalid_field"}
    assert p.ErrorFrame(body).to_frame() == {"type": "error", **body}


def test_a_user_reads_back_from_its_wire_object() -> None:
    """``User.of`` reads what ``to_dict`` wrote; a user object without an address is refused."""
    assert p.User.of(ANN.to_dict()) == ANN
    assert p.User.of(p.user_info("bo@example.com")).label == "bo@example.com"
    assert ANN.label == "Ann (ann@example.com)" == p.display_label(ANN.to_dict())
    with pytest.raises(ProtocolError, match="not a user object"):
        p.User.of({"id": "user:x"})
