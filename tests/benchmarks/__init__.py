"""Benchmarks: sqcore against upstream `general-superstaq`, measured interleaved in one run.

Not collected by the default test run (`norecursedirs` in pyproject.toml). Needs the `bench`
extra (`pip install -e ".[bench]"`, which installs general-superstaq). Run::

    python -m tests.benchmarks            # full run, a few minutes
    python -m tests.benchmarks --quick    # fewer repetitions
    python tests/benchmarks/run.py --only poll,decode

Every figure is a ratio of the two libraries (or of sqcore and a floor) measured A B A B ...
in one process run, reported as the median of the per-pair ratios; absolute times are
context only. Results print as a table and are written to `bench-results.json`.
"""
