"""Steering directives (``roomkit.models.steering``) applied to a running tool loop.

Send them with ``AIChannel.steer(directive, loop_id=None)``:

* :class:`Cancel` — stop the loop. It also sets the loop's cancel event, so a model call
  or a tool round in progress is abandoned at once rather than at the next checkpoint.
* :class:`InjectMessage` — add a message; the model sees it in its next request.
* :class:`UpdateSystemPrompt` — append to the system prompt from the next request on.

Directives are queued per loop and applied between rounds (after the tools of a round
ran, before the next model call).
"""

from __future__ import annotations

import asyncio
from collections import deque

from roomkit.models._base import new_id
from roomkit.models.steering import Cancel, InjectMessage, SteeringDirective, UpdateSystemPrompt
from roomkit.providers.ai.base import AIContext, AIMessage

__all__ = [
    "Cancel",
    "InjectMessage",
    "LoopSteering",
    "SteeringDirective",
    "UpdateSystemPrompt",
    "apply_directives",
]


class LoopSteering:
    """One running loop's directive queue and cancel event.

    ``push`` is synchronous and never blocks, so it is safe from any coroutine of the
    loop's event loop; the loop reads the queue with :meth:`drain` at its checkpoints.
    """

    def __init__(self, loop_id: str | None = None, room_id: str | None = None) -> None:
        self.loop_id = loop_id or new_id()
        self.room_id = room_id
        self.cancel_event = asyncio.Event()
        self.cancel_reason: str | None = None
        self._queue: deque[SteeringDirective] = deque()

    @property
    def cancelled(self) -> bool:
        """Whether a :class:`Cancel` arrived."""
        return self.cancel_event.is_set()

    def push(self, directive: SteeringDirective) -> None:
        """Queue ``directive``; a :class:`Cancel` also trips the cancel event."""
        if isinstance(directive, Cancel):
            self.cancel_reason = directive.reason
            self.cancel_event.set()
            return
        self._queue.append(directive)

    def drain(self) -> list[SteeringDirective]:
        """Take every queued directive, oldest first."""
        directives = list(self._queue)
        self._queue.clear()
        return directives


def apply_directives(context: AIContext, directives: list[SteeringDirective]) -> None:
    """Apply ``directives`` to ``context`` in place, in order."""
    for directive in directives:
        if isinstance(directive, InjectMessage):
            context.messages.append(AIMessage(role=directive.role, content=directive.content))
        elif isinstance(directive, UpdateSystemPrompt):
            context.system_prompt = (context.system_prompt or "") + directive.append
