"""HookEngine — ordering by priority, timeouts, the sync chain, and owned async hooks.

SYNC hooks run one after another, lowest ``priority`` first, each bounded by its own
``timeout``; each sees the event as modified by the hooks before it. A hook that raises or
times out is reported (through ``reporter``) and the chain goes on — unless the hook was
registered ``fail_closed``, which blocks the event with the error as reason.

ASYNC hooks are fire-and-forget: ``fire_async`` returns at once; the engine owns the task
and ``close()`` waits for it. Errors are reported, never lost silently.
"""

from __future__ import annotations

import asyncio
import logging
from asyncio import iscoroutine
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from roomkit._aio import Continue
from roomkit.errors import HookTimeoutError
from roomkit.hooks.filters import HookRegistration, check_signature
from roomkit.models.enums import HookExecution, HookTrigger
from roomkit.models.event import RoomEvent
from roomkit.models.hook import HookResult, InjectedEvent
from roomkit.models.room import RoomContext
from roomkit.models.task import Observation, Task

logger = logging.getLogger(__name__)

Reporter = Callable[[HookRegistration, BaseException, RoomEvent, RoomContext], Awaitable[None]]


@dataclass(slots=True)
class SyncOutcome:
    """What the sync chain decided for one event."""

    event: RoomEvent
    blocked: bool = False
    reason: str | None = None
    blocked_by: str | None = None
    injected: list[InjectedEvent] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)


# The documented name of what the sync chain returns.
SyncPipelineResult = SyncOutcome

# How every hook is called (identity hooks take a third argument, the IdentityResult).
HOOK_PARAMS = ("event", "context")


async def _no_report(
    reg: HookRegistration, error: BaseException, event: RoomEvent, context: RoomContext
) -> None:
    logger.error("hook %s failed: %r", reg.label, error)


class HookEngine:
    """Holds global and per-room hooks and runs them for a trigger."""

    def __init__(self, *, reporter: Reporter | None = None) -> None:
        self.reporter: Reporter = reporter or _no_report
        self._global: dict[HookTrigger, list[HookRegistration]] = {}
        self._rooms: dict[str, list[HookRegistration]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        # The global hooks that match an event, by trigger, execution and the event's
        # source (all the filters read): the same few answers for every message.
        self._matching: dict[tuple[Any, ...], tuple[HookRegistration, ...]] = {}

    # -- registration --------------------------------------------------------------------

    def register(self, hook: HookRegistration) -> None:
        """Add a global hook.

        Raises:
            HookRegistrationError: the hook's function cannot take ``(event, context)``.
        """
        reg = hook
        check_signature(reg.fn, HOOK_PARAMS)
        hooks = self._global.setdefault(reg.trigger, [])
        hooks.append(reg)
        hooks.sort(key=_priority)  # stable: equal priorities keep registration order
        self._matching.clear()

    def unregister(self, name: str) -> bool:
        """Remove global hooks called ``name``. Returns True if one was removed."""
        removed = False
        for trigger, hooks in self._global.items():
            kept = [h for h in hooks if h.name != name]
            removed |= len(kept) != len(hooks)
            self._global[trigger] = kept
        self._matching.clear()
        return removed

    def add_room_hook(self, room_id: str, hook: HookRegistration) -> None:
        """Add a hook that runs only for events of ``room_id`` (checked as ``register``)."""
        reg = hook
        check_signature(reg.fn, HOOK_PARAMS)
        hooks = self._rooms.setdefault(room_id, [])
        hooks.append(reg)
        hooks.sort(key=_priority)

    def remove_room_hook(self, room_id: str, name: str) -> bool:
        """Remove the room's hooks called ``name``. Returns True if one was removed."""
        hooks = self._rooms.get(room_id, [])
        kept = [h for h in hooks if h.name != name]
        if kept:
            self._rooms[room_id] = kept
        else:
            self._rooms.pop(room_id, None)
        return len(kept) != len(hooks)

    def room_hooks(self, room_id: str) -> list[HookRegistration]:
        """The hooks registered for one room."""
        return list(self._rooms.get(room_id, ()))

    def any_for(self, trigger: HookTrigger, room_id: str) -> bool:
        """Whether any global or room hook is registered for ``trigger`` (filters aside)."""
        if self._global.get(trigger):
            return True
        return any(h.trigger is trigger for h in self._rooms.get(room_id, ()))

    def hooks_for(
        self,
        trigger: HookTrigger,
        execution: HookExecution,
        event: RoomEvent,
        room_id: str,
        skip_event_filter: bool = False,
    ) -> list[HookRegistration]:
        """Global and room hooks for the trigger whose filters match, by priority.

        ``skip_event_filter`` (or an event that is not a RoomEvent, such as a
        DeliveryStatus) ignores the channel filters.
        """
        hooks = self._global.get(trigger, ())
        room = self._rooms.get(room_id)
        if room:
            hooks = sorted([*hooks, *(h for h in room if h.trigger is trigger)], key=_priority)
        elif not hooks:
            return []
        if skip_event_filter or not isinstance(event, RoomEvent):
            return [h for h in hooks if h.execution is execution]
        return [h for h in hooks if h.execution is execution and (h.unfiltered or h.matches(event))]

    def _hooks(
        self, trigger: HookTrigger, execution: HookExecution, event: RoomEvent, room_id: str
    ) -> tuple[HookRegistration, ...] | list[HookRegistration]:
        """``hooks_for`` for the pipeline: the answer for a room without hooks of its own
        is kept per source, since the filters read nothing else of the event."""
        if room_id in self._rooms or type(event) is not RoomEvent:
            return self.hooks_for(trigger, execution, event, room_id)
        source = event.source
        key = (trigger, execution, source.channel_id, source.channel_type, source.direction)
        found = self._matching.get(key)
        if found is None:
            if len(self._matching) >= _MAX_MATCHING:
                self._matching.clear()
            found = self._matching[key] = tuple(self.hooks_for(trigger, execution, event, room_id))
        return found

    # -- running -------------------------------------------------------------------------

    async def run_sync(
        self, trigger: HookTrigger, event: RoomEvent, context: RoomContext
    ) -> SyncOutcome:
        """Run the SYNC chain for ``trigger``; stop at the first block."""
        hooks = self._hooks(trigger, HookExecution.SYNC, event, context.room.id)
        return await self._chain(hooks, event, context)

    async def _chain(
        self,
        hooks: tuple[HookRegistration, ...] | list[HookRegistration],
        event: RoomEvent,
        context: RoomContext,
    ) -> SyncOutcome:
        outcome = SyncOutcome(event)
        for reg in hooks:
            try:
                result = await self._call(reg, outcome.event, context)
            except Exception as exc:
                await self.reporter(reg, exc, outcome.event, context)
                if reg.fail_closed:
                    outcome.blocked, outcome.blocked_by = True, reg.label
                    outcome.reason = f"hook {reg.label!r} failed: {exc}"
                    return outcome
                continue
            if result is not None and self._apply(reg, result, outcome):
                return outcome
        return outcome

    async def run_sync_hooks(
        self,
        room_id: str,
        trigger: HookTrigger,
        event: RoomEvent | Any,
        context: RoomContext,
        *,
        skip_event_filter: bool = False,
    ) -> SyncPipelineResult:
        """Run the room's SYNC hooks for ``trigger`` in priority order; stop at a block."""
        hooks = self.hooks_for(trigger, HookExecution.SYNC, event, room_id, skip_event_filter)
        return await self._chain(hooks, event, context)

    async def run_async_hooks(
        self,
        room_id: str,
        trigger: HookTrigger,
        event: RoomEvent | Any,
        context: RoomContext,
        *,
        skip_event_filter: bool = False,
        name_prefix: str | None = None,
        exclude_name_prefix: str | None = None,
    ) -> None:
        """Run the room's ASYNC hooks for ``trigger`` and wait for them (errors reported).

        ``name_prefix`` keeps only hooks whose name starts with it; ``exclude_name_prefix``
        drops those whose name does.
        """
        hooks = [
            h
            for h in self.hooks_for(trigger, HookExecution.ASYNC, event, room_id, skip_event_filter)
            if (name_prefix is None or h.name.startswith(name_prefix))
            and (exclude_name_prefix is None or not h.name.startswith(exclude_name_prefix))
        ]
        await asyncio.gather(*(self._guarded(h, event, context) for h in hooks))

    def fire_async(self, trigger: HookTrigger, event: RoomEvent, context: RoomContext) -> None:
        """Start the ASYNC hooks for ``trigger`` in an owned task and return at once."""
        hooks = self._hooks(trigger, HookExecution.ASYNC, event, context.room.id)
        if hooks:
            self._spawn(self._run_all(hooks, event, context))

    async def run_trigger(
        self, trigger: HookTrigger, event: RoomEvent, context: RoomContext
    ) -> None:
        """For lifecycle triggers: await SYNC hooks (errors isolated), fire ASYNC ones."""
        sync = self.hooks_for(trigger, HookExecution.SYNC, event, context.room.id)
        if sync:
            await self._run_all(sync, event, context)
        self.fire_async(trigger, event, context)

    async def close(self) -> None:
        """Wait for every running ASYNC hook. Idempotent."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def let_run(self) -> None:
        """Yield to the event loop once if ASYNC hook runs are piling up.

        A caller that never waits on anything (a loop over ``process_inbound`` on in-memory
        backends) would otherwise start runs faster than the loop gets to them, and each
        waiting run holds its event and context: memory and garbage-collector work would
        grow with the backlog. One yield lets every run that is ready take its turn.
        """
        if len(self._tasks) > _BACKLOG:
            await asyncio.sleep(0)

    @property
    def pending_tasks(self) -> int:
        """How many ASYNC hook runs are still going."""
        return len(self._tasks)

    # -- internals -----------------------------------------------------------------------

    async def _call(
        self, reg: HookRegistration, event: RoomEvent, context: RoomContext
    ) -> HookResult | None:
        try:
            called = reg.fn(event, context)
            # Plain functions are accepted too: their result is used as is. A coroutine is
            # started here and gets a timer only if it waits (run_with_timeout, inlined:
            # a coroutine more per hook call cost a tenth of the sync chain).
            if iscoroutine(called):
                try:
                    first = called.send(None)
                except StopIteration as stop:
                    result = stop.value
                else:
                    async with asyncio.timeout(reg.timeout):
                        result = await Continue(called, first)
            else:
                result = called
        except TimeoutError:
            raise HookTimeoutError(reg.label, reg.timeout) from None
        if result is not None and not isinstance(result, HookResult):
            raise TypeError(
                f"hook {reg.label!r} returned {type(result).__name__}; expected HookResult or None"
            )
        return result

    def _apply(self, reg: HookRegistration, result: HookResult, outcome: SyncOutcome) -> bool:
        """Fold one hook's result into the outcome; True when the event is blocked."""
        if result.injected_events:
            outcome.injected.extend(result.injected_events)
        if result.tasks:
            outcome.tasks.extend(result.tasks)
        if result.observations:
            outcome.observations.extend(result.observations)
        if result.action == "block":
            outcome.blocked, outcome.blocked_by = True, reg.label
            outcome.reason = result.reason or f"blocked by hook {reg.label!r}"
            return True
        if result.action == "modify" and result.event is not None:
            outcome.event = result.event
        return False

    async def _run_all(
        self,
        hooks: tuple[HookRegistration, ...] | list[HookRegistration],
        event: RoomEvent,
        context: RoomContext,
    ) -> None:
        # ASYNC hooks of one firing share one task and run in turn: a task each would
        # cost more than most hooks do; a slow hook delays only its siblings for this event.
        for reg in hooks:
            await self._guarded(reg, event, context)

    async def _guarded(self, reg: HookRegistration, event: RoomEvent, context: RoomContext) -> None:
        try:
            await self._call(reg, event, context)
        except Exception as exc:
            await self.reporter(reg, exc, event, context)

    def _spawn(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


# ASYNC hook runs in flight past which the pipeline lets them run before going on. Kept
# small: a run that waits behind hundreds of others outlives the collector's young
# generations, and each one promoted to the old generation brings the next full
# collection closer (with 512, a 1,000-room loop spent a third of its time in them).
_BACKLOG = 64


# Distinct (trigger, execution, source) answers kept; past this the memo starts again.
_MAX_MATCHING = 1024


def _priority(reg: HookRegistration) -> int:
    return reg.priority
