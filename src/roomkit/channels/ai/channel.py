"""AIChannel: on_event → context → tool loop → response event."""

from __future__ import annotations

import logging
from typing import Any

from roomkit.channels.ai import replies
from roomkit.channels.ai.context import ContextBuilder, content_text
from roomkit.channels.ai.memory import MemoryProvider, SlidingWindowMemory
from roomkit.channels.ai.resilience import resilient
from roomkit.channels.ai.skills import (
    READ_ONLY_TOOLS,
    NoScriptExecutor,
    ScriptExecutor,
    Skill,
    SkillRegistry,
    SkillToolset,
)
from roomkit.channels.ai.steering import Cancel, LoopSteering, SteeringDirective
from roomkit.channels.ai.streaming import SinkRun, StreamSink
from roomkit.channels.ai.tool_loop import LoopLimits, LoopOutcome, ToolLoop
from roomkit.channels.ai.tools import (
    ToolCallInfo,
    ToolExecutor,
    ToolHandler,
    ToolHooks,
    ToolPolicy,
    binding_tools,
    unique_tools,
)
from roomkit.channels.base import Channel
from roomkit.models.binding import ChannelBinding, ChannelCapabilities
from roomkit.models.channel import ChannelOutput
from roomkit.models.enums import (
    Access,
    ChannelCategory,
    ChannelMediaType,
    ChannelType,
    EventStatus,
    EventType,
)
from roomkit.models.event import RoomEvent
from roomkit.models.inbound import InboundMessage
from roomkit.models.policy import RetryPolicy
from roomkit.models.room import RoomContext
from roomkit.providers.ai.base import AIContext, AIProvider, AITool

logger = logging.getLogger(__name__)


class AIChannel(Channel):
    """AI intelligence channel that generates responses using an AI provider.

    For each event it may answer, :meth:`on_event` builds the conversation (see
    :mod:`~roomkit.channels.ai.context`), runs the tool loop (see
    :mod:`~roomkit.channels.ai.tool_loop`) and returns the answer as one response event
    in ``ChannelOutput.response_events``. It never answers its own events, nor events
    that are not messages, nor while its binding is muted or read-only.

    Per room, binding metadata overrides ``system_prompt``, ``temperature``,
    ``max_tokens`` and ``thinking_budget``, and ``tools`` (dicts with ``name``,
    ``description``, ``parameters``) adds tools, served by :attr:`tool_handler`. The
    context sent to the provider holds the room and, as ``target_capabilities`` and
    ``target_media_types``, what the channel the event came from can show.

    **Failures.** Provider calls go through ``retry_policy`` then ``fallback_provider``
    (see :mod:`~roomkit.channels.ai.resilience`). When all of that fails, the output holds
    a ``SYSTEM`` event with :class:`SystemContent` (``code="ai_provider_error"``) saying
    so, and ``ChannelOutput.error`` the reason: a failure is never silent.

    **Streaming.** ``set_stream_sink(sink)`` installs
    ``async sink(text_stream, event, context) -> None``. When a sink is set and the
    provider streams, each turn starts the sink in a task it owns, pushes every text
    delta (of every tool round) into ``text_stream``, ends it when the turn ends and waits
    for the sink before returning. ``event`` is the response event-to-be: the same ``id``,
    source and ``chain_depth`` as the final event, with empty text. The final event is
    still returned in ``response_events`` (with ``ChannelOutput.metadata["streamed"]``
    True), so the caller can skip the channels that already showed it. If the turn fails,
    iterating ``text_stream`` raises the error. See :mod:`~roomkit.channels.ai.streaming`.

    **Tool hooks.** :attr:`tool_hooks` holds optional async callbacks
    ``before_tool_use(call, info) -> ToolDecision | None``,
    ``on_tool_call(call, result, info)`` and ``after_tool_round(round)``; see
    :mod:`~roomkit.channels.ai.tools`.

    **Steering.** :meth:`steer` reaches a running loop; loop ids are in
    :attr:`active_loops`, in ``ToolCallInfo.loop_id`` and in the output's metadata.

    Args:
        channel_id: the channel's id.
        provider: the model backend.
        system_prompt, temperature, max_tokens, thinking_budget: the defaults each
            room's binding metadata may override.
        max_context_events: how many recent events the default memory
            (:class:`~roomkit.channels.ai.SlidingWindowMemory`) sends; unused when
            ``memory`` is given.
        tool_handler: ``async (name, arguments) -> str`` serving tool calls.
        max_tool_rounds, tool_loop_timeout_seconds, tool_loop_warn_after: the tool
            loop's limits (``None`` timeout: no limit).
        retry_policy, fallback_provider: resilience around ``provider``.
        skills: a :class:`~roomkit.channels.ai.SkillRegistry` (or a list of
            :class:`~roomkit.channels.ai.Skill`): their catalogue joins the system prompt
            and their tools are offered. Skill discovery from folders and the wider agent
            layer (``roomkit.skills``) come with the AI-agents work; today's registry is
            the one in ``roomkit.channels.ai``.
        script_executor: runs skill scripts (a
            :class:`~roomkit.channels.ai.ScriptExecutor`); the default refuses them.
        memory: a :class:`~roomkit.channels.ai.MemoryProvider` choosing what of the room
            the model sees (``roomkit.memory`` comes with the AI-agents work).
        tool_policy: a :class:`~roomkit.channels.ai.ToolPolicy` filtering and refusing
            tools by name.
    """

    channel_type = ChannelType.AI
    category = ChannelCategory.INTELLIGENCE

    def __init__(
        self,
        channel_id: str,
        provider: AIProvider,
        system_prompt: str | None = None,
        temperature: float = 0.7,
        max_tokens: int = 1024,
        max_context_events: int = 50,
        tool_handler: ToolHandler | None = None,
        max_tool_rounds: int = 200,
        tool_loop_timeout_seconds: float | None = 300.0,
        tool_loop_warn_after: int = 50,
        retry_policy: RetryPolicy | None = None,
        fallback_provider: AIProvider | None = None,
        skills: SkillRegistry | list[Skill] | None = None,
        script_executor: ScriptExecutor | None = None,
        memory: MemoryProvider | None = None,
        tool_policy: ToolPolicy | None = None,
        thinking_budget: int | None = None,
    ) -> None:
        super().__init__(channel_id)
        _warn_unused(channel_id, max_context_events, memory, script_executor, skills)
        self.provider = provider
        self.fallback_provider = fallback_provider
        self.system_prompt = system_prompt
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.thinking_budget = thinking_budget
        self.retry_policy = retry_policy
        self.tool_policy = tool_policy
        self.limits = LoopLimits(max_tool_rounds, tool_loop_timeout_seconds, tool_loop_warn_after)
        self.memory = memory if memory is not None else SlidingWindowMemory(max_context_events)
        self.script_executor = (
            script_executor if script_executor is not None else NoScriptExecutor()
        )
        self.tool_hooks = ToolHooks()
        self._tool_handler = tool_handler
        self._extra_tools: list[AITool] = []
        self._skills = self._skill_toolset(skills)
        self._generator = resilient(provider, retry_policy, fallback_provider)
        self._context = ContextBuilder(
            channel_id, self.memory, vision=self._generator.supports_vision
        )
        self._stream_sink: StreamSink | None = None
        self._loops: dict[str, LoopSteering] = {}
        self._closed = False

    def _skill_toolset(self, skills: SkillRegistry | list[Skill] | None) -> SkillToolset | None:
        if skills is None:
            return None
        registry = skills if isinstance(skills, SkillRegistry) else SkillRegistry(skills)
        return SkillToolset(registry, self.script_executor) if registry.skills() else None

    @property
    def tool_handler(self) -> ToolHandler | None:
        """The current tool handler (may be wrapped by orchestration)."""
        return self._tool_handler

    @tool_handler.setter
    def tool_handler(self, handler: ToolHandler | None) -> None:
        self._tool_handler = handler

    @property
    def extra_tools(self) -> list[AITool]:
        """Extra tools injected by orchestration (e.g. handoff tool).

        The live list: append :class:`AITool` objects to offer them in every room; their
        calls go to :attr:`tool_handler`.
        """
        return self._extra_tools

    @property
    def info(self) -> dict[str, Any]:
        """The provider and model, copied into the channel's bindings' metadata."""
        return {"provider": self._generator.name, "model": self._generator.model_name}

    def capabilities(self) -> ChannelCapabilities:
        """Text and rich text; media too when the provider reads images."""
        media = (ChannelMediaType.TEXT, ChannelMediaType.RICH)
        if self._generator.supports_vision:
            return ChannelCapabilities(
                media_types=(*media, ChannelMediaType.MEDIA),
                supports_rich_text=True,
                supports_media=True,
            )
        return ChannelCapabilities(media_types=media, supports_rich_text=True)

    @property
    def active_loops(self) -> list[str]:
        """Ids of the running tool loops, oldest first."""
        return list(self._loops)

    def set_stream_sink(self, sink: StreamSink | None) -> None:
        """Install (or remove, with None) the sink receiving streamed answers."""
        self._stream_sink = sink

    def steer(self, directive: SteeringDirective, *, loop_id: str | None = None) -> None:
        """Enqueue a steering directive for the active tool loop.

        Safe to call from any coroutine. Cancel directives also set the fast-path cancel
        event so the loop can exit without waiting for the next drain point.

        Args:
            directive: The steering directive to enqueue.
            loop_id: Optional loop ID to target. If None, targets the most recently started
                active loop.
        """
        if loop_id is not None:
            target = self._loops.get(loop_id)
        else:
            target = next(reversed(self._loops.values()), None)
        if target is None:
            logger.info("steer(%s): no active loop %s", type(directive).__name__, loop_id or "")
            return
        target.push(directive)

    async def close(self) -> None:
        """Close the channel, its provider, and the memory provider."""
        if self._closed:
            return
        self._closed = True
        for steering in list(self._loops.values()):
            steering.push(Cancel(reason="channel closed"))
        await self._generator.close()
        await self.memory.close()

    async def handle_inbound(self, message: InboundMessage, context: RoomContext) -> RoomEvent:
        """AI channels take no inbound messages: they answer events in :meth:`on_event`."""
        raise NotImplementedError(f"{self!r} is an intelligence channel; it has no inbound")

    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        """Intelligence channels are not called via deliver by the router."""
        return ChannelOutput.empty()

    def _answers(self, event: RoomEvent, binding: ChannelBinding) -> bool:
        if event.source.channel_id == self.channel_id:
            return False  # never answer itself: that would loop forever
        if self._closed or binding.muted or binding.access in (Access.READ_ONLY, Access.NONE):
            return False
        if event.type is not EventType.MESSAGE or event.status is EventStatus.BLOCKED:
            return False
        return bool(content_text(event.content))

    async def on_event(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        """React to an event by generating an AI response.

        Skips events from this channel to prevent self-loops. When a stream sink is set
        and the provider streams, text deltas of every round reach the sink as they come;
        otherwise each round is one ``generate`` call. The tool loop runs either way.
        """
        if not self._answers(event, binding):
            return ChannelOutput.empty()
        draft = replies.draft_reply(event, self.channel_id, self._generator.name)
        try:
            ai_context, executor = await self._prepare(event, binding, context)
        except Exception as exc:  # bad binding metadata, a failing memory provider
            return replies.failure(draft, exc)
        steering = LoopSteering(room_id=context.room.id)
        sink = self._open_sink(draft, context)
        info = ToolCallInfo(self.channel_id, context.room.id, steering.loop_id, 0, event)
        loop = ToolLoop(
            self._generator, executor, steering, info, limits=self.limits,
            after_tool_round=self.tool_hooks.after_tool_round,
            on_text=sink.stream.push if sink is not None else None,
        )  # fmt: skip
        self._loops[steering.loop_id] = steering
        try:
            outcome = await loop.run(ai_context)
        except Exception as exc:
            if sink is not None:
                await sink.finish(exc)
            return replies.failure(draft, exc)
        except BaseException:
            if sink is not None:
                sink.abort()
            raise
        finally:
            self._loops.pop(steering.loop_id, None)
        if sink is not None:
            await sink.finish(None)
        return replies.answer(draft, outcome, self._summary(outcome, steering, sink is not None),
                              self._generator.model_name)  # fmt: skip

    def _summary(
        self, outcome: LoopOutcome, steering: LoopSteering, streamed: bool
    ) -> dict[str, Any]:
        summary: dict[str, Any] = {
            "loop_id": steering.loop_id,
            "stop_reason": outcome.stop_reason,
            "tool_rounds": outcome.rounds,
            "usage": outcome.usage,
            "streamed": streamed,
        }
        if outcome.stop_reason == "cancelled":
            summary["cancel_reason"] = steering.cancel_reason
        return summary

    async def _prepare(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> tuple[AIContext, ToolExecutor]:
        meta = binding.metadata
        tools = unique_tools([*binding_tools(meta), *self._extra_tools])
        if self.tool_policy is not None:
            tools = self.tool_policy.filter(tools)
        prompt = meta.get("system_prompt", self.system_prompt)
        # The answer goes back where the question came from: the model may shape it to fit.
        target = context.get_binding(event.source.channel_id)
        if self._skills is not None:
            prompt = "\n\n".join(p for p in (prompt, self._skills.prompt()) if p)
            tools = unique_tools([*tools, *self._skill_tools()])
        ai_context = AIContext(
            messages=await self._context.messages(event, context),
            system_prompt=prompt,
            temperature=float(meta.get("temperature", self.temperature)),
            max_tokens=int(meta.get("max_tokens", self.max_tokens)),
            thinking_budget=meta.get("thinking_budget", self.thinking_budget),
            tools=tools,
            room=context,
            target_capabilities=target.capabilities if target else None,
            target_media_types=list(target.capabilities.media_types) if target else [],
            metadata={"room_id": context.room.id, "channel_id": self.channel_id},
        )
        executor = ToolExecutor(
            handler=self._tool_handler,
            offered={t.name for t in tools},
            toolsets=[self._skills] if self._skills is not None else [],
            policy=self.tool_policy,
            exempt=set(READ_ONLY_TOOLS) if self._skills is not None else set(),
            hooks=self.tool_hooks,
        )
        return ai_context, executor

    def _skill_tools(self) -> list[AITool]:
        assert self._skills is not None
        policy = self.tool_policy
        return [
            t
            for t in self._skills.tools()
            if t.name in READ_ONLY_TOOLS or policy is None or policy.permits(t.name)
        ]

    def _open_sink(self, draft: RoomEvent, context: RoomContext) -> SinkRun | None:
        """A sink run for this turn, when a sink is set and the provider streams."""
        if self._stream_sink is None or not self._generator.supports_streaming:
            return None
        return SinkRun(self._stream_sink, draft, context)


def _warn_unused(
    channel_id: str,
    max_context_events: int,
    memory: MemoryProvider | None,
    script_executor: ScriptExecutor | None,
    skills: SkillRegistry | list[Skill] | None,
) -> None:
    """Say so when a parameter given can have no effect, rather than ignore it silently."""
    if memory is not None and max_context_events != 50:
        logger.warning(
            "AIChannel %r: max_context_events=%d is unused: the memory given decides the context",
            channel_id, max_context_events,
        )  # fmt: skip
    if script_executor is not None and not skills:
        logger.warning(
            "AIChannel %r: script_executor is unused: it runs skill scripts and no skills "
            "were given", channel_id,
        )  # fmt: skip
