"""Teams: the Connector and token endpoint on a loopback stand-in; inbound JWTs judged by
our validator and by botframework-connector's ChannelValidation alike."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from urllib.parse import parse_qs

import jwt
import pytest
from botframework.connector.auth import ChannelValidation, SimpleCredentialProvider

from roomkit.errors import ProviderError
from roomkit.models.content import CompositeContent, MediaContent, TextContent
from roomkit.providers.teams.bot_framework import BotFrameworkTeamsProvider
from roomkit.providers.teams.token_validation import TeamsAuthError
from roomkit.providers.vendor import VendorAPIError
from tests.roomkit.providers.vendor_helpers import outbound
from tests.standins.teams import (
    APP_ID,
    APP_PASSWORD,
    KEYS_PATH,
    OPENID_PATH,
    TOKEN_PATH,
    ChannelSigner,
    TeamsStandIn,
    activity,
    connector_error,
    teams_config,
)

CONVERSATION = "a:conv-personal"


async def bot_hearing_from(
    app: TeamsStandIn, password: str = APP_PASSWORD
) -> BotFrameworkTeamsProvider:
    bot = BotFrameworkTeamsProvider(teams_config(app, password))
    await bot.save_conversation_reference(activity(app.base_url))
    return bot


async def test_send_posts_an_activity_with_a_cached_bearer_token(
    teams_api: TeamsStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bot = await bot_hearing_from(teams_api)
    first = await bot.send(outbound(TextContent(body="hello")), to=CONVERSATION)
    image = MediaContent(url="https://cdn.example.com/cat.png", mime_type="image/png")
    await bot.send(outbound(CompositeContent(parts=[TextContent(body="cat"), image])), CONVERSATION)
    await bot.close()
    [token_request] = teams_api.calls(TOKEN_PATH)  # the second send reuses the token
    assert token_request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(token_request.body.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": [APP_ID],
        "client_secret": [APP_PASSWORD],
        "scope": ["https://api.botframework.com/.default"],
    }
    sends = teams_api.calls(f"/v3/conversations/{CONVERSATION}/activities")
    assert [r.headers["authorization"] for r in sends] == ["Bearer connector-token-1"] * 2
    assert sends[0].json == {
        "type": "message",
        "from": {"id": f"28:{APP_ID}", "name": "Room bot"},
        "recipient": {"id": "29:user-1", "name": "Ann", "aadObjectId": "aad-user-1"},
        "conversation": {
            "id": CONVERSATION,
            "conversationType": "personal",
            "tenantId": "tenant-1",
        },
        "text": "hello",
        "textFormat": "plain",
    }
    assert sends[1].json["attachments"] == [
        {"contentType": "image/png", "contentUrl": "https://cdn.example.com/cat.png"}
    ]
    assert first.success and first.provider_message_id == "1:activity-2"
    assert "connector-token" not in caplog.text and APP_PASSWORD not in caplog.text


async def test_a_conversation_never_heard_from_cannot_be_sent_to(teams_api: TeamsStandIn) -> None:
    bot = BotFrameworkTeamsProvider(teams_config(teams_api))
    with pytest.raises(ProviderError, match="no conversation reference"):
        await bot.send(outbound(TextContent(body="hi")), to="a:unknown")
    await bot.close()
    assert teams_api.requests == []


async def test_opening_a_personal_chat_stores_its_reference(teams_api: TeamsStandIn) -> None:
    bot = BotFrameworkTeamsProvider(teams_config(teams_api))
    opened = await bot.create_personal_conversation(
        teams_api.base_url, "29:user-2", tenant_id="t-9"
    )
    await bot.send(outbound(TextContent(body="first words")), to=opened)
    await bot.close()
    create = teams_api.calls("/v3/conversations")[0]
    assert create.json == {
        "bot": {"id": APP_ID},
        "isGroup": False,
        "members": [{"id": "29:user-2"}],
        "tenantId": "t-9",
        "channelData": {"tenant": {"id": "t-9"}},
    }
    assert teams_api.last.path == f"/v3/conversations/{opened}/activities"
    assert teams_api.last.json["recipient"] == {"id": "29:user-2"}
    assert (await bot.conversation_store.get(opened) or {})["serviceUrl"] == teams_api.base_url


async def test_connector_errors_are_typed_and_only_429_retried(teams_api: TeamsStandIn) -> None:
    bot = await bot_hearing_from(teams_api)
    await bot.send(outbound(TextContent(body="warm the token")), to=CONVERSATION)
    teams_api.queue(
        connector_error(429, "TooManyRequests", "slow down", **{"Retry-After": "1"}),
        connector_error(404, "ConversationNotFound", "Conversation not found."),
    )
    started = time.monotonic()
    with pytest.raises(VendorAPIError) as caught:
        await bot.send(outbound(TextContent(body="hi")), to=CONVERSATION)
    await bot.close()
    assert time.monotonic() - started >= 1.0
    assert (caught.value.code, caught.value.status_code, caught.value.retryable) == (
        "ConversationNotFound",
        404,
        False,
    )


async def test_a_wrong_password_is_refused_and_never_shown(
    teams_api: TeamsStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bot = await bot_hearing_from(teams_api, password="wrong~secret-value")
    with pytest.raises(VendorAPIError) as caught:
        await bot.send(outbound(TextContent(body="hi")), to=CONVERSATION)
    await bot.close()
    assert caught.value.code == "invalid_client" and "AADSTS7000215" in str(caught.value)
    shown = " ".join(
        [repr(bot.config), repr(bot), str(caught.value), repr(caught.value), caplog.text]
    )
    assert "wrong~secret-value" not in shown


# --- inbound tokens: ours and botframework-connector's verdicts agree ----------------------


@pytest.fixture
def peer_endpoint() -> Iterator[None]:
    yield
    ChannelValidation.open_id_metadata_endpoint = None


async def peer_accepts(app: TeamsStandIn, authorization: str, service_url: str) -> bool:
    """botframework-connector's ChannelValidation, pointed at the stand-in's OpenID document.

    It fetches keys with blocking ``requests``, so it runs on its own loop in a thread.
    """
    ChannelValidation.open_id_metadata_endpoint = app.base_url + OPENID_PATH
    credentials = SimpleCredentialProvider(APP_ID, APP_PASSWORD)

    def judge() -> bool:
        try:
            asyncio.run(
                ChannelValidation.authenticate_channel_token_with_service_url(
                    authorization, credentials, service_url, "msteams"
                )
            )
        except Exception:
            return False
        return True

    return await asyncio.to_thread(judge)


def tokens(app: TeamsStandIn) -> dict[str, tuple[str, bool]]:
    """Tokens for an Activity from ``app.base_url``, each with whether it is valid."""
    signer, url, now = app.signer, app.base_url, int(time.time())
    stranger = ChannelSigner(kid=signer.kid)  # same key id, another key
    return {
        "valid": (signer.token(url), True),
        "expired within the leeway": (signer.token(url, exp=now - 60), True),
        "expired": (signer.token(url, exp=now - 900), False),
        "other audience": (signer.token(url, aud="another-bot"), False),
        "other issuer": (signer.token(url, iss="https://sts.windows.net/x/"), False),
        "other service url": (signer.token("https://evil.example/"), False),
        "no service url": (signer.token(url, serviceurl=None), False),
        "forged key": (stranger.token(url), False),
        "tampered": (_tampered(signer.token(url)), False),
    }


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    return ".".join(
        [header, payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB"), signature]
    )


async def test_our_verdict_on_each_token_is_the_bot_framework_sdks(
    teams_api: TeamsStandIn, peer_endpoint: None
) -> None:
    bot = BotFrameworkTeamsProvider(teams_config(teams_api))
    body = activity(teams_api.base_url)
    verdicts: dict[str, tuple[bool, bool, bool]] = {}
    for case, (token, valid) in tokens(teams_api).items():
        header = f"Bearer {token}"
        try:
            await bot.validator.validate(header, teams_api.base_url, "msteams")
            ours = True
        except TeamsAuthError:
            ours = False
        verdicts[case] = (ours, await peer_accepts(teams_api, header, body["serviceUrl"]), valid)
    await bot.close()
    assert {case: v for case, v in verdicts.items() if len(set(v)) != 1} == {}
    assert len(teams_api.calls(OPENID_PATH)) == 2  # ours once, cached; the peer once


async def test_keys_must_endorse_the_channel(teams_api: TeamsStandIn) -> None:
    teams_api.keys = [{**teams_api.signer.jwk, "endorsements": ["skype"]}]
    bot = BotFrameworkTeamsProvider(teams_config(teams_api))
    header = f"Bearer {teams_api.signer.token(teams_api.base_url)}"
    with pytest.raises(TeamsAuthError, match="endorse"):
        await bot.validator.validate(header, teams_api.base_url, "msteams")
    await bot.validator.validate(header, teams_api.base_url, "skype")
    await bot.close()


async def test_malformed_authorization_is_refused_without_fetching(teams_api: TeamsStandIn) -> None:
    bot = BotFrameworkTeamsProvider(teams_config(teams_api))
    hs256 = "Bearer " + jwt.encode({"aud": APP_ID}, "k" * 32, algorithm="HS256")
    for header in ["", "Basic abc", "Bearer", "Bearer not-a-jwt", hs256]:
        with pytest.raises(TeamsAuthError):
            await bot.validator.validate(header, teams_api.base_url, "msteams")
    assert not bot.verify_signature(b"{}", "Bearer x")
    await bot.close()
    assert teams_api.requests == []


async def test_verify_signature_answers_from_cached_keys(teams_api: TeamsStandIn) -> None:
    bot = BotFrameworkTeamsProvider(teams_config(teams_api))
    payload = json.dumps(activity(teams_api.base_url)).encode()
    header = f"Bearer {teams_api.signer.token(teams_api.base_url)}"
    assert not bot.verify_signature(payload, header)  # no keys yet: no blocking fetch
    await bot.authenticate(payload, header)
    assert bot.verify_signature(payload, header)
    assert not bot.verify_signature(payload.replace(b"127.0.0.1", b"127.0.0.2"), header)
    await bot.close()


def test_the_bot_loads_no_optional_package_until_used() -> None:
    code = (
        "import sys, roomkit, roomkit.providers.teams.receiver\n"
        "assert roomkit.BotFrameworkTeamsProvider.__name__ == 'BotFrameworkTeamsProvider'\n"
        "optional = ('httpx', 'jwt', 'cryptography', 'botframework')\n"
        "print(','.join(m for m in optional if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


async def test_keys_are_fetched_once_for_concurrent_tokens_and_again_on_rotation(
    teams_api: TeamsStandIn,
) -> None:
    bot = BotFrameworkTeamsProvider(teams_config(teams_api))
    url = teams_api.base_url
    header = f"Bearer {teams_api.signer.token(url)}"
    await asyncio.gather(*(bot.validator.validate(header, url, "msteams") for _ in range(5)))
    assert len(teams_api.calls(KEYS_PATH)) == 1

    rotated = ChannelSigner(kid="bf-key-2")
    teams_api.keys = [rotated.jwk]
    new_header = f"Bearer {rotated.token(url)}"
    with pytest.raises(TeamsAuthError, match="not in"):  # within refetch_after: no refetch
        await bot.validator.validate(new_header, url, "msteams")
    assert len(teams_api.calls(KEYS_PATH)) == 1
    bot.validator.refetch_after = 0.0
    await bot.validator.validate(new_header, url, "msteams")
    await bot.close()
    assert len(teams_api.calls(KEYS_PATH)) == 2


async def test_the_connector_token_is_renewed_before_it_expires(teams_api: TeamsStandIn) -> None:
    teams_api.token_lifetime = 2  # seconds; renewed after half of it when that short
    bot = await bot_hearing_from(teams_api)
    await bot.send(outbound(TextContent(body="one")), to=CONVERSATION)
    await bot.send(outbound(TextContent(body="two")), to=CONVERSATION)
    await asyncio.sleep(1.1)
    await bot.send(outbound(TextContent(body="three")), to=CONVERSATION)
    await bot.close()
    sends = teams_api.calls(f"/v3/conversations/{CONVERSATION}/activities")
    assert [r.headers["authorization"][-1] for r in sends] == ["1", "1", "2"]
