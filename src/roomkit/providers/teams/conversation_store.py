"""Where a Teams bot keeps conversation references, which it needs to message people first.

Bot Framework only lets a bot start a message in a conversation it has a reference for
(service URL, conversation, bot and user ids), taken from an Activity it received.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from copy import deepcopy
from typing import Any

__all__ = ["ConversationReferenceStore", "InMemoryConversationReferenceStore"]


class ConversationReferenceStore(ABC):
    """Conversation references by conversation id."""

    @abstractmethod
    async def save(self, conversation_id: str, reference: dict[str, Any]) -> None:
        """Store ``reference``, replacing any earlier one for ``conversation_id``."""

    @abstractmethod
    async def get(self, conversation_id: str) -> dict[str, Any] | None:
        """The reference of ``conversation_id``, or None when there is none."""

    @abstractmethod
    async def delete(self, conversation_id: str) -> None:
        """Forget ``conversation_id``; forgetting an unknown one does nothing."""

    @abstractmethod
    async def list_all(self) -> dict[str, dict[str, Any]]:
        """Every stored reference by conversation id."""


class InMemoryConversationReferenceStore(ConversationReferenceStore):
    """References in a dict: lost on restart. Copies go in and out, so callers cannot
    change what is stored by mutating a dict they hold."""

    def __init__(self) -> None:
        self._references: dict[str, dict[str, Any]] = {}

    async def save(self, conversation_id: str, reference: dict[str, Any]) -> None:
        self._references[conversation_id] = deepcopy(reference)

    async def get(self, conversation_id: str) -> dict[str, Any] | None:
        found = self._references.get(conversation_id)
        return deepcopy(found) if found is not None else None

    async def delete(self, conversation_id: str) -> None:
        self._references.pop(conversation_id, None)

    async def list_all(self) -> dict[str, dict[str, Any]]:
        return deepcopy(self._references)
