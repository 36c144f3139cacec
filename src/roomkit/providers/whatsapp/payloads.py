"""Room event content as WhatsApp Cloud API message objects (Sans-I/O).

Text is ``{"type": "text", "text": {"body"}}``; media goes by link as ``image``, ``video``,
``audio`` or ``document`` (by MIME family) with the caption where WhatsApp shows one;
a :class:`TemplateContent` is a ``template`` message, the only kind allowed outside the
24-hour customer-service window.
"""

from __future__ import annotations

from typing import Any

from roomkit.errors import InvalidArgumentError
from roomkit.models.content import (
    AudioContent,
    EventContent,
    MediaContent,
    TemplateContent,
    VideoContent,
)
from roomkit.providers._content import media_parts, text_and_media

__all__ = ["message_objects", "template_object"]

# WhatsApp's media kinds by MIME family; anything else goes as a document.
_KINDS = {"image": "image", "video": "video", "audio": "audio"}


def message_objects(content: EventContent) -> list[dict[str, Any]]:
    """The message objects (without ``to``) that carry ``content``, in sending order.

    Raises:
        InvalidArgumentError: ``content`` has neither text, media nor a template.
    """
    if isinstance(content, TemplateContent):
        return [template_object(content.template_id, content.language, content.parameters)]
    media = media_parts(content)
    text, _ = text_and_media(content)
    if media:
        objects = [_media_object(part) for part in media]
        first = objects[0]
        kind = first["type"]
        if text and kind != "audio":  # WhatsApp shows no caption on audio
            first[kind]["caption"] = text
        elif text:
            objects.insert(0, _text_object(text))
        return objects
    if not text:
        raise InvalidArgumentError("event.content", content.type, "text, media or a template")
    return [_text_object(text)]


def template_object(name: str, language: str, params: dict[str, Any]) -> dict[str, Any]:
    """A ``template`` message: ``params["components"]`` goes as given; otherwise each
    parameter fills the body, positional when the keys are ``"1"``, ``"2"``… and named
    (``parameter_name``) otherwise."""
    template: dict[str, Any] = {"name": name, "language": {"code": language}}
    if "components" in params:
        template["components"] = params["components"]
    elif params:
        template["components"] = [{"type": "body", "parameters": _body_parameters(params)}]
    return {"type": "template", "template": template}


def _body_parameters(params: dict[str, Any]) -> list[dict[str, str]]:
    if all(key.isdigit() for key in params):
        return [{"type": "text", "text": str(params[k])} for k in sorted(params, key=int)]
    return [{"type": "text", "parameter_name": k, "text": str(v)} for k, v in params.items()]


def _text_object(text: str) -> dict[str, Any]:
    return {"type": "text", "text": {"preview_url": False, "body": text}}


def _media_object(part: MediaContent | AudioContent | VideoContent) -> dict[str, Any]:
    kind = _KINDS.get(part.mime_type.split("/")[0], "document")
    media: dict[str, Any] = {"link": str(part.url)}
    if kind == "document" and isinstance(part, MediaContent) and part.filename:
        media["filename"] = part.filename
    return {"type": kind, kind: media}
