"""Failures made visible: framework events plus the ON_ERROR / ON_DELIVERY_STATUS hooks."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from roomkit.broadcast.plan import Target
from roomkit.errors import InvalidArgumentError, RoomNotFoundError
from roomkit.framework_events import FrameworkEventBus
from roomkit.hooks.engine import HookEngine
from roomkit.hooks.filters import HookRegistration, check_signature
from roomkit.models.content import SystemContent
from roomkit.models.delivery import DeliveryStatus
from roomkit.models.enums import ChannelType, EventType, HookTrigger
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.room import RoomContext
from roomkit.rooms import RoomDirectory

logger = logging.getLogger(__name__)


def system_event(room_id: str, code: str, body: str, **data: object) -> RoomEvent:
    """A synthetic, unstored event that describes something the framework noticed."""
    return RoomEvent(
        room_id=room_id,
        type=EventType.SYSTEM,
        source=EventSource(channel_id="roomkit", channel_type=ChannelType.SYSTEM),
        content=SystemContent(body=body, code=code, data=dict(data)),
    )


class Reporting:
    """Turns hook errors and failed deliveries into framework events and hook calls."""

    def __init__(self, bus: FrameworkEventBus, hooks: HookEngine) -> None:
        self._bus = bus
        self._hooks = hooks

    async def hook_error(
        self,
        reg: HookRegistration,
        error: BaseException,
        event: RoomEvent | Any,
        context: RoomContext,
    ) -> None:
        """A hook raised or timed out: emit ``hook_error`` and run ON_ERROR hooks.

        ``event`` is usually a RoomEvent; ON_DELIVERY_STATUS hooks get a DeliveryStatus.
        """
        room_id, event_id = context.room.id, getattr(event, "id", None)
        logger.warning("hook %s failed on event %s: %r", reg.label, event_id, error)
        data = {"hook": reg.label, "trigger": reg.trigger.value, "error": str(error)}
        await self._bus.emit("hook_error", room_id=room_id, event_id=event_id, data=data)
        if reg.trigger is HookTrigger.ON_ERROR:
            return  # an ON_ERROR hook that fails is only logged: no loop
        notice = system_event(room_id, "hook_error", str(error), event_id=event_id, **data)
        await self._hooks.run_trigger(HookTrigger.ON_ERROR, notice, context)

    async def delivery_failed(
        self, event: RoomEvent, target: Target, error: str, context: RoomContext
    ) -> None:
        """A channel did not deliver: emit ``delivery_failed``, run ON_DELIVERY_STATUS."""
        channel_id = target.binding.channel_id
        logger.warning("delivery of %s to %s failed: %s", event.id, channel_id, error)
        data = {"error": error, "status": "failed"}
        await self._bus.emit(
            "delivery_failed",
            room_id=event.room_id,
            channel_id=channel_id,
            event_id=event.id,
            data=data,
        )
        notice = system_event(
            event.room_id,
            "delivery_failed",
            error,
            event_id=event.id,
            channel_id=channel_id,
            status="failed",
        )
        await self._hooks.run_trigger(HookTrigger.ON_DELIVERY_STATUS, notice, context)


DeliveryStatusHandler = Callable[[DeliveryStatus], Any]


class DeliveryStatusHandlers:
    """What ``process_delivery_status`` runs: the ``on_delivery_status`` handlers, the
    ``delivery_status`` framework event and the room's ON_DELIVERY_STATUS hooks."""

    def __init__(self, bus: FrameworkEventBus, hooks: HookEngine, rooms: RoomDirectory) -> None:
        self._bus = bus
        self._hooks = hooks
        self._rooms = rooms
        self._handlers: list[DeliveryStatusHandler] = []

    def add(self, fn: DeliveryStatusHandler) -> None:
        """Register a handler called with every DeliveryStatus (sync or async)."""
        check_signature(fn, ("status",))
        self._handlers.append(fn)

    async def process(self, status: DeliveryStatus) -> None:
        """Run every handler (one that raises is logged; the others still run), emit the
        framework event, then run the room's ON_DELIVERY_STATUS hooks with ``status`` as the
        event when the status names a room this kit knows."""
        if not isinstance(status, DeliveryStatus):
            raise InvalidArgumentError("status", status, "a DeliveryStatus")
        for handler in list(self._handlers):
            try:
                result = handler(status)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                logger.exception("delivery status handler %r failed", handler)
        data = {"message_id": status.message_id, "status": status.status}
        await self._bus.emit(
            "delivery_status", room_id=status.room_id, channel_id=status.channel_id, data=data
        )
        if status.room_id is None:
            return
        try:
            context = await self._rooms.context(status.room_id)
        except RoomNotFoundError:
            logger.warning("delivery status for unknown room %r", status.room_id)
            return
        trigger = HookTrigger.ON_DELIVERY_STATUS
        await self._hooks.run_sync_hooks(status.room_id, trigger, status, context)
        await self._hooks.run_async_hooks(status.room_id, trigger, status, context)
