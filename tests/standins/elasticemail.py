"""Elastic Email v2 stand-in: ``POST /v2/email/send``, the key in the ``apikey`` field.

It answers as Elastic Email does: ``{"success": true, "data": {...}}`` for a send, and
``{"success": false, "error": ...}`` with HTTP 200 for a wrong key.
"""

from __future__ import annotations

import email.policy
from email.message import EmailMessage
from email.parser import BytesParser
from urllib.parse import parse_qsl

from tests.standins.scripted import Recorded, Reply, ScriptedApp

API_KEY = "elastic-api-key-do-not-log"
PATH = "/v2/email/send"


def form_fields(request: Recorded) -> dict[str, str | tuple[str, str, bytes]]:
    """The request's form: text fields as str, files as ``(filename, type, bytes)``."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        return dict(parse_qsl(request.body.decode(), keep_blank_values=True))
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    form = BytesParser(policy=email.policy.default).parsebytes(head + request.body)
    fields: dict[str, str | tuple[str, str, bytes]] = {}
    for part in form.iter_parts():
        assert isinstance(part, EmailMessage)
        name = str(part.get_param("name", header="content-disposition"))
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        filename = part.get_filename()
        fields[name] = (filename, part.get_content_type(), data) if filename else data.decode()
    return fields


class ElasticEmailStandIn(ScriptedApp):
    """Checks the ``apikey`` field; answers each accepted send with ids of its own."""

    def accepts(self, method: str, path: str) -> bool:
        return method == "POST" and path == PATH

    def _choose(self, request: Recorded) -> Reply:
        if self.accepts(request.method, request.path) and (
            form_fields(request).get("apikey") != API_KEY
        ):
            return Reply.json({"success": False, "error": "Incorrect apikey"})
        reply = super()._choose(request)
        if reply is self.default:
            n = len(self.requests)
            data = {"transactionid": f"tx-{n}", "messageid": f"msg-{n}"}
            return Reply.json({"success": True, "data": data})
        return reply

    def forms(self) -> list[dict[str, str | tuple[str, str, bytes]]]:
        return [form_fields(r) for r in self.requests]
