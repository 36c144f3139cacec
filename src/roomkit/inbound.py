"""The inbound pipeline, ① → ⑨, one call per step.

process_inbound(message)
  admit            a valid InboundMessage, within inbound_rate_limit (admission.py)
  route            which room (routing.py); the kit creates one if the router finds none
  context          the room as channels and hooks see it (rooms.py)
  handle_inbound   the channel turns the message into an event (channels/)
  identify         resolver + identity hooks (identity/step.py)
  process_event    ↓ the same path as events sent by channels and AI responses
process_event(event)
  lock             one event at a time per room (locks/), bounded by process_timeout
  commit           idempotency, BEFORE_BROADCAST hooks, store (commit.py)
  deliver          fan-out to transports (broadcast/plan.py, deliver.py)
  after hooks      AFTER_BROADCAST, fire-and-forget (hooks/engine.py)
  react            intelligence channels answer; responses re-enter (broadcast/reentry.py)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from roomkit._aio import run_with_timeout
from roomkit.admission import InboundRateLimiter, admit
from roomkit.broadcast.deliver import Deliverer
from roomkit.broadcast.plan import Target, may_send, plan
from roomkit.broadcast.reentry import react
from roomkit.channels.base import Channel
from roomkit.commit import Commit, commit
from roomkit.errors import (
    ChannelNotRegisteredError,
    ProcessTimeoutError,
    RoomClosedError,
)
from roomkit.framework_events import FrameworkEventBus
from roomkit.hooks.engine import HookEngine
from roomkit.identity.step import IdentityOutcome, IdentityStep
from roomkit.locks.base import RoomLockManager
from roomkit.models._base import assemble
from roomkit.models.enums import HookTrigger, IdentificationStatus, RoomStatus
from roomkit.models.event import RoomEvent
from roomkit.models.inbound import InboundMessage, InboundResult
from roomkit.models.participant import Participant
from roomkit.models.room import RoomContext
from roomkit.rooms import RoomDirectory
from roomkit.routing import InboundRoomRouter
from roomkit.store.base import ConversationStore
from roomkit.timers import RoomTimekeeper, has_thresholds

CreateRoom = Callable[[Channel, InboundMessage], Awaitable[str]]


@dataclass(slots=True)
class Pipeline:
    """The collaborators of one kit, and the path every event takes through them."""

    store: ConversationStore
    channels: dict[str, Channel]
    rooms: RoomDirectory
    router: InboundRoomRouter
    create_room_for: CreateRoom
    identity: IdentityStep
    locks: RoomLockManager
    hooks: HookEngine
    deliverer: Deliverer
    bus: FrameworkEventBus
    max_chain_depth: int
    process_timeout: float
    limiter: InboundRateLimiter | None = None
    timekeeper: RoomTimekeeper | None = None

    async def process_inbound(
        self, message: InboundMessage, room_id: str | None = None
    ) -> InboundResult:
        """Run an inbound message through the whole pipeline.

        Raises:
            InvalidMessageError: ``message`` cannot be stored as it is (nothing written).
        """
        message = admit(message)
        if self.limiter is not None and not self.limiter.allow(message.channel_id):
            await self.bus.emit(
                "inbound_rate_limited",
                channel_id=message.channel_id,
                data={"sender_id": message.sender_id},
            )
            return InboundResult(blocked=True, reason="rate_limited")
        channel = self._channel(message.channel_id)
        if room_id is None:
            room_id = await self._route(channel, message)
        context = await self.rooms.context(room_id)
        if context.room.status is not RoomStatus.ACTIVE:
            raise RoomClosedError(room_id)
        event = await channel.handle_inbound(message, context)
        outcome = await self.identity.run(message, event, context)
        if outcome.blocked:
            await self.bus.emit(
                "identity_rejected",
                room_id=room_id,
                channel_id=channel.channel_id,
                data={"reason": outcome.reason, "sender_id": message.sender_id},
            )
            return InboundResult(blocked=True, reason=outcome.reason)
        if outcome.status is not None:
            event = await self._record_identity(event, outcome, context)
            if outcome.identity is not None:
                await self.bus.emit(
                    "identity_resolved",
                    room_id=room_id,
                    channel_id=channel.channel_id,
                    data={"identity_id": outcome.identity.id, "sender_id": message.sender_id},
                )
        binding = context.get_binding(channel.channel_id)
        if binding is not None and not may_send(binding):
            reason = f"channel {channel.channel_id!r} is muted or may not write in this room"
            await self.bus.emit("event_blocked", room_id=room_id, data={"reason": reason})
            return InboundResult(blocked=True, reason=reason)
        return await self.process_event(event, context)

    async def process_event(self, event: RoomEvent, context: RoomContext) -> InboundResult:
        """Lock, commit, deliver, fire AFTER_BROADCAST, then let intelligence react."""
        try:
            # No timer unless the locked phase waits: with in-process backends it mostly
            # does not, and a timer per message would cost more than the phase itself.
            done, intelligence = await run_with_timeout(
                self._locked(event, context), self.process_timeout
            )
        except TimeoutError:
            await self.bus.emit("process_timeout", room_id=event.room_id, event_id=event.id)
            raise ProcessTimeoutError(event.room_id, self.process_timeout) from None
        return await self._after_commit(done, context, intelligence)

    async def _locked(
        self, event: RoomEvent, context: RoomContext
    ) -> tuple[Commit, tuple[Target, ...]]:
        """Under the room's lock: commit, then deliver to transports (and injected events).

        Returns the commit and the intelligence channels to react afterwards, outside the
        lock.
        """
        room_id = event.room_id
        intelligence: tuple[Target, ...] = ()
        async with self.locks.locked(room_id):
            done = await commit(self.store, self.hooks, event, context)
            if not done.duplicate:
                self.rooms.record(done.event)
            if not (done.duplicate or done.blocked):
                state = await self.rooms.state(room_id)
                if self.timekeeper is not None and has_thresholds(state.room):
                    await self.timekeeper.touch(room_id, done.event.created_at)
                    state = await self.rooms.state(room_id)
                targets = state.plan(done.event, self.channels)
                await self.deliverer.deliver(done.event, targets.transports, context)
                intelligence = targets.intelligence
            await self._inject(done, context)
        return done, intelligence

    async def _after_commit(
        self, done: Commit, context: RoomContext, intelligence: tuple[Target, ...]
    ) -> InboundResult:
        stored = done.event
        if done.duplicate:
            await self.bus.emit("event_duplicate", room_id=stored.room_id, event_id=stored.id)
            return InboundResult(event=stored, duplicate=True)
        if done.blocked:
            await self.bus.emit(
                "event_blocked",
                room_id=stored.room_id,
                event_id=stored.id,
                data={"reason": done.reason, "hook": done.blocked_by},
            )
            return InboundResult(event=stored, blocked=True, reason=done.reason)
        self.hooks.fire_async(HookTrigger.AFTER_BROADCAST, stored, context)
        await self.hooks.let_run()
        if self.bus.listens("event_processed"):  # no coroutine per message for nobody
            await self.bus.emit(
                "event_processed",
                room_id=stored.room_id,
                channel_id=stored.source.channel_id,
                event_id=stored.id,
                data={"index": stored.index, "chain_depth": stored.chain_depth},
            )
        if intelligence:
            await self._react(stored, intelligence, context)
        values = {"event": stored, "blocked": False, "reason": None, "duplicate": False}
        return assemble(InboundResult, values, set(values))

    async def _react(
        self, event: RoomEvent, targets: tuple[Target, ...], context: RoomContext
    ) -> None:
        # Fresh context: the intelligence must see the event it is answering.
        fresh = await self.rooms.context(event.room_id)
        reaction = await react(
            event, targets, fresh, self.max_chain_depth, self._report_channel_error
        )
        for task in reaction.tasks:
            await self.store.add_task(task)
        for observation in reaction.observations:
            await self.store.add_observation(observation)
        for dropped in reaction.too_deep:
            await self.bus.emit(
                "chain_depth_exceeded",
                room_id=event.room_id,
                channel_id=dropped.source.channel_id,
                event_id=event.id,
                data={"chain_depth": dropped.chain_depth, "max_chain_depth": self.max_chain_depth},
            )
        for response in reaction.responses:
            await self.process_event(response, await self.rooms.context(event.room_id))

    async def _inject(self, done: Commit, context: RoomContext) -> None:
        """Store the events hooks asked to inject and deliver them to their targets."""
        for injected in done.injected:
            event = injected.event.model_copy(update={"room_id": context.room.id})
            stored = await self.store.add_event(event)
            self.rooms.record(stored)
            targets = plan(stored, context.bindings, self.channels).transports
            if injected.target_channel_ids is not None:
                wanted = set(injected.target_channel_ids)
                targets = tuple(t for t in targets if t.binding.channel_id in wanted)
            await self.deliverer.deliver(stored, targets, context)

    async def _route(self, channel: Channel, message: InboundMessage) -> str:
        room_id = await self.router.route(
            channel.channel_id, channel.channel_type, message.sender_id, message.metadata
        )
        if room_id is None:
            room_id = await self.create_room_for(channel, message)
        return room_id

    async def _record_identity(
        self, event: RoomEvent, outcome: IdentityOutcome, context: RoomContext
    ) -> RoomEvent:
        """Keep the sender as a participant of the room and name them on the event."""
        identity = outcome.identity
        participant_id = identity.id if identity is not None else event.source.participant_id
        if participant_id is None:
            return event
        existing = await self.store.get_participant(context.room.id, participant_id)
        status = outcome.status or IdentificationStatus.PENDING
        if existing is None or existing.identification is not status:
            await self.store.add_participant(
                Participant(
                    id=participant_id,
                    room_id=context.room.id,
                    channel_id=event.source.channel_id,
                    display_name=(identity.display_name if identity else None)
                    or outcome.display_name,
                    identification=status,
                    identity_id=identity.id if identity else None,
                    candidates=[c.id for c in outcome.candidates],
                    external_id=event.source.participant_id,
                )
            )
            self.rooms.invalidate(context.room.id)
        if event.source.participant_id == participant_id:
            return event
        source = event.source.model_copy(update={"participant_id": participant_id})
        return event.model_copy(update={"source": source})

    async def _report_channel_error(
        self, event: RoomEvent, target: Target, error: BaseException
    ) -> None:
        await self.bus.emit(
            "channel_error",
            room_id=event.room_id,
            channel_id=target.channel.channel_id,
            event_id=event.id,
            data={"error": repr(error)},
        )

    def _channel(self, channel_id: str) -> Channel:
        channel = self.channels.get(channel_id)
        if channel is None:
            raise ChannelNotRegisteredError(channel_id, list(self.channels))
        return channel
