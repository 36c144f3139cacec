"""Logging in to and out of the roomz page in a real Chromium, against a real server."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.async_api import Browser, expect

from tests.roomz.server.serve import RunningServer, serve
from tests.roomz.web.browser import (
    CONSOLE_NOTICE,
    DESKTOP,
    connected,
    open_visitor,
    wait_for_link,
)
from tests.roomz.web.conftest import Web

RETRY_LATER = re.compile(r"Too many login requests\. Try again in \d+ (seconds?|minutes)\.")


async def test_magic_link_opens_the_chat(web: Web) -> None:
    """The login form and then the printed link land the visitor in the chat as themselves."""
    ann = await web.log_in("ann@example.com")
    page = ann.page
    await expect(page.locator("#login-view")).to_be_hidden()
    await expect(page.locator("#me")).to_have_text("ann@example.com")
    await expect(page.locator("#room-title")).to_have_text("# general")
    await expect(page.locator("#online")).to_contain_text("ann@example.com")


async def test_session_survives_a_reload(web: Web) -> None:
    """A logged-in visitor who reloads the page is still in the chat, not at the login form."""
    ann = await web.log_in("ann@example.com")
    await ann.page.reload()
    await connected(ann.page)
    await expect(ann.page.locator("#me")).to_have_text("ann@example.com")


async def test_used_link_leads_back_to_the_login_form(web: Web) -> None:
    """A link followed a second time says it is spent, and its way back is the login form."""
    ann = await web.log_in("ann@example.com")
    link = await wait_for_link(web.server, "ann@example.com")
    other = await open_visitor(web.browser, "someone else", DESKTOP)
    await other.page.goto(link)
    await expect(other.page.locator("h2")).to_contain_text("invalid or has expired")
    await other.page.click("text=Back to roomz")
    await expect(other.page.locator("#login-view")).to_be_visible()
    await expect(ann.page.locator("#status")).to_have_text("Connected")
    assert other.errors == []


async def test_bad_address_is_reported(browser: Browser, roomz_server: RunningServer) -> None:
    """An address the server refuses shows the server's reason, not the 'check your email' text."""
    visitor = await open_visitor(browser, "nobody", DESKTOP)
    page = visitor.page
    await page.goto(roomz_server.http_url)
    await page.fill("#login-email", "not-an-email")
    await page.press("#login-email", "Enter")
    message = page.locator("#login-message")
    await expect(message).to_have_class("notice error")
    await expect(message).not_to_have_text(CONSOLE_NOTICE)
    await expect(message).not_to_be_empty()
    assert visitor.errors == []


async def test_rate_limit_says_when_to_retry(browser: Browser, tmp_path: Path) -> None:
    """Asking for links too often shows how long to wait before trying again."""
    async with serve(tmp_path, ROOMZ_LOGIN_REQUESTS_PER_EMAIL="1") as server:
        visitor = await open_visitor(browser, "ann@example.com", DESKTOP)
        page = visitor.page
        await page.goto(server.http_url)
        await page.fill("#login-email", "ann@example.com")
        message = page.locator("#login-message")
        await page.click("#login-submit")
        await expect(message).to_have_text(CONSOLE_NOTICE)
        await page.click("#login-submit")
        await expect(message).to_have_text(RETRY_LATER)
        assert visitor.errors == []


async def test_unknown_address_gets_the_same_answer(browser: Browser, tmp_path: Path) -> None:
    """An address that may not log in is told where its link would be, like an allowed one."""
    async with serve(
        tmp_path, ROOMZ_OPEN_SIGNUP="0", ROOMZ_ALLOWED_EMAILS="ann@example.com"
    ) as server:
        visitor = await open_visitor(browser, "eve@example.com", DESKTOP)
        page = visitor.page
        await page.goto(server.http_url)
        await page.fill("#login-email", "eve@example.com")
        await page.click("#login-submit")
        await expect(page.locator("#login-message")).to_have_text(CONSOLE_NOTICE)
        assert not any("eve@example.com" in line for line in server.output)
        assert visitor.errors == []


async def test_logout_ends_the_session(web: Web) -> None:
    """Log out returns to the login form, and the old session cookie no longer works."""
    ann = await web.log_in("ann@example.com")
    cookies = {c["name"]: c for c in await ann.context.cookies()}
    session = cookies["roomz_session"]
    assert session.get("httpOnly") is True
    await ann.page.click("#logout")
    await expect(ann.page.locator("#login-view")).to_be_visible()
    await expect(ann.page.locator("#chat-view")).to_be_hidden()
    await expect(ann.page.locator("#login-message")).to_have_text("You are logged out.")

    async with httpx.AsyncClient(base_url=web.server.http_url) as http:
        answer = await http.get("/auth/me", headers={"Cookie": f"roomz_session={session['value']}"})
    assert answer.status_code == 401

    # a copy of the cookie kept from before the logout
    await ann.context.add_cookies(
        [{"name": "roomz_session", "value": session["value"], "url": web.server.http_url}]
    )
    await ann.page.reload()
    await expect(ann.page.locator("#login-view")).to_be_visible()


async def test_logout_in_one_tab_ends_the_others(web: Web) -> None:
    """After logging out in one tab, another tab of the same browser is sent to the login form."""
    ann = await web.log_in("ann@example.com")
    second = await ann.context.new_page()
    second.on("pageerror", lambda error: ann.errors.append(str(error)))
    await second.goto(web.server.http_url)
    await connected(second)
    await ann.page.click("#logout")
    await expect(ann.page.locator("#login-view")).to_be_visible()

    await second.fill("#composer-input", "still here?")
    await second.press("#composer-input", "Enter")
    await expect(second.locator("#login-view")).to_be_visible()
    await expect(second.locator("#login-message")).to_have_text(
        "Your session has ended. Log in again."
    )


async def test_the_link_opens_a_page_whose_button_logs_in(web: Web) -> None:
    """A HEAD and a GET of the link (what mail scanners do) and opening it in the browser
    spend nothing; pressing the page's button does, and lands in the chat."""
    visitor = await open_visitor(web.browser, "ann@example.com", DESKTOP)
    page = visitor.page
    await page.goto(web.server.http_url)
    await page.fill("#login-email", "ann@example.com")
    await page.click("#login-submit")
    await expect(page.locator("#login-message")).to_have_text(CONSOLE_NOTICE)
    link = await wait_for_link(web.server, "ann@example.com")
    async with httpx.AsyncClient() as scanner:
        assert (await scanner.head(link)).status_code == 200
        assert (await scanner.get(link)).status_code == 200
    await page.goto(link)
    await expect(page.locator("#verify-submit")).to_have_text("Log in")
    assert [c for c in await visitor.context.cookies() if c["name"] == "roomz_session"] == []
    await page.reload()  # opening it again still spends nothing
    await page.click("#verify-submit")
    await connected(page)
    await expect(page.locator("#me")).to_have_text("ann@example.com")
    await page.goto(link)  # now it is spent: the styled page says so
    await expect(page.locator("h2")).to_contain_text("invalid or has expired")
    assert visitor.errors == []
    web.visitors.append(visitor)
