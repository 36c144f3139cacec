"""Participants behind the façade: make sure one exists, and resolve one to an identity."""

from __future__ import annotations

from roomkit.errors import IdentityNotFoundError, ParticipantNotFoundError
from roomkit.models._base import utcnow
from roomkit.models.enums import IdentificationStatus
from roomkit.models.participant import Participant
from roomkit.rooms import RoomDirectory
from roomkit.store.base import ConversationStore


class ParticipantOps:
    """Creates and resolves participants; every change invalidates the room's cached state."""

    def __init__(self, store: ConversationStore, rooms: RoomDirectory) -> None:
        self._store = store
        self._rooms = rooms

    async def ensure(
        self, room_id: str, channel_id: str, participant_id: str, display_name: str | None
    ) -> Participant:
        """The participant, created (pending identification) if the room has none by that id.

        Raises:
            RoomNotFoundError: no such room.
        """
        await self._rooms.state(room_id)
        existing = await self._store.get_participant(room_id, participant_id)
        if existing is not None:
            return existing
        created = await self._store.add_participant(
            Participant(
                id=participant_id,
                room_id=room_id,
                channel_id=channel_id,
                display_name=display_name,
            )
        )
        await self._rooms.changed(room_id)
        return created

    async def resolve(
        self, room_id: str, participant_id: str, identity_id: str, resolved_by: str
    ) -> Participant:
        """Mark the participant as the identity ``identity_id`` (status IDENTIFIED).

        Raises:
            RoomNotFoundError: no such room.
            ParticipantNotFoundError: the room has no participant ``participant_id``.
            IdentityNotFoundError: no identity ``identity_id`` in the store.
        """
        await self._rooms.state(room_id)
        participant = await self._store.get_participant(room_id, participant_id)
        if participant is None:
            raise ParticipantNotFoundError(participant_id, room_id)
        identity = await self._store.get_identity(identity_id)
        if identity is None:
            raise IdentityNotFoundError(identity_id)
        resolved = participant.model_copy(
            update={
                "identification": IdentificationStatus.IDENTIFIED,
                "identity_id": identity.id,
                "display_name": participant.display_name or identity.display_name,
                "candidates": [],
                "resolved_at": utcnow(),
                "resolved_by": resolved_by,
            }
        )
        updated = await self._store.update_participant(resolved)
        await self._rooms.changed(room_id)
        return updated
