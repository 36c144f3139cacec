"""Magic-link login, sessions and the users behind them (see :class:`Auth`)."""

from roomz.server.auth.errors import AuthError, RateLimited
from roomz.server.auth.facade import Auth
from roomz.server.auth.mailer import ConsoleSender, MailSender, MemorySender, SMTPSender

__all__ = [
    "Auth",
    "AuthError",
    "ConsoleSender",
    "MailSender",
    "MemorySender",
    "RateLimited",
    "SMTPSender",
]
