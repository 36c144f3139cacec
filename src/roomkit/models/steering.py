"""Steering directives: control an AI channel's running tool loop from outside it.

Send one with ``AIChannel.steer(directive, loop_id=None)``. Directives are queued per loop
and applied between rounds: :class:`Cancel` stops the loop, :class:`InjectMessage` adds a
message the model sees in its next request, :class:`UpdateSystemPrompt` appends to the
system prompt from the next request on.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Cancel(BaseModel):
    """Stop the loop now; ``reason`` is logged and reported in the channel's output."""

    type: Literal["cancel"] = "cancel"
    reason: str = "cancelled"


class InjectMessage(BaseModel):
    """Add ``content`` (as ``role``) to the conversation before the next model call."""

    type: Literal["inject_message"] = "inject_message"
    content: str
    role: str = "user"


class UpdateSystemPrompt(BaseModel):
    """Append ``append`` to the system prompt before the next model call."""

    type: Literal["update_system_prompt"] = "update_system_prompt"
    append: str


SteeringDirective = InjectMessage | Cancel | UpdateSystemPrompt

__all__ = ["Cancel", "InjectMessage", "SteeringDirective", "UpdateSystemPrompt"]
