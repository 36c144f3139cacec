"""Vendor stand-ins served on loopback for the provider tests."""

from __future__ import annotations

import contextlib
import gc
import subprocess
import warnings
from collections.abc import AsyncIterator
from typing import TypeVar

import pytest

from tests.standins.elasticemail import ElasticEmailStandIn
from tests.standins.meta import GraphStandIn
from tests.standins.scripted import ScriptedApp
from tests.standins.server import serve_app
from tests.standins.sinch import SinchStandIn
from tests.standins.teams import TeamsStandIn
from tests.standins.telegram import TelegramStandIn
from tests.standins.telnyx import TelnyxStandIn
from tests.standins.telnyx_rcs import TelnyxRCSStandIn
from tests.standins.twilio import TwilioStandIn
from tests.standins.voicemeup import VoiceMeUpStandIn

App = TypeVar("App", bound=ScriptedApp)

# neonize's import runs `uname -a` through os.popen and never closes the pipe nor reaps the
# process: import it once here, before any test module does, with those ResourceWarnings
# left unraised, and let the next subprocess start reap the orphans (subprocess does that).
with warnings.catch_warnings(), contextlib.suppress(ImportError):
    warnings.simplefilter("ignore", ResourceWarning)
    import neonize.aioze.events  # noqa: F401

    gc.collect()
    subprocess.run(["true"], check=True)
    gc.collect()


async def _served(app: App) -> AsyncIterator[App]:
    async with serve_app(app) as url:
        app.base_url = url
        yield app


@pytest.fixture
async def twilio() -> AsyncIterator[TwilioStandIn]:
    async for app in _served(TwilioStandIn()):
        yield app


@pytest.fixture
async def telnyx() -> AsyncIterator[TelnyxStandIn]:
    async for app in _served(TelnyxStandIn()):
        yield app


@pytest.fixture
async def graph() -> AsyncIterator[GraphStandIn]:
    async for app in _served(GraphStandIn()):
        yield app


@pytest.fixture
async def telegram_api() -> AsyncIterator[TelegramStandIn]:
    async for app in _served(TelegramStandIn()):
        yield app


@pytest.fixture
async def teams_api() -> AsyncIterator[TeamsStandIn]:
    async for app in _served(TeamsStandIn()):
        yield app


@pytest.fixture
async def elastic() -> AsyncIterator[ElasticEmailStandIn]:
    async for app in _served(ElasticEmailStandIn()):
        yield app


@pytest.fixture
async def sinch() -> AsyncIterator[SinchStandIn]:
    async for app in _served(SinchStandIn()):
        yield app


@pytest.fixture
async def vmu() -> AsyncIterator[VoiceMeUpStandIn]:
    async for app in _served(VoiceMeUpStandIn()):
        yield app


@pytest.fixture
async def telnyx_rcs() -> AsyncIterator[TelnyxRCSStandIn]:
    async for app in _served(TelnyxRCSStandIn()):
        yield app
