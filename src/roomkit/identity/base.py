"""IdentityResolver — who sent an inbound message."""

from __future__ import annotations

from abc import ABC, abstractmethod

from roomkit.models.identity import IdentityResult
from roomkit.models.inbound import InboundMessage
from roomkit.models.room import RoomContext


class IdentityResolver(ABC):
    """Resolves user identity from inbound messages."""

    @abstractmethod
    async def resolve(self, message: InboundMessage, context: RoomContext) -> IdentityResult:
        """Resolve the identity of an inbound message sender.

        Args:
            message: The inbound message with sender information.
            context: Current room context (room, bindings, participants).

        Returns:
            An identity result indicating identified, ambiguous, pending, unknown, or
            rejected status.
        """
