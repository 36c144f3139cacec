"""SSE decoding, HTTP error mapping and image encoding: pure, fed bytes, headers and parts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from roomkit import AIContext, AIImagePart, AIMessage, AITextPart
from roomkit.errors import ProviderError
from roomkit.providers.wire import anthropic as wire_anthropic
from roomkit.providers.wire import gemini as wire_gemini
from roomkit.providers.wire import openai as wire_openai
from roomkit.providers.wire.errors import (
    error_message,
    http_error,
    is_retryable_status,
    load_json,
    parse_retry_after,
)
from roomkit.providers.wire.images import split_data_url
from roomkit.providers.wire.sse import ServerSentEvent, SSEDecoder

STREAM = b'event: a\ndata: {"x": 1}\n\n: comment\ndata: line1\ndata: line2\nid: 7\n\n'


def test_decodes_named_and_multiline_events() -> None:
    """Event names, joined data lines, ids; comments are skipped."""
    events = SSEDecoder().feed(STREAM)
    assert events == [
        ServerSentEvent(data='{"x": 1}', event="a"),
        ServerSentEvent(data="line1\nline2", event="message", id="7"),
    ]


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_any_split_gives_the_same_events(size: int) -> None:
    """Bytes fed in pieces of any size decode to the same events."""
    decoder = SSEDecoder()
    events = []
    for i in range(0, len(STREAM), size):
        events += decoder.feed(STREAM[i : i + size])
    assert events == SSEDecoder().feed(STREAM)


def test_crlf_split_between_chunks_is_one_line_end() -> None:
    """A CR at a chunk's end and the LF starting the next end one line, not two."""
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\n") == []
    assert decoder.feed(b"\r\n") == [ServerSentEvent(data="a")]


def test_multibyte_utf8_split_across_chunks() -> None:
    """A character split between chunks is decoded whole."""
    raw = "data: héllo ☃\n\n".encode()
    decoder = SSEDecoder()
    events = [e for i in range(len(raw)) for e in decoder.feed(raw[i : i + 1])]
    assert events == [ServerSentEvent(data="héllo ☃")]


def test_event_without_data_is_not_dispatched() -> None:
    """An event with no data line is dropped, as the spec says."""
    decoder = SSEDecoder()
    assert decoder.feed(b"event: ping\n\n") == []
    assert decoder.feed(b"data: x") == []
    assert decoder.has_partial_event


@pytest.mark.parametrize(
    ("status", "retryable"), [(400, False), (401, False), (404, False), (408, True),
                              (409, True), (429, True), (500, True), (529, True)]
)  # fmt: skip
def test_retryable_statuses(status: int, retryable: bool) -> None:
    """Rate limits, timeouts and 5xx are retryable; other 4xx are not."""
    assert is_retryable_status(status) is retryable


def test_retry_after_forms() -> None:
    """Seconds, milliseconds and HTTP dates all become seconds."""
    assert parse_retry_after({"Retry-After": "3"}) == 3.0
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    date = {"retry-after": "Wed, 01 Jan 2025 12:00:05 GMT"}
    assert parse_retry_after(date, now=now) == 5.0
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


def test_http_error_carries_vendor_message_and_fields() -> None:
    """The vendor's message, the status, retryability and Retry-After travel together."""
    body = b'{"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}'
    error = http_error("anthropic", 429, body, {"retry-after": "2"})
    assert isinstance(error, ProviderError)
    assert "slow down" in str(error) and "429" in str(error)
    assert (error.retryable, error.status_code, error.retry_after) == (True, 429, 2.0)
    assert error.provider == "anthropic"


def test_error_message_of_odd_bodies() -> None:
    """Non-JSON and Gemini's array-wrapped errors still give a message."""
    assert error_message(b"<html>bad gateway</html>") == "<html>bad gateway</html>"
    assert error_message(b'[{"error": {"message": "quota"}}]') == "quota"
    assert error_message(b"") == "(empty body)"


def test_load_json_refuses_non_objects() -> None:
    """Malformed JSON, or JSON that is not an object, is a non-retryable ProviderError."""
    for body in (b"{nope", b"[1, 2]"):
        with pytest.raises(ProviderError) as info:
            load_json("openai", body)
        assert not info.value.retryable


PIXEL = "iVBORw0KGgo="
PHOTO = AIMessage(
    role="user",
    content=[
        AITextPart(text="What is this?"),
        AIImagePart(url="https://img.example/cat.jpg", mime_type="image/jpeg"),
        AIImagePart(url=f"data:image/png;base64,{PIXEL}", mime_type="image/png"),
    ],
)


def test_images_by_url_and_inline_in_each_vendors_body() -> None:
    """An image URL goes by reference, a data: URL inline as base64, in each vendor's shape."""
    context = AIContext(messages=[PHOTO])
    anthropic = wire_anthropic.build_request(context, model="m")["messages"][0]["content"]
    assert anthropic == [
        {"type": "text", "text": "What is this?"},
        {"type": "image", "source": {"type": "url", "url": "https://img.example/cat.jpg"}},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PIXEL}},
    ]
    openai = wire_openai.build_messages(context)[0]["content"]
    assert openai == [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": "https://img.example/cat.jpg"}},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PIXEL}"}},
    ]
    gemini = wire_gemini.build_request(context)["contents"][0]["parts"]
    assert gemini == [
        {"text": "What is this?"},
        {"fileData": {"mimeType": "image/jpeg", "fileUri": "https://img.example/cat.jpg"}},
        {"inlineData": {"mimeType": "image/png", "data": PIXEL}},
    ]


def test_only_base64_data_urls_are_inline() -> None:
    """split_data_url reads data:<mime>;base64,<data> and nothing else."""
    assert split_data_url("data:image/png;base64,AAAA\n") == ("image/png", "AAAA")
    assert split_data_url("data:text/plain,hello") is None
    assert split_data_url("https://img.example/a.png") is None
