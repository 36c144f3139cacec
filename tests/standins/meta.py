"""Meta Graph API stand-in: WhatsApp Cloud API and Messenger Send API, and webhook signing.

``GET /{version}/{node}`` answers the queued reply (a media object, for instance).

``POST /{version}/{phone_number_id}/messages`` answers like the Cloud API (``wamid.…``);
``POST /{version}/me/messages`` or ``/{version}/{page_id}/messages`` like the Send API
(``m_…``). Both check the Bearer token (Messenger's may also come as ``access_token``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import parse_qs

import httpx

from tests.standins.scripted import Recorded, Reply, ScriptedApp

ACCESS_TOKEN = "meta-access-token-do-not-log"
APP_SECRET = "meta-app-secret-do-not-log"
VERIFY_TOKEN = "meta-verify-token"
PHONE_NUMBER_ID = "106540352242922"
PAGE_ID = "1234567890"
VERSION = "v21.0"


class GraphStandIn(ScriptedApp):
    """Records each send; answers the Cloud API or Send API success body by path."""

    def __init__(self, token: str = ACCESS_TOKEN) -> None:
        super().__init__()
        self.token = token

    def accepts(self, method: str, path: str) -> bool:
        if method == "GET":  # a node, such as a media object
            return path.startswith(f"/{VERSION}/")
        return method == "POST" and path.startswith(f"/{VERSION}/") and path.endswith("/messages")

    def authorized(self, headers: dict[str, str]) -> bool:
        return headers.get("authorization") == f"Bearer {self.token}"

    def _choose(self, request: Recorded) -> Reply:
        query = parse_qs(request.query)
        if query.get("access_token") == [self.token]:  # the Send API's query-string form
            request.headers["authorization"] = f"Bearer {self.token}"
        reply = super()._choose(request)
        if reply is not self.default or request.method == "GET":
            return reply
        number = len(self.requests)
        body = request.json
        if body.get("messaging_product") == "whatsapp":
            return Reply.json(
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                    "messages": [{"id": f"wamid.HBgL{number:08d}"}],
                }
            )
        return Reply.json({"recipient_id": body["recipient"]["id"], "message_id": f"m_{number}"})

    def error(self, status: int, message: str) -> Reply:
        return graph_error(190 if status == 401 else 803, message, status)


def graph_error(
    code: int,
    message: str,
    status: int = 400,
    subcode: int | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """Graph's error body."""
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AbCdEfGhIjK",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return Reply.json({"error": error}, status, headers)


def signed(payload: dict[str, Any], secret: str = APP_SECRET) -> tuple[bytes, dict[str, str]]:
    """The body and headers Meta posts: ``X-Hub-Signature-256`` over the exact bytes."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return body, {"content-type": "application/json", "x-hub-signature-256": f"sha256={digest}"}


def whatsapp_change(value: dict[str, Any]) -> dict[str, Any]:
    """A WhatsApp Business Account webhook body with one ``messages`` change."""
    metadata = {"display_phone_number": "15550001111", "phone_number_id": PHONE_NUMBER_ID}
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {"messaging_product": "whatsapp", "metadata": metadata, **value},
                    }
                ],
            }
        ],
    }


def whatsapp_text(
    wamid: str, phone: str, body: str, timestamp: int, user_id: str = "US.13491208655302741918"
) -> dict[str, Any]:
    """A customer's text message, with the contact carrying the business-scoped user id."""
    contact = {"profile": {"name": "Kerry"}, "wa_id": phone, "user_id": user_id}
    message = {"from": phone, "id": wamid, "timestamp": str(timestamp), "type": "text"}
    return whatsapp_change(
        {"contacts": [contact], "messages": [{**message, "text": {"body": body}}]}
    )


def whatsapp_status(wamid: str, status: str, phone: str, timestamp: int) -> dict[str, Any]:
    """A status update of a message the business sent."""
    contact = {"wa_id": phone, "user_id": "US.13491208655302741918"}
    item = {"id": wamid, "status": status, "timestamp": str(timestamp), "recipient_id": phone}
    return whatsapp_change({"contacts": [contact], "statuses": [item]})


def messenger_event(page_id: str, *items: dict[str, Any]) -> dict[str, Any]:
    """A Messenger webhook body with one entry holding ``items`` as ``messaging``."""
    return {"object": "page", "entry": [{"id": page_id, "time": 1, "messaging": list(items)}]}


async def handshake(base_url: str, path: str, challenge: str) -> tuple[httpx.Response, ...]:
    """Meta's subscription GET with our verify token, then with a wrong one."""
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": challenge}
    async with httpx.AsyncClient(base_url=base_url) as client:
        good = await client.get(path, params=query)
        bad = await client.get(path, params={**query, "hub.verify_token": "a guess"})
    return good, bad
