"""`python tests/benchmarks/run.py [options]`: the same as `python -m tests.benchmarks`.

See `tests.benchmarks._suite` for the options.
"""

from __future__ import annotations

import os
import sys


def _main() -> int:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if root not in sys.path:  # run as a script: make the repository importable
        sys.path.insert(0, root)
    from tests.benchmarks._suite import main

    return main()


if __name__ == "__main__":
    raise SystemExit(_main())
