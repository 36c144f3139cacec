"""⓪ Admission: what an inbound message must be before the pipeline touches anything.

``admit`` turns what the caller handed ``process_inbound`` into a message every store can
keep and give back: an ``InboundMessage`` (not None, not a dict), whose fields — content
included, even if it was changed after construction — still validate, and whose text and
metadata encode as JSON (no lone surrogate, no object JSON cannot carry). Anything else is
an :class:`~roomkit.errors.InvalidMessageError` before any write, the same for every store.

``InboundRateLimiter`` refuses messages beyond ``inbound_rate_limit``, per channel (a token
bucket per window: a burst of the window's allowance, refilled evenly over the window).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError, to_json

from roomkit.errors import InvalidMessageError
from roomkit.models.content import TextContent
from roomkit.models.enums import EventType
from roomkit.models.inbound import InboundMessage
from roomkit.models.policy import RateLimit


def admit(message: object) -> InboundMessage:
    """The message to process: ``message`` itself when it has the common shape (checked
    field by field), otherwise a validated copy that later changes cannot reach.

    Raises:
        InvalidMessageError: ``message`` is not an InboundMessage, or no longer valid, or
            holds text or metadata that JSON cannot carry.
    """
    if type(message) is InboundMessage and _plain(message):
        return message
    if not isinstance(message, InboundMessage):
        raise InvalidMessageError(
            f"process_inbound takes an InboundMessage, got {type(message).__name__}"
        )
    try:
        # Through JSON: what a SQL store would write is exactly what is checked, so the
        # memory store cannot accept what another store would refuse or fail to read.
        encoded = message.model_dump_json(warnings=False)
    except (PydanticSerializationError, UnicodeEncodeError, ValueError) as exc:
        raise InvalidMessageError(f"cannot be encoded as JSON ({_first_line(exc)})") from None
    try:
        return InboundMessage.model_validate_json(encoded)
    except ValidationError as exc:
        raise InvalidMessageError(_describe(exc)) from None


def check_json(value: object, what: str) -> None:
    """Refuse ``value`` (metadata, say) if JSON cannot carry it as every store would.

    Raises:
        InvalidMessageError: a lone surrogate, or an object JSON has no form for.
    """
    try:
        to_json(value)  # pydantic's JSON encoder, which the SQL stores write with
    except (PydanticSerializationError, UnicodeEncodeError, ValueError) as exc:
        problem = _first_line(exc)
        raise InvalidMessageError(f"{what} cannot be encoded as JSON ({problem})") from None


def _plain(message: InboundMessage) -> bool:
    """The common shape, checked field by field without a round trip: ASCII text (so no
    lone surrogate), ASCII ids, no metadata. Anything else takes the round trip."""
    content = message.content
    if type(content) is not TextContent or content.type != "text" or content.language is not None:
        return False
    return (
        _ascii(content.body)
        and _ascii(message.channel_id)
        and _ascii(message.sender_id)
        and type(message.event_type) is EventType
        and not message.metadata
        and type(message.metadata) is dict
        and _ascii_or_none(message.idempotency_key)
        and _ascii_or_none(message.external_id)
        and _ascii_or_none(message.thread_id)
    )


def _ascii(value: object) -> bool:
    return type(value) is str and value.isascii() and value != ""


def _ascii_or_none(value: object) -> bool:
    return value is None or _ascii(value)


def _describe(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "message"
    return f"{where}: {error['msg']}"


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


_WINDOWS = (("max_per_second", 1.0), ("max_per_minute", 60.0), ("max_per_hour", 3600.0))


class InboundRateLimiter:
    """Per-channel token buckets for each window the RateLimit sets."""

    def __init__(self, limit: RateLimit) -> None:
        self._windows = [
            (getattr(limit, name), seconds)
            for name, seconds in _WINDOWS
            if getattr(limit, name) is not None
        ]
        self._buckets: dict[tuple[str, float], _Bucket] = {}

    def allow(self, channel_id: str) -> bool:
        """Take one token from each of the channel's buckets; False (nothing taken) if any
        is empty."""
        now = time.monotonic()
        buckets = [
            self._refilled(channel_id, allowance, seconds, now)
            for allowance, seconds in self._windows
        ]
        if any(bucket.tokens < 1.0 for bucket in buckets):
            return False
        for bucket in buckets:
            bucket.tokens -= 1.0
        return True

    def _refilled(self, channel_id: str, allowance: float, seconds: float, now: float) -> _Bucket:
        bucket = self._buckets.get((channel_id, seconds))
        if bucket is None:
            bucket = self._buckets[(channel_id, seconds)] = _Bucket(allowance, now)
        bucket.tokens = min(allowance, bucket.tokens + (now - bucket.at) * allowance / seconds)
        bucket.at = now
        return bucket
