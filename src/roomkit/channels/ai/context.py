"""Room timeline → provider messages.

What the AI sees of a room, for one turn:

* only events it may see: visibility ``"all"`` or ``"intelligence"``, or a list of channel
  ids naming it — and always its own past events, so it remembers what it said;
* only conversation: ``MESSAGE`` events that were not blocked;
* its own events as ``assistant`` messages, everyone else's as ``user`` messages, each
  prefixed with ``[speaker]`` once more than one other speaker appears, so the model can
  tell people apart;
* the memory provider's prebuilt messages first, then its events, then the event being
  answered, last;
* for a provider that reads images (``supports_vision``), a user's image is sent as an
  :class:`AIImagePart` after the message's text; otherwise as a ``[mime name]`` line.
"""

from __future__ import annotations

from collections.abc import Iterable

from roomkit.channels.ai.memory import MemoryProvider
from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    EventContent,
    LocationContent,
    MediaContent,
    RichContent,
    SystemContent,
    TemplateContent,
    TextContent,
    VideoContent,
)
from roomkit.models.enums import EventStatus, EventType
from roomkit.models.event import RoomEvent
from roomkit.models.room import RoomContext
from roomkit.providers.ai.base import AIImagePart, AIMessage, AITextPart, MessagePart


def visible_to(event: RoomEvent, channel_id: str) -> bool:
    """Whether the AI channel ``channel_id`` may read ``event``."""
    if event.source.channel_id == channel_id:
        return True
    visibility = event.visibility
    if visibility in ("all", "intelligence"):
        return True
    if visibility in ("none", "transport"):
        return False
    return channel_id in {part.strip() for part in visibility.split(",")}


def is_conversation(event: RoomEvent) -> bool:
    """Whether ``event`` is something said (not a notice, receipt or blocked message)."""
    return event.type is EventType.MESSAGE and event.status is not EventStatus.BLOCKED


def content_text(content: EventContent) -> str | None:
    """What a model should read for ``content``; None when there is nothing to read."""
    if isinstance(content, TextContent | SystemContent):
        return content.body
    if isinstance(content, RichContent):
        return content.plain_text or content.body
    if isinstance(content, TemplateContent):
        return content.body or f"[template {content.template_id}]"
    if isinstance(content, MediaContent):
        name = content.filename or content.url
        caption = f": {content.caption}" if content.caption else ""
        return f"[{content.mime_type} {name}{caption}]"
    if isinstance(content, AudioContent):
        return content.transcript or f"[audio {content.url}]"
    if isinstance(content, VideoContent):
        return f"[video {content.url}]"
    if isinstance(content, LocationContent):
        label = f" {content.label}" if content.label else ""
        return f"[location{label} ({content.latitude}, {content.longitude})]"
    if isinstance(content, CompositeContent):
        parts = [content_text(p) for p in content.parts]
        return "\n".join(p for p in parts if p) or None
    return None  # edits and deletions change earlier events; they say nothing new


class ContextBuilder:
    """Builds the message list of one turn for the AI channel ``channel_id``."""

    def __init__(self, channel_id: str, memory: MemoryProvider, *, vision: bool = False) -> None:
        self.channel_id = channel_id
        self.memory = memory
        self.vision = vision

    def view(self, context: RoomContext) -> RoomContext:
        """``context`` with only the recent events this channel may see."""
        events = [e for e in context.recent_events if visible_to(e, self.channel_id)]
        return context.model_copy(update={"recent_events": events})

    async def messages(self, event: RoomEvent, context: RoomContext) -> list[AIMessage]:
        """The conversation to send for a turn answering ``event``."""
        view = self.view(context)
        memory = await self.memory.retrieve(
            context.room.id, event, view, channel_id=self.channel_id
        )
        # Filtered again: a custom memory provider could return events from elsewhere.
        history = [
            e
            for e in memory.events
            if e.id != event.id and is_conversation(e) and visible_to(e, self.channel_id)
        ]
        history.append(event)
        labels = self._labels(history, context)
        converted = [m for m in (self._message(e, labels) for e in history) if m]
        return [*memory.messages, *_merge_consecutive(converted)]

    def _labels(self, events: list[RoomEvent], context: RoomContext) -> dict[str, str] | None:
        """Speaker labels by speaker key, or None when one speaker needs no label."""
        names = {p.id: p.display_name or p.id for p in context.participants}
        labels: dict[str, str] = {}
        for event in events:
            if event.source.channel_id != self.channel_id:
                key = _speaker_key(event)
                labels[key] = names.get(key, key)
        return labels if len(labels) > 1 else None

    def _message(self, event: RoomEvent, labels: dict[str, str] | None) -> AIMessage | None:
        text = content_text(event.content)
        if not text:
            return None
        if event.source.channel_id == self.channel_id:
            return AIMessage(role="assistant", content=text)
        if labels is not None:
            text = f"[{labels[_speaker_key(event)]}] {text}"
        images = _images(event.content) if self.vision else []
        if images:
            return AIMessage(role="user", content=[AITextPart(text=text), *images])
        return AIMessage(role="user", content=text)


def _images(content: EventContent) -> list[AIImagePart]:
    """The images in ``content`` (a media event, or the parts of a composite one)."""
    parts = content.parts if isinstance(content, CompositeContent) else [content]
    return [
        AIImagePart(url=p.url, mime_type=p.mime_type)
        for p in parts
        if isinstance(p, MediaContent) and p.mime_type.startswith("image/")
    ]


def _parts(message: AIMessage) -> list[MessagePart]:
    return (
        [AITextPart(text=message.content)] if isinstance(message.content, str) else message.content
    )


def _speaker_key(event: RoomEvent) -> str:
    return event.source.participant_id or event.source.channel_id


def _merge_consecutive(messages: Iterable[AIMessage]) -> list[AIMessage]:
    """Join runs of same-role text messages: some vendors refuse two in a row."""
    merged: list[AIMessage] = []
    for message in messages:
        last = merged[-1] if merged else None
        if last is None or last.role != message.role:
            merged.append(message)
        elif isinstance(last.content, str) and isinstance(message.content, str):
            merged[-1] = AIMessage(role=last.role, content=f"{last.content}\n{message.content}")
        else:  # images keep their place among the texts
            merged[-1] = AIMessage(role=last.role, content=[*_parts(last), *_parts(message)])
    return merged
