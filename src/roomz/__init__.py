"""roomz — the real-time chat service built on roomkit (server, client library, CLI).

The front door re-exports the client library's public names. The clients are imported on
first use, so ``import roomz.protocol`` (the server does) needs neither websockets nor httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from roomz.errors import AuthenticationError, ClientError, ConnectionError

if TYPE_CHECKING:
    from roomz.client import AsyncClient, ConnectionState, SyncClient

__all__ = [
    "AsyncClient",
    "AuthenticationError",
    "ClientError",
    "ConnectionError",
    "ConnectionState",
    "SyncClient",
]

_LAZY = frozenset({"AsyncClient", "ConnectionState", "SyncClient"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from roomz import client

        return getattr(client, name)
    raise AttributeError(f"module 'roomz' has no attribute {name!r}")
