"""Telegram Bot API stand-in (``POST /bot<token>/<method>``) and Updates as Telegram sends them."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from tests.standins.scripted import Receive, Recorded, Reply, Scope, ScriptedApp, Send

TOKEN = "123456789:AAH-stand-in-bot-token-secret"
SECRET_TOKEN = "webhook-secret_token-42"
BOT_ID = 123456789
_MEDIA_FIELDS = {"sendPhoto": "photo", "sendDocument": "document", "sendAudio": "audio",
                 "sendVideo": "video"}  # fmt: skip


def bot_error(code: int, description: str, retry_after: int | None = None) -> Reply:
    """An error answer as the Bot API words it (a 429 says how long to wait in the body)."""
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return Reply.json(body, code)


class TelegramStandIn(ScriptedApp):
    """Answers send methods with the sent Message and ``getUpdates`` with queued updates.

    A wrong token answers 401 ``Unauthorized``; an unknown method 404. ``getUpdates``
    returns the queued updates with ``update_id`` ≥ the request's ``offset`` and, when
    there are none, waits up to the request's ``timeout`` (capped at 0.2 s here) for some.
    """

    def __init__(self, token: str = TOKEN) -> None:
        super().__init__()
        self.token = token
        self.updates: deque[dict[str, Any]] = deque()
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id → (content type, bytes)
        self._polled = asyncio.Condition()

    def method_of(self, request: Recorded) -> str:
        return request.path.rsplit("/", 1)[-1]

    def calls(self, method: str) -> list[Recorded]:
        return [r for r in self.requests if self.method_of(r) == method]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"].endswith("/getUpdates") and not self.updates:
            await asyncio.sleep(0.2)  # a long poll with nothing to deliver yet
        await super().__call__(scope, receive, send)
        async with self._polled:
            self._polled.notify_all()

    async def polls(self, count: int) -> None:
        """Wait until ``getUpdates`` has been answered ``count`` times."""
        async with self._polled:
            await self._polled.wait_for(lambda: len(self.calls("getUpdates")) >= count)

    def _choose(self, request: Recorded) -> Reply:
        if request.path.startswith("/file/"):
            return self._file(request.path)
        prefix, _, method = request.path.rpartition("/")
        if request.method != "POST" or prefix != f"/bot{self.token}":
            return bot_error(401 if prefix.startswith("/bot") else 404, "Unauthorized")
        if self.replies:
            return self.replies.popleft()
        if method == "getUpdates":
            return self._updates(request.json)
        if method == "getFile":
            return self._file_info(request.json["file_id"])
        if method == "sendMessage" or method in _MEDIA_FIELDS:
            return Reply.json({"ok": True, "result": self._message(method, request.json)})
        return bot_error(404, "Not Found: method not found")

    def _file_info(self, file_id: str) -> Reply:
        if file_id not in self.files:
            return bot_error(400, "Bad Request: invalid file_id")
        info = {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": len(self.files[file_id][1]),
            "file_path": f"photos/{file_id}.jpg",
        }
        return Reply.json({"ok": True, "result": info})  # fmt: skip

    def _file(self, path: str) -> Reply:
        if not path.startswith(f"/file/bot{self.token}/photos/"):
            return Reply.raw(b"Not Found", 404, "text/plain")
        file_id = path.rsplit("/", 1)[-1].removesuffix(".jpg")
        content_type, content = self.files[file_id]
        return Reply.raw(content, 200, content_type)

    def _updates(self, body: dict[str, Any]) -> Reply:
        offset = int(body.get("offset", 0))
        while self.updates and self.updates[0]["update_id"] < offset:
            self.updates.popleft()  # confirmed by the offset: Telegram forgets them
        return Reply.json({"ok": True, "result": list(self.updates)})

    def _message(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        chat = {"id": int(body["chat_id"]), "type": "private", "first_name": "Ann"}
        sent = {"message_id": 1000 + len(self.requests), "date": 1765152000, "chat": chat,
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Room bot"}}  # fmt: skip
        if method == "sendMessage":
            return {**sent, "text": body["text"]}
        field = _MEDIA_FIELDS[method]
        file = {"file_id": f"F-{len(self.requests)}", "file_unique_id": f"U{len(self.requests)}"}
        media: Any = [{**file, "width": 90, "height": 90}] if field == "photo" else file
        return {**sent, field: media, **({"caption": body["caption"]} if "caption" in body else {})}


def user(user_id: int = 42) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Ann", "language_code": "en"}


def message(message_id: int, chat_id: int = 42, **content: Any) -> dict[str, Any]:
    """A private-chat Message from user ``chat_id`` with ``content`` (``text=``, ``photo=``…)."""
    chat = {"id": chat_id, "type": "private", "first_name": "Ann"}
    return {"message_id": message_id, "from": user(chat_id), "chat": chat, "date": 1765152000,
            **content}  # fmt: skip


def text_update(
    update_id: int, text: str, chat_id: int = 42, message_id: int = 7
) -> dict[str, Any]:
    return {"update_id": update_id, "message": message(message_id, chat_id, text=text)}


def photo_update(update_id: int, caption: str) -> dict[str, Any]:
    sizes = [
        {"file_id": "AgAD-small", "file_unique_id": "s1", "width": 90, "height": 67},
        {"file_id": "AgAD-large", "file_unique_id": "l1", "width": 1280, "height": 960,
         "file_size": 98000},
    ]  # fmt: skip
    return {"update_id": update_id, "message": message(8, photo=sizes, caption=caption)}


def document_update(update_id: int) -> dict[str, Any]:
    document = {"file_id": "BQAD-doc", "file_unique_id": "d1", "file_name": "report.pdf",
                "mime_type": "application/pdf", "file_size": 5120}  # fmt: skip
    return {"update_id": update_id, "message": message(9, document=document)}


def edited_update(update_id: int, text: str, message_id: int = 7) -> dict[str, Any]:
    edited = {**message(message_id, text=text), "edit_date": 1765152060}
    return {"update_id": update_id, "edited_message": edited}
