"""``python -m channels.cli``: the ``causette`` command."""

import sys

from channels.cli.main import main

sys.exit(main())
