"""The package version, documented at ``roomkit._version.__version__``."""

__version__ = "0.1.0"
