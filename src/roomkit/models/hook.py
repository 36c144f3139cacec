"""HookResult — what a sync hook decided — and events a hook asks to inject."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from roomkit.models._base import assemble
from roomkit.models.event import RoomEvent
from roomkit.models.task import Observation, Task


class InjectedEvent(BaseModel):
    """An event a hook wants sent, to the whole room or only to ``target_channel_ids``."""

    event: RoomEvent
    target_channel_ids: list[str] | None = None


class HookResult(BaseModel):
    """Allow, block or modify the event; optionally inject events, tasks and observations."""

    action: Literal["allow", "block", "modify"] = "allow"
    event: RoomEvent | None = None
    reason: str | None = None
    injected_events: list[InjectedEvent] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    observations: list[Observation] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def allow(cls, injected: list[InjectedEvent] | None = None) -> HookResult:
        """Let the event through unchanged."""
        if injected or cls is not HookResult:
            return cls(action="allow", injected_events=injected or [])
        # Most hooks allow most events: skip validating what is known to be valid.
        values = _ALLOW.copy()
        values["injected_events"], values["tasks"], values["observations"] = [], [], []
        values["metadata"] = {}
        return assemble(cls, values, {"action", "injected_events"})

    @classmethod
    def block(
        cls,
        reason: str,
        injected: list[InjectedEvent] | None = None,
        tasks: list[Task] | None = None,
        observations: list[Observation] | None = None,
    ) -> HookResult:
        """Stop the event: it is stored as blocked and broadcast to nobody."""
        return cls(
            action="block",
            reason=reason,
            injected_events=injected or [],
            tasks=tasks or [],
            observations=observations or [],
        )

    @classmethod
    def modify(cls, event: RoomEvent, injected: list[InjectedEvent] | None = None) -> HookResult:
        """Replace the event by ``event`` for the hooks after this one and the broadcast."""
        return cls(action="modify", event=event, injected_events=injected or [])


# An allowing result's values in field order; allow() gives each result lists of its own.
_ALLOW: dict[str, Any] = {
    "action": "allow",
    "event": None,
    "reason": None,
    "injected_events": None,
    "tasks": None,
    "observations": None,
    "metadata": None,
}
