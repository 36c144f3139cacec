"""Hooks: BEFORE_BROADCAST (sync: block or modify) and AFTER_BROADCAST (async) and the rest."""
