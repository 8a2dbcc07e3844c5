"""`Job` as an SDK subclasses it: upstream 0.5.70's members (`_status`, `_repetitions`,
`_overall_status`, `set_counts*`, `endianness`, ...), sqcore's waits on a subclass whose
`status()` means something else, and jobs without circuits. Upstream's own `Job` is compared
member by member in tests/compat/test_upstream_job.py; the SDKs' classes in tests/embedding."""

from __future__ import annotations

import json

import pytest

from sqcore import (
    CircuitStatus,
    Client,
    Endian,
    Job,
    SuperstaqUnsuccessfulJobException,
    as_completed,
    wait_all,
)
from sqcore.aio import AsyncClient, AsyncJob
from tests.fakes import FakeClock, always, json_reply
from tests.fixtures import JOB_65, job_without_circuits, reply_of
from tests.shell.conftest import KEY, client_on
from transports.emulator import Emulator

S = CircuitStatus


class LabelledJob(Job):
    """An SDK's job whose public `status()` means something else (qiskit-superstaq's returns
    a qiskit `JobStatus`): here it fails the test if sqcore ever calls it."""

    def status(self, index: int | None = None) -> CircuitStatus:
        raise AssertionError("sqcore called the public status() of a subclass")


class QiskitOrderJob(Job):
    endianness = Endian.LITTLE


def test_waits_never_call_a_subclasss_status(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    jobs = [LabelledJob(client, emulator.create_job(durations=d)) for d in (1.0, 2.0, 3.0)]
    jobs[0].wait_until_terminal_state(polling_seconds=0.5)
    jobs[1].wait_until_complete(polling_seconds=0.5)
    finished = list(as_completed(jobs, polling_seconds=0.5))
    wait_all(jobs, polling_seconds=0.5)
    assert sorted(map(id, finished)) == sorted(map(id, jobs))  # the subclass's own objects
    assert all(type(job) is LabelledJob for job in finished)
    assert [job._status() for job in jobs] == [S.COMPLETED] * 3
    for job in jobs:
        job._check_if_unsuccessful()
        assert job.to_dict()["statuses"] == [S.COMPLETED]


def test_the_cached_overall_status_makes_no_request(client: Client, emulator: Emulator) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=[0.0, 5.0]))
    assert job._overall_status is S.RECEIVED  # upstream's value before any fetch
    assert emulator.request_count == 0
    assert job._status() is S.RECEIVED
    assert job._overall_status is S.RECEIVED and emulator.request_count == 1


def test_status_and_status_underscore_are_one_function() -> None:
    assert Job._status is Job.status
    assert LabelledJob._status is Job.status  # overriding status leaves _status as it is


def test_a_job_without_circuits_is_terminal_at_once_and_fetched_once() -> None:
    transport = always(json_reply(200, reply_of({JOB_65: job_without_circuits()})))
    client = client_on(transport)
    job = Job(client, JOB_65)
    assert job.status() is S.RECEIVED  # as upstream: no circuit gives it any other status
    job.wait_until_terminal_state(timeout_seconds=100)
    wait_all([job, Job(client, JOB_65)], timeout_seconds=100)
    assert client.clock.monotonic() == FakeClock().now  # no sleep: nothing to wait for
    assert len(transport.requests) == 1  # never again: the second handle takes the first's
    assert Job.load(client, job.dump()).job_data.statuses == []


def test_counts_set_by_hand_are_what_to_dict_and_dump_show(
    client: Client, emulator: Emulator
) -> None:
    job = QiskitOrderJob(client, emulator.create_job(num_circuits=2, durations=0, num_qubits=3))
    job.set_counts_for_circuit(1, {"001": 3, "011": 0.5})
    assert job.job_data.counts[1] == {"100": 3, "110": 0.5}  # stored big-endian
    assert job.to_dict()["counts"] == job.job_data.counts
    restored = Job.load(client, job.dump())
    assert restored.job_data.counts[1] == {"100": 3, "110": 0.5}
    job.set_counts([{"10": 1}, {"01": 2}])
    assert job.job_data.counts == [{"01": 1}, {"10": 2}]
    assert emulator.request_count == 1


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda job: job.set_counts({"00": 1}), TypeError, "sequence of counts"),
        (lambda job: job.set_counts([{"00": 1}]), ValueError, "got 1 counts for the 2 circuit"),
        (lambda job: job.set_counts([{"00": 1}, {"00": "x"}]), TypeError, "circuit 1: the value"),
        (lambda job: job.set_counts_for_circuit(0, {0: 1}), TypeError, "key 0 is not a str"),
        (lambda job: job.set_counts_for_circuit(0, [("00", 1)]), TypeError, "not list"),
        (lambda job: job.set_counts_for_circuit(2, {"00": 1}), IndexError, "valid indices 0 to 1"),
        (lambda job: job.set_counts_for_circuit(0, {"00": True}), TypeError, "not bool"),
        (lambda job: job.set_counts_for_circuit(None, {"00": 1}), TypeError, "a circuit index"),
    ],
)
def test_bad_counts_are_refused_before_any_is_stored(
    client: Client, emulator: Emulator, call: object, error: type[Exception], message: str
) -> None:
    job = Job(client, emulator.create_job(num_circuits=2, durations=0))
    before = json.dumps(job.job_data.counts)
    assert callable(call)
    with pytest.raises(error, match=message):
        call(job)
    assert json.dumps(job.job_data.counts) == before


def test_indexing_a_job_is_not_supported(client: Client) -> None:
    with pytest.raises(NotImplementedError, match=r"job\[0\]"):
        Job(client, JOB_65)[0]


def test_a_cancelled_job_passes_the_failure_check_and_a_failed_one_does_not(
    client: Client, emulator: Emulator
) -> None:
    cancelled = Job(client, emulator.create_job(durations=10))
    cancelled.cancel()
    cancelled._check_if_unsuccessful()  # upstream 0.5.70: FAILED only
    failed = Job(client, emulator.create_job(durations=0, fail={0: "no"}))
    with pytest.raises(SuperstaqUnsuccessfulJobException, match=r"Circuit 0 - no"):
        failed._check_if_unsuccessful()


def test_the_qubit_indices_follow_the_final_map_and_need_a_compiled_circuit(
    client: Client, emulator: Emulator
) -> None:
    done = Job(client, emulator.create_job(durations=0, num_qubits=3))
    assert done._terminal_measurement_qubit_indices(0) == [2, 1, 0]  # the emulator's map
    assert done._repetitions() == 100
    waiting = Job(client, emulator.create_job(durations=60, job_type="submit"))
    with pytest.raises(ValueError, match=r"^Circuit must be compiled before counts are set\.$"):
        waiting._terminal_measurement_qubit_indices(0)


async def test_async_jobs_have_the_same_members(emulator: Emulator) -> None:
    client = AsyncClient(
        api_key=KEY, remote_host="https://x.example", transport=emulator.async_transport()
    )
    job = AsyncJob(client, emulator.create_job(num_circuits=2, durations=0, num_qubits=2))
    assert job._overall_status is S.RECEIVED and job.endianness is Endian.BIG
    assert await job._status(1) is S.COMPLETED
    assert await job._repetitions() == 100
    await job._refresh_job()
    await job._check_if_unsuccessful()
    assert await job._terminal_measurement_qubit_indices(0) == [1, 0]
    await job.set_counts_for_circuit(0, {"01": 4})
    await job.set_counts([{"01": 4}, {"11": 1}])
    assert (await job.data()).counts == [{"01": 4}, {"11": 1}]
    assert (await job.to_dict())["counts"] == [{"01": 4}, {"11": 1}]
    assert str(job) == f"Job with job_id={job.job_id()}"
    assert emulator.request_count == 1
