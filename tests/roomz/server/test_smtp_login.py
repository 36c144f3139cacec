"""The whole magic-link login through a real mail server: `roomz serve` mails the link
over SMTP to aiosmtpd on loopback, the browser-side link sets the session cookie, and the
session opens a chat socket."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from roomz import AsyncClient
from tests.conftest import UNIT
from tests.roomz.server.serve import serve
from tests.standins.smtp import Inbox, smtp_server


def _link_in(body: str, base_url: str) -> str:
    links = [line.strip() for line in body.splitlines() if line.strip().startswith(base_url)]
    assert len(links) == 1, body
    return links[0]


async def test_login_link_mailed_by_smtp_opens_a_session(tmp_path: Path) -> None:
    """A login request makes the server mail the link (From, To, Subject as configured);
    opening the link (GET, HEAD: what mail scanners do) spends nothing, its page's button
    sets an HttpOnly SameSite=Strict cookie once, and its session chats. No log line, the
    access log included, carries the token."""
    inbox = Inbox()
    async with (
        smtp_server(inbox) as smtp_port,
        serve(
            tmp_path,
            ROOMZ_SMTP_HOST="127.0.0.1",
            ROOMZ_SMTP_PORT=str(smtp_port),
            ROOMZ_SMTP_FROM="chat@roomz.test",
            ROOMZ_ALLOWED_DOMAINS="example.com",
            ROOMZ_OPEN_SIGNUP="",
            ROOMZ_ACCESS_LOG="1",
        ) as server,
        httpx.AsyncClient(base_url=server.http_url) as http,
    ):
        answer = await http.post("/auth/login", json={"email": "Mail@Example.com"})
        assert answer.status_code == 202
        envelope, message = await inbox.next(within=10 * UNIT)
        assert envelope.rcpt_tos == ["mail@example.com"]
        assert (message["From"], message["To"]) == ("chat@roomz.test", "mail@example.com")
        assert message["Subject"] == "Your roomz login link"
        body = message.get_body(("plain",))
        assert body is not None
        link = _link_in(body.get_content(), f"{server.http_url}/auth/verify?token=")
        assert not any(line.startswith("Login link for") for line in server.output)

        token = parse_qs(urlsplit(link).query)["token"][0]
        scanned = [await http.head(link), await http.get(link), await http.get(link)]
        assert [answer.status_code for answer in scanned] == [200, 200, 200]
        assert all("set-cookie" not in answer.headers for answer in scanned)
        followed = await http.post("/auth/verify", data={"token": token})
        assert followed.status_code == 303 and followed.headers["location"] == "/"
        cookie = followed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
        session = followed.cookies["roomz_session"]
        again = await http.get(link)
        assert again.status_code == 400  # a link works once
        assert (await http.post("/auth/verify", data={"token": token})).status_code == 400

        me = await http.get("/auth/me", headers={"Authorization": f"Bearer {session}"})
        assert me.json()["user"]["email"] == "mail@example.com"
        async with AsyncClient(server.ws_url, session) as client:  # connects
            result = await client.send("sent after an emailed login")
            assert result["status"] == "ok"
            assert client.user is not None and client.user["email"] == "mail@example.com"

        # An address outside the allow-list gets the same answer and no mail.
        answer = await http.post("/auth/login", json={"email": "eve@evil.test"})
        assert answer.status_code == 202
        await asyncio.sleep(0.5 * UNIT)
        assert len(inbox.messages) == 1
        refused = await http.post("/auth/token", json={"token": token})
        assert refused.status_code == 401
    access = [line for line in server.logs if "/auth/verify" in line]
    assert len(access) >= 5, server.logs  # the access log is on and saw the link's requests
    assert not [line for line in server.logs + server.output if token in line]
