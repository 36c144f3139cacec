"""The one place that tells users which extra to install."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any


def require(module: str, extra: str) -> ModuleType:
    """Import ``module`` or fail with the command that installs it.

    Raises:
        ImportError: naming ``pip install 'roomkit[extra]'``.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{module!r} is needed for this feature; "
            f"install it with: pip install 'roomkit[{extra}]'"
        ) from exc


def lazy_getattr(package: str, names: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``names[attr]`` only when ``attr`` is used.

    Keeps optional dependencies (redis, asyncpg, …) out of ``import roomkit``.
    """

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return __getattr__
