"""Telnyx v2 Messages API stand-in (``POST /v2/messages``) and webhooks signed with PyNaCl."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from nacl.signing import SigningKey

from tests.standins.scripted import Recorded, Reply, ScriptedApp

API_KEY = "KEY0123456789telnyx-secret"


class TelnyxStandIn(ScriptedApp):
    """Checks the Bearer key; answers each accepted send with a queued message resource."""

    def __init__(self, api_key: str = API_KEY) -> None:
        super().__init__()
        self.api_key = api_key

    def accepts(self, method: str, path: str) -> bool:
        return method == "POST" and path == "/v2/messages"

    def authorized(self, headers: dict[str, str]) -> bool:
        return headers.get("authorization") == f"Bearer {self.api_key}"

    def error(self, status: int, message: str) -> Reply:
        return telnyx_error("10009" if status == 401 else "10005", message, status)

    def _choose(self, request: Recorded) -> Reply:
        reply = super()._choose(request)
        if reply is self.default:
            return message_resource(request.json, len(self.requests))
        return reply


def telnyx_error(
    code: str, detail: str, status: int, headers: dict[str, str] | None = None
) -> Reply:
    error = {
        "code": code,
        "title": "Error",
        "detail": detail,
        "meta": {"url": f"https://developers.telnyx.com/docs/overview/errors/{code}"},
    }
    return Reply.json({"errors": [error]}, status, headers)


def message_resource(body: dict[str, Any], number: int) -> Reply:
    data = {
        "record_type": "message",
        "id": f"40317{number:08d}-0000-0000-0000-000000000000",
        "from": {"phone_number": body.get("from")},
        "to": [{"phone_number": body.get("to"), "status": "queued"}],
        "text": body.get("text", ""),
        "parts": 1,
        "direction": "outbound",
    }
    return Reply.json({"data": data})


class TelnyxSigner:
    """Telnyx's side of webhook signing: an Ed25519 key pair."""

    def __init__(self) -> None:
        self.key = SigningKey.generate()
        self.public_key = base64.b64encode(bytes(self.key.verify_key)).decode()

    def headers(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = self.key.sign(stamp.encode() + b"|" + body).signature
        return {
            "telnyx-signature-ed25519": base64.b64encode(signature).decode(),
            "telnyx-timestamp": stamp,
        }


def received(message_id: str, sender: str, text: str, to: str = "+15550002222") -> bytes:
    """A ``message.received`` webhook body as Telnyx posts it."""
    payload = {
        "id": message_id,
        "record_type": "message",
        "direction": "inbound",
        "type": "SMS",
        "from": {"phone_number": sender, "carrier": "T-Mobile", "line_type": "Wireless"},
        "to": [{"phone_number": to, "status": "webhook_delivered"}],
        "text": text,
        "media": [],
        "received_at": "2026-12-08T00:00:00.000+00:00",
    }
    return _event("message.received", payload)


def finalized(message_id: str, to: str, status: str = "delivered") -> bytes:
    """A ``message.finalized`` webhook reporting ``status`` for one recipient."""
    payload = {
        "id": message_id,
        "record_type": "message",
        "direction": "outbound",
        "from": {"phone_number": "+15550002222"},
        "to": [{"phone_number": to, "status": status}],
        "errors": [] if status == "delivered" else [{"code": "40002", "title": "Blocked"}],
    }
    return _event("message.finalized", payload)


def _event(event_type: str, payload: dict[str, Any]) -> bytes:
    data = {
        "event_type": event_type,
        "id": f"evt-{payload['id']}",
        "occurred_at": "2026-12-08T00:00:01.000+00:00",
        "payload": payload,
        "record_type": "event",
    }
    return json.dumps({"data": data, "meta": {"attempt": 1}}).encode()
