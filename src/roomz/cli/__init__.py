"""roomz-cli, the terminal client of roomz: ``roomz-cli [--server URL]``.

``commands`` parses what is typed (pure), ``render`` turns server data into safe lines
(pure), ``view`` keeps the state beside the messages (pure), ``actions`` does each command
with an :class:`~roomz.AsyncClient`, ``app`` is the prompt loop and ``main`` the entry point.
"""
