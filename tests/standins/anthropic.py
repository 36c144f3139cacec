"""Anthropic Messages API stand-in: ``POST /v1/messages``, JSON and SSE as the API sends them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from tests.standins.scripted import Reply, ScriptedApp

ToolCall = tuple[str, str, dict[str, Any]]  # (id, name, input)
MODEL = "claude-test-1"


class AnthropicStandIn(ScriptedApp):
    """Accepts ``POST /v1/messages`` with an ``x-api-key`` and ``anthropic-version``."""

    def accepts(self, method: str, path: str) -> bool:
        return method == "POST" and path == "/v1/messages"

    def authorized(self, headers: dict[str, str]) -> bool:
        return bool(headers.get("x-api-key")) and "anthropic-version" in headers

    def error(self, status: int, message: str) -> Reply:
        kind = {401: "authentication_error", 404: "not_found_error"}.get(status, "api_error")
        return Reply.json(error_body(kind, message), status)


def error_body(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


def message(
    text: str = "",
    tool_calls: Sequence[ToolCall] = (),
    thinking: tuple[str, str] | None = None,
    stop_reason: str | None = None,
) -> dict[str, Any]:
    """A complete ``message`` object; ``thinking`` is (text, signature)."""
    content: list[dict[str, Any]] = []
    if thinking:
        content.append({"type": "thinking", "thinking": thinking[0], "signature": thinking[1]})
    if text:
        content.append({"type": "text", "text": text})
    content += [{"type": "tool_use", "id": i, "name": n, "input": a} for i, n, a in tool_calls]
    return {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": content,
        "stop_reason": stop_reason or ("tool_use" if tool_calls else "end_turn"),
        "stop_sequence": None,
        "usage": {"input_tokens": 12, "output_tokens": 7},
    }


def frame(kind: str, data: dict[str, Any]) -> str:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n"


def message_stream(
    chunks: Sequence[str] = (),
    tool_calls: Sequence[ToolCall] = (),
    thinking: tuple[str, str] | None = None,
) -> list[str]:
    """The SSE frames of a streamed answer: text in ``chunks``, tool input in pieces."""
    start = message(stop_reason="end_turn")
    start.update(content=[], stop_reason=None, usage={"input_tokens": 12, "output_tokens": 1})
    frames = [frame("message_start", {"message": start}), frame("ping", {})]
    index = 0
    if thinking:
        frames += _block(index, {"type": "thinking", "thinking": ""}, [
            {"type": "thinking_delta", "thinking": thinking[0]},
            {"type": "signature_delta", "signature": thinking[1]},
        ])  # fmt: skip
        index += 1
    if chunks:
        deltas = [{"type": "text_delta", "text": c} for c in chunks]
        frames += _block(index, {"type": "text", "text": ""}, deltas)
        index += 1
    for call_id, name, arguments in tool_calls:
        raw = json.dumps(arguments)
        pieces = [raw[: len(raw) // 2], raw[len(raw) // 2 :]]
        block = {"type": "tool_use", "id": call_id, "name": name, "input": {}}
        deltas = [{"type": "input_json_delta", "partial_json": p} for p in pieces]
        frames += _block(index, block, deltas)
        index += 1
    stop = "tool_use" if tool_calls else "end_turn"
    frames.append(frame("message_delta", {"delta": {"stop_reason": stop, "stop_sequence": None},
                                          "usage": {"output_tokens": 9}}))  # fmt: skip
    frames.append(frame("message_stop", {}))
    return frames


def _block(index: int, block: dict[str, Any], deltas: list[dict[str, Any]]) -> list[str]:
    return [
        frame("content_block_start", {"index": index, "content_block": block}),
        *(frame("content_block_delta", {"index": index, "delta": d}) for d in deltas),
        frame("content_block_stop", {"index": index}),
    ]
