"""A room event written as an RFC 5322 message (Sans-I/O apart from fetching attachments).

Text becomes ``text/plain``; HTML rich content becomes a ``multipart/alternative`` of the
plain text and the HTML; media, audio and video become attachments (``data:`` URLs are
decoded, ``http(s)`` ones fetched). Every message gets a fresh ``Message-ID`` that names
the room it came from (see :mod:`roomkit.providers.email.threading`), so a reply to it can
be routed back to that room.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote_to_bytes

from roomkit._extras import require
from roomkit.errors import InvalidArgumentError
from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    EventContent,
    MediaContent,
    RichContent,
    VideoContent,
)
from roomkit.models.event import RoomEvent
from roomkit.providers._content import text_and_media

__all__ = ["Attachment", "Parts", "build_message", "event_parts", "load_attachment"]

_TAG = re.compile(r"<[^>]+>")


@dataclass
class Attachment:
    """A file to attach: its bytes, MIME type and file name."""

    data: bytes
    mime_type: str
    filename: str


@dataclass
class Parts:
    """What an event says by email: plain text, optional HTML, attachment sources."""

    text: str
    html: str | None = None
    media: list[MediaContent | AudioContent | VideoContent] = field(default_factory=list)


def event_parts(content: EventContent) -> Parts:
    """The text, HTML and attachable media of ``content`` (composites are flattened)."""
    if isinstance(content, CompositeContent):
        parts = [event_parts(p) for p in content.parts]
        htmls = [p.html or html.escape(p.text) for p in parts if p.html or p.text]
        return Parts(
            text="\n".join(p.text for p in parts if p.text),
            html="<br>\n".join(htmls) if any(p.html for p in parts) else None,
            media=[m for p in parts for m in p.media],
        )
    if isinstance(content, RichContent) and content.format == "html":
        text = content.plain_text or html.unescape(_TAG.sub("", content.body))
        return Parts(text=text, html=content.body)
    text, _ = text_and_media(content)
    media = [content] if isinstance(content, MediaContent | AudioContent | VideoContent) else []
    return Parts(text=text, media=media)


def _name(item: MediaContent | AudioContent | VideoContent, index: int) -> str:
    filename = item.filename if isinstance(item, MediaContent) else None
    if filename:
        return filename
    subtype = item.mime_type.partition("/")[2].split(";")[0] or "bin"
    return f"attachment-{index}.{subtype}"


async def load_attachment(
    item: MediaContent | AudioContent | VideoContent, index: int, fetch_timeout: float
) -> Attachment:
    """The bytes behind ``item.url``: a ``data:`` URL decoded, an ``http(s)`` one fetched.

    Raises:
        InvalidArgumentError: a malformed ``data:`` URL or a fetch that did not answer 2xx.
    """
    url = item.url
    if url.startswith("data:"):
        header, _, payload = url.partition(",")
        try:
            data = (
                base64.b64decode(payload, validate=True)
                if header.endswith(";base64")
                else unquote_to_bytes(payload)
            )
        except (binascii.Error, ValueError):
            raise InvalidArgumentError("url", url[:40], "a well-formed data: URL") from None
        return Attachment(data, item.mime_type, _name(item, index))
    httpx = require("httpx", "http")
    async with httpx.AsyncClient(timeout=fetch_timeout, follow_redirects=True) as client:
        response = await client.get(url)
    if response.status_code >= 300:
        raise InvalidArgumentError(
            "url", url, f"an attachment URL answering 2xx (got {response.status_code})"
        )
    return Attachment(response.content, item.mime_type, _name(item, index))


def build_message(
    parts: Parts,
    attachments: list[Attachment],
    *,
    sender: str,
    to: str,
    subject: str,
    message_id: str,
    thread: list[str],
) -> EmailMessage:
    """The message to send; ``thread`` is the References chain, its last id the parent."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id
    if thread:
        message["In-Reply-To"] = thread[-1]
        message["References"] = " ".join(thread)
    message.set_content(parts.text or "")
    if parts.html is not None:
        message.add_alternative(parts.html, subtype="html")
    for item in attachments:
        maintype, _, subtype = item.mime_type.partition("/")
        message.add_attachment(
            item.data,
            maintype=maintype or "application",
            subtype=subtype.split(";")[0] or "octet-stream",
            filename=item.filename,
        )
    return message


def room_event_subject(event: RoomEvent, subject: str | None, thread_subject: str | None) -> str:
    """The subject line: the given one, else ``Re:`` the thread's, else a neutral one."""
    if subject:
        return subject
    if thread_subject:
        replied = thread_subject.lower().startswith("re:")
        return thread_subject if replied else f"Re: {thread_subject}"
    return f"Message from room {event.room_id}"
