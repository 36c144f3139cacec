"""Failures made visible: framework events plus the ON_ERROR / ON_DELIVERY_STATUS hooks."""

from __future__ import annotations

import logging

from roomkit.broadcast.plan import Target
from roomkit.framework_events import FrameworkEventBus
from roomkit.hooks.engine import HookEngine
from roomkit.hooks.filters import HookRegistration
from roomkit.models.content import SystemContent
from roomkit.models.enums import ChannelType, EventType, HookTrigger
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.room import RoomContext

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
        self, reg: HookRegistration, error: BaseException, event: RoomEvent, context: RoomContext
    ) -> None:
        """A hook raised or timed out: emit ``hook_error`` and run ON_ERROR hooks."""
        logger.warning("hook %s failed on event %s: %r", reg.label, event.id, error)
        data = {"hook": reg.label, "trigger": reg.trigger.value, "error": str(error)}
        await self._bus.emit("hook_error", room_id=event.room_id, event_id=event.id, data=data)
        if reg.trigger is HookTrigger.ON_ERROR:
            return  # an ON_ERROR hook that fails is only logged: no loop
        notice = system_event(event.room_id, "hook_error", str(error), event_id=event.id, **data)
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
