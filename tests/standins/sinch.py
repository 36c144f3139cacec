"""Sinch SMS REST API stand-in: ``POST /xms/v1/{service_plan_id}/batches`` with a Bearer token."""

from __future__ import annotations

from tests.standins.scripted import Recorded, Reply, ScriptedApp

PLAN = "plan0123456789"
API_TOKEN = "sinch-api-token-do-not-log"
PATH = f"/xms/v1/{PLAN}/batches"


class SinchStandIn(ScriptedApp):
    """Checks the Bearer token; answers each accepted batch as Sinch does (201, the batch)."""

    def accepts(self, method: str, path: str) -> bool:
        return method == "POST" and path == PATH

    def authorized(self, headers: dict[str, str]) -> bool:
        return headers.get("authorization") == f"Bearer {API_TOKEN}"

    def error(self, status: int, message: str) -> Reply:
        return sinch_error("unauthorized" if status == 401 else "not_found", message, status)

    def _choose(self, request: Recorded) -> Reply:
        reply = super()._choose(request)
        if reply is self.default:
            batch = {
                **request.json,
                "id": f"01BATCH{len(self.requests):019d}",
                "canceled": False,
                "created_at": "2026-12-08T01:00:00.000Z",
            }
            return Reply.json(batch, 201)
        return reply


def sinch_error(code: str, text: str, status: int, headers: dict[str, str] | None = None) -> Reply:
    """Sinch's JSON error body."""
    return Reply.json({"code": code, "text": text}, status, headers)
