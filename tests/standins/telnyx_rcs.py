"""Telnyx RCS stand-in: capability checks, ``POST /v2/messages/rcs``, and SMS for fallbacks."""

from __future__ import annotations

from urllib.parse import unquote

from tests.standins.scripted import Recorded, Reply
from tests.standins.telnyx import TelnyxStandIn, telnyx_error

AGENT = "agent_007"
CAPABILITIES = f"/v2/messaging/rcs/capabilities/{AGENT}/"


class TelnyxRCSStandIn(TelnyxStandIn):
    """Numbers in :attr:`rcs_capable` can take RCS; others answer the capability check 404."""

    def __init__(self) -> None:
        super().__init__()
        self.rcs_capable: set[str] = set()

    def accepts(self, method: str, path: str) -> bool:
        if method == "GET":
            return path.startswith(CAPABILITIES)
        return method == "POST" and path in ("/v2/messages", "/v2/messages/rcs")

    def _choose(self, request: Recorded) -> Reply:
        if not (self.accepts(request.method, request.path) and self.authorized(request.headers)):
            return super()._choose(request)
        if request.method == "GET":
            phone = unquote(request.path.removeprefix(CAPABILITIES))
            if phone not in self.rcs_capable:
                return telnyx_error("10015", "RCS not available for this number", 404)
            data = {"agent_id": AGENT, "phone_number": phone, "features": ["RICHCARD_STANDALONE"]}
            return Reply.json({"data": {**data, "record_type": "rcs.capabilities"}})
        if request.path == "/v2/messages/rcs" and not self.replies:
            body = request.json
            data = {
                "record_type": "message",
                "type": "RCS",
                "id": f"rcs-{len(self.requests)}",
                "from": {"agent_id": body["agent_id"]},
                "to": [{"phone_number": body["to"], "status": "queued"}],
            }
            return Reply.json({"data": data})
        return super()._choose(request)
