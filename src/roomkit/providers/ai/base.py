"""AIProvider — the interface every AI model backend implements — and the models it speaks.

A provider turns an :class:`AIContext` (system prompt, messages, tools, sampling settings)
into an :class:`AIResponse`, either at once (:meth:`AIProvider.generate`) or as a stream of
:data:`StreamEvent` (:meth:`AIProvider.generate_structured_stream`). Failures are raised as
:class:`~roomkit.errors.ProviderError`, whose ``retryable`` flag tells wrappers such as
``RetryingAIProvider`` and ``FallbackAIProvider`` whether trying again may help.

Conversation history inside a tool loop is carried by typed parts: an assistant message
holds :class:`AIThinkingPart`, :class:`AITextPart` and :class:`AIToolCallPart`; the answer to
it is a ``"tool"`` message holding one :class:`AIToolResultPart` per call.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from typing import Any, Literal

from pydantic import BaseModel, Field

from roomkit.errors import ProviderError
from roomkit.models.binding import ChannelCapabilities
from roomkit.models.enums import ChannelMediaType
from roomkit.models.room import RoomContext
from roomkit.models.task import Observation, Task

__all__ = [
    "AIContext",
    "AIImagePart",
    "AIMessage",
    "AIProvider",
    "AIResponse",
    "AITextPart",
    "AIThinkingPart",
    "AITool",
    "AIToolCall",
    "AIToolCallPart",
    "AIToolResultPart",
    "ProviderError",
    "StreamDone",
    "StreamEvent",
    "StreamTextDelta",
    "StreamThinkingDelta",
    "StreamToolCall",
]


class AITextPart(BaseModel):
    """Text inside a message."""

    type: Literal["text"] = "text"
    text: str


class AIImagePart(BaseModel):
    """An image inside a message, by URL (``https:`` or a ``data:`` URL).

    Only providers whose :attr:`AIProvider.supports_vision` is True are sent images.
    """

    type: Literal["image"] = "image"
    url: str
    mime_type: str | None = None


class AIThinkingPart(BaseModel):
    """The model's reasoning, kept so it can be sent back within the same tool loop.

    ``signature`` is the vendor's opaque token (Anthropic refuses an unsigned thinking
    block in a tool loop, so it must travel back unchanged).
    """

    type: Literal["thinking"] = "thinking"
    thinking: str
    signature: str | None = None


class AIToolCallPart(BaseModel):
    """A tool call the assistant made, as history. ``metadata`` carries vendor tokens."""

    type: Literal["tool_call"] = "tool_call"
    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)


class AIToolResultPart(BaseModel):
    """The result of one tool call. ``is_error`` marks a failed or refused call."""

    type: Literal["tool_result"] = "tool_result"
    tool_call_id: str
    name: str
    result: str
    is_error: bool = False


MessagePart = AITextPart | AIImagePart | AIToolCallPart | AIToolResultPart | AIThinkingPart


class AIMessage(BaseModel):
    """One message of the conversation sent to the model.

    ``role`` is ``"system"``, ``"user"``, ``"assistant"`` or ``"tool"`` (what the wire
    modules translate). ``content`` is plain text, or typed parts (images, and the tool
    loop's calls, results and thinking).
    """

    role: str
    content: str | list[MessagePart]
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def text(self) -> str:
        """The message's text, its text parts joined when it has parts."""
        if isinstance(self.content, str):
            return self.content
        return "".join(p.text for p in self.content if isinstance(p, AITextPart))


class AITool(BaseModel):
    """A tool the model may call. ``parameters`` is a JSON Schema object."""

    name: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")
    description: str
    parameters: dict[str, Any] = Field(default_factory=dict)

    def schema_or_empty(self) -> dict[str, Any]:
        """``parameters``, or an object with no properties when none were given."""
        return self.parameters or {"type": "object", "properties": {}}


class AIToolCall(BaseModel):
    """A call to a tool requested by the model."""

    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)

    def as_part(self) -> AIToolCallPart:
        """The call as a history part."""
        return AIToolCallPart(
            id=self.id, name=self.name, arguments=self.arguments, metadata=self.metadata
        )


class AIContext(BaseModel):
    """Everything a provider needs for one generation."""

    messages: list[AIMessage] = Field(default_factory=list)
    system_prompt: str | None = None
    temperature: float = 0.7
    max_tokens: int = Field(default=1024, gt=0)
    thinking_budget: int | None = Field(default=None, gt=0)
    tools: list[AITool] = Field(default_factory=list)
    room: RoomContext | None = None
    target_capabilities: ChannelCapabilities | None = None
    target_media_types: list[ChannelMediaType] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)


class AIResponse(BaseModel):
    """What the model answered: text, reasoning, token usage, tool calls.

    ``tasks`` and ``observations`` are what an answer may hand to the room besides its
    text; the AI channel returns them in its ``ChannelOutput``.
    """

    content: str
    thinking: str | None = None
    thinking_signature: str | None = None
    finish_reason: str | None = None
    usage: dict[str, int] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)
    tasks: list[Task] = Field(default_factory=list)
    observations: list[Observation] = Field(default_factory=list)
    tool_calls: list[AIToolCall] = Field(default_factory=list)


class StreamTextDelta(BaseModel):
    """A piece of the answer's text."""

    type: Literal["text_delta"] = "text_delta"
    text: str


class StreamThinkingDelta(BaseModel):
    """A piece of the model's reasoning (and, at its end, the block's signature)."""

    type: Literal["thinking_delta"] = "thinking_delta"
    thinking: str
    signature: str | None = None


class StreamToolCall(BaseModel):
    """A complete tool call, emitted once its arguments have fully arrived."""

    type: Literal["tool_call"] = "tool_call"
    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)


class StreamDone(BaseModel):
    """The last event of every successful stream."""

    type: Literal["done"] = "done"
    finish_reason: str | None = None
    usage: dict[str, int] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)


StreamEvent = StreamThinkingDelta | StreamTextDelta | StreamToolCall | StreamDone


class AIProvider(ABC):
    """An AI model backend.

    Contract:
        * :meth:`generate` returns the whole answer or raises ``ProviderError``.
        * :meth:`generate_structured_stream` yields deltas and tool calls and ends with
          exactly one :class:`StreamDone`; a stream that stops early raises
          ``ProviderError`` (``retryable=True`` when the connection dropped). The default
          wraps :meth:`generate`, so every provider can be streamed;
          :attr:`supports_structured_streaming` says whether events come as the model
          produces them rather than all at the end.
        * :meth:`generate_stream` yields the text deltas of that stream only.
        * :meth:`close` releases connections and is idempotent.
    """

    @property
    def name(self) -> str:
        """Short provider name used in logs and errors (``"anthropic"``, ``"openai"``…)."""
        return type(self).__name__

    @property
    def model_name(self) -> str:
        """The model identifier requests are sent for."""
        return ""

    @property
    def supports_vision(self) -> bool:
        """Whether the model reads :class:`AIImagePart` (images are left out otherwise)."""
        return False

    @property
    def supports_streaming(self) -> bool:
        """Whether :meth:`generate_stream` yields text progressively (not once at the end)."""
        return False

    @property
    def supports_structured_streaming(self) -> bool:
        """Whether :meth:`generate_structured_stream` yields events as they are produced."""
        return False

    @abstractmethod
    async def generate(self, context: AIContext) -> AIResponse:
        """Generate a complete answer for ``context``.

        Raises:
            ProviderError: the call failed; ``retryable`` says if trying again may help.
        """

    async def generate_structured_stream(
        self, context: AIContext
    ) -> AsyncGenerator[StreamEvent, None]:
        """Yield the answer as events, ending with :class:`StreamDone`.

        Consumers that may stop early should close the generator (``contextlib.aclosing``)
        so the underlying connection is released at once.
        """
        response = await self.generate(context)
        for event in response_to_events(response):
            yield event

    async def generate_stream(self, context: AIContext) -> AsyncIterator[str]:
        """Yield only the text deltas of :meth:`generate_structured_stream`."""
        async with aclosing(self.generate_structured_stream(context)) as events:
            async for event in events:
                if isinstance(event, StreamTextDelta):
                    yield event.text

    async def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release the provider's connections. Idempotent."""


def response_to_events(response: AIResponse) -> list[StreamEvent]:
    """The stream events equivalent to a complete ``response``."""
    events: list[StreamEvent] = []
    if response.thinking:
        events.append(
            StreamThinkingDelta(thinking=response.thinking, signature=response.thinking_signature)
        )
    if response.content:
        events.append(StreamTextDelta(text=response.content))
    events.extend(
        StreamToolCall(id=c.id, name=c.name, arguments=c.arguments, metadata=c.metadata)
        for c in response.tool_calls
    )
    events.append(
        StreamDone(
            finish_reason=response.finish_reason, usage=response.usage, metadata=response.metadata
        )
    )
    return events


class ResponseAccumulator:
    """Folds stream events back into an :class:`AIResponse`."""

    def __init__(self) -> None:
        self._text: list[str] = []
        self._thinking: list[str] = []
        self._signature: str | None = None
        self._calls: list[AIToolCall] = []
        self.done: StreamDone | None = None

    def add(self, event: StreamEvent) -> None:
        """Take one event into account."""
        if isinstance(event, StreamTextDelta):
            self._text.append(event.text)
        elif isinstance(event, StreamThinkingDelta):
            self._thinking.append(event.thinking)
            self._signature = event.signature or self._signature
        elif isinstance(event, StreamToolCall):
            self._calls.append(
                AIToolCall(
                    id=event.id, name=event.name, arguments=event.arguments, metadata=event.metadata
                )
            )
        else:
            self.done = event

    def response(self) -> AIResponse:
        """The response the events so far describe."""
        done = self.done or StreamDone()
        return AIResponse(
            content="".join(self._text),
            tool_calls=list(self._calls),
            thinking="".join(self._thinking) or None,
            thinking_signature=self._signature,
            finish_reason=done.finish_reason,
            usage=dict(done.usage),
            metadata=dict(done.metadata),
        )
