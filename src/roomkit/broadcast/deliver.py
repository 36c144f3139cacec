"""⑦ Fan-out: deliver an event to every transport target, each bounded by a timeout.

Targets marked ``inline`` (channels or providers that only hand data to in-process code,
see broadcast.plan) are awaited in turn — spending a task on each would cost more than the
delivery itself. Every other channel gets a task of its own so a slow provider delays nobody
else, and all of them share one deadline of ``timeout`` seconds. A channel that raises,
times out, or reports a failed send is a failed delivery, handed to ``report_failure``; it
never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from roomkit.broadcast.plan import Target
from roomkit.broadcast.transcode import ContentTranscoder
from roomkit.models._base import updated
from roomkit.models.binding import ChannelCapabilities
from roomkit.models.channel import ChannelOutput
from roomkit.models.content import TextContent
from roomkit.models.event import RoomEvent
from roomkit.models.room import RoomContext

logger = logging.getLogger(__name__)

FailureReporter = Callable[[RoomEvent, Target, str, RoomContext], Awaitable[None]]


class Deliverer:
    """Transcodes per target and calls ``Channel.deliver`` for each transport target."""

    def __init__(
        self, transcoder: ContentTranscoder, timeout: float, report_failure: FailureReporter
    ) -> None:
        self.transcoder = transcoder
        self.timeout = timeout
        self.report_failure = report_failure

    async def deliver(
        self, event: RoomEvent, targets: tuple[Target, ...], context: RoomContext
    ) -> None:
        """Deliver ``event`` to every target; failures are reported, never raised."""
        slow: list[tuple[RoomEvent, Target]] = []
        # Transcoding depends only on the content and the capabilities, and bindings of one
        # kind of channel share one capabilities object: shape once per run of them.
        capabilities: ChannelCapabilities | None = None
        shaped: RoomEvent | None = None
        plain = type(event.content) is TextContent
        for target in targets:
            if plain and target.carries_text:
                shaped = event  # the common case, decided when the plan was made
                capabilities = None
            elif target.binding.capabilities is not capabilities:
                capabilities = target.binding.capabilities
                shaped = self.shape(event, target)
            if shaped is None:
                await self.report_failure(event, target, "content cannot be carried", context)
            elif target.inline:
                # _deliver_one, inlined: this loop runs for every target of every message.
                try:
                    if target.quiet:
                        error = await target.channel.deliver_for_broadcast(
                            shaped, target.binding, context
                        )
                    else:
                        output = await target.channel.deliver(shaped, target.binding, context)
                        error = _error(output)
                except Exception as exc:
                    await self._failed(shaped, target, exc, context)
                    continue
                if error is not None:
                    await self.report_failure(shaped, target, error, context)
            else:
                slow.append((shaped, target))
        if len(slow) == 1:
            await self._deliver_bounded(*slow[0], context)
        elif slow:
            await self._deliver_concurrently(slow, context)

    def shape(self, event: RoomEvent, target: Target) -> RoomEvent | None:
        """The event as ``target`` can carry it, or None when it cannot at all."""
        content = self.transcoder.transcode(event.content, target.binding.capabilities)
        if content is None:
            return None
        if content is event.content:
            return event
        return updated(event, content=content)

    async def _deliver_one(self, event: RoomEvent, target: Target, context: RoomContext) -> None:
        try:
            if target.quiet:
                error = await target.channel.deliver_for_broadcast(event, target.binding, context)
            else:
                error = _error(await target.channel.deliver(event, target.binding, context))
        except Exception as exc:
            await self._failed(event, target, exc, context)
            return
        if error is not None:
            await self.report_failure(event, target, error, context)

    async def _failed(
        self, event: RoomEvent, target: Target, exc: Exception, context: RoomContext
    ) -> None:
        logger.error(
            "channel %s failed to deliver %s", target.channel.channel_id, event.id, exc_info=exc
        )
        await self.report_failure(event, target, f"{type(exc).__name__}: {exc}", context)

    async def _deliver_bounded(
        self, event: RoomEvent, target: Target, context: RoomContext
    ) -> None:
        try:
            async with asyncio.timeout(self.timeout):
                await self._deliver_one(event, target, context)
        except TimeoutError:
            error = f"delivery timed out after {self.timeout:g}s"
            await self.report_failure(event, target, error, context)

    async def _deliver_concurrently(
        self, jobs: list[tuple[RoomEvent, Target]], context: RoomContext
    ) -> None:
        tasks = {
            asyncio.ensure_future(self._deliver_one(event, target, context)): (event, target)
            for event, target in jobs
        }
        try:
            _, pending = await asyncio.wait(tasks, timeout=self.timeout)
        except BaseException:
            for task in tasks:
                task.cancel()
            raise
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
            for task in pending:
                event, target = tasks[task]
                error = f"delivery timed out after {self.timeout:g}s"
                await self.report_failure(event, target, error, context)


def _error(output: ChannelOutput) -> str | None:
    """Why a delivery failed, or None when it was delivered."""
    return None if output.delivered else output.error or "provider reported failure"
