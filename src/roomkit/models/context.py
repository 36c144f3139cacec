"""``roomkit.models.context``: RoomContext at its documented path."""

from roomkit.models.room import RoomContext

__all__ = ["RoomContext"]
