"""Anthropic Messages API, Sans-I/O: request bodies, responses and the SSE event stream.

``POST {base_url}/v1/messages`` with ``x-api-key`` and ``anthropic-version: 2023-06-01``.
The stream is ``message_start``, then per content block ``content_block_start`` /
``content_block_delta`` (``text_delta``, ``input_json_delta``, ``thinking_delta``,
``signature_delta``) / ``content_block_stop``, then ``message_delta`` (stop reason, output
usage) and ``message_stop``; ``ping`` may appear anywhere and ``error`` ends it early.
"""

from __future__ import annotations

import json
from typing import Any

from roomkit.errors import ProviderError
from roomkit.providers.ai.base import (
    AIContext,
    AIImagePart,
    AIMessage,
    AIResponse,
    AITextPart,
    AIThinkingPart,
    AIToolCall,
    AIToolCallPart,
    AIToolResultPart,
    StreamDone,
    StreamEvent,
    StreamTextDelta,
    StreamThinkingDelta,
    StreamToolCall,
)
from roomkit.providers.wire.errors import dropped, load_json, malformed
from roomkit.providers.wire.images import split_data_url
from roomkit.providers.wire.sse import ServerSentEvent

PROVIDER = "anthropic"
API_VERSION = "2023-06-01"
MESSAGES_PATH = "/v1/messages"
_RETRYABLE_ERROR_TYPES = frozenset({"overloaded_error", "api_error", "rate_limit_error"})


def build_headers(api_key: str) -> dict[str, str]:
    """The headers every Messages API request carries."""
    return {
        "x-api-key": api_key,
        "anthropic-version": API_VERSION,
        "content-type": "application/json",
    }


def build_request(context: AIContext, *, model: str, stream: bool = False) -> dict[str, Any]:
    """The JSON body for ``context``.

    With a thinking budget, ``temperature`` is left out (the API refuses it alongside
    thinking) and ``max_tokens`` is raised above the budget, which it must exceed.
    """
    system, messages = _split_system(context)
    body: dict[str, Any] = {"model": model, "max_tokens": context.max_tokens, "messages": messages}
    if system:
        body["system"] = system
    if context.thinking_budget:
        body["thinking"] = {"type": "enabled", "budget_tokens": context.thinking_budget}
        if context.max_tokens <= context.thinking_budget:
            body["max_tokens"] = context.thinking_budget + context.max_tokens
    else:
        body["temperature"] = context.temperature
    if context.tools:
        body["tools"] = [_tool(t.name, t.description, t.schema_or_empty()) for t in context.tools]
    if stream:
        body["stream"] = True
    return body


def _tool(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    tool: dict[str, Any] = {"name": name, "input_schema": schema}
    if description:
        tool["description"] = description
    return tool


def _split_system(context: AIContext) -> tuple[str, list[dict[str, Any]]]:
    """Leading system messages join the system prompt; later ones become user text,
    since the Messages API has no system role inside ``messages``."""
    system = [context.system_prompt] if context.system_prompt else []
    messages: list[dict[str, Any]] = []
    for message in context.messages:
        if message.role == "system" and not messages:
            system.append(message.text)
        else:
            messages.append(_message(message))
    return "\n\n".join(system), messages


def _message(message: AIMessage) -> dict[str, Any]:
    if message.role == "tool":
        return {"role": "user", "content": [_block(p) for p in _parts(message)]}
    role = "assistant" if message.role == "assistant" else "user"
    if isinstance(message.content, str):
        return {"role": role, "content": message.content}
    blocks = [b for b in (_block(p) for p in message.content) if b]
    return {"role": role, "content": blocks}


def _parts(message: AIMessage) -> list[Any]:
    return [message.content] if isinstance(message.content, str) else list(message.content)


def _block(part: Any) -> dict[str, Any]:
    if isinstance(part, str):
        return {"type": "text", "text": part}
    if isinstance(part, AITextPart):
        return {"type": "text", "text": part.text} if part.text else {}
    if isinstance(part, AIThinkingPart):
        # An unsigned block (from another vendor) is refused by the API: leave it out.
        if not part.signature:
            return {}
        return {"type": "thinking", "thinking": part.thinking, "signature": part.signature}
    if isinstance(part, AIToolCallPart):
        return {"type": "tool_use", "id": part.id, "name": part.name, "input": part.arguments}
    if isinstance(part, AIImagePart):
        inline = split_data_url(part.url)
        if inline is None:
            return {"type": "image", "source": {"type": "url", "url": part.url}}
        mime, data = inline
        return {"type": "image", "source": {"type": "base64", "media_type": mime, "data": data}}
    assert isinstance(part, AIToolResultPart)
    block: dict[str, Any] = {
        "type": "tool_result",
        "tool_use_id": part.tool_call_id,
        "content": part.result,
    }
    if part.is_error:
        block["is_error"] = True
    return block


def parse_response(body: bytes | str) -> AIResponse:
    """An :class:`AIResponse` from a non-streaming Messages API answer."""
    data = load_json(PROVIDER, body)
    if data.get("type") == "error":
        raise stream_error(data)
    try:
        return _parse_message(data)
    except (KeyError, TypeError, AttributeError) as exc:
        raise malformed(PROVIDER, f"unexpected message shape ({exc!r})") from None


def _parse_message(data: dict[str, Any]) -> AIResponse:
    texts: list[str] = []
    thinking: list[str] = []
    signature: str | None = None
    calls: list[AIToolCall] = []
    for block in data["content"]:
        kind = block["type"]
        if kind == "text":
            texts.append(block["text"])
        elif kind == "thinking":
            thinking.append(block["thinking"])
            signature = block.get("signature") or signature
        elif kind == "tool_use":
            calls.append(AIToolCall(id=block["id"], name=block["name"], arguments=block["input"]))
    return AIResponse(
        content="".join(texts),
        tool_calls=calls,
        thinking="".join(thinking) or None,
        thinking_signature=signature,
        finish_reason=data.get("stop_reason"),
        usage=_usage(data.get("usage")),
        metadata={"id": data.get("id"), "model": data.get("model")},
    )


def _usage(raw: Any) -> dict[str, int]:
    if not isinstance(raw, dict):
        return {}
    return {k: v for k, v in raw.items() if k.endswith("_tokens") and isinstance(v, int)}


def stream_error(data: dict[str, Any]) -> ProviderError:
    """The error an ``error`` event (or an error body) describes."""
    raw = data.get("error")
    error: dict[str, Any] = raw if isinstance(raw, dict) else {}
    kind = str(error.get("type", "error"))
    return ProviderError(
        f"{PROVIDER} stream error {kind}: {error.get('message', '')}",
        retryable=kind in _RETRYABLE_ERROR_TYPES,
        provider=PROVIDER,
    )


class StreamParser:
    """Turns Messages API server-sent events into :data:`StreamEvent`."""

    def __init__(self) -> None:
        self._blocks: dict[int, dict[str, Any]] = {}
        self._usage: dict[str, int] = {}
        self._stop_reason: str | None = None
        self._meta: dict[str, Any] = {}
        self.finished = False

    def feed(self, sse: ServerSentEvent) -> list[StreamEvent]:
        """Events for one SSE message. Raises ``ProviderError`` on an ``error`` event."""
        data = load_json(PROVIDER, sse.data)
        kind = data.get("type")
        if kind == "error":
            raise stream_error(data)
        handler = getattr(self, f"_on_{kind}", None)
        if handler is None:
            return []  # ping, and event types added to the API later
        try:
            events: list[StreamEvent] = handler(data)
        except (KeyError, TypeError, AttributeError) as exc:
            raise malformed(PROVIDER, f"unexpected {kind} event ({exc!r})") from None
        return events

    def _on_message_start(self, data: dict[str, Any]) -> list[StreamEvent]:
        message = data.get("message", {})
        self._meta = {"id": message.get("id"), "model": message.get("model")}
        self._usage.update(_usage(message.get("usage")))
        return []

    def _on_content_block_start(self, data: dict[str, Any]) -> list[StreamEvent]:
        block = dict(data.get("content_block", {}))
        block["json"] = []
        self._blocks[int(data.get("index", 0))] = block
        if block.get("type") == "text" and block.get("text"):
            return [StreamTextDelta(text=block["text"])]
        return []

    def _on_content_block_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        delta = data.get("delta", {})
        block = self._blocks.setdefault(int(data.get("index", 0)), {"json": []})
        kind = delta.get("type")
        if kind == "text_delta":
            return [StreamTextDelta(text=delta.get("text", ""))]
        if kind == "thinking_delta":
            return [StreamThinkingDelta(thinking=delta.get("thinking", ""))]
        if kind == "input_json_delta":
            block["json"].append(delta.get("partial_json", ""))
        elif kind == "signature_delta":
            block["signature"] = delta.get("signature")
        return []

    def _on_content_block_stop(self, data: dict[str, Any]) -> list[StreamEvent]:
        block = self._blocks.pop(int(data.get("index", 0)), {})
        if block.get("type") == "tool_use":
            raw = "".join(block["json"]) or "{}"
            try:
                arguments = json.loads(raw)
            except ValueError:
                raise malformed(PROVIDER, f"tool input is not JSON: {raw[:100]!r}") from None
            return [StreamToolCall(id=block["id"], name=block["name"], arguments=arguments)]
        if block.get("type") == "thinking" and block.get("signature"):
            return [StreamThinkingDelta(thinking="", signature=block["signature"])]
        return []

    def _on_message_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        self._stop_reason = data.get("delta", {}).get("stop_reason") or self._stop_reason
        self._usage.update(_usage(data.get("usage")))
        return []

    def _on_message_stop(self, data: dict[str, Any]) -> list[StreamEvent]:
        self.finished = True
        return [StreamDone(finish_reason=self._stop_reason, usage=self._usage, metadata=self._meta)]

    def finish(self) -> list[StreamEvent]:
        """Call when the body ends. Raises a retryable error if ``message_stop`` never came."""
        if not self.finished:
            raise dropped(PROVIDER, "the stream ended before message_stop")
        return []
