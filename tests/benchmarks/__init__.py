"""Benchmarks: what sqcore's users feel, against upstream `general-superstaq`, in one run.

Not collected by the default test run (`norecursedirs` in pyproject.toml), nor run by
`.ci/run`. Needs the `bench` extra (`pip install -e ".[bench]"`, which installs
general-superstaq). Run from the repository root::

    python -m tests.benchmarks            # full run, about four minutes on two cores
    python -m tests.benchmarks --quick    # fewer repetitions, about a minute
    python -m tests.benchmarks --only poll,decode
    python tests/benchmarks/run.py ...    # the same, as a script

Every figure is a ratio (of the two libraries, of sqcore and a floor, or of two ways of
using sqcore) measured A B A B ... in one process run, and reported as the median of the
per-pair ratios; absolute figures are context only. Results print as a table and are
written to `bench-results.json`.

The benchmarks (`bench_<name>.py`, in `_suite.BENCHES` order): import, poll, decode, http,
many, scale, memory, asyncio. Shared parts: `_harness` (interleaving, figures), `_data`
(realistic replies built with upstream's models), `_canned` (a `FunctionTransport` serving
canned bytes), `_upstream` (upstream's client, reached at run time), `_ticks` (one poll
tick of many jobs, each library's way) and `_server_host` (the loopback emulator server in
its own process, metered, with a compression switch).
"""
