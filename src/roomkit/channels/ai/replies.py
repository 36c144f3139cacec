"""What a turn hands back: the answer event, a notice, or an error event — never nothing
when something went wrong."""

from __future__ import annotations

import logging
from typing import Any

from roomkit.channels.ai.tool_loop import LoopOutcome
from roomkit.errors import ProviderError
from roomkit.models._base import new_id
from roomkit.models.channel import ChannelOutput
from roomkit.models.content import SystemContent, TextContent
from roomkit.models.enums import ChannelDirection, ChannelType, EventType
from roomkit.models.event import EventSource, RoomEvent

logger = logging.getLogger(__name__)

PROVIDER_ERROR = "ai_provider_error"
LOOP_LIMIT = "ai_tool_loop_limit"


def draft_reply(event: RoomEvent, channel_id: str, provider: str) -> RoomEvent:
    """The reply event-to-be for ``event``, with empty text (its id is final)."""
    return RoomEvent(
        room_id=event.room_id,
        type=EventType.MESSAGE,
        source=EventSource(
            channel_id=channel_id,
            channel_type=ChannelType.AI,
            direction=ChannelDirection.OUTBOUND,
            provider=provider,
        ),
        content=TextContent(body=""),
        chain_depth=event.chain_depth + 1,
        correlation_id=event.correlation_id,
        metadata={"in_reply_to": event.id},
    )


def answer(
    draft: RoomEvent, outcome: LoopOutcome, summary: dict[str, Any], model: str
) -> ChannelOutput:
    """The output for a loop that ended, whatever way.

    The last response's ``tasks`` and ``observations`` are handed on. Text becomes the
    reply. Without text: nothing after a cancel or an empty answer, a
    notice when a limit cut the loop short, so the room knows why no answer came.
    """
    last = outcome.last_response
    extras: dict[str, Any] = {
        "tasks": list(last.tasks) if last else [],
        "observations": list(last.observations) if last else [],
    }
    if not outcome.text:
        if outcome.stop_reason not in ("max_tool_rounds", "timeout"):
            return ChannelOutput(metadata=summary, **extras)
        body = f"The AI assistant stopped before answering ({outcome.stop_reason})."
        notice = system_event(draft, body, LOOP_LIMIT, summary)
        return ChannelOutput(responded=True, response_events=[notice], metadata=summary, **extras)
    metadata = {
        **draft.metadata,
        **summary,
        "model": model,
        "finish_reason": last.finish_reason if last else None,
    }
    if outcome.thinking:
        metadata["thinking"] = outcome.thinking
    reply = draft.model_copy(
        update={"content": TextContent(body=outcome.text), "metadata": metadata}
    )
    return ChannelOutput(responded=True, response_events=[reply], metadata=summary, **extras)


def failure(draft: RoomEvent, error: Exception) -> ChannelOutput:
    """A ``SYSTEM`` event saying the assistant could not answer, and why.

    A :class:`ProviderError`'s message is shown; any other exception is a bug whose
    message may hold anything, so only its type is.
    """
    if isinstance(error, ProviderError):
        logger.warning("AI provider failed: %s", error)
        reason = str(error)
        data: dict[str, Any] = {
            "provider": error.provider,
            "status_code": error.status_code,
            "retryable": error.retryable,
        }
    else:
        logger.error("AI turn failed", exc_info=error)
        reason, data = f"internal error ({type(error).__name__})", {}
    body = f"The AI assistant could not answer: {reason}"
    notice = system_event(draft.model_copy(update={"id": new_id()}), body, PROVIDER_ERROR, data)
    return ChannelOutput(
        responded=True, response_events=[notice], error=reason, metadata={"failed": True}
    )


def system_event(draft: RoomEvent, body: str, code: str, data: dict[str, Any]) -> RoomEvent:
    """``draft`` turned into a ``SYSTEM`` event carrying :class:`SystemContent`."""
    content = SystemContent(body=body, code=code, data=data)
    return draft.model_copy(update={"type": EventType.SYSTEM, "content": content})
