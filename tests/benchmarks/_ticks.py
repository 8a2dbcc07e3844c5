"""One poll tick of many open jobs, as each library's user makes it.

- sqcore: one poll of a batched wait, `wait_all(jobs, timeout_seconds=0)`: it fetches every
  open job of the client in URL-sized batches, updates each `Job`, and, its deadline having
  passed, raises the wait's TimeoutError ("... N of N jobs still open"), the expected end
  of a tick here. Any other TimeoutError (retries exhausted) is a failure and is raised.
- upstream: `Job._status()` of each open job, one request per job: what `general_superstaq`
  offers for watching many jobs.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqcore import Job, wait_all
from tests.benchmarks._upstream import UpstreamJob

__all__ = ["sqcore_tick", "upstream_tick"]

_STILL_OPEN = "Timed out while waiting for results:"


def sqcore_tick(jobs: Sequence[Job]) -> None:
    """One batched poll of `jobs` (see the module docstring)."""
    try:
        wait_all(jobs, timeout_seconds=0)
    except TimeoutError as error:
        if not str(error).startswith(_STILL_OPEN):
            raise


def upstream_tick(jobs: Sequence[UpstreamJob]) -> None:
    """`_status()` of each of upstream's `Job` objects `jobs`."""
    for job in jobs:
        job._status()
