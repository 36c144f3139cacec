"""The roomz client library: :class:`AsyncClient`, and :class:`SyncClient` wrapping it."""

from roomz.client.async_client import AsyncClient
from roomz.client.connection import ConnectionState
from roomz.client.handlers import EVENTS, EventHandler
from roomz.client.sync_client import SyncClient

__all__ = ["EVENTS", "AsyncClient", "ConnectionState", "EventHandler", "SyncClient"]
