"""Vendor code stays out of `import roomkit`, and a missing extra names its install command."""

from __future__ import annotations

import subprocess
import sys

import roomkit


def run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_import_roomkit_and_the_webhook_module_load_no_vendor_dependency() -> None:
    code = (
        "import sys, roomkit, roomkit.webhooks, roomkit.providers.twilio.sms\n"
        "import roomkit.providers.telnyx.sms, roomkit.providers.http.provider\n"
        "optional = ('httpx', 'nacl', 'starlette', 'twilio', 'standardwebhooks')\n"
        "print(','.join(m for m in optional if m in sys.modules))\n"
    )
    assert run(code) == ""


def test_documented_vendor_names_are_exported_lazily() -> None:
    for name in ("TwilioSMSProvider", "TwilioConfig", "TelnyxSMSProvider", "TelnyxConfig"):
        assert name in roomkit.__all__ and getattr(roomkit, name).__name__ == name
    assert roomkit.WebhookHTTPProvider.__module__ == "roomkit.providers.http.provider"
    assert roomkit.parse_twilio_webhook.__module__ == "roomkit.providers.twilio.webhook"


def test_missing_extras_name_their_install_command() -> None:
    """Without PyNaCl or Starlette the error says which extra to install."""
    code = (
        "import sys\n"
        "sys.modules['nacl'] = sys.modules['starlette'] = None  # as if not installed\n"
        "from roomkit import RoomKit\n"
        "from roomkit.webhooks import TelnyxWebhook, create_webhook_app\n"
        "telnyx = lambda: TelnyxWebhook('sms', 'a2V5')\n"
        "app = lambda: create_webhook_app(RoomKit(), [])\n"
        "for attempt in (telnyx, app):\n"
        "    try:\n"
        "        attempt()\n"
        "    except ImportError as exc:\n"
        "        print(exc)\n"
    )
    lines = run(code).splitlines()
    assert len(lines) == 2
    assert "pip install 'roomkit[telnyx]'" in lines[0]
    assert "pip install 'roomkit[webhooks]'" in lines[1]
