"""Shell: `python -m sqcore` runs the command line."""

import sys

from sqcore.cli.main import main

sys.exit(main())
