"""wait_all: many jobs, batched fetches, one deadline, on the emulator with a fake clock."""

from __future__ import annotations

import math

import pytest

from sqcore import CircuitStatus, Client, Job, wait_all
from sqcore._job import Progress
from sqcore._wire import MAX_URL_LENGTH
from tests.fakes import FakeClock
from tests.shell.conftest import ClientFactory
from transports.emulator import Emulator

S = CircuitStatus
ID_COST = 1 + len("job_id=") + 36


def _batch_size(client: Client) -> int:
    base = len(f"{client.url}/client/job/cirq")
    return (MAX_URL_LENGTH - base) // ID_COST


def test_hundreds_of_jobs_cost_a_few_requests_per_tick(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    n = 300
    jobs = [Job(client, emulator.create_job(durations=0.5 + 2.5 * i / n)) for i in range(n)]
    ticks: list[Progress] = []
    wait_all(jobs, polling_seconds=0.25, on_progress=ticks.append)
    assert all(job.job_data.statuses == [S.COMPLETED] for job in jobs)
    batch = _batch_size(client)
    assert batch >= 50
    # Every fetch named at most one batch of ids, and only ids still open.
    fetches = [r for r in emulator.requests if r.method == "GET"]
    assert all(len(r.job_ids) <= batch for r in fetches)
    assert len(fetches) <= len(ticks) * math.ceil(n / batch)
    assert len(fetches) < n  # far fewer than one request per job, let alone per job per tick
    # No job was fetched after it was seen terminal.
    fetched_per_job: dict[str, int] = {}
    for request in fetches:
        for job_id in request.job_ids:
            fetched_per_job[job_id] = fetched_per_job.get(job_id, 0) + 1
    for job in jobs:
        done_at = emulator.completion_time(str(job.job_id()), 0)
        assert fetched_per_job[str(job.job_id())] <= math.floor((done_at - 1000.0) / 0.25) + 2
    # Cached: asking afterwards makes no request.
    count = emulator.request_count
    assert {job.status() for job in jobs} == {S.COMPLETED}
    assert emulator.request_count == count
    assert ticks[-1].done == ticks[-1].total == n
    assert [t.done for t in ticks] == sorted(t.done for t in ticks)


def test_detection_is_within_one_interval(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    jobs = [Job(client, emulator.create_job(durations=0.1 * (i + 1))) for i in range(20)]
    seen_done: dict[Job, float] = {}

    def record(_progress: Progress) -> None:
        for job in jobs:
            if job not in seen_done and job._statuses == [S.COMPLETED]:
                seen_done[job] = clock.now

    wait_all(jobs, polling_seconds=0.2, on_progress=record)
    for job in jobs:
        lag = seen_done[job] - emulator.completion_time(str(job.job_id()), 0)
        assert 0 <= lag <= 0.2 + 1e-9


def test_timeout_names_open_jobs(client: Client, emulator: Emulator, clock: FakeClock) -> None:
    quick = Job(client, emulator.create_job(durations=0.0))
    slow = Job(client, emulator.create_job(target="ibmq_brisbane_qpu", durations=100.0))
    clock.advance(90)
    with pytest.raises(TimeoutError) as caught:
        wait_all([quick, slow], timeout_seconds=1, polling_seconds=0.5)
    message = str(caught.value)
    assert "1 of 2 jobs still open" in message
    assert f"{slow.job_id()} (running)" in message
    assert str(quick.job_id()) not in message
    assert sum(clock.sleeps) == pytest.approx(1)


def test_jobs_of_several_clients_are_grouped(
    make_client: ClientFactory, emulator: Emulator, clock: FakeClock
) -> None:
    first, second = make_client(), make_client()
    jobs = [Job(first, emulator.create_job(durations=0.5)) for _ in range(3)]
    jobs += [Job(second, emulator.create_job(durations=0.5)) for _ in range(2)]
    jobs.append(jobs[0])  # duplicates are waited on once
    wait_all(jobs, polling_seconds=0.5)
    fetches = [r for r in emulator.requests if r.method == "GET"]
    assert [len(r.job_ids) for r in fetches] == [3, 2, 3, 2]


def test_empty_and_bad_arguments(client: Client, emulator: Emulator) -> None:
    wait_all([])
    job = Job(client, emulator.create_job())
    with pytest.raises(ValueError, match="polling_seconds must be >= 0"):
        wait_all([job], polling_seconds=-1)
    with pytest.raises(ValueError, match="timeout_seconds must be >= 0"):
        wait_all([job], timeout_seconds=-1)
    assert emulator.request_count == 0


def test_waiting_holds_only_statuses_of_open_jobs(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    jobs = [Job(client, emulator.create_job(durations=1.0 + i)) for i in range(4)]
    snapshots: list[list[tuple[bool, bool]]] = []

    def record(_progress: Progress) -> None:
        snapshots.append([(job._encoded is not None, job._data is not None) for job in jobs])

    wait_all(jobs, polling_seconds=0.5, on_progress=record)
    first = snapshots[0]
    assert first == [(False, False)] * 4  # open: statuses only, nothing else held
    # A job that ended while others were open got its own copy out of the batch reply; the
    # last one was fetched alone, so its reply holds nothing else.
    encoded = [job._encoded for job in jobs]
    assert [e is not None and e.whole_reply for e in encoded] == [False, False, False, True]
    assert all(e is not None for e in encoded)
    count = emulator.request_count
    assert [job.job_data.shots for job in jobs] == [[100]] * 4  # decoded on read, no request
    assert emulator.request_count == count


def test_reading_an_open_jobs_data_after_a_wait_fetches_it(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    slow = Job(client, emulator.create_job(durations=100.0, tags=("slow",)))
    with pytest.raises(TimeoutError):
        wait_all([slow], timeout_seconds=0)
    assert emulator.request_count == 1
    assert slow.tags == ["slow"]
    assert emulator.request_count == 2
    assert slow.tags == ["slow"]
    assert emulator.request_count == 2
