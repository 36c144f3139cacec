"""BEFORE_TOOL_USE, ON_TOOL_CALL and AFTER_TOOL_ROUND: the kit's hooks around AI tool use.

An AI channel exposes callbacks around its tool loop; the kit fills the ones the user left
empty with these, so tool hooks are registered like every other hook (``kit.hook``), with
filters matching the AI channel. Each hook receives a SYSTEM event from the AI channel
whose ``content.data`` describes the call (``tool``, ``arguments``, ``round``, and for
ON_TOOL_CALL the ``result`` and ``is_error``). A BEFORE_TOOL_USE hook that blocks refuses
the call (the model reads the reason); one that modifies the event's ``data["arguments"]``
changes the arguments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from roomkit.hooks.engine import HookEngine
from roomkit.models.content import SystemContent
from roomkit.models.enums import ChannelType, EventType, HookTrigger
from roomkit.models.event import EventSource, RoomEvent
from roomkit.rooms import RoomDirectory

if TYPE_CHECKING:
    from roomkit.channels.ai.tools import ToolCallInfo, ToolDecision, ToolHooks, ToolRound
    from roomkit.providers.ai.base import AIToolCall, AIToolResultPart


class ToolHookBridge:
    """Runs the kit's tool hooks for AI channels' tool loops."""

    def __init__(self, hooks: HookEngine, rooms: RoomDirectory) -> None:
        self._hooks = hooks
        self._rooms = rooms

    def install(self, tool_hooks: ToolHooks) -> None:
        """Fill the callbacks the user did not set."""
        tool_hooks.before_tool_use = tool_hooks.before_tool_use or self.before_tool_use
        tool_hooks.on_tool_call = tool_hooks.on_tool_call or self.on_tool_call
        tool_hooks.after_tool_round = tool_hooks.after_tool_round or self.after_tool_round

    async def before_tool_use(self, call: AIToolCall, info: ToolCallInfo) -> ToolDecision | None:
        from roomkit.channels.ai.tools import ToolDecision

        event = _event(info, "before_tool_use", tool=call.name, arguments=call.arguments)
        context = await self._rooms.context(info.room_id)
        outcome = await self._hooks.run_sync(HookTrigger.BEFORE_TOOL_USE, event, context)
        if outcome.blocked:
            return ToolDecision.block(outcome.reason or "blocked by a hook")
        content = outcome.event.content
        if outcome.event is not event and isinstance(content, SystemContent):
            arguments = content.data.get("arguments")
            if isinstance(arguments, dict) and arguments != call.arguments:
                return ToolDecision.modify(arguments)
        return None

    async def on_tool_call(
        self, call: AIToolCall, result: AIToolResultPart, info: ToolCallInfo
    ) -> None:
        event = _event(
            info,
            "on_tool_call",
            tool=call.name,
            arguments=call.arguments,
            result=result.result,
            is_error=result.is_error,
        )
        context = await self._rooms.context(info.room_id)
        await self._hooks.run_trigger(HookTrigger.ON_TOOL_CALL, event, context)

    async def after_tool_round(self, round: ToolRound) -> None:
        event = _event(
            round.info,
            "after_tool_round",
            tools=[c.name for c in round.calls],
            errors=sum(r.is_error for r in round.results),
        )
        context = await self._rooms.context(round.info.room_id)
        await self._hooks.run_trigger(HookTrigger.AFTER_TOOL_ROUND, event, context)


def _event(info: ToolCallInfo, code: str, **data: Any) -> RoomEvent:
    return RoomEvent(
        room_id=info.room_id,
        type=EventType.SYSTEM,
        source=EventSource(channel_id=info.channel_id, channel_type=ChannelType.AI),
        content=SystemContent(
            body=code,
            code=code,
            data={"loop_id": info.loop_id, "round": info.round, **data},
        ),
        parent_event_id=info.event.id,
    )
