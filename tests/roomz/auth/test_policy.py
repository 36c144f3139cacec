"""Who may log in, what an email address is, and how many links one may ask for."""

from __future__ import annotations

import asyncio

import pytest

from roomz.server.auth import Auth, AuthError, MemorySender, RateLimited
from roomz.server.auth.policy import LoginPolicy, normalize_email
from roomz.server.settings import Settings
from tests.roomz.auth.conftest import Clock, Database

INVALID = [
    "",
    "   ",
    "alice",
    "alice@",
    "@example.com",
    "alice@@example.com",
    "al ice@example.com",
    "alice@exa mple.com",
    "alice@example..com",
    "alice@-example.com",
    "alice@example-.com",
    ".alice@example.com",
    "alice.@example.com",
    "al..ice@example.com",
    "alice@example.com\r\nBcc: victim@example.org",
    "alice\n@example.com",
    "alice@example.com\x00",
    "<alice@example.com>",
    "Alice <alice@example.com>",
    "alice@exam_ple.com",
    "ålice@example.com",
    "a" * 65 + "@example.com",
    "alice@" + "a" * 64 + ".com",
    "alice@" + ".".join(["abcdefgh"] * 30) + ".com",
]


@pytest.mark.parametrize("text", INVALID)
def test_invalid_emails_are_refused(text: str) -> None:
    """Malformed addresses, header injection and non-ASCII are invalid_email (400)."""
    with pytest.raises(AuthError) as caught:
        normalize_email(text)
    assert (caught.value.reason, caught.value.code) == ("invalid_email", 400)


@pytest.mark.parametrize("value", [None, 42, ["alice@example.com"], {"a": 1}])
def test_non_strings_are_invalid_emails(value: object) -> None:
    """An email that is not a string is invalid_email, not a crash."""
    with pytest.raises(AuthError) as caught:
        normalize_email(value)
    assert caught.value.reason == "invalid_email"


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("Alice@Example.COM", "alice@example.com"),
        ("  bob@example.com ", "bob@example.com"),
        ("o'neil+chat@mail.example.co.uk", "o'neil+chat@mail.example.co.uk"),
        ("root@localhost", "root@localhost"),
    ],
)
def test_valid_emails_are_normalised(text: str, stored: str) -> None:
    """Well-formed addresses are trimmed and lower-cased."""
    assert normalize_email(text) == stored


def test_allow_list() -> None:
    """Exact addresses and exact domains are allowed; subdomains and others are not."""
    policy = LoginPolicy(
        Settings(allowed_emails=("Boss@Partner.org",), allowed_domains=("example.com",))
    )
    assert policy.allows("alice@example.com")
    assert policy.allows("boss@partner.org")
    assert not policy.allows("other@partner.org")
    assert not policy.allows("alice@mail.example.com")
    assert not policy.allows("alice@example.com.evil.test")


def test_nobody_without_allow_list_or_open_signup() -> None:
    """Mailing links by SMTP with no allow-list and open sign-up off admits nobody; open
    sign-up admits all."""
    closed = LoginPolicy(Settings(smtp_host="127.0.0.1"))
    assert closed.admits_nobody and not closed.allows("alice@example.com")
    assert LoginPolicy(Settings(smtp_host="127.0.0.1", open_signup=True)).allows("a@b.test")


def test_console_sender_admits_anyone_until_an_allow_list_is_set() -> None:
    """Out of the box (links printed on the console) anyone may ask; an allow-list narrows it."""
    assert LoginPolicy(Settings()).allows("anyone@anywhere.test")
    narrowed = LoginPolicy(Settings(allowed_domains=("example.com",)))
    assert narrowed.allows("alice@example.com") and not narrowed.allows("eve@evil.test")


async def test_invalid_email_request_raises(auth: Auth) -> None:
    """request_link refuses a malformed address with invalid_email."""
    with pytest.raises(AuthError) as caught:
        await auth.request_link("not an email", "198.51.100.7")
    assert caught.value.body() == {
        "error": caught.value.args[0],
        "code": 400,
        "reason": "invalid_email",
    }


async def test_rate_limit_per_email(auth: Auth, mailbox: MemorySender, clock: Clock) -> None:
    """The fourth request for one address within the window is refused, from any client;
    a slot frees when the oldest request leaves the window."""
    for n in range(3):
        clock.advance(10.0)
        await auth.request_link("ivy@example.com", f"203.0.113.{n}")
    with pytest.raises(RateLimited) as caught:
        await auth.request_link("IVY@example.com", "203.0.113.99")
    assert caught.value.retry_after == pytest.approx(40.0)
    body = caught.value.body()
    assert (body["code"], body["reason"], body["retry_after"]) == (429, "rate_limited", 40.0)
    await auth.request_link("jack@example.com", "203.0.113.99")  # other addresses go on
    clock.advance(39.9)
    with pytest.raises(RateLimited):
        await auth.request_link("ivy@example.com", "203.0.113.99")
    clock.advance(0.1)
    await auth.request_link("ivy@example.com", "203.0.113.99")
    await auth.close()
    assert len(mailbox.sent) == 5


async def test_rate_limit_per_client(auth: Auth, clock: Clock) -> None:
    """The sixth request from one client within the window is refused, whatever the
    address, allowed or not; other clients go on."""
    for n in range(5):
        await auth.request_link(f"user{n}@example.com" if n % 2 else f"x{n}@evil.test", "c1")
    with pytest.raises(RateLimited) as caught:
        await auth.request_link("new@example.com", "c1")
    assert caught.value.retry_after == pytest.approx(60.0)
    await auth.request_link("new@example.com", "c2")
    clock.advance(60.0)
    await auth.request_link("other@example.com", "c1")


async def test_refused_requests_do_not_extend_the_window(auth: Auth, clock: Clock) -> None:
    """Requests refused by the limit do not count, so waiting retry_after is enough."""
    for _ in range(3):
        await auth.request_link("kim@example.com", "c1")
    for _ in range(5):
        clock.advance(5.0)
        with pytest.raises(RateLimited) as caught:
            await auth.request_link("kim@example.com", "c1")
    clock.advance(caught.value.retry_after)
    await auth.request_link("kim@example.com", "c1")


async def test_not_allowed_addresses_are_rate_limited_alike(auth: Auth) -> None:
    """An address that may not log in hits the per-email limit like an allowed one, so
    the limit does not reveal membership."""
    for email in ("liz@example.com", "liz@evil.test"):
        for _ in range(3):
            await auth.request_link(email, f"client-of-{email}")
        with pytest.raises(RateLimited):
            await auth.request_link(email, f"client-of-{email}")


async def test_closed_server_mails_nobody(database: Database, clock: Clock) -> None:
    """A server that mails links by SMTP, with no allow-list and no open sign-up, never
    sends one."""
    mailbox = MemorySender()
    auth = await database.auth(mailbox, clock, smtp_host="127.0.0.1")
    await auth.request_link("alice@example.com", "c1")
    await auth.close()
    assert mailbox.sent == []


async def test_concurrent_requests_respect_the_limit(auth: Auth) -> None:
    """Ten requests from one client at once: exactly five (the limit) are accepted."""
    results = await asyncio.gather(
        *(auth.request_link(f"burst{n}@example.com", "burst") for n in range(10)),
        return_exceptions=True,
    )
    assert sum(r is None for r in results) == 5
    assert all(isinstance(r, RateLimited) for r in results if r is not None)
