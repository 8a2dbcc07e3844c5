"""`Job.status()` through the whole stack (reply bytes, decoder, status rules) equals a
brute-force reference written from upstream's documentation, for arbitrary status lists,
including status names this client does not know."""

from __future__ import annotations

import json
import warnings

from hypothesis import given, settings
from hypothesis import strategies as st

from sqcore import Client, Job, SuperstaqWarning
from tests.fakes import FakeClock, json_reply
from tests.fixtures import JOB_65, fixture

# Upstream `Job.STATUS_PRIORITY_ORDER`, as text (general_superstaq/job.py).
UPSTREAM_ORDER = [
    "received",
    "awaiting_compile",
    "awaiting_submission",
    "awaiting_simulation",
    "compiling",
    "simulating",
    "running",
    "pending",
    "failed",
    "cancelled",
    "unrecognized",
    "completed",
    "deleted",
]
UNKNOWN = ["teleporting", "RUNNING", "done", ""]


def _reference(names: list[str]) -> str:
    """The first status in upstream's order that any circuit has; unknown names count as
    "unrecognized"."""
    known = ["unrecognized" if name not in UPSTREAM_ORDER else name for name in names]
    return next(status for status in UPSTREAM_ORDER if status in known)


def _reply(names: list[str]) -> bytes:
    raw = json.loads(fixture("fetch_completed_single.json"))
    raw[JOB_65]["statuses"] = names
    return json.dumps(raw).encode()


@settings(max_examples=150, deadline=None)
@given(names=st.lists(st.sampled_from(UPSTREAM_ORDER + UNKNOWN), min_size=1, max_size=15))
def test_overall_and_per_circuit_status_equal_the_reference(names: list[str]) -> None:
    transport = FunctionTransport(lambda _request: json_reply(200, _reply(names)))
    client = Client(
        api_key="sk-status-KEY-77aa",
        remote_host="https://superstaq.example",
        transport=transport,
        clock=FakeClock(),
    )
    job = Job(client, JOB_65)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        overall = job.status()
        per_circuit = [job.status(index).value for index in range(len(names))]
    assert overall.value == _reference(names)
    assert per_circuit == [name if name in UPSTREAM_ORDER else "unrecognized" for name in names]
    unknown = [name for name in names if name not in UPSTREAM_ORDER]
    texts = [str(w.message) for w in caught if issubclass(w.category, SuperstaqWarning)]
    # Each unknown name is named in a warning (once per fetch of this reply).
    assert all(any(repr(name) in text for text in texts) for name in unknown)
    assert bool(texts) == bool(unknown)
