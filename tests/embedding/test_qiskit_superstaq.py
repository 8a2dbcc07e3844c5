"""What only qiskit-superstaq's `qss.SuperstaqJobV3` does, on sqcore as on upstream's
client: bits measured out of order, `result()` of a job still running (waited for in
simulated time), and sqcore's waits on a class whose `status()` is qiskit's. The reads both
SDKs share are in test_job_classes.py."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

from sqcore import as_completed
from sqcore.testing import SimulatedClock
from tests.embedding.qiskit_side import QISKIT, qiskit
from tests.embedding.sdks import Call, MakePair, Pair, outcome, same

BELL = QISKIT.circuits["bell"]


@pytest.fixture
def pair(both: Callable[..., Pair]) -> MakePair:
    return functools.partial(both, QISKIT)


def test_bits_measured_out_of_order_are_arranged_as_upstreams(pair: MakePair) -> None:
    crossed = QISKIT.circuits["crossed"]
    made = pair(crossed, BELL, durations=0, num_qubits=2, counts=[{"01": 5, "10": 6}, None])
    same(made, QISKIT.reads)


def test_a_running_job_is_waited_for_in_simulated_time_then_reads_as_upstreams(
    pair: MakePair, superstaq_clock: SimulatedClock
) -> None:
    ours, theirs = pair(BELL, BELL, durations=[30.0, 45.0], job_type="submit")
    status: Call = ("status", (), {})
    assert outcome(ours, status) == outcome(theirs, status)
    assert ours.status() == qiskit.providers.JobStatus.INITIALIZING  # received
    result = outcome(ours, ("result", (), {"timeout": 60, "wait": 5}))
    assert superstaq_clock.now == 45  # waited in simulated time: the job is done for both
    assert result == outcome(theirs, ("result", (), {}))
    assert outcome(ours, status) == outcome(theirs, status)


def test_sqcores_waits_take_the_qiskit_job_whose_status_is_qiskits(pair: MakePair) -> None:
    jobs = [pair(BELL, durations=seconds)[0] for seconds in (20.0, 10.0)]
    assert all(isinstance(job, QISKIT.ours) for job in jobs)
    done = list(as_completed(jobs, polling_seconds=1))
    assert done == [jobs[1], jobs[0]]
    assert [job.status() for job in done] == [qiskit.providers.JobStatus.DONE] * 2
