"""Conversation stores: the ABC and the in-memory default. SQL stores import lazily."""

from roomkit.store.base import ConversationStore
from roomkit.store.memory import InMemoryStore

__all__ = ["ConversationStore", "InMemoryStore"]
