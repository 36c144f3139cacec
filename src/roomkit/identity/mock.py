"""MockIdentityResolver — identities from a fixed mapping, for tests and demos."""

from __future__ import annotations

from roomkit.identity.base import IdentityResolver
from roomkit.models.enums import IdentificationStatus
from roomkit.models.identity import Identity, IdentityResult
from roomkit.models.inbound import InboundMessage
from roomkit.models.room import RoomContext


class MockIdentityResolver(IdentityResolver):
    """Resolves identity from a pre-configured mapping.

    Supports three resolution outcomes:

    - Identified: ``sender_id`` found in ``mapping`` → single identity.
    - Ambiguous: ``sender_id`` found in ``ambiguous`` → multiple candidates.
    - Unknown/Pending: no match → status controlled by ``unknown_status``.

    Every call is recorded in ``calls``.
    """

    def __init__(
        self,
        mapping: dict[str, Identity] | None = None,
        ambiguous: dict[str, list[Identity]] | None = None,
        unknown_status: IdentificationStatus = IdentificationStatus.UNKNOWN,
    ) -> None:
        self.mapping = dict(mapping or {})
        self.ambiguous = dict(ambiguous or {})
        self.unknown_status = unknown_status
        self.calls: list[InboundMessage] = []

    async def resolve(self, message: InboundMessage, context: RoomContext) -> IdentityResult:
        self.calls.append(message)
        sender = message.sender_id
        if sender in self.mapping:
            return IdentityResult(
                status=IdentificationStatus.IDENTIFIED,
                identity=self.mapping[sender],
                address=sender,
            )
        if sender in self.ambiguous:
            return IdentityResult(
                status=IdentificationStatus.AMBIGUOUS,
                candidates=list(self.ambiguous[sender]),
                address=sender,
            )
        return IdentityResult(status=self.unknown_status, address=sender)
