"""Shared test configuration: real services on loopback, and one scalable timeout unit."""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator

import pytest

# Every timeout in the tests is a multiple of UNIT; raise it on a slow machine.
UNIT = float(os.environ.get("ROOMKIT_TEST_UNIT", "1.0"))

POSTGRES_DSN = os.environ.get("ROOMKIT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("ROOMKIT_TEST_REDIS", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def require_service(name: str, port: int) -> None:
    """Skip locally when a service is down; in CI a missing service is a failure."""
    if _answers("127.0.0.1", port):
        return
    message = (
        f"{name} is not answering on 127.0.0.1:{port}; start it with `bash scripts/services.sh` "
        "(see the README's 'Services' section)"
    )
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def postgres_dsn() -> str:
    require_service("PostgreSQL", 5432)
    return POSTGRES_DSN


@pytest.fixture
def redis_url() -> str:
    require_service("Redis", 6379)
    return REDIS_URL


@contextlib.asynccontextmanager
async def fresh_pg_schema(dsn: str = POSTGRES_DSN) -> AsyncIterator[str]:
    """A new, empty PostgreSQL schema, dropped with everything in it afterwards."""
    import asyncpg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        yield schema
    finally:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.close()


@pytest.fixture
async def pg_schema(postgres_dsn: str) -> AsyncIterator[str]:
    """A fresh PostgreSQL schema for one test, dropped afterwards."""
    async with fresh_pg_schema(postgres_dsn) as schema:
        yield schema
