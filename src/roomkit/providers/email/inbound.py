"""Inbound email read into an :class:`InboundMessage` with the stdlib ``email`` package.

The message's text (or its HTML, when it has no plain part) and its attachments (as
``data:`` URLs) become the content; the sender's address is the sender id; the
``Message-ID`` is both the external id and the idempotency key, so a redelivered mail is
one event. ``metadata["email"]`` keeps ``message_id``, ``in_reply_to``, ``references``,
``subject``, ``from`` and ``to``: the threading module reads them both ways.
"""

from __future__ import annotations

import base64
import email.policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from typing import Any

from roomkit.errors import InvalidArgumentError
from roomkit.models.content import (
    CompositeContent,
    EventContent,
    MediaContent,
    RichContent,
    TextContent,
)
from roomkit.models.inbound import InboundMessage

__all__ = ["attachment_content", "mail_to_inbound", "message_ids", "parse_email"]

_PARSER = BytesParser(policy=email.policy.default)


def message_ids(value: str | None) -> list[str]:
    """The ``<id>`` tokens of a ``References`` / ``In-Reply-To`` header, in order."""
    if not value:
        return []
    return ["<" + token.split(">", 1)[0] + ">" for token in value.split("<")[1:] if ">" in token]


def parse_email(raw: bytes, channel_id: str) -> InboundMessage:
    """An inbound message from raw RFC 822 ``raw`` bytes.

    Raises:
        InvalidArgumentError: no ``From`` address, or neither a text, HTML nor attachment.
    """
    message = _PARSER.parsebytes(raw)
    assert isinstance(message, EmailMessage)  # the default policy builds EmailMessage
    text = _body(message, "plain")
    html = _body(message, "html")
    files = [_attachment(part) for part in message.iter_attachments()]
    return mail_to_inbound(message, channel_id, text, html, [f for f in files if f is not None])


def _body(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return None
    content = part.get_content()
    return content if isinstance(content, str) else None


def _attachment(part: Any) -> MediaContent | None:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return None  # a message/rfc822 part: nested mail is not an attachment here
    return attachment_content(data, part.get_content_type(), part.get_filename())


def attachment_content(data: bytes, mime: str, filename: str | None) -> MediaContent:
    """An attachment as media content holding its bytes in a ``data:`` URL."""
    return MediaContent(
        url=f"data:{mime};base64,{base64.b64encode(data).decode()}",
        mime_type=mime,
        filename=filename,
        size_bytes=len(data),
    )


def _content(text: str | None, html: str | None, files: list[MediaContent]) -> EventContent:
    main: EventContent | None = None
    if text is not None and text.strip():
        main = TextContent(body=text.strip())
    elif html is not None:
        main = RichContent(body=html, format="html")
    if not files:
        if main is None:
            raise InvalidArgumentError("email", "(no body)", "a text, HTML or attachment part")
        return main
    return CompositeContent(parts=[*([main] if main else []), *files])


def _first(ids: list[str]) -> str | None:
    return ids[0] if ids else None


def mail_to_inbound(
    message: EmailMessage,
    channel_id: str,
    text: str | None,
    html: str | None,
    files: list[MediaContent],
) -> InboundMessage:
    """The inbound message of a mail whose headers are ``message`` and body is given.

    Raises:
        InvalidArgumentError: no ``From`` address, or neither text, HTML nor attachment.
    """
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    if "@" not in sender:
        raise InvalidArgumentError("From", message.get("From"), "an email with a sender address")
    message_id = _first(message_ids(str(message.get("Message-ID", ""))))
    references = message_ids(str(message.get("References", "")))
    in_reply_to = _first(message_ids(str(message.get("In-Reply-To", ""))))
    if in_reply_to and in_reply_to not in references:
        references.append(in_reply_to)
    mail = {
        "message_id": message_id,
        "in_reply_to": in_reply_to,
        "references": references,
        "subject": str(message.get("Subject", "")) or None,
        "from": sender,
        "to": [a for _, a in getaddresses([str(v) for v in message.get_all("To", [])])],
    }
    return InboundMessage(
        channel_id=channel_id,
        sender_id=sender,
        content=_content(text, html, files),
        external_id=message_id,
        thread_id=references[0] if references else message_id,
        idempotency_key=message_id,
        metadata={"email": mail},
    )
