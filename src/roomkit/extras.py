"""Optional dependencies, for applications built on roomkit: ``require(module, extra)``
imports ``module`` or raises an ``ImportError`` naming ``pip install 'roomkit[extra]'``.

roomkit's own optional imports go through the same function, so every message that names
an extra to install reads the same.
"""

from roomkit._extras import require

__all__ = ["require"]
