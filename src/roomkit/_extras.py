"""The one place that tells users which extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType


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
