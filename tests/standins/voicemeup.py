"""VoiceMeUp client API stand-in: ``POST /api/v1.1/json/queue_sms``, credentials in the form."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from tests.standins.scripted import Recorded, Reply, ScriptedApp

USERNAME = "api-user"
AUTH_TOKEN = "voicemeup-token-do-not-log"
PATH = "/api/v1.1/json/queue_sms"


def answer(status: str, *messages: tuple[str, str]) -> Reply:
    """VoiceMeUp's JSON answer: a status and coded messages (always HTTP 200)."""
    listed: Any = [{"code": c, "_content": text} for c, text in messages]
    details = {"response_status": status, "response_messages": {"message": listed}}
    return Reply.json({"response_details": details})


class VoiceMeUpStandIn(ScriptedApp):
    """Checks ``username`` / ``auth_token``; queues each SMS with a hash of its own."""

    def accepts(self, method: str, path: str) -> bool:
        return method == "POST" and path == PATH

    def _choose(self, request: Recorded) -> Reply:
        form = dict(parse_qsl(request.body.decode()))
        if self.accepts(request.method, request.path) and (
            (form.get("username"), form.get("auth_token")) != (USERNAME, AUTH_TOKEN)
        ):
            return answer("error", ("invalid_credentials", "Invalid username or auth token"))
        reply = super()._choose(request)
        if reply is self.default:
            return answer("success", ("queued_sms_hash", f"hash-{len(self.requests)}"))
        return reply

    def forms(self) -> list[dict[str, str]]:
        return [dict(parse_qsl(r.body.decode(), keep_blank_values=True)) for r in self.requests]
