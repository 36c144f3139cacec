"""``python -m roomz.cli``: the same as the ``roomz-cli`` command."""

from roomz.cli.main import main

raise SystemExit(main())
