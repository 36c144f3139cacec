"""Images in requests: what the vendors' bodies need from an AIImagePart's URL."""

from __future__ import annotations

import re

__all__ = ["split_data_url"]

_DATA_URL = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+);base64,(?P<data>[A-Za-z0-9+/=\s]+)$")


def split_data_url(url: str) -> tuple[str, str] | None:
    """``(mime_type, base64 data)`` of a ``data:…;base64,…`` URL; None for any other URL.

    Vendors take inline images as a MIME type plus base64 text, and others by URL.
    """
    match = _DATA_URL.match(url)
    if match is None:
        return None
    return match["mime"], re.sub(r"\s", "", match["data"])
