"""Fixtures of the contract suites."""

from tests.roomkit.contracts.stores import store

__all__ = ["store"]
