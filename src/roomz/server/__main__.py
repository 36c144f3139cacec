"""``python -m roomz.server serve``: the same as the ``roomz`` console script."""

import sys

from roomz.server.main import main

sys.exit(main())
