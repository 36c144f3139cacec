"""SMTPEmailProvider — room events sent as email through any SMTP server (``roomkit[email]``).

One ``aiosmtplib`` connection per send: implicit TLS (``use_tls``, port 465) or STARTTLS
(``start_tls``, port 587; required when set), then ``AUTH`` when a username is given. The
generated ``Message-ID`` is the result's ``provider_message_id``. With the kit's ``store``
the provider replies into the room's email thread (see
:mod:`roomkit.providers.email.threading`).
"""

from __future__ import annotations

import ssl
from email.utils import formataddr, parseaddr
from typing import Any

from pydantic import BaseModel, Field, SecretStr

from roomkit._extras import require
from roomkit.errors import InvalidArgumentError, ProviderError
from roomkit.models.event import RoomEvent
from roomkit.models.inbound import InboundMessage
from roomkit.providers.base import ProviderResult
from roomkit.providers.email.base import EmailProvider
from roomkit.providers.email.compose import (
    build_message,
    event_parts,
    load_attachment,
    room_event_subject,
)
from roomkit.providers.email.inbound import parse_email
from roomkit.providers.email.threading import last_thread, new_message_id
from roomkit.store.base import ConversationStore

__all__ = ["SMTPEmailConfig", "SMTPEmailProvider"]

PROVIDER = "smtp"


class SMTPEmailConfig(BaseModel):
    """Where and how to reach the SMTP server.

    ``use_tls`` is TLS from the first byte (SMTPS); ``start_tls`` upgrades a plain
    connection and fails when the server does not offer STARTTLS. ``ca_file`` trusts an
    extra CA (a private relay's); ``message_id_domain`` defaults to the sender's domain.
    ``thread_key`` tags each ``Message-ID`` so that an ``EmailThreadRouter`` with the same
    key routes replies to their room (without it, replies are routed like any mail).
    """

    host: str
    port: int = Field(default=587, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    from_address: str
    from_name: str | None = None
    use_tls: bool = False
    start_tls: bool = True
    ca_file: str | None = None
    message_id_domain: str | None = None
    thread_key: SecretStr | None = None
    timeout: float = Field(default=30.0, gt=0)

    @property
    def domain(self) -> str:
        """The domain of generated ``Message-ID`` s."""
        return self.message_id_domain or parseaddr(self.from_address)[1].rpartition("@")[2]


class SMTPEmailProvider(EmailProvider):
    """Sends email over SMTP and reads inbound RFC 822 mail.

    Args:
        config: the server, credentials and sender.
        store: the kit's store; with it a send replies to the room's last inbound email.

    Raises from :meth:`send`:
        ProviderError: the server refused the login or a recipient (not retryable), or
            answered 4xx or could not be reached (retryable).
        InvalidArgumentError: an attachment could not be read.
    """

    def __init__(self, config: SMTPEmailConfig, store: ConversationStore | None = None) -> None:
        self.config = config
        self.store = store
        self._smtp = require("aiosmtplib", "email")

    @property
    def name(self) -> str:
        return PROVIDER

    def __repr__(self) -> str:
        return f"SMTPEmailProvider(host={self.config.host!r}, port={self.config.port!r})"

    async def send(
        self,
        event: RoomEvent,
        to: str,
        from_: str | None = None,
        subject: str | None = None,
    ) -> ProviderResult:
        """Send ``event`` to ``to``; the result's ``provider_message_id`` is its Message-ID."""
        if "@" not in parseaddr(to)[1]:
            raise InvalidArgumentError("to", to, "an email address")
        thread = await last_thread(self.store, event.room_id) if self.store else None
        parts = event_parts(event.content)
        files = [
            await load_attachment(item, i, self.config.timeout)
            for i, item in enumerate(parts.media, 1)
        ]
        key = self.config.thread_key
        message_id = new_message_id(
            event.room_id, self.config.domain, key.get_secret_value().encode() if key else None
        )
        message = build_message(
            parts,
            files,
            sender=self._sender(from_),
            to=to,
            subject=room_event_subject(event, subject, thread.subject if thread else None),
            message_id=message_id,
            thread=thread.references if thread else [],
        )
        await self._deliver(message)
        return ProviderResult(success=True, provider_message_id=message_id)

    async def parse_inbound(self, payload: dict[str, Any]) -> InboundMessage:
        """``payload["raw"]`` (RFC 822 bytes or str) as an inbound message of ``channel_id``.

        Raises:
            InvalidArgumentError: no ``raw`` message, or one without a sender.
        """
        raw = payload.get("raw")
        if isinstance(raw, str):
            raw = raw.encode()
        if not isinstance(raw, bytes):
            raise InvalidArgumentError("raw", type(raw).__name__, "the RFC 822 message bytes")
        return parse_email(raw, str(payload.get("channel_id") or "email"))

    def _sender(self, from_: str | None) -> str:
        address = from_ or self.config.from_address
        name, mailbox = parseaddr(address)
        return formataddr((name or self.config.from_name or "", mailbox))

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.config.ca_file)

    async def _deliver(self, message: Any) -> None:
        config, smtp = self.config, self._smtp
        options: dict[str, Any] = {
            "hostname": config.host,
            "port": config.port,
            "timeout": config.timeout,
            "use_tls": config.use_tls,
            "start_tls": config.start_tls and not config.use_tls,
        }
        if config.use_tls or config.start_tls:
            options["tls_context"] = self._tls()
        if config.username:
            options["username"] = config.username
            options["password"] = config.password.get_secret_value() if config.password else ""
        try:
            await smtp.send(message, **options)
        except smtp.SMTPAuthenticationError as exc:
            raise self._error(f"login refused ({exc.code})", retryable=False) from None
        except smtp.SMTPRecipientsRefused as exc:
            codes = sorted({r.code for r in exc.recipients})
            raise self._error(f"recipient refused ({codes})", retryable=False) from None
        except smtp.SMTPResponseException as exc:
            # 4xx is the server's "try again later"; 5xx is final.
            retryable = 400 <= exc.code < 500
            raise self._error(f"server answered {exc.code}", retryable=retryable) from None
        except (smtp.SMTPException, OSError) as exc:
            doing = f"{type(exc).__name__} talking to the server"
            raise self._error(doing, retryable=True) from None

    def _error(self, what: str, *, retryable: bool) -> ProviderError:
        # The server's text can echo the login; the code and the host say enough.
        return ProviderError(
            f"smtp {self.config.host}:{self.config.port}: {what}",
            retryable=retryable,
            provider=PROVIDER,
        )
