"""Waiting through the whole stack, on the emulator and a fake clock where every request costs
time: `Job.wait_until_complete` and `wait_all` always end, never sleep past the deadline, and
see a job that finishes before the deadline within one polling interval and one request."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from returns.result import Result

from sqcore import Client, Job, wait_all
from tests.fakes import EPOCH, FakeClock, SlowTransport
from transports import Request, Response, Transport, TransportError
from transports.emulator import Emulator

KEY = "sk-property-KEY-9d0e"
# `start + timeout` and a sum of sleeps may differ in the last place.
ULP = 1e-9


class Guard:
    """Fails the test, instead of hanging it, once a wait makes more requests than it may."""

    def __init__(self, inner: Transport, limit: int) -> None:
        self.inner = inner
        self.limit = limit
        self.count = 0

    def send(self, request: Request) -> Result[Response, TransportError]:
        self.count += 1
        assert self.count <= self.limit, f"more than {self.limit} requests: the wait never ends"
        return self.inner.send(request)


def _setup(latency: float, limit: int) -> tuple[FakeClock, Emulator, Client]:
    clock = FakeClock()
    emulator = Emulator(api_key=KEY, clock=clock, wall_clock=lambda: EPOCH + clock.now)
    inner: Transport = emulator.transport()
    if latency:
        inner = SlowTransport(inner, clock, latency)
    client = Client(
        api_key=KEY,
        remote_host="https://superstaq.example",
        transport=Guard(inner, limit),
        clock=clock,
        rng=lambda: 0.5,
    )
    return clock, emulator, client


latencies = st.just(0.0) | st.floats(0.05, 3)
pollings = st.just(0.0) | st.floats(0.1, 20)
durations = st.lists(st.floats(0, 60), min_size=1, max_size=3)
FINAL = re.compile(r"^Timed out while waiting for results\. Final status was '([a-z_]+)'\.$")


@settings(max_examples=60, deadline=None)
@given(
    circuit_durations=durations,
    latency=latencies,
    polling=pollings,
    timeout=st.floats(0, 60),
    data=st.data(),
)
def test_a_job_wait_ends_never_oversleeps_and_sees_the_end_in_time(
    circuit_durations: list[float],
    latency: float,
    polling: float,
    timeout: float,
    data: st.DataObject,
) -> None:
    assume(latency > 0 or polling > 0)
    step = polling if polling > 0 else latency
    limit = math.ceil(timeout / step) + 3
    clock, emulator, client = _setup(latency, limit)
    index = data.draw(st.none() | st.integers(0, len(circuit_durations) - 1), label="index")
    start = clock.now
    job = Job(client, emulator.create_job(len(circuit_durations), durations=circuit_durations))
    awaited = circuit_durations if index is None else [circuit_durations[index]]
    ends_at = start + max(awaited)
    deadline = start + timeout

    try:
        job.wait_until_complete(index=index, timeout_seconds=timeout, polling_seconds=polling)
    except TimeoutError as error:
        match = FINAL.match(str(error))
        assert match is not None, str(error)
        assert match.group(1) not in {"completed", "failed", "cancelled", "deleted"}
        assert clock.now >= deadline
        assert clock.now < ends_at
    else:
        assert clock.now >= ends_at
    assert all(end <= deadline + ULP * max(1.0, abs(deadline)) for end in clock.sleep_ends)
    if ends_at + polling + latency < deadline:
        assert clock.now >= ends_at
        assert clock.now <= max(start + latency, ends_at + polling + latency) + ULP * clock.now


@settings(max_examples=40, deadline=None)
@given(
    jobs=st.lists(durations, min_size=1, max_size=4),
    latency=latencies,
    polling=pollings,
    timeout=st.floats(0, 60),
)
def test_wait_all_ends_never_oversleeps_and_sees_every_end_in_time(
    jobs: list[list[float]], latency: float, polling: float, timeout: float
) -> None:
    assume(latency > 0 or polling > 0)
    step = polling if polling > 0 else latency
    # One fetch per poll (the few ids fit one URL), plus the cached jobs' first fetch.
    limit = math.ceil(timeout / step) + 3 + len(jobs)
    clock, emulator, client = _setup(latency, limit)
    start = clock.now
    handles = [Job(client, emulator.create_job(len(d), durations=d)) for d in jobs]
    ends_at = start + max(max(d) for d in jobs)
    deadline = start + timeout

    try:
        wait_all(handles, timeout_seconds=timeout, polling_seconds=polling)
    except TimeoutError:
        assert clock.now >= deadline
        assert clock.now < ends_at
    else:
        assert clock.now >= ends_at
        assert {job.status().value for job in handles} <= {"completed"}
    assert all(end <= deadline + ULP * max(1.0, abs(deadline)) for end in clock.sleep_ends)
    if ends_at + polling + latency < deadline:
        assert clock.now <= max(start + latency, ends_at + polling + latency) + ULP * clock.now


def test_the_guard_stops_a_runaway_wait() -> None:
    """The guard itself can fail: a wait with more requests than allowed is reported."""
    clock, emulator, client = _setup(0.5, 2)
    job = Job(client, emulator.create_job(durations=100.0))
    with pytest.raises(AssertionError, match="more than 2 requests"):
        job.wait_until_complete(timeout_seconds=50, polling_seconds=1)
    assert clock.sleep_ends
