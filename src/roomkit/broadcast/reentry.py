"""⑦ Intelligence channels react; their responses re-enter the room one chain level deeper.

Reactions run outside the room lock (a model may think for seconds) and concurrently. A
response becomes a new event with ``chain_depth = parent.chain_depth + 1``; one deeper than
``max_chain_depth`` is dropped and reported, which is what stops two AIs answering each other
forever. A muted or read-only intelligence binding may listen but its responses are dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from roomkit.broadcast.plan import Target, may_send
from roomkit.models.channel import ChannelOutput
from roomkit.models.event import RoomEvent
from roomkit.models.room import RoomContext
from roomkit.models.task import Observation, Task

logger = logging.getLogger(__name__)

ErrorReporter = Callable[[RoomEvent, Target, BaseException], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Reaction:
    """What the intelligence channels produced for one event."""

    responses: tuple[RoomEvent, ...] = ()
    too_deep: tuple[RoomEvent, ...] = ()
    tasks: tuple[Task, ...] = ()
    observations: tuple[Observation, ...] = ()


async def react(
    event: RoomEvent,
    targets: tuple[Target, ...],
    context: RoomContext,
    max_chain_depth: int,
    report_error: ErrorReporter,
) -> Reaction:
    """Call ``on_event`` on every intelligence target and collect what re-enters."""
    if not targets:
        return Reaction()
    outputs = await asyncio.gather(
        *(t.channel.on_event(event, t.binding, context) for t in targets),
        return_exceptions=True,
    )
    responses: list[RoomEvent] = []
    too_deep: list[RoomEvent] = []
    tasks: list[Task] = []
    observations: list[Observation] = []
    depth = event.chain_depth + 1
    for target, output in zip(targets, outputs, strict=True):
        if isinstance(output, BaseException):
            if not isinstance(output, Exception):
                raise output
            logger.error("channel %s failed on event %s: %r", target.channel, event.id, output)
            await report_error(event, target, output)
            continue
        assert isinstance(output, ChannelOutput)
        tasks.extend(output.tasks)
        observations.extend(output.observations)
        if not may_send(target.binding):
            continue
        for response in output.response_events:
            child = _child_of(event, response, depth)
            (too_deep if depth > max_chain_depth else responses).append(child)
    return Reaction(tuple(responses), tuple(too_deep), tuple(tasks), tuple(observations))


def _child_of(parent: RoomEvent, response: RoomEvent, depth: int) -> RoomEvent:
    return response.model_copy(
        update={
            "room_id": parent.room_id,
            "chain_depth": depth,
            "parent_event_id": response.parent_event_id or parent.id,
            "correlation_id": response.correlation_id or parent.correlation_id or parent.id,
        }
    )
