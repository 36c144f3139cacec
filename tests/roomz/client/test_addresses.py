"""What people paste, read the same way by the library and by roomz-cli."""

from __future__ import annotations

import pytest

from roomz import AsyncClient, AuthenticationError
from roomz.client.addresses import token_from


def test_the_client_takes_what_a_browser_shows() -> None:
    """The address parsing itself is tested with roomz-cli (tests/roomz/cli/test_main.py)."""
    for address in ("http://127.0.0.1:8000", "https://chat.example.com/", "ws://h:1/ws"):
        AsyncClient(address)
    for address in ("127.0.0.1:8000", "ftp://h/", "http://"):
        with pytest.raises(ValueError, match="is not a ws://, wss://, http:// or https:// URL"):
            AsyncClient(address)


def test_tokens_are_read_from_whole_links() -> None:
    assert token_from("https://chat.example.com/auth/verify?token=abc&x=1") == "abc"
    assert token_from("  plain-token \n") == "plain-token"
    with pytest.raises(ValueError, match="that link has no token parameter"):
        token_from("http://127.0.0.1:8000/auth/verify?tok=1")


async def test_connect_with_a_link_without_token_says_so() -> None:
    client = AsyncClient("http://127.0.0.1:9")
    with pytest.raises(AuthenticationError, match="no token parameter"):
        await client.connect("http://127.0.0.1:9/auth/verify")
