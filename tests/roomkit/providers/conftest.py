"""Vendor stand-ins served on loopback for the provider tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.standins.elasticemail import ElasticEmailStandIn
from tests.standins.server import serve_app
from tests.standins.sinch import SinchStandIn
from tests.standins.telnyx import TelnyxStandIn
from tests.standins.telnyx_rcs import TelnyxRCSStandIn
from tests.standins.twilio import TwilioStandIn
from tests.standins.voicemeup import VoiceMeUpStandIn


@pytest.fixture
async def twilio() -> AsyncIterator[TwilioStandIn]:
    app = TwilioStandIn()
    async with serve_app(app) as url:
        app.base_url = url
        yield app


@pytest.fixture
async def telnyx() -> AsyncIterator[TelnyxStandIn]:
    app = TelnyxStandIn()
    async with serve_app(app) as url:
        app.base_url = url
        yield app


@pytest.fixture
async def elastic() -> AsyncIterator[ElasticEmailStandIn]:
    app = ElasticEmailStandIn()
    async with serve_app(app) as url:
        app.base_url = url
        yield app


@pytest.fixture
async def sinch() -> AsyncIterator[SinchStandIn]:
    app = SinchStandIn()
    async with serve_app(app) as url:
        app.base_url = url
        yield app


@pytest.fixture
async def vmu() -> AsyncIterator[VoiceMeUpStandIn]:
    app = VoiceMeUpStandIn()
    async with serve_app(app) as url:
        app.base_url = url
        yield app


@pytest.fixture
async def telnyx_rcs() -> AsyncIterator[TelnyxRCSStandIn]:
    app = TelnyxRCSStandIn()
    async with serve_app(app) as url:
        app.base_url = url
        yield app
