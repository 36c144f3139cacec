"""Twilio Messages API stand-in: ``POST /2010-04-01/Accounts/{sid}/Messages.json``."""

from __future__ import annotations

import base64
from urllib.parse import parse_qsl

from tests.standins.scripted import Recorded, Reply, ScriptedApp

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "twilio-auth-token-do-not-log"


class TwilioStandIn(ScriptedApp):
    """Checks Basic auth; answers each accepted send with a queued Message resource.

    ``GET`` on a message's media (``…/Messages/MM…/Media/ME…``) answers the queued reply,
    typically Twilio's redirect to its media storage.
    """

    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> None:
        super().__init__()
        self.path = f"/2010-04-01/Accounts/{account_sid}/Messages.json"
        credentials = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        self.expected_auth = f"Basic {credentials}"

    def accepts(self, method: str, path: str) -> bool:
        if method == "GET":
            return path.startswith(self.path.removesuffix(".json") + "/")
        return method == "POST" and path == self.path

    def authorized(self, headers: dict[str, str]) -> bool:
        return headers.get("authorization") == self.expected_auth

    def error(self, status: int, message: str) -> Reply:
        return twilio_error(20003 if status == 401 else 20404, message, status)

    def _choose(self, request: Recorded) -> Reply:
        reply = super()._choose(request)
        if reply is self.default:
            return message_resource(request, len(self.requests))
        return reply

    def forms(self) -> list[list[tuple[str, str]]]:
        """Each request's form body as ordered (name, value) pairs."""
        return [parse_qsl(r.body.decode(), keep_blank_values=True) for r in self.requests]


def twilio_error(
    code: int, message: str, status: int, headers: dict[str, str] | None = None
) -> Reply:
    """Twilio's JSON error body."""
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return Reply.json(body, status, headers)


def message_resource(request: Recorded, number: int) -> Reply:
    form = dict(parse_qsl(request.body.decode()))
    return Reply.json(
        {
            "sid": f"SM{number:032d}",
            "status": "queued",
            "to": form.get("To"),
            "from": form.get("From"),
            "body": form.get("Body", ""),
            "num_segments": "1",
            "error_code": None,
        },
        201,
    )
