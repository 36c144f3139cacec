"""Input that used to fail inside the server (500 ``internal_error``) gets a typed 400 it can
switch on, on SQLite and on PostgreSQL, and changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import POSTGRES_DSN, fresh_pg_schema, require_service
from tests.roomz.server.serve import RunningServer, serve
from tests.roomz.server.test_bad_input import Peer, peer

NAMES_REFUSED = [
    "nul\x00name",
    "two\nlines",
    "car\rriage",
    "tab\tbed",
    "bell\x07",
    "c1\x85control",
    "line\u2028sep",
    "evil\u202egnp.exe",
    "lre\u202a",
    "isolate\u2066x\u2069",
    "fsi\u2068x",
    "lone\ud800surrogate",
]


@pytest.fixture(params=["sqlite", "postgres"])
async def server(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[RunningServer]:
    """A server on SQLite, or on a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        async with serve(tmp_path) as running:
            yield running
        return
    require_service("PostgreSQL", 5432)
    async with fresh_pg_schema() as schema:
        database = f"{POSTGRES_DSN}?search_path={schema}"
        async with serve(tmp_path, ROOMZ_DATABASE=database) as running:
            yield running


async def refused(ann: Peer, request_id: str, **frame: Any) -> dict[str, Any]:
    answer = await ann.ask(request_id=request_id, **frame)
    assert answer["type"] == "result", answer
    assert (answer["code"], answer["reason"]) == (400, "invalid_field"), answer
    return answer


async def test_out_of_range_indexes_are_typed_400s(server: RunningServer) -> None:
    """``since`` of 2^63 or more and a ``read`` index of 0 or 2^70 are invalid_field."""
    async with peer(server, await server.session_token("ann@example.com")) as ann:
        assert (await ann.ask(type="send", request_id="s", content="one"))["status"] == "ok"
        for n, since in enumerate((2**63, 2**64, 2**70)):
            await refused(ann, f"h{n}", type="history", room="general", since=since)
        for n, index in enumerate((0, 2**63, 2**70)):
            await refused(ann, f"r{n}", type="read", room="general", index=index)
        history = await ann.ask(type="history", request_id="h", room="general", since=2**63 - 1)
        assert history["messages"] == []
        read = await ann.ask(type="read", request_id="r", room="general", index=1)
        assert read["status"] == "ok"


async def test_lone_surrogates_and_control_ids_store_nothing(server: RunningServer) -> None:
    """Content with a lone surrogate, and a ``client_id`` with NUL or a surrogate, are
    invalid_field; nothing is stored and the socket carries on."""
    async with peer(server, await server.session_token("ann@example.com")) as ann:
        for n, content in enumerate(("\ud800", "half \udfff a pair", "x\ud83d")):
            await refused(ann, f"c{n}", type="send", content=content)
        for n, client_id in enumerate(("nul\x00id", "line\nid", "\udc00")):
            await refused(ann, f"i{n}", type="send", content="hello", client_id=client_id)
        history = await ann.ask(type="history", request_id="h", room="general", since=0)
        assert history["messages"] == []
        sent = await ann.ask(type="send", request_id="ok", content="\U0001f600 fine", client_id="a")
        assert sent["status"] == "ok"


async def test_display_names_refuse_control_and_direction_characters(
    server: RunningServer,
) -> None:
    """NUL, line breaks, control characters and bidi overrides or isolates in a display
    name are invalid_field and the name stays as it was; a plain name is taken."""
    session = await server.session_token("ann@example.com")
    async with peer(server, session) as ann:
        assert (await ann.ask(type="set_display_name", request_id="n", name="Ann"))["status"]
        for n, name in enumerate(NAMES_REFUSED):
            await refused(ann, f"n{n}", type="set_display_name", name=name)
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        me = await http.get("/auth/me", headers={"Authorization": f"Bearer {session}"})
    assert me.json()["user"]["display_name"] == "Ann"


async def test_deeply_nested_json_over_http_is_a_bad_request(server: RunningServer) -> None:
    """``/auth/login`` and ``/auth/token`` answer JSON nested 4,000 deep with 400
    ``invalid_json``; the login limit is not spent by it and logging in still works."""
    nested = ("[" * 4000 + "]" * 4000).encode()
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        for path in ("/auth/login", "/auth/token"):
            answer = await http.post(
                path, content=nested, headers={"content-type": "application/json"}
            )
            assert (answer.status_code, answer.json()["reason"]) == (400, "invalid_json")
    assert await server.session_token("ann@example.com")
