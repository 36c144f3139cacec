"""OpenAI Chat Completions stand-in: ``POST /v1/chat/completions``, JSON and ``data:`` chunks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from tests.standins.scripted import Reply, ScriptedApp

ToolCall = tuple[str, str, dict[str, Any]]  # (id, name, arguments)
MODEL = "gpt-test-1"


class OpenAIStandIn(ScriptedApp):
    """Accepts ``POST /v1/chat/completions``; with ``require_key``, a Bearer token."""

    def __init__(self, *, require_key: bool = True) -> None:
        super().__init__()
        self.require_key = require_key

    def accepts(self, method: str, path: str) -> bool:
        return method == "POST" and path == "/v1/chat/completions"

    def authorized(self, headers: dict[str, str]) -> bool:
        return not self.require_key or headers.get("authorization", "").startswith("Bearer ")

    def error(self, status: int, message: str) -> Reply:
        kind = "invalid_request_error" if status < 500 else "server_error"
        return Reply.json({"error": {"message": message, "type": kind, "code": None}}, status)


def completion(
    text: str | None = "", tool_calls: Sequence[ToolCall] = (), reasoning: str | None = None
) -> dict[str, Any]:
    """A complete ``chat.completion`` object."""
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if reasoning:
        message["reasoning_content"] = reasoning
    if tool_calls:
        message["tool_calls"] = [
            {"id": i, "type": "function", "function": {"name": n, "arguments": json.dumps(a)}}
            for i, n, a in tool_calls
        ]
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1700000000,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if tool_calls else "stop",
            }
        ],
        "usage": {"prompt_tokens": 11, "completion_tokens": 6, "total_tokens": 17},
    }


def _chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return f"data: {json.dumps(body)}\n\n"


def completion_stream(
    chunks: Sequence[str] = (),
    tool_calls: Sequence[ToolCall] = (),
    *,
    usage: bool = True,
    done: bool = True,
) -> list[str]:
    """The ``data:`` lines of a streamed completion, tool arguments split in fragments."""
    frames = [_chunk({"role": "assistant", "content": ""})]
    frames += [_chunk({"content": c}) for c in chunks]
    for index, (call_id, name, arguments) in enumerate(tool_calls):
        raw = json.dumps(arguments)
        head = {"index": index, "id": call_id, "type": "function",
                "function": {"name": name, "arguments": ""}}  # fmt: skip
        frames.append(_chunk({"tool_calls": [head]}))
        for piece in (raw[:3], raw[3:]):
            frames.append(
                _chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
            )
    frames.append(_chunk({}, "tool_calls" if tool_calls else "stop"))
    if usage:
        totals = {"prompt_tokens": 11, "completion_tokens": 6, "total_tokens": 17}
        body = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1700000000,
                "model": MODEL, "choices": [], "usage": totals}  # fmt: skip
        frames.append(f"data: {json.dumps(body)}\n\n")
    if done:
        frames.append("data: [DONE]\n\n")
    return frames
