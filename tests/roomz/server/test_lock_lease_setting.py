"""ROOMZ_LOCK_LEASE: how long a crashed process's room locks block their rooms."""

from __future__ import annotations

import pytest

from roomkit.locks.redis import DEFAULT_LEASE
from roomz.server.settings import Settings, SettingsError


def test_the_lease_defaults_to_the_lock_managers_and_can_be_set() -> None:
    assert Settings.from_env({}).lock_lease == DEFAULT_LEASE
    assert Settings.from_env({"ROOMZ_LOCK_LEASE": "1.5"}).lock_lease == 1.5


@pytest.mark.parametrize("value", ["0", "-1", "0.1", "soon", "301"])
def test_an_unusable_lease_names_the_variable(value: str) -> None:
    with pytest.raises(SettingsError, match="ROOMZ_LOCK_LEASE"):
        Settings.from_env({"ROOMZ_LOCK_LEASE": value})
