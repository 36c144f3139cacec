"""Gemini stand-in: ``POST /v1beta/models/{model}:generateContent`` and
``:streamGenerateContent?alt=sse``, answering ``GenerateContentResponse`` JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from tests.standins.scripted import Reply, ScriptedApp

FunctionCall = tuple[str, dict[str, Any], str | None]  # (name, args, thoughtSignature)
_PATH = re.compile(r"^/v1beta/models/[\w.\-]+:(generateContent|streamGenerateContent)$")
_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 404: "NOT_FOUND",
           429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}  # fmt: skip


class GeminiStandIn(ScriptedApp):
    """Accepts the two generation paths with an ``x-goog-api-key``."""

    def accepts(self, method: str, path: str) -> bool:
        return method == "POST" and _PATH.match(path) is not None

    def authorized(self, headers: dict[str, str]) -> bool:
        return bool(headers.get("x-goog-api-key"))

    def error(self, status: int, message: str) -> Reply:
        return Reply.json(error_body(status, message), status)


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": message, "status": _STATUS.get(status, "UNKNOWN")}}


def response(
    text: str = "",
    calls: Sequence[FunctionCall] = (),
    thought: str | None = None,
    finish: str | None = "STOP",
) -> dict[str, Any]:
    """One ``GenerateContentResponse`` (a whole answer, or one streamed chunk)."""
    parts: list[dict[str, Any]] = []
    if thought:
        parts.append({"text": thought, "thought": True})
    if text:
        parts.append({"text": text})
    for name, args, signature in calls:
        part: dict[str, Any] = {"functionCall": {"name": name, "args": args}}
        if signature:
            part["thoughtSignature"] = signature
        parts.append(part)
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    return {
        "candidates": [candidate],
        "usageMetadata": {"promptTokenCount": 8, "candidatesTokenCount": 4, "totalTokenCount": 12},
        "modelVersion": "gemini-test",
    }


def response_stream(chunks: Sequence[str] = (), calls: Sequence[FunctionCall] = ()) -> list[str]:
    """SSE frames: one chunk per text piece, the calls and ``finishReason`` in the last."""
    pieces = [response(text=c, finish=None) for c in chunks[:-1]] if chunks else []
    pieces.append(response(text=chunks[-1] if chunks else "", calls=calls))
    return [f"data: {json.dumps(p)}\r\n\r\n" for p in pieces]
