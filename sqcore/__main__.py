"""Shell: `python -m sqcore` runs the command line."""

import sys

from sqcore._cli import main

sys.exit(main())
