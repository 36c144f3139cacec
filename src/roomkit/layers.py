"""Collaborators the kit keeps for layers that are not part of roomkit yet.

``RoomKit(stt=..., tts=..., voice=..., task_runner=..., delivery_strategy=...,
telemetry=...)`` accepts them as documented and keeps them, so code written for those
layers runs unchanged and finds them on the kit; nothing in the kit calls them yet.
"""

from __future__ import annotations

from typing import Any


def kept(name: str, doc: str) -> property:
    """A read-only property showing what the constructor kept in ``_<name>``."""
    attribute = f"_{name}"

    def value(kit: object) -> Any:
        return getattr(kit, attribute)

    return property(value, doc=doc)
