"""The console mail sender prints the line an operator (and the tests) read."""

from __future__ import annotations

import io

import pytest

from roomz.server.auth import ConsoleSender


async def test_console_line_format(capsys: pytest.CaptureFixture[str]) -> None:
    """One flushed line on standard output: ``Login link for <email>: <url>``."""
    await ConsoleSender().send_login_link("a@example.com", "http://h/auth/verify?token=T")
    assert capsys.readouterr().out == "Login link for a@example.com: http://h/auth/verify?token=T\n"


async def test_console_stream() -> None:
    """A stream given to the sender receives the lines instead."""
    stream = io.StringIO()
    sender = ConsoleSender(stream)
    await sender.send_login_link("a@example.com", "u1")
    await sender.send_login_link("b@example.com", "u2")
    assert stream.getvalue().splitlines() == [
        "Login link for a@example.com: u1",
        "Login link for b@example.com: u2",
    ]
