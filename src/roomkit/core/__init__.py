"""The documented ``roomkit.core.*`` module paths.

The code lives where the data path puts it (``kit.py``, ``hooks/``, ``routing.py``,
``locks/``); these modules re-export it under the paths roomkit's documentation uses, so
imports copied from there work unchanged.
"""
