"""Review: `wait_all` given two `Job` objects for the same job updates only the first; the
second keeps no cache and fetches again afterwards (as_completed yields it once, as
`concurrent.futures` does for a repeated future, which is defensible).

`BatchWatch.__init__` (sqcore/_watch.py) keeps `list(dict.fromkeys(jobs))`, which drops
every handle equal (same id) to an earlier one. SPEC/README: `as_completed` "yields each of
the given `Job` objects as soon as a poll sees it terminal (its data cached: no further
request)"; `wait_all`: "each job's cache is updated, so `job.status()` afterwards makes no
request".
"""

from __future__ import annotations

from sqcore import Client, Job, wait_all
from transports.emulator import Emulator


def test_wait_all_updates_every_handle_it_was_given(client: Client, emulator: Emulator) -> None:
    job_id = emulator.create_job(durations=1.0)
    first, second = Job(client, job_id), Job(client, job_id)

    wait_all([first, second], polling_seconds=0.5, timeout_seconds=10)
    before = emulator.request_count
    second.status()

    assert emulator.request_count == before, "a handle wait_all was given fetched again"
