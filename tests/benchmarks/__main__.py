"""`python -m tests.benchmarks`: runs the benchmark suite (see `tests.benchmarks.run`)."""

from __future__ import annotations

from tests.benchmarks._suite import main

raise SystemExit(main())
