"""Gemini ``generateContent`` / ``streamGenerateContent?alt=sse``, Sans-I/O.

``POST {base_url}/models/{model}:generateContent`` with ``x-goog-api-key``. ``contents``
alternate roles ``user`` and ``model``, each with ``parts`` (``text``, ``functionCall``,
``functionResponse``); the system prompt is ``systemInstruction``; tools are
``functionDeclarations``. A part may carry a ``thoughtSignature`` next to its
``functionCall``: it must be sent back with that call, so it rides the call's metadata.
The SSE stream sends whole response chunks and ends without a sentinel; a chunk with a
``finishReason`` marks a complete answer.
"""

from __future__ import annotations

import uuid
from typing import Any

from roomkit.errors import ProviderError
from roomkit.providers.ai.base import (
    AIContext,
    AIImagePart,
    AIMessage,
    AIResponse,
    AITextPart,
    AIToolCallPart,
    AIToolResultPart,
    ResponseAccumulator,
    StreamDone,
    StreamEvent,
    StreamTextDelta,
    StreamThinkingDelta,
    StreamToolCall,
)
from roomkit.providers.wire.errors import dropped, load_json, malformed
from roomkit.providers.wire.images import split_data_url
from roomkit.providers.wire.sse import ServerSentEvent

PROVIDER = "gemini"
SIGNATURE = "thought_signature"  # AIToolCall.metadata key for a part's thoughtSignature
CALL_ID = "gemini_id"  # AIToolCall.metadata key: the id Gemini gave the call, if any

# The JSON Schema keywords Gemini's Schema object accepts; others are refused by the API.
_SCHEMA_KEYS = frozenset(
    {
        "type", "format", "title", "description", "nullable", "enum", "items", "properties",
        "required", "minItems", "maxItems", "minProperties", "maxProperties", "minLength",
        "maxLength", "pattern", "minimum", "maximum", "anyOf", "default", "propertyOrdering",
    }
)  # fmt: skip


def build_headers(api_key: str) -> dict[str, str]:
    """Headers for a request."""
    return {"x-goog-api-key": api_key, "content-type": "application/json"}


def request_path(model: str, *, stream: bool) -> str:
    """The path under ``base_url`` for a generation."""
    if stream:
        return f"/models/{model}:streamGenerateContent?alt=sse"
    return f"/models/{model}:generateContent"


def build_request(context: AIContext) -> dict[str, Any]:
    """The JSON body for ``context`` (the model is in the path, not the body)."""
    system, contents = _contents(context)
    config: dict[str, Any] = {
        "temperature": context.temperature,
        "maxOutputTokens": context.max_tokens,
    }
    if context.thinking_budget:
        config["thinkingConfig"] = {
            "thinkingBudget": context.thinking_budget,
            "includeThoughts": True,
        }
    body: dict[str, Any] = {"contents": contents, "generationConfig": config}
    if system:
        body["systemInstruction"] = {"parts": [{"text": system}]}
    if context.tools:
        declarations = [_declaration(t.name, t.description, t.parameters) for t in context.tools]
        body["tools"] = [{"functionDeclarations": declarations}]
    return body


def _declaration(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    declaration: dict[str, Any] = {"name": name, "description": description}
    # An OBJECT schema without properties is refused, so a tool without parameters
    # declares none at all.
    if schema.get("properties"):
        declaration["parameters"] = clean_schema(schema)
    return declaration


def clean_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` reduced to the keywords Gemini accepts, recursively."""
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key not in _SCHEMA_KEYS:
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {k: clean_schema(v) for k, v in value.items() if isinstance(v, dict)}
        elif key == "items" and isinstance(value, dict):
            out[key] = clean_schema(value)
        elif key == "anyOf" and isinstance(value, list):
            out[key] = [clean_schema(v) for v in value if isinstance(v, dict)]
        else:
            out[key] = value
    return out


def _contents(context: AIContext) -> tuple[str, list[dict[str, Any]]]:
    system = [context.system_prompt] if context.system_prompt else []
    contents: list[dict[str, Any]] = []
    gemini_ids: dict[str, str] = {}
    for message in context.messages:
        if message.role == "system" and not contents:
            system.append(message.text)
            continue
        contents.append(_content(message, gemini_ids))
    return "\n\n".join(system), contents


def _content(message: AIMessage, gemini_ids: dict[str, str]) -> dict[str, Any]:
    role = "model" if message.role == "assistant" else "user"
    if isinstance(message.content, str):
        return {"role": role, "parts": [{"text": message.content}]}
    parts: list[dict[str, Any]] = []
    for part in message.content:
        if isinstance(part, AITextPart) and part.text:
            parts.append({"text": part.text})
        elif isinstance(part, AIToolCallPart):
            parts.append(_call_part(part, gemini_ids))
        elif isinstance(part, AIToolResultPart):
            parts.append(_result_part(part, gemini_ids))
        elif isinstance(part, AIImagePart):
            parts.append(_image_part(part))
    return {"role": role, "parts": parts}


def _image_part(part: AIImagePart) -> dict[str, Any]:
    inline = split_data_url(part.url)
    if inline is None:
        return {"fileData": {"mimeType": part.mime_type or "image/jpeg", "fileUri": part.url}}
    mime, data = inline
    return {"inlineData": {"mimeType": mime, "data": data}}


def _call_part(part: AIToolCallPart, gemini_ids: dict[str, str]) -> dict[str, Any]:
    call: dict[str, Any] = {"name": part.name, "args": part.arguments}
    if part.metadata.get(CALL_ID):
        call["id"] = gemini_ids[part.id] = str(part.metadata[CALL_ID])
    out: dict[str, Any] = {"functionCall": call}
    if part.metadata.get(SIGNATURE):
        out["thoughtSignature"] = part.metadata[SIGNATURE]
    return out


def _result_part(part: AIToolResultPart, gemini_ids: dict[str, str]) -> dict[str, Any]:
    key = "error" if part.is_error else "result"
    response: dict[str, Any] = {"name": part.name, "response": {key: part.result}}
    if part.tool_call_id in gemini_ids:
        response["id"] = gemini_ids[part.tool_call_id]
    return {"functionResponse": response}


def parse_chunk(data: dict[str, Any]) -> tuple[list[StreamEvent], str | None, dict[str, int]]:
    """One ``GenerateContentResponse``: its events, finish reason and usage."""
    if "error" in data:
        error = data["error"] if isinstance(data["error"], dict) else {}
        message = error.get("message", data["error"])
        raise ProviderError(f"{PROVIDER} error in answer: {message}", provider=PROVIDER)
    candidates = data.get("candidates") or []
    if not candidates:
        blocked = (data.get("promptFeedback") or {}).get("blockReason")
        if blocked:
            raise ProviderError(f"{PROVIDER} blocked the prompt: {blocked}", provider=PROVIDER)
        return [], None, _usage(data.get("usageMetadata"))
    candidate = candidates[0]
    parts = (candidate.get("content") or {}).get("parts") or []
    events = [e for part in parts for e in _part_events(part)]
    return events, candidate.get("finishReason"), _usage(data.get("usageMetadata"))


def _part_events(part: dict[str, Any]) -> list[StreamEvent]:
    if "functionCall" in part:
        call = part["functionCall"]
        metadata: dict[str, Any] = {}
        if part.get("thoughtSignature"):
            metadata[SIGNATURE] = part["thoughtSignature"]
        if call.get("id"):
            metadata[CALL_ID] = call["id"]
        call_id = call.get("id") or f"call_{uuid.uuid4().hex[:12]}"
        return [
            StreamToolCall(
                id=call_id, name=call["name"], arguments=call.get("args") or {}, metadata=metadata
            )
        ]
    text = part.get("text")
    if not text:
        return []
    if part.get("thought"):
        return [StreamThinkingDelta(thinking=text)]
    return [StreamTextDelta(text=text)]


def _usage(raw: Any) -> dict[str, int]:
    if not isinstance(raw, dict):
        return {}
    usage = {
        "input_tokens": raw.get("promptTokenCount"),
        "output_tokens": raw.get("candidatesTokenCount"),
        "thinking_tokens": raw.get("thoughtsTokenCount"),
    }
    return {k: v for k, v in usage.items() if isinstance(v, int)}


def parse_response(body: bytes | str) -> AIResponse:
    """An :class:`AIResponse` from a non-streaming ``generateContent`` answer."""
    data = load_json(PROVIDER, body)
    events = _parse(data)
    accumulator = ResponseAccumulator()
    for event in events[0]:
        accumulator.add(event)
    meta = {"model": data.get("modelVersion")}
    accumulator.add(StreamDone(finish_reason=events[1], usage=events[2], metadata=meta))
    return accumulator.response()


def _parse(data: dict[str, Any]) -> tuple[list[StreamEvent], str | None, dict[str, int]]:
    try:
        return parse_chunk(data)
    except (KeyError, TypeError, AttributeError) as exc:
        raise malformed(PROVIDER, f"unexpected response shape ({exc!r})") from None


class StreamParser:
    """Turns ``streamGenerateContent`` chunks into :data:`StreamEvent`."""

    def __init__(self) -> None:
        self._finish_reason: str | None = None
        self._usage: dict[str, int] = {}
        self._model: str | None = None

    def feed(self, sse: ServerSentEvent) -> list[StreamEvent]:
        """Events for one chunk."""
        data = load_json(PROVIDER, sse.data)
        events, finish_reason, usage = _parse(data)
        self._finish_reason = finish_reason or self._finish_reason
        self._usage = usage or self._usage  # usage is cumulative: the last one wins
        self._model = data.get("modelVersion") or self._model
        return events

    def finish(self) -> list[StreamEvent]:
        """The final :class:`StreamDone`; raises a retryable error if no chunk finished."""
        if self._finish_reason is None:
            raise dropped(PROVIDER, "the stream ended before a finishReason")
        meta = {"model": self._model}
        return [StreamDone(finish_reason=self._finish_reason, usage=self._usage, metadata=meta)]
