"""How server data is turned into terminal lines (pure: no terminal)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from roomz.cli import render
from roomz.protocol import user_info


@pytest.fixture
def utc() -> Iterator[None]:
    """Local time is UTC for the duration of a test."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain text", "plain text"),
        ("\x1b[2J\x1b[31mRED", "^[[2J^[[31mRED"),
        ("bell\x07 nul\x00 del\x7f", "bell^G nul^@ del^?"),
        ("csi\x9b31m", "csi\\x9b31m"),
        ("over\rwrite", "over^Mwrite"),
        ("<b>x</b> &amp; <ansired>r</ansired>", "<b>x</b> &amp; <ansired>r</ansired>"),
        ("\u202eevil\u200b", "<U+202E>evil<U+200B>"),
        ("lone \ud800 surrogate", "lone <U+D800> surrogate"),
        ("héllo wörld ✓ 日本", "héllo wörld ✓ 日本"),
        ("two\nlines\ttab", "two^Jlines^Itab"),
    ],
)
def test_control_characters_are_shown_visibly(text: str, shown: str) -> None:
    """Escape sequences and other controls become visible stand-ins; markup stays as typed."""
    assert render.visible(text) == shown


def test_multiline_messages_are_indented() -> None:
    """A newline in a message starts an indented line, so it cannot forge a line of its own."""
    assert render.visible("a\nb\r\nc\td", multiline=True) == "a\n    b\n    c    d"
    assert render.visible("fake\r[general] admin: hi", multiline=True).startswith("fake^M")


def test_message_line_shows_room_time_name_and_text(utc: None) -> None:
    """A message reads ``HH:MM [room] Name (email): text``."""
    message = {
        "user": user_info("ann@example.com", "Ann"),
        "content": "hello",
        "timestamp": "2024-01-01T12:34:56Z",
        "room": "general",
    }
    assert (
        render.plain(render.message_line(message)) == "12:34 [general] Ann (ann@example.com): hello"
    )
    message["user"] = user_info("ann@example.com")
    assert render.plain(render.message_line(message)).endswith("] ann@example.com: hello")


def test_message_line_neutralises_every_server_field(utc: None) -> None:
    """Names, e-mails, rooms and content from the server are all made visible."""
    message = {
        "user": {"id": "user:x", "email": "e\x1b@x.io", "display_name": "N\x1b[1m"},
        "content": "\x1b]0;title\x07",
        "timestamp": "not a time",
        "room": "r\x1b",
    }
    line = render.plain(render.message_line(message))
    assert "\x1b" not in line and "\x07" not in line
    assert line == "--:-- [r^[] N^[[1m (e^[@x.io): ^[]0;title^G"


def test_fragments_carry_server_text_verbatim() -> None:
    """Server text sits in fragment text, never in a style, so no markup is ever applied."""
    message = {"user": user_info("a@b.io", "<b>A</b>"), "content": "<i>x</i>", "room": "general"}
    line = render.message_line(message)
    assert all(style.startswith("class:") or style == "" for style, _ in line)
    assert ("class:author", "<b>A</b> (a@b.io)") in line
    assert line[-1] == ("", ": <i>x</i>")


def test_malformed_users_do_not_break_lines() -> None:
    """A message without a usable user shows ``?`` instead of failing."""
    assert render.label(None) == "?"
    assert render.label({"display_name": "x"}) == "?"


@pytest.mark.parametrize(
    ("event", "data", "shown"),
    [
        (
            "user_joined",
            {"user": user_info("b@x.io", "Bob"), "room": "dev"},
            "-- Bob (b@x.io) joined [dev]",
        ),
        ("user_left", {"user": user_info("b@x.io"), "room": "general"}, "-- b@x.io left [general]"),
        (
            "display_name_changed",
            {"user": {"id": "user:b@x.io", "email": "b@x.io"}, "display_name": "Bob"},
            "-- b@x.io is now shown as Bob (b@x.io)",
        ),
        (
            "display_name_changed",
            {"user": {"id": "user:b@x.io", "email": "b@x.io"}, "display_name": None},
            "-- b@x.io cleared their display name",
        ),
        (
            "typing",
            {"user": user_info("b@x.io"), "room": "general", "state": True},
            "-- b@x.io is typing in [general]",
        ),
        ("presence", {"user": user_info("b@x.io"), "status": "away"}, "-- b@x.io is away"),
    ],
)
def test_events_become_status_lines(event: str, data: dict[str, object], shown: str) -> None:
    """Joins, leaves, renames, typing, presence and errors each read as one status line."""
    line = render.event_line(event, data)
    assert line is not None
    assert render.plain(line) == shown


def test_events_without_a_line() -> None:
    """A stop-typing event and unknown events print nothing."""
    assert render.event_line("typing", {"user": user_info("b@x.io"), "state": False}) is None
    assert render.event_line("read_receipt", {"user": user_info("b@x.io")}) is None


def test_error_text_names_the_wait() -> None:
    """An error body reads as its text, with the wait of a rate limit."""
    body = {"error": "too many requests", "code": 429, "retry_after": 2.6}
    assert render.error_text(body) == "too many requests (try again in 3s)"
    assert render.error_text({}) == "unknown error"
    assert render.plain(render.error_line("x\x1by")) == "!! x^[y"
