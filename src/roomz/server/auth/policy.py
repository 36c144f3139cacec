"""Who may log in, and what counts as an email address.

The allow-list is the union of three settings: ``allowed_emails`` (exact addresses),
``allowed_domains`` (the part after ``@``, matched exactly: ``example.com`` does not admit
``mail.example.com``) and ``open_signup`` (everyone). With none of them set:

* on the console mail sender (no ``smtp_host``, the out-of-the-box set-up) any address may
  ask for a link, since links are printed where only the operator running the server sees
  them: nobody gets in unless the operator hands the link over;
* with SMTP configured nobody may log in: a server that mails links admits no stranger
  until its operator says who may enter.
"""

from __future__ import annotations

import re

from roomz.errors import Reason
from roomz.server.auth.errors import AuthError
from roomz.server.settings import Settings

MAX_EMAIL_LENGTH = 254  # what fits in an SMTP path (RFC 5321)

# ASCII only (no SMTPUTF8 needed to deliver the link), and no whitespace or control
# characters anywhere, so an address can never add a header line to an email.
_LOCAL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


def normalize_email(value: object) -> str:
    """``value`` as roomz stores an address: trimmed and lower-cased.

    Raises:
        AuthError: ``invalid_email`` — not a string, or not ``local@domain`` with a
            dot-atom local part of at most 64 characters and a domain of DNS labels.
    """
    if not isinstance(value, str):
        raise AuthError(Reason.INVALID_EMAIL, f"email must be a string, not {value!r}")
    email = value.strip().lower()
    local, at, domain = email.rpartition("@")
    if (
        not at
        or len(email) > MAX_EMAIL_LENGTH
        or len(local) > 64
        or not _LOCAL.fullmatch(local)
        or not all(_LABEL.fullmatch(label) for label in domain.split("."))
    ):
        raise AuthError(Reason.INVALID_EMAIL, f"{value[:MAX_EMAIL_LENGTH]!r} is not an email")
    return email


class LoginPolicy:
    """Decides whether an (already normalised) address may log in."""

    def __init__(self, settings: Settings) -> None:
        self.emails = frozenset(e.strip().lower() for e in settings.allowed_emails)
        self.domains = frozenset(d.strip().lower().lstrip("@") for d in settings.allowed_domains)
        console_only = settings.smtp_host is None and not (self.emails or self.domains)
        self.open_signup = settings.open_signup or console_only

    @property
    def admits_nobody(self) -> bool:
        """True when no address at all may log in."""
        return not (self.open_signup or self.emails or self.domains)

    def allows(self, email: str) -> bool:
        """Whether ``email`` may log in."""
        return self.open_signup or email in self.emails or email.rpartition("@")[2] in self.domains
