"""``X-Twilio-Signature`` exactly as Twilio documents it (Sans-I/O).

The signed string is the full URL Twilio requested, followed, for a form-encoded POST, by
every parameter name and value sorted by name (a repeated name contributes each of its
distinct values, sorted). It is signed with HMAC-SHA1 under the auth token, or with
HMAC-SHA256 under a SharedKey when ``X-Twilio-Webhooks-Signature-Settings`` says
``algorithm=HMAC_SHA256``. Twilio may sign the URL with or without the default port
(``:443`` / ``:80``), so both forms are accepted. A JSON body is not signed as parameters:
its SHA-256 travels as ``bodySHA256`` in the query string (which is signed), and the body
must hash to it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import ParseResult, parse_qs, parse_qsl, urlparse

__all__ = [
    "compute_signature",
    "signature_algorithm",
    "signed_params",
    "verify_twilio_params",
    "verify_twilio_signature",
]

_HASHES = {"HMAC_SHA1": hashlib.sha1, "HMAC_SHA256": hashlib.sha256}


def compute_signature(
    key: str, url: str, params: Iterable[tuple[str, str]], algorithm: str = "HMAC_SHA1"
) -> str:
    """The base64 signature Twilio sends for ``url`` and form ``params``.

    Raises:
        ValueError: ``algorithm`` is neither ``HMAC_SHA1`` nor ``HMAC_SHA256``.
    """
    digest = _HASHES.get(algorithm.upper())
    if digest is None:
        raise ValueError(f"unsupported Twilio signature algorithm {algorithm!r}")
    by_name: dict[str, set[str]] = {}
    for name, value in params:
        by_name.setdefault(name, set()).add(value)
    signed = url + "".join(
        name + value for name in sorted(by_name) for value in sorted(by_name[name])
    )
    mac = hmac.new(key.encode(), signed.encode(), digest)
    return base64.b64encode(mac.digest()).decode()


def signature_algorithm(settings_header: str | None) -> str:
    """The algorithm named by ``X-Twilio-Webhooks-Signature-Settings`` (HMAC_SHA1 when absent)."""
    for part in (settings_header or "").split(","):
        name, _, value = part.partition("=")
        if name.strip() == "algorithm" and value.strip():
            return value.strip().upper()
    return "HMAC_SHA1"


def signed_params(url: str, body: bytes) -> list[tuple[str, str]] | None:
    """The parameters Twilio's signature covers for a POST of ``body`` to ``url``.

    The form fields, in order; none for a JSON body (``bodySHA256`` in ``url``), and None
    when that body does not hash to ``bodySHA256``.
    """
    query = parse_qs(urlparse(url).query) if "?" in url else {}
    if "bodySHA256" not in query:
        return parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    if hmac.compare_digest(hashlib.sha256(body).hexdigest(), query["bodySHA256"][0]):
        return []
    return None


def verify_twilio_params(
    key: str,
    url: str,
    params: Iterable[tuple[str, str]],
    signature: str,
    *,
    algorithm: str = "HMAC_SHA1",
) -> bool:
    """Whether ``signature`` fits ``url`` and :func:`signed_params` ``params``."""
    if not signature or algorithm.upper() not in _HASHES:
        return False
    parsed = urlparse(url)
    pairs = list(params)
    # The port-less form first: it is what Twilio signs unless the URL was given a port.
    return any(
        hmac.compare_digest(compute_signature(key, form(parsed), pairs, algorithm), signature)
        for form in (_without_port, _with_port)
    )


def verify_twilio_signature(
    key: str, url: str, body: bytes, signature: str, *, algorithm: str = "HMAC_SHA1"
) -> bool:
    """Whether ``signature`` is Twilio's for a POST of ``body`` to ``url``.

    ``body`` is the raw request body: form-encoded, or JSON when ``url`` carries
    ``bodySHA256`` (then the body's hash must match it). An unknown algorithm is False.
    """
    params = signed_params(url, body)
    if params is None:
        return False
    return verify_twilio_params(key, url, params, signature, algorithm=algorithm)


def _without_port(uri: ParseResult) -> str:
    if not uri.port:
        return uri.geturl()
    return uri._replace(netloc=uri.netloc.split(":")[0]).geturl()


def _with_port(uri: ParseResult) -> str:
    if uri.port:
        return uri.geturl()
    port = 443 if uri.scheme == "https" else 80
    return uri._replace(netloc=f"{uri.netloc}:{port}").geturl()
