"""The login endpoints over real HTTP on loopback: answers, cookies, refusals."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from roomz.server.auth import Auth, MemorySender
from tests.roomz.auth.conftest import Clock, Database, login_site, spend
from tests.standins.server import serve_app


@contextlib.asynccontextmanager
async def site(auth: Auth) -> AsyncIterator[httpx.AsyncClient]:
    """The login routes of ``auth`` served on loopback, and a client for them."""
    async with serve_app(login_site(auth)) as url, httpx.AsyncClient(base_url=url) as client:
        yield client


@pytest.fixture
async def http(auth: Auth) -> AsyncIterator[httpx.AsyncClient]:
    async with site(auth) as client:
        yield client


async def mailed_token(http: httpx.AsyncClient, mailbox: MemorySender, email: str) -> str:
    """POST /auth/login for ``email``; the token of the link that was mailed."""
    response = await http.post("/auth/login", json={"email": email})
    assert response.status_code == 202
    _, url = await mailbox.next()
    return parse_qs(urlsplit(url).query)["token"][0]


def set_cookies(response: httpx.Response) -> list[str]:
    return response.headers.get_list("set-cookie")


async def test_login_answer_does_not_reveal_membership(
    http: httpx.AsyncClient, mailbox: MemorySender
) -> None:
    """An allowed and a not-allowed address get the same status, body and headers."""
    allowed = await http.post("/auth/login", json={"email": "alice@example.com"})
    stranger = await http.post("/auth/login", json={"email": "mallory@evil.test"})
    assert allowed.status_code == stranger.status_code == 202
    assert allowed.content == stranger.content == b'{"status":"ok","delivery":"email"}'
    drop = {"date"}
    assert {k: v for k, v in allowed.headers.items() if k not in drop} == {
        k: v for k, v in stranger.headers.items() if k not in drop
    }
    assert (await mailbox.next())[0] == "alice@example.com"


async def test_login_from_a_form(http: httpx.AsyncClient, mailbox: MemorySender) -> None:
    """A URL-encoded form post asks for a link like JSON does."""
    response = await http.post("/auth/login", data={"email": "Bob@Example.com"})
    assert response.status_code == 202
    assert (await mailbox.next())[0] == "bob@example.com"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"email": "not-an-email"}, "invalid_email"),
        ({"email": "a@example.com\r\nBcc: x@example.com"}, "invalid_email"),
        ({"email": 12}, "invalid_email"),
        ({}, "invalid_email"),
        ([], "invalid_frame"),
    ],
)
async def test_login_refuses_bad_requests(
    http: httpx.AsyncClient, body: object, reason: str
) -> None:
    """Unusable login requests get 400 with a stable reason."""
    response = await http.post("/auth/login", json=body)
    assert response.status_code == 400
    assert response.json()["reason"] == reason
    assert set(response.json()) == {"error", "code", "reason"}


async def test_login_refuses_non_json_and_huge_bodies(http: httpx.AsyncClient) -> None:
    """A body that is not JSON is 400 invalid_json; one over 8 KiB is 413."""
    response = await http.post(
        "/auth/login", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert (response.status_code, response.json()["reason"]) == (400, "invalid_json")
    response = await http.post("/auth/login", json={"email": "a@example.com", "x": "y" * 9000})
    assert (response.status_code, response.json()["reason"]) == (413, "frame_too_large")


@pytest.mark.parametrize("path", ["/auth/login", "/auth/token"])
async def test_deeply_nested_json_is_a_bad_request(http: httpx.AsyncClient, path: str) -> None:
    """JSON nested deeper than the parser goes is 400 invalid_json, not a server failure."""
    for body in ("[" * 4000 + "]" * 4000, '{"email": ' + "[" * 4000 + "]" * 4000 + "}"):
        response = await http.post(
            path, content=body.encode(), headers={"content-type": "application/json"}
        )
        assert (response.status_code, response.json()["reason"]) == (400, "invalid_json")


async def test_rate_limit_per_email_over_http(http: httpx.AsyncClient, clock: Clock) -> None:
    """The fourth request for one address in the window is 429 with retry_after and a
    Retry-After header."""
    for _ in range(3):
        assert (await http.post("/auth/login", json={"email": "c@example.com"})).status_code == 202
    clock.advance(15.5)
    response = await http.post("/auth/login", json={"email": "c@example.com"})
    assert response.status_code == 429
    assert response.json() == {
        "error": response.json()["error"],
        "code": 429,
        "reason": "rate_limited",
        "retry_after": 44.5,
    }
    assert response.headers["retry-after"] == "45"


async def test_rate_limit_per_client_over_http(http: httpx.AsyncClient) -> None:
    """One client address may ask for five links in the window, for any addresses."""
    for n in range(5):
        response = await http.post("/auth/login", json={"email": f"u{n}@example.com"})
        assert response.status_code == 202
    response = await http.post("/auth/login", json={"email": "fresh@example.com"})
    assert (response.status_code, response.json()["reason"]) == (429, "rate_limited")
    assert float(response.headers["retry-after"]) > 0


async def test_token_endpoint(http: httpx.AsyncClient, mailbox: MemorySender) -> None:
    """POST /auth/token spends a link token on a session once; the second time is 401."""
    token = await mailed_token(http, mailbox, "dan@example.com")
    response = await http.post("/auth/token", json={"token": token})
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {
        "id": "user:dan@example.com",
        "email": "dan@example.com",
        "display_name": None,
    }
    assert http.cookies["roomz_session"] == body["session_token"]
    http.cookies.clear()
    me = await http.get("/auth/me", headers={"authorization": f"Bearer {body['session_token']}"})
    assert me.json() == {"user": body["user"]}
    replay = await http.post("/auth/token", json={"token": token})
    assert replay.status_code == 401
    assert replay.json()["reason"] == "invalid_token"
    missing = await http.post("/auth/token", json={})
    assert (missing.status_code, missing.json()["reason"]) == (401, "invalid_token")


async def test_opening_the_link_spends_nothing(
    http: httpx.AsyncClient, mailbox: MemorySender
) -> None:
    """GET and HEAD of the link (a person opening it, a mail scanner fetching it) answer
    the page with the button and set no cookie; the link still works afterwards."""
    token = await mailed_token(http, mailbox, "eve@example.com")
    for _ in range(2):
        head = await http.head("/auth/verify", params={"token": token})
        page = await http.get("/auth/verify", params={"token": token})
        assert head.status_code == page.status_code == 200
        assert set_cookies(head) == set_cookies(page) == []
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["referrer-policy"] == "strict-origin"  # the token stays here
        assert '<form id="verify-form"' in page.text and 'method="post"' in page.text
        assert f'name="token" value="{token}"' in page.text
    assert (await http.get("/auth/me")).status_code == 401
    assert (await spend(http, token)).status_code == 303


async def test_verify_sets_cookie_and_redirects(
    http: httpx.AsyncClient, mailbox: MemorySender
) -> None:
    """The link page's button sets an HttpOnly, SameSite=Strict, Path=/ cookie (not Secure
    on http) lasting session_ttl, and redirects to the chat."""
    token = await mailed_token(http, mailbox, "eve@example.com")
    response = await spend(http, token)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert response.headers["cache-control"] == "no-store"
    [cookie] = set_cookies(response)
    name_value, *attributes = [part.strip() for part in cookie.split(";")]
    assert name_value.startswith("roomz_session=") and len(name_value) > 40
    assert sorted(attributes) == ["HttpOnly", "Max-Age=3600", "Path=/", "SameSite=Strict"]
    me = await http.get("/auth/me")  # the client's jar now holds the cookie
    assert me.status_code == 200
    assert me.json()["user"]["email"] == "eve@example.com"


async def test_verify_refuses_replayed_and_expired_links(
    http: httpx.AsyncClient, mailbox: MemorySender, clock: Clock
) -> None:
    """A used or expired link shows a styled HTML page (400) with a way back, and no
    cookie, whether opened or its button pressed."""
    used = await mailed_token(http, mailbox, "fay@example.com")
    assert (await spend(http, used)).status_code == 303
    http.cookies.clear()
    stale = await mailed_token(http, mailbox, "fay@example.com")
    clock.advance(900.0)
    for token in (used, stale, "", "made-up"):
        for response in (
            await http.get("/auth/verify", params={"token": token}),
            await spend(http, token),
        ):
            assert response.status_code == 400
            assert response.headers["content-type"].startswith("text/html")
            assert "invalid or has expired" in response.text
            assert 'href="/"' in response.text
            assert '<link rel="stylesheet" href="/static/style.css">' in response.text
            assert set_cookies(response) == []
    assert (await http.get("/auth/me")).status_code == 401


async def test_secure_cookie_behind_https(
    database: Database, mailbox: MemorySender, clock: Clock
) -> None:
    """With an https public URL the session cookie is also Secure."""
    auth = await database.auth(
        mailbox, clock, public_url="https://chat.example.org", open_signup=True
    )
    async with site(auth) as http:
        token = await mailed_token(http, mailbox, "gus@example.com")
        response = await spend(http, token)
        assert response.status_code == 303
        [cookie] = set_cookies(response)
        assert "Secure" in [part.strip() for part in cookie.split(";")]
        logout = await http.post("/auth/logout", headers={"origin": "https://chat.example.org"})
        [cleared] = set_cookies(logout)
        assert "Secure" in [part.strip() for part in cleared.split(";")]


async def test_links_use_public_url_not_host_header(
    database: Database, mailbox: MemorySender, clock: Clock
) -> None:
    """The emailed link is on the configured public URL whatever Host the request names."""
    auth = await database.auth(
        mailbox, clock, public_url="https://chat.example.org/", open_signup=True
    )
    async with site(auth) as http:
        response = await http.post(
            "/auth/login",
            json={"email": "hal@example.com"},
            headers={"host": "evil.test", "x-forwarded-host": "evil.test"},
        )
        assert response.status_code == 202
        _, url = await mailbox.next()
    assert url.startswith("https://chat.example.org/auth/verify?token=")
    assert "evil" not in url


async def test_logout_revokes_cookie_and_bearer(
    http: httpx.AsyncClient, mailbox: MemorySender
) -> None:
    """After logout the old cookie and the old bearer token both get 401 from /auth/me."""
    token = await mailed_token(http, mailbox, "ida@example.com")
    await spend(http, token)
    stolen = http.cookies["roomz_session"]
    response = await http.post("/auth/logout")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    [cleared] = set_cookies(response)
    assert cleared.startswith("roomz_session=;") and "Max-Age=0" in cleared
    replay = await http.get("/auth/me", headers={"cookie": f"roomz_session={stolen}"})
    assert (replay.status_code, replay.json()["reason"]) == (401, "not_authenticated")

    session = (
        await http.post(
            "/auth/token", json={"token": await mailed_token(http, mailbox, "ida@example.com")}
        )
    ).json()["session_token"]
    bearer = {"authorization": f"Bearer {session}"}
    http.cookies.clear()
    assert (await http.get("/auth/me", headers=bearer)).status_code == 200
    assert (await http.post("/auth/logout", headers=bearer)).status_code == 200
    assert (await http.get("/auth/me", headers=bearer)).status_code == 401


async def test_logout_from_foreign_origin_is_refused(
    http: httpx.AsyncClient, mailbox: MemorySender
) -> None:
    """A logout carrying another site's Origin is 403 and leaves the session alive; the
    site's own Origin is served."""
    token = await mailed_token(http, mailbox, "jon@example.com")
    await spend(http, token)
    refused = await http.post("/auth/logout", headers={"origin": "https://evil.test"})
    assert refused.status_code == 403
    assert refused.json()["reason"] == "forbidden_origin"
    assert set_cookies(refused) == []
    assert (await http.get("/auth/me")).status_code == 200
    accepted = await http.post("/auth/logout", headers={"origin": "http://127.0.0.1:8000"})
    assert accepted.status_code == 200
    assert (await http.get("/auth/me")).status_code == 401


async def test_foreign_origin_cannot_spend_or_request_links(
    http: httpx.AsyncClient, mailbox: MemorySender
) -> None:
    """Login and token requests from another site's page are refused too."""
    foreign = {"origin": "http://127.0.0.1:8000.evil.test"}
    response = await http.post("/auth/login", json={"email": "kai@example.com"}, headers=foreign)
    assert (response.status_code, response.json()["reason"]) == (403, "forbidden_origin")
    token = await mailed_token(http, mailbox, "kai@example.com")
    response = await http.post("/auth/token", json={"token": token}, headers=foreign)
    assert response.status_code == 403
    assert (await http.post("/auth/token", json={"token": token})).status_code == 200


async def test_me_refuses_tampered_and_missing_sessions(
    http: httpx.AsyncClient, mailbox: MemorySender
) -> None:
    """/auth/me is 401 not_authenticated without a session, or with a tampered one."""
    missing = await http.get("/auth/me")
    assert missing.status_code == 401
    assert missing.json()["reason"] == "not_authenticated"
    body = (
        await http.post(
            "/auth/token", json={"token": await mailed_token(http, mailbox, "lea@example.com")}
        )
    ).json()
    session = body["session_token"]
    tampered = session[:10] + ("x" if session[10] != "x" else "y") + session[11:]
    for bad in (tampered, session.upper(), "Bearer", "x" * 300):
        response = await http.get("/auth/me", headers={"authorization": f"Bearer {bad}"})
        assert response.status_code == 401
        response = await http.get("/auth/me", headers={"cookie": f"roomz_session={bad}"})
        assert response.status_code == 401
