"""The server process as an operator and a first user meet it."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import httpx

from roomz import AsyncClient
from tests.roomz.server.serve import RunningServer, serve


async def test_a_magic_link_from_the_console_opens_a_chat_session(
    roomz_server: RunningServer,
) -> None:
    """The printed link's token opens a WebSocket whose first frame names the user."""
    token = await roomz_server.magic_token("Ann@Example.com")
    async with AsyncClient(roomz_server.ws_url, token) as client:
        assert client.user == {
            "id": "user:ann@example.com",
            "email": "ann@example.com",
            "display_name": None,
        }
        result = await client.send("hello")
        assert result["status"] == "ok" and result["index"] == 1
    assert any("listening on http://127.0.0.1" in line for line in roomz_server.output)


async def test_logs_are_json_lines_and_health_and_metrics_answer(
    roomz_server: RunningServer,
) -> None:
    """stderr carries one JSON object per line; /health and /metrics answer."""
    async with httpx.AsyncClient(base_url=roomz_server.http_url) as http:
        assert (await http.get("/health")).json() == {"status": "ok"}
        metrics = (await http.get("/metrics")).text
    assert "roomz_connections 0" in metrics
    assert "roomz_send_latency_seconds_bucket" in metrics
    assert roomz_server.logs
    for line in roomz_server.logs:
        assert isinstance(json.loads(line), dict)


async def test_a_bad_setting_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    """ROOMZ_PORT=nonsense makes `roomz serve` say so and exit with status 2."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "roomz.server", "serve",
        env={"ROOMZ_PORT": "nonsense", "PATH": ""}, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode == 2
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "ROOMZ_PORT" in lines[0]


async def test_restart_keeps_the_port_and_the_history(tmp_path: Path) -> None:
    """A restarted server answers on the same address with the messages stored before."""
    async with serve(tmp_path) as server:
        session = await server.session_token("bo@example.com")
        async with AsyncClient(server.ws_url, session) as client:
            await client.send("before")
        await server.restart()
        async with AsyncClient(server.ws_url, session) as client:
            history = await client.history("general")
    assert [m["content"] for m in history["messages"]] == ["before"]


async def test_the_web_ui_is_served_at_the_root_and_under_static(
    roomz_server: RunningServer,
) -> None:
    """`/` is the chat page; its script and style come from /static/; unknown files 404."""
    async with httpx.AsyncClient(base_url=roomz_server.http_url) as http:
        page = await http.get("/")
        script = await http.get("/static/app.js")
        missing = await http.get("/static/nothing-here.js")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert missing.status_code == 404


async def test_metrics_count_connections_messages_and_deliveries(
    roomz_server: RunningServer,
) -> None:
    """After two users exchange a message, /metrics shows it stored and delivered twice."""
    ann = AsyncClient(roomz_server.ws_url, await roomz_server.session_token("ann@example.com"))
    bob = AsyncClient(roomz_server.ws_url, await roomz_server.session_token("bob@example.com"))
    async with ann, bob, httpx.AsyncClient(base_url=roomz_server.http_url) as http:
        await ann.send("counted")
        await asyncio.sleep(0.2)
        lines = dict(
            line.split(" ", 1)
            for line in (await http.get("/metrics")).text.splitlines()
            if not line.startswith("#")
        )
    assert lines["roomz_connections"] == "2"
    assert lines["roomz_messages_total"] == "1"
    assert lines["roomz_deliveries_total"] == "2"
    assert lines["roomz_send_latency_seconds_count"] == "1"


async def test_a_bad_flag_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    """`roomz serve --port 70000` names the flag and exits with status 2."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "roomz.server", "serve", "--port", "70000",
        cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await process.communicate()
    assert process.returncode == 2
    assert err.decode().strip().splitlines() == [
        "roomz: --port: 70000 is not a port number (0-65535)"
    ]


async def test_links_follow_the_port_when_no_public_url_is_set(tmp_path: Path) -> None:
    """`roomz serve --port P` with no ROOMZ_PUBLIC_URL mails links for port P, and a page
    opened as localhost may log in too (the same loopback server)."""
    async with serve(tmp_path, ROOMZ_PUBLIC_URL="") as server:
        port = server.http_url.rsplit(":", 1)[1]
        link = await server.magic_link("pat@example.com")
        assert link.startswith(f"http://127.0.0.1:{port}/auth/verify?token=")
        async with httpx.AsyncClient(base_url=server.http_url) as http:
            headers = {"Origin": f"http://localhost:{port}"}
            answer = await http.post(
                "/auth/login", json={"email": "x@example.com"}, headers=headers
            )
            assert answer.status_code == 202
            headers = {"Origin": f"http://localhost:{int(port) + 1}"}
            answer = await http.post(
                "/auth/login", json={"email": "x@example.com"}, headers=headers
            )
            assert answer.status_code == 403
