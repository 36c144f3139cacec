"""The Auth façade on SQLite and PostgreSQL: links, sessions, users, refusals."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest

from roomkit.store.drivers import open_driver
from roomz.server.auth import Auth, AuthError, MemorySender
from tests.roomz.auth.conftest import Clock, Database, link_token


async def test_link_is_mailed_from_public_url_and_exchanged(
    auth: Auth, mailbox: MemorySender
) -> None:
    """An allowed address gets a link on the public URL; its token gives a session."""
    await auth.request_link("Alice@Example.com", "198.51.100.7")
    email, url = await mailbox.next()
    assert email == "alice@example.com"
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "http://127.0.0.1:8000/auth/verify"
    token = parse_qs(parts.query)["token"][0]
    assert len(token) >= 22  # >= 128 bits of URL-safe base64
    session, user = await auth.exchange(token)
    assert user == {
        "id": "user:alice@example.com",
        "email": "alice@example.com",
        "display_name": None,
    }
    assert await auth.user_for_session(session) == user


async def test_not_allowed_address_gets_nothing(auth: Auth, mailbox: MemorySender) -> None:
    """A request for an address outside the allow-list returns normally and mails nothing."""
    await auth.request_link("mallory@evil.test", "198.51.100.7")
    await auth.request_link("guest@elsewhere.org", "198.51.100.7")
    await auth.close()
    assert [email for email, _ in mailbox.sent] == ["guest@elsewhere.org"]


async def test_replayed_link_is_refused(auth: Auth, mailbox: MemorySender) -> None:
    """A magic link works once; the second use is invalid_token."""
    token = await link_token(auth, mailbox, "bob@example.com")
    await auth.exchange(token)
    with pytest.raises(AuthError) as caught:
        await auth.exchange(token)
    assert (caught.value.reason, caught.value.code) == ("invalid_token", 401)
    with pytest.raises(AuthError):
        await auth.authenticate(token)


async def test_expired_link_is_refused(auth: Auth, mailbox: MemorySender, clock: Clock) -> None:
    """A link used after link_ttl is invalid_token, even though it was never used."""
    token = await link_token(auth, mailbox, "bob@example.com")
    clock.advance(900.0)
    with pytest.raises(AuthError) as caught:
        await auth.exchange(token)
    assert caught.value.reason == "invalid_token"


async def test_link_just_before_expiry_works(
    auth: Auth, mailbox: MemorySender, clock: Clock
) -> None:
    """A link is still good a moment before link_ttl runs out."""
    token = await link_token(auth, mailbox, "bob@example.com")
    clock.advance(899.0)
    _, user = await auth.exchange(token)
    assert user["email"] == "bob@example.com"


async def test_tampered_session_token_fails(auth: Auth, mailbox: MemorySender) -> None:
    """Changing one character of a session token makes it worthless."""
    session, _ = await auth.exchange(await link_token(auth, mailbox, "carol@example.com"))
    tampered = session[:-1] + ("A" if session[-1] != "A" else "B")
    assert await auth.user_for_session(tampered) is None
    for bad in (tampered, session + "x", "", "x" * 10_000):
        with pytest.raises(AuthError) as caught:
            await auth.authenticate(bad)
        assert caught.value.reason == "invalid_token"


async def test_logout_revokes_session(auth: Auth, mailbox: MemorySender) -> None:
    """After logout the session token no longer authenticates; other sessions live on."""
    first, _ = await auth.exchange(await link_token(auth, mailbox, "dave@example.com"))
    second, _ = await auth.exchange(await link_token(auth, mailbox, "dave@example.com"))
    await auth.logout(first)
    assert await auth.user_for_session(first) is None
    with pytest.raises(AuthError):
        await auth.authenticate(first)
    assert await auth.user_for_session(second) is not None


async def test_session_expires(auth: Auth, mailbox: MemorySender, clock: Clock) -> None:
    """A session stops working after session_ttl."""
    session, _ = await auth.exchange(await link_token(auth, mailbox, "erin@example.com"))
    clock.advance(3599.0)
    assert await auth.user_for_session(session) is not None
    clock.advance(1.0)
    assert await auth.user_for_session(session) is None


async def test_authenticate_takes_session_or_link(auth: Auth, mailbox: MemorySender) -> None:
    """authenticate returns a session token unchanged and spends a link token on a new one."""
    token = await link_token(auth, mailbox, "frank@example.com")
    session, user = await auth.authenticate(token)
    assert session != token
    assert await auth.authenticate(session) == (session, user)


async def test_display_name_persists(
    database: Database, auth: Auth, mailbox: MemorySender, clock: Clock
) -> None:
    """A display name set on the user is there for new sessions and after a reopen."""
    session, user = await auth.exchange(await link_token(auth, mailbox, "gina@example.com"))
    updated = await auth.set_display_name(user["id"], "Gina")
    assert updated == {**user, "display_name": "Gina"}
    await auth.close()
    reopened = await database.auth(mailbox, clock, allowed_domains=("example.com",))
    assert await reopened.user_for_session(session) == updated
    _, again = await reopened.exchange(await link_token(reopened, mailbox, "gina@example.com"))
    assert again["display_name"] == "Gina"
    assert (await reopened.set_display_name(user["id"], None))["display_name"] is None
    assert (await reopened.user_for_session(session) or {})["display_name"] is None


async def test_set_display_name_needs_a_user_id(auth: Auth) -> None:
    """set_display_name refuses something that is not user:<email>."""
    with pytest.raises(AuthError) as caught:
        await auth.set_display_name("alice@example.com", "Alice")
    assert caught.value.reason == "invalid_field"


async def test_tokens_are_stored_only_as_hashes(
    database: Database, auth: Auth, mailbox: MemorySender
) -> None:
    """Neither a link token nor a session token appears in the database, only its SHA-256."""
    token = await link_token(auth, mailbox, "hank@example.com")
    driver = await open_driver(database.url, schema=database.schema)
    try:
        rows = await driver.fetch("SELECT token_hash, email FROM roomz_magic_links")
        assert [tuple(r) for r in rows] == [
            (hashlib.sha256(token.encode()).hexdigest(), "hank@example.com")
        ]
        session, _ = await auth.exchange(token)
        stored = [r[0] for r in await driver.fetch("SELECT token_hash FROM roomz_sessions")]
        assert stored == [hashlib.sha256(session.encode()).hexdigest()]
        assert await driver.fetch("SELECT token_hash FROM roomz_magic_links") == []
    finally:
        await driver.close()


async def test_removed_address_loses_its_sessions(
    database: Database, mailbox: MemorySender, clock: Clock
) -> None:
    """A session of an address taken off the allow-list stops working after a restart."""
    before = await database.auth(mailbox, clock, allowed_emails=("ned@example.org",))
    session, _ = await before.exchange(await link_token(before, mailbox, "ned@example.org"))
    await before.close()
    after = await database.auth(mailbox, clock, allowed_emails=("other@example.org",))
    assert await after.user_for_session(session) is None
    with pytest.raises(AuthError):
        await after.authenticate(session)


async def test_closed_server_warns_the_operator(
    database: Database, mailbox: MemorySender, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """Opening an SMTP-mailing server with no allow-list and no open sign-up logs how to let
    people in."""
    await database.auth(mailbox, clock, smtp_host="127.0.0.1")
    assert any("ROOMZ_OPEN_SIGNUP=1" in r.getMessage() for r in caplog.records)
