"""``roomkit.models.framework_event``: FrameworkEvent at its documented path."""

from roomkit.models.framework import FrameworkEvent

__all__ = ["FrameworkEvent"]
