"""The scripted, recording ASGI app every vendor stand-in builds on.

A stand-in answers each request with the next queued :class:`Reply` (or its default),
records the request, and can misbehave on purpose: any status and headers, a body that is
not JSON, or a streamed body cut off midway (the connection drops without the chunked
encoding's last chunk, exactly what a crashed upstream looks like to a client).
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class DroppedOnPurpose(Exception):
    """Raised inside the app to cut a streamed answer; uvicorn then closes the socket."""


@dataclass(frozen=True)
class Recorded:
    """One request as the stand-in received it."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    """One scripted answer. ``chunks`` are sent one by one; ``drop_after`` cuts the
    connection after that many chunks."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    chunks: Sequence[bytes] = ()
    drop_after: int | None = None
    delay: float = 0.0

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        body = json.dumps(data).encode()
        return cls(status, {"content-type": "application/json", **(headers or {})}, [body])

    @classmethod
    def raw(cls, body: bytes, status: int = 200, content_type: str = "application/json") -> Reply:
        return cls(status, {"content-type": content_type}, [body])

    @classmethod
    def sse(cls, frames: Sequence[str], drop_after: int | None = None) -> Reply:
        headers = {"content-type": "text/event-stream", "cache-control": "no-cache"}
        return cls(200, headers, [f.encode() for f in frames], drop_after)


class ScriptedApp:
    """An ASGI app answering with queued replies and recording every request.

    Subclasses say which paths exist (:meth:`accepts`), whether a request is authorised
    (:meth:`authorized`) and how the vendor words those errors (:meth:`error`).
    """

    def __init__(self, default: Reply | None = None) -> None:
        self.requests: list[Recorded] = []
        self.replies: deque[Reply] = deque()
        self.default = default or Reply.json({})
        self.base_url = ""  # set by whoever serves the app

    def queue(self, *replies: Reply) -> None:
        """Answer the next requests with ``replies``, in order."""
        self.replies.extend(replies)

    @property
    def last(self) -> Recorded:
        return self.requests[-1]

    def accepts(self, method: str, path: str) -> bool:
        return True

    def authorized(self, headers: dict[str, str]) -> bool:
        return True

    def error(self, status: int, message: str) -> Reply:
        return Reply.json({"error": {"message": message}}, status)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        recorded = Recorded(
            method=scope["method"],
            path=scope["path"],
            query=scope["query_string"].decode(),
            headers={k.decode().lower(): v.decode() for k, v in scope["headers"]},
            body=await _read_body(receive),
        )
        self.requests.append(recorded)
        await _send_reply(self._choose(recorded), send)

    def _choose(self, request: Recorded) -> Reply:
        if not self.accepts(request.method, request.path):
            return self.error(404, f"no route for {request.method} {request.path}")
        if not self.authorized(request.headers):
            return self.error(401, "invalid or missing API key")
        return self.replies.popleft() if self.replies else self.default


async def _read_body(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        chunk: bytes = message.get("body", b"")
        body += chunk
        if not message.get("more_body"):
            return body


async def _send_reply(reply: Reply, send: Send) -> None:
    if reply.delay:
        await asyncio.sleep(reply.delay)
    headers = [(k.encode(), v.encode()) for k, v in reply.headers.items()]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    for index, chunk in enumerate(reply.chunks):
        if reply.drop_after is not None and index >= reply.drop_after:
            raise DroppedOnPurpose("stand-in cut the stream on purpose")
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})
