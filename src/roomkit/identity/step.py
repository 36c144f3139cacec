"""② Identity resolution in the pipeline: resolver under a timeout, then identity hooks.

An ambiguous or unknown result is handed to the ON_IDENTITY_AMBIGUOUS / ON_IDENTITY_UNKNOWN
hooks whose filters match the event, in registration order; the first that returns a result
decides. ``resolved`` identifies the sender, ``pending`` lets the message in with the sender
still to be identified, ``reject`` (or a rejecting resolver) stops the message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from roomkit.errors import IdentityResolverError
from roomkit.hooks.filters import HookRegistration
from roomkit.identity.base import IdentityResolver
from roomkit.models.enums import ChannelType, HookTrigger, IdentificationStatus
from roomkit.models.event import RoomEvent
from roomkit.models.identity import Identity, IdentityHookResult, IdentityResult
from roomkit.models.inbound import InboundMessage
from roomkit.models.room import RoomContext

logger = logging.getLogger(__name__)

_HOOK_TRIGGER = {
    IdentificationStatus.AMBIGUOUS: HookTrigger.ON_IDENTITY_AMBIGUOUS,
    IdentificationStatus.UNKNOWN: HookTrigger.ON_IDENTITY_UNKNOWN,
}

Emit = Callable[..., Awaitable[None]]


@dataclass(slots=True)
class IdentityOutcome:
    """What identity resolution decided for one inbound message."""

    status: IdentificationStatus | None = None
    identity: Identity | None = None
    display_name: str | None = None
    candidates: list[Identity] = field(default_factory=list)
    blocked: bool = False
    reason: str | None = None


class IdentityStep:
    """Runs the resolver (for the configured channel types) and the identity hooks."""

    def __init__(
        self,
        resolver: IdentityResolver | None,
        channel_types: set[ChannelType] | None,
        timeout: float,
        emit: Emit,
    ) -> None:
        self.resolver = resolver
        self.channel_types = frozenset(channel_types) if channel_types is not None else None
        self.timeout = timeout
        self.hooks: list[HookRegistration] = []
        self._emit = emit

    def applies_to(self, channel_type: ChannelType) -> bool:
        """Whether messages from this channel type are resolved at all."""
        if self.resolver is None:
            return False
        return self.channel_types is None or channel_type in self.channel_types

    async def run(
        self, message: InboundMessage, event: RoomEvent, context: RoomContext
    ) -> IdentityOutcome:
        """Resolve the sender of ``message`` (whose event is ``event``) in ``context``."""
        if not self.applies_to(event.source.channel_type):
            return IdentityOutcome()
        result = await self._resolve(message, event, context)
        if not isinstance(result, IdentityResult):
            raise IdentityResolverError(self.resolver, result)
        status = result.status
        if status is IdentificationStatus.IDENTIFIED:
            return IdentityOutcome(status=status, identity=result.identity)
        if status is IdentificationStatus.REJECTED:
            return IdentityOutcome(
                status=status, blocked=True, reason=result.reason or "identity rejected"
            )
        trigger = _HOOK_TRIGGER.get(status)
        decided = await self._run_hooks(trigger, event, context, result) if trigger else None
        if decided is None:
            return IdentityOutcome(status=status, candidates=list(result.candidates or ()))
        return _outcome_of(decided)

    async def _resolve(
        self, message: InboundMessage, event: RoomEvent, context: RoomContext
    ) -> IdentityResult:
        assert self.resolver is not None
        try:
            async with asyncio.timeout(self.timeout):
                return await self.resolver.resolve(message, context)
        except TimeoutError:
            reason = f"identity resolution exceeded identity_timeout={self.timeout:g}s"
        except Exception as exc:
            logger.exception("identity resolver failed")
            reason = f"identity resolver failed: {exc}"
        await self._emit(
            "identity_timeout" if "exceeded" in reason else "hook_error",
            room_id=context.room.id,
            channel_id=event.source.channel_id,
            data={"reason": reason, "sender_id": message.sender_id},
        )
        return IdentityResult(status=IdentificationStatus.UNKNOWN, reason=reason)

    async def _run_hooks(
        self,
        trigger: HookTrigger,
        event: RoomEvent,
        context: RoomContext,
        result: IdentityResult,
    ) -> IdentityHookResult | None:
        for reg in self.hooks:
            if reg.trigger is not trigger or not reg.matches(event):
                continue
            try:
                async with asyncio.timeout(reg.timeout):
                    decided = await reg.fn(event, context, result)
            except Exception as exc:
                logger.exception("identity hook %s failed", reg.label)
                await self._emit(
                    "hook_error",
                    room_id=context.room.id,
                    event_id=event.id,
                    data={"hook": reg.label, "trigger": trigger.value, "error": repr(exc)},
                )
                continue
            if decided is not None:
                return decided  # type: ignore[no-any-return]
        return None


def _outcome_of(decided: IdentityHookResult) -> IdentityOutcome:
    if decided.status is IdentificationStatus.REJECTED:
        return IdentityOutcome(
            status=decided.status, blocked=True, reason=decided.reason or "identity rejected"
        )
    if decided.status is IdentificationStatus.CHALLENGE_SENT:
        return IdentityOutcome(
            status=decided.status, blocked=True, reason=decided.reason or "identity challenge sent"
        )
    return IdentityOutcome(
        status=decided.status,
        identity=decided.identity,
        display_name=decided.display_name,
        candidates=list(decided.candidates or ()),
    )
