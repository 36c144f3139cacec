"""The console mail sender prints a block an operator sees at once (and the tests read)."""

from __future__ import annotations

import io

import pytest

from roomz.server.auth import ConsoleSender

HINT = "Open it in a browser and press Log in. It works once and expires soon."


async def test_console_block_format(capsys: pytest.CaptureFixture[str]) -> None:
    """A framed block on standard output: a blank line, a rule, ``Login link for <email>:
    <url>`` alone on its line, a hint, a rule as wide as the widest line, a blank line."""
    await ConsoleSender().send_login_link("a@example.com", "http://h/auth/verify?token=T")
    rule = "=" * len(HINT)
    line = "Login link for a@example.com: http://h/auth/verify?token=T"
    assert capsys.readouterr().out == f"\n{rule}\n{line}\n{HINT}\n{rule}\n\n"


async def test_console_stream() -> None:
    """A stream given to the sender receives the blocks instead; each link on one line."""
    stream = io.StringIO()
    sender = ConsoleSender(stream)
    await sender.send_login_link("a@example.com", "u1")
    await sender.send_login_link("b@example.com", "u2")
    links = [line for line in stream.getvalue().splitlines() if line.startswith("Login link")]
    assert links == ["Login link for a@example.com: u1", "Login link for b@example.com: u2"]
