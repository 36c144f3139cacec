"""Collaborators the kit keeps for layers that are not part of roomkit yet.

``RoomKit(stt=..., tts=..., voice=..., task_runner=..., delivery_strategy=...,
telemetry=...)`` accepts them as documented and keeps them, so code written for those
layers runs unchanged and finds them on the kit; nothing in the kit calls them yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from roomkit.kit import RoomKit


class Kept:
    """A read-only property showing what the constructor kept in ``_<name>``."""

    def __init__(self, doc: str) -> None:
        self.__doc__ = doc
        self._attribute = ""

    def __set_name__(self, owner: type[RoomKit], name: str) -> None:
        self._attribute = f"_{name}"

    def __get__(self, kit: RoomKit | None, owner: type[RoomKit]) -> Any:
        return self if kit is None else getattr(kit, self._attribute)
