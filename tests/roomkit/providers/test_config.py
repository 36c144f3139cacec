"""The Messenger, HTTP, Teams and Telegram configs: defaults, validation, hidden secrets."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from roomkit import HTTPProviderConfig, MessengerConfig, TeamsConfig, TelegramConfig

SECRET = "s3cr3t-value"


def _shown(config: object) -> str:
    dump = config.model_dump_json()  # type: ignore[attr-defined]
    return f"{config!r} {config} {dump}"


def test_secrets_never_appear_in_reprs_or_dumps() -> None:
    """Tokens, passwords and keys are SecretStr: masked wherever the config is shown."""
    configs = [
        MessengerConfig(page_access_token=SECRET, app_secret=SECRET),
        HTTPProviderConfig(webhook_url="https://example.com/hook", secret=SECRET),
        TeamsConfig(app_id="app", app_password=SECRET, certificate_private_key=SECRET),
        TelegramConfig(bot_token=SECRET, webhook_secret=SECRET),
    ]
    for config in configs:
        assert SECRET not in _shown(config), type(config).__name__
    assert configs[0].page_access_token.get_secret_value() == SECRET


def test_documented_defaults_and_derived_urls() -> None:
    """Defaults are the documented ones; base URLs follow the API version and token."""
    messenger = MessengerConfig(page_access_token="t")
    assert (messenger.api_version, messenger.timeout, messenger.app_secret) == ("v21.0", 30.0, None)
    assert messenger.base_url == "https://graph.facebook.com/v21.0"
    assert MessengerConfig(page_access_token="t", api_version="v19.0").base_url.endswith("/v19.0")
    telegram = TelegramConfig(bot_token="123:abc")
    assert telegram.base_url == "https://api.telegram.org/bot123:abc" and telegram.timeout == 30.0
    http = HTTPProviderConfig(webhook_url="http://127.0.0.1:9/x")
    assert (http.timeout, http.headers, http.secret) == (30.0, {}, None)
    teams = TeamsConfig(app_id="app")
    assert teams.tenant_id == "common"


def test_teams_certificate_auth_needs_thumbprint_and_key() -> None:
    """uses_certificate_auth is True only with both the thumbprint and the private key."""
    assert not TeamsConfig(app_id="a", app_password="p").uses_certificate_auth
    assert not TeamsConfig(app_id="a", certificate_thumbprint="AB12").uses_certificate_auth
    both = TeamsConfig(app_id="a", certificate_thumbprint="AB12", certificate_private_key="k")
    assert both.uses_certificate_auth


@pytest.mark.parametrize("url", ["ftp://example.com/x", "example.com/hook", "https://", ""])
def test_a_webhook_url_must_be_absolute_http(url: str) -> None:
    """A URL that is not absolute http(s) is refused with the reason and an example."""
    with pytest.raises(ValidationError, match="not an absolute http\\(s\\) URL"):
        HTTPProviderConfig(webhook_url=url)


def test_required_secrets_are_required() -> None:
    """A Messenger config without a page token, or Telegram without a bot token, is refused."""
    with pytest.raises(ValidationError, match="page_access_token"):
        MessengerConfig()  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="bot_token"):
        TelegramConfig()  # type: ignore[call-arg]
