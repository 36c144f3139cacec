"""What people paste, read the same way by the library and by roomz-cli."""

from __future__ import annotations

import pytest

from roomz import AsyncClient, AuthenticationError
from roomz.client.addresses import token_from, websocket_url


@pytest.mark.parametrize(
    ("address", "url"),
    [
        ("http://127.0.0.1:8000", "ws://127.0.0.1:8000/ws"),
        ("https://chat.example.com/", "wss://chat.example.com/ws"),
        ("https://chat.example.com/roomz", "wss://chat.example.com/roomz/ws"),
        ("ws://127.0.0.1:8000/ws", "ws://127.0.0.1:8000/ws"),
        (" HTTP://h:1/ws ", "ws://h:1/ws"),
    ],
)
def test_addresses_become_websocket_urls(address: str, url: str) -> None:
    assert websocket_url(address) == url


@pytest.mark.parametrize("address", ["127.0.0.1:8000", "ftp://h/", "http://"])
def test_other_addresses_are_refused(address: str) -> None:
    with pytest.raises(ValueError, match="is not a ws://, wss://, http:// or https:// URL"):
        websocket_url(address)
    with pytest.raises(ValueError):
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
