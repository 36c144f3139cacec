"""OpenAI Chat Completions, Sans-I/O: request bodies, responses and the SSE chunk stream.

``POST {base_url}/chat/completions`` with ``Authorization: Bearer``. Streaming answers are
``data: {chunk}`` lines whose ``choices[0].delta`` carries ``content`` and ``tool_calls``
fragments (assembled by their ``index``: the first fragment names the call, the rest
append to ``function.arguments``), then a usage-only chunk when ``include_usage`` was asked,
then ``data: [DONE]``. Servers that speak this dialect (vLLM, Ollama, llama.cpp) may add
``reasoning_content`` deltas, read here as thinking.
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
from roomkit.providers.wire.sse import ServerSentEvent

PROVIDER = "openai"
COMPLETIONS_PATH = "/chat/completions"


def build_headers(api_key: str | None) -> dict[str, str]:
    """Headers for a request; local servers often need no key at all."""
    headers = {"content-type": "application/json"}
    if api_key:
        headers["authorization"] = f"Bearer {api_key}"
    return headers


def build_request(
    context: AIContext,
    *,
    model: str,
    stream: bool = False,
    max_tokens_field: str = "max_tokens",
    include_usage: bool = True,
) -> dict[str, Any]:
    """The JSON body for ``context``. ``thinking_budget`` has no Chat Completions
    equivalent and is not sent."""
    body: dict[str, Any] = {
        "model": model,
        "messages": build_messages(context),
        "temperature": context.temperature,
        max_tokens_field: context.max_tokens,
    }
    if context.tools:
        body["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.schema_or_empty(),
                },
            }
            for t in context.tools
        ]
    if stream:
        body["stream"] = True
        if include_usage:
            body["stream_options"] = {"include_usage": True}
    return body


def build_messages(context: AIContext) -> list[dict[str, Any]]:
    """``messages``: the system prompt first, one ``tool`` message per tool result."""
    messages: list[dict[str, Any]] = []
    if context.system_prompt:
        messages.append({"role": "system", "content": context.system_prompt})
    for message in context.messages:
        messages.extend(_messages(message))
    return messages


def _messages(message: AIMessage) -> list[dict[str, Any]]:
    if isinstance(message.content, str):
        return [{"role": message.role, "content": message.content}]
    if message.role == "tool":
        return [
            {"role": "tool", "tool_call_id": p.tool_call_id, "content": p.result}
            for p in message.content
            if isinstance(p, AIToolResultPart)
        ]
    text = "".join(p.text for p in message.content if isinstance(p, AITextPart))
    calls = [p for p in message.content if isinstance(p, AIToolCallPart)]
    out: dict[str, Any] = {"role": message.role, "content": text or None}
    images = [p for p in message.content if isinstance(p, AIImagePart)]
    if images:  # data: URLs are taken as they are
        out["content"] = [
            *([{"type": "text", "text": text}] if text else []),
            *({"type": "image_url", "image_url": {"url": p.url}} for p in images),
        ]
    if calls:
        out["tool_calls"] = [
            {
                "id": c.id,
                "type": "function",
                "function": {"name": c.name, "arguments": json.dumps(c.arguments)},
            }
            for c in calls
        ]
    return [out]


def parse_response(body: bytes | str) -> AIResponse:
    """An :class:`AIResponse` from a non-streaming completion."""
    data = load_json(PROVIDER, body)
    try:
        choice = data["choices"][0]
        message = choice["message"]
        calls = [_tool_call(c) for c in message.get("tool_calls") or []]
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise malformed(PROVIDER, f"unexpected completion shape ({exc!r})") from None
    return AIResponse(
        content=message.get("content") or "",
        tool_calls=calls,
        thinking=message.get("reasoning_content") or None,
        finish_reason=choice.get("finish_reason"),
        usage=_usage(data.get("usage")),
        metadata={"id": data.get("id"), "model": data.get("model")},
    )


def _tool_call(raw: dict[str, Any]) -> AIToolCall:
    function = raw["function"]
    return AIToolCall(
        id=raw["id"], name=function["name"], arguments=_arguments(function.get("arguments"))
    )


def _arguments(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        raise malformed(PROVIDER, f"tool arguments are not JSON: {raw!r:.100}") from None
    if not isinstance(value, dict):
        raise malformed(PROVIDER, f"tool arguments are not an object: {raw!r:.100}")
    return value


def _usage(raw: Any) -> dict[str, int]:
    if not isinstance(raw, dict):
        return {}
    usage = {
        "input_tokens": raw.get("prompt_tokens"),
        "output_tokens": raw.get("completion_tokens"),
    }
    return {k: v for k, v in usage.items() if isinstance(v, int)}


class StreamParser:
    """Turns ``data:`` chunks into :data:`StreamEvent`, assembling tool calls by index."""

    def __init__(self) -> None:
        self._calls: dict[int, dict[str, Any]] = {}
        self._finish_reason: str | None = None
        self._usage: dict[str, int] = {}
        self._meta: dict[str, Any] = {}
        self.finished = False

    def feed(self, sse: ServerSentEvent) -> list[StreamEvent]:
        """Events for one chunk; ``[DONE]`` yields the final :class:`StreamDone`."""
        try:
            if sse.data.strip() == "[DONE]":
                return self._done()
            chunk = load_json(PROVIDER, sse.data)
            if "error" in chunk:
                raise ProviderError(
                    f"{PROVIDER} stream error: {chunk['error']!r:.300}", provider=PROVIDER
                )
            return self._chunk(chunk)
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            raise malformed(PROVIDER, f"unexpected chunk shape ({exc!r})") from None

    def _chunk(self, chunk: dict[str, Any]) -> list[StreamEvent]:
        self._meta = {"id": chunk.get("id"), "model": chunk.get("model")}
        if chunk.get("usage"):
            self._usage = _usage(chunk["usage"])
        events: list[StreamEvent] = []
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            reasoning = delta.get("reasoning_content") or delta.get("reasoning")
            if reasoning:
                events.append(StreamThinkingDelta(thinking=reasoning))
            if delta.get("content"):
                events.append(StreamTextDelta(text=delta["content"]))
            for fragment in delta.get("tool_calls") or []:
                self._merge(fragment)
            if choice.get("finish_reason"):
                self._finish_reason = choice["finish_reason"]
                events.extend(self._flush_calls())
        return events

    def _merge(self, fragment: dict[str, Any]) -> None:
        call = self._calls.setdefault(int(fragment.get("index", 0)), {"args": []})
        if fragment.get("id"):
            call["id"] = fragment["id"]
        function = fragment.get("function") or {}
        if function.get("name"):
            call["name"] = function["name"]
        call["args"].append(function.get("arguments") or "")

    def _flush_calls(self) -> list[StreamEvent]:
        calls, self._calls = self._calls, {}
        return [
            StreamToolCall(
                id=call.get("id") or f"call_{index}",
                name=call["name"],
                arguments=_arguments("".join(call["args"])),
            )
            for index, call in sorted(calls.items())
        ]

    def _done(self) -> list[StreamEvent]:
        events = self._flush_calls()
        self.finished = True
        done = StreamDone(finish_reason=self._finish_reason, usage=self._usage, metadata=self._meta)
        return [*events, done]

    def finish(self) -> list[StreamEvent]:
        """Call when the body ends. A body that stopped before any ``finish_reason`` was
        cut short (retryable); one that gave a ``finish_reason`` but no ``[DONE]`` (some
        compatible servers) is complete."""
        if self.finished:
            return []
        if self._finish_reason is None:
            raise dropped(PROVIDER, "the stream ended before finish_reason and [DONE]")
        return self._done()
