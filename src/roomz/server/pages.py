"""The HTML pages of a login link: the confirm page and the used-or-expired page.

They are files of the web folder (``verify.html``, ``link-used.html``) filled in here; the
token is HTML-escaped into a hidden form field, so the page's button posts it back without
any script. A server installed without its web folder answers with a bare page instead.
"""

from __future__ import annotations

from functools import cache
from html import escape
from pathlib import Path
from string import Template

WEB = Path(__file__).parent / "web"

_BARE = Template(
    '<!doctype html><meta charset="utf-8"><title>roomz</title><p>$message</p>'
    '<form method="post" action="/auth/verify"><input type="hidden" name="token" '
    'value="$token"><button>Log in</button></form>'
)


@cache
def _template(name: str) -> Template:
    page = WEB / name
    return Template(page.read_text(encoding="utf-8")) if page.is_file() else _BARE


def confirm_page(token: str) -> str:
    """The page a login link opens: one button that spends ``token``."""
    return _template("verify.html").substitute(token=escape(token, quote=True), message="")


def used_link_page() -> str:
    """The page of a link that is unknown, used or expired: ask for a new one."""
    message = "This login link is invalid or has expired."
    return _template("link-used.html").substitute(token="", message=message)
