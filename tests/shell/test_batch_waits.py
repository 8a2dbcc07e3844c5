"""Waits over many jobs, `wait_all` and `as_completed`, on the emulator with a fake clock:
each poll fetches only the open jobs, every open job of a client in as few requests as the URL
length allows; one deadline; jobs seen terminal keep their data (no request afterwards)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqcore import (
    Backoff,
    CircuitStatus,
    CircuitType,
    Client,
    Job,
    Progress,
    as_completed,
    wait_all,
)
from sqcore.core.endpoints import MAX_URL_LENGTH, fetch_url
from sqcore.core.waiting import MIN_POLLING_SECONDS, Change
from tests.fakes import EPOCH, FakeClock, Guard, SlowTransport
from tests.shell.conftest import HOST, KEY, ClientFactory, client_on
from transports import Transport
from transports.emulator import Emulator

S = CircuitStatus


def _batch_size() -> int:
    """How many canonical ids fit in one fetch URL of the test host."""
    base = len(fetch_url(f"{HOST}/v0.3.0", CircuitType.CIRQ, ()))
    return (MAX_URL_LENGTH - base) // (1 + len("job_id=") + 36)


def _fetched_ids(emulator: Emulator) -> list[tuple[str, ...]]:
    return [request.job_ids for request in emulator.requests if request.method == "GET"]


# -- wait_all --------------------------------------------------------------------------------


def test_hundreds_of_jobs_cost_a_few_requests_per_poll(client: Client, emulator: Emulator) -> None:
    n = 300
    jobs = [Job(client, emulator.create_job(durations=0.5 + 2.5 * i / n)) for i in range(n)]
    polls: list[Progress] = []
    wait_all(jobs, polling_seconds=0.25, on_progress=polls.append)
    assert all(job.job_data.statuses == [S.COMPLETED] for job in jobs)
    batch = _batch_size()
    assert batch >= 50
    # Every fetch named at most one batch of ids, and only ids still open.
    fetches = _fetched_ids(emulator)
    assert all(len(ids) <= batch for ids in fetches)
    assert len(fetches) <= len(polls) * math.ceil(n / batch)
    assert len(fetches) < n  # far fewer than one request per job, let alone per job per poll
    # No job was fetched after it was seen terminal.
    fetched_per_job: dict[str, int] = {}
    for ids in fetches:
        for job_id in ids:
            fetched_per_job[job_id] = fetched_per_job.get(job_id, 0) + 1
    for job in jobs:
        done_at = emulator.completion_time(str(job.job_id()), 0)
        assert fetched_per_job[str(job.job_id())] <= math.floor((done_at - 1000.0) / 0.25) + 2
    # Cached: asking afterwards makes no request.
    count = emulator.request_count
    assert {job.status() for job in jobs} == {S.COMPLETED}
    assert emulator.request_count == count
    assert polls[-1].done == polls[-1].total == n
    assert [p.done for p in polls] == sorted(p.done for p in polls)


def test_a_timed_out_wait_names_the_open_jobs(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    quick = Job(client, emulator.create_job(durations=0.0))
    slow = Job(client, emulator.create_job(target="ibmq_brisbane_qpu", durations=100.0))
    clock.advance(90)
    with pytest.raises(TimeoutError) as caught:
        wait_all([quick, slow], timeout_seconds=1, polling_seconds=0.5)
    assert str(caught.value) == (
        f"Timed out while waiting for results: 1 of 2 jobs still open: {slow.job_id()} (running)."
    )
    assert sum(clock.sleeps) == pytest.approx(1)


def test_a_timed_out_wait_names_ten_open_jobs_and_counts_the_rest(
    client: Client, emulator: Emulator
) -> None:
    jobs = [Job(client, emulator.create_job(durations=50.0)) for _ in range(12)]
    with pytest.raises(TimeoutError) as caught:
        wait_all(jobs, timeout_seconds=0)
    message = str(caught.value)
    assert message.startswith("Timed out while waiting for results: 12 of 12 jobs still open: ")
    assert message.endswith(" and 2 more.")
    assert [str(job.job_id()) in message for job in jobs] == [True] * 10 + [False] * 2


def test_jobs_of_several_clients_are_fetched_by_client(
    make_client: ClientFactory, emulator: Emulator
) -> None:
    first, second = make_client(), make_client()
    jobs = [Job(first, emulator.create_job(durations=0.5)) for _ in range(3)]
    jobs += [Job(second, emulator.create_job(durations=0.5)) for _ in range(2)]
    jobs.append(jobs[0])  # a repeat is waited on once
    wait_all(jobs, polling_seconds=0.5)
    assert [len(ids) for ids in _fetched_ids(emulator)] == [3, 2, 3, 2]


def test_a_client_whose_jobs_are_done_is_not_polled_again(
    make_client: ClientFactory, emulator: Emulator
) -> None:
    quick, slow = make_client(), make_client()
    done = Job(quick, emulator.create_job(durations=0.0))
    later = Job(slow, emulator.create_job(durations=2.0))
    wait_all([done, later], polling_seconds=0.5)
    fetched = _fetched_ids(emulator)
    assert fetched.count((str(done.job_id()),)) == 1
    assert fetched.count((str(later.job_id()),)) == len(fetched) - 1 >= 4


def test_the_default_timeout_is_the_largest_budget_of_the_clients(
    make_client: ClientFactory, emulator: Emulator, clock: FakeClock
) -> None:
    jobs = [
        Job(make_client(max_retry_seconds=3), emulator.create_job(durations=100.0)),
        Job(make_client(max_retry_seconds=8), emulator.create_job(durations=100.0)),
    ]
    with pytest.raises(TimeoutError):
        wait_all(jobs, polling_seconds=1)
    assert sum(clock.sleeps) == pytest.approx(8)


def test_waiting_on_no_jobs_returns_at_once() -> None:
    wait_all([])
    assert list(as_completed([])) == []


def test_jobs_already_terminal_are_not_fetched(client: Client, emulator: Emulator) -> None:
    job = Job(client, emulator.create_job(durations=0.0))
    assert job.status() is S.COMPLETED
    wait_all([job], timeout_seconds=0)
    assert emulator.request_count == 1


def test_the_data_of_jobs_that_ended_during_the_wait_is_read_without_a_request(
    client: Client, emulator: Emulator
) -> None:
    jobs = [Job(client, emulator.create_job(durations=1.0 + i, tags=(str(i),))) for i in range(4)]
    wait_all(jobs, polling_seconds=0.5)
    count = emulator.request_count
    assert [job.tags for job in jobs] == [["0"], ["1"], ["2"], ["3"]]
    assert [job.job_data.shots for job in jobs] == [[100]] * 4
    assert emulator.request_count == count


def test_two_handles_of_one_job_are_fetched_once_and_both_updated(
    client: Client, emulator: Emulator
) -> None:
    job_id = emulator.create_job(durations=1.0)
    first, second = Job(client, job_id), Job(client, job_id)
    wait_all([first, second], polling_seconds=0.5, timeout_seconds=10)
    polls = emulator.requests
    assert [request.job_ids for request in polls] == [(job_id,)] * 3  # at 0, 0.5 and 1 s
    assert (first.status(), second.status()) == (S.COMPLETED, S.COMPLETED)
    assert emulator.request_count == len(polls)


def test_a_fresh_handle_of_a_job_another_handle_knows_is_done_is_updated_without_a_request(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    job_id = emulator.create_job(durations=1.0)
    clock.advance(2.0)
    done = Job(client, job_id)
    assert done.status() is S.COMPLETED
    saved, fresh = Job.load(client, done.dump()), Job(client, job_id)
    count = emulator.request_count

    assert list(as_completed([fresh, saved], timeout_seconds=10)) == [saved]
    assert fresh.status() is S.COMPLETED
    assert emulator.request_count == count


def test_reading_an_open_jobs_data_after_a_wait_fetches_it(
    client: Client, emulator: Emulator
) -> None:
    slow = Job(client, emulator.create_job(durations=100.0, tags=("slow",)))
    with pytest.raises(TimeoutError):
        wait_all([slow], timeout_seconds=0)
    assert emulator.request_count == 1
    assert slow.tags == ["slow"]  # the wait kept no data of an open job: fetched now
    assert slow.tags == ["slow"]  # then cached
    assert emulator.request_count == 2


def test_progress_counts_the_jobs_and_says_what_changed(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    first = Job(client, emulator.create_job(durations=1.0))
    second = Job(client, emulator.create_job(durations=2.0, fail={0: "no"}))
    polls: list[Progress] = []
    wait_all([first, second], polling_seconds=1.0, on_progress=polls.append)
    one, two = str(first.job_id()), str(second.job_id())
    assert [(p.counts, p.done, p.total, p.elapsed_seconds) for p in polls] == [
        (((S.RECEIVED, 2),), 0, 2, 0.0),
        (((S.AWAITING_SIMULATION, 1), (S.COMPLETED, 1)), 1, 2, 1.0),
        (((S.FAILED, 1), (S.COMPLETED, 1)), 2, 2, 2.0),
    ]
    assert [p.changes for p in polls] == [
        (),
        (
            Change(one, None, S.RECEIVED, S.COMPLETED),
            Change(one, 0, S.RECEIVED, S.COMPLETED),
            Change(two, None, S.RECEIVED, S.AWAITING_SIMULATION),
            Change(two, 0, S.RECEIVED, S.AWAITING_SIMULATION),
        ),
        (
            Change(two, None, S.AWAITING_SIMULATION, S.FAILED),
            Change(two, 0, S.AWAITING_SIMULATION, S.FAILED),
        ),
    ]


def test_a_backoff_wait_starts_over_when_any_job_moves(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    # Two simulate jobs: stages change at 10 and 20 s (the first), 20 and 40 s (the second).
    jobs = [Job(client, emulator.create_job(durations=d)) for d in (30.0, 60.0)]
    wait_all(jobs, polling_seconds=Backoff(1.0, 2.0, 8.0))
    assert clock.sleeps[:5] == [1, 2, 4, 8, 1]  # at 15 s the first job moved on
    assert max(clock.sleeps) == 8
    assert clock.now - 1000.0 >= 60.0


# -- as_completed ----------------------------------------------------------------------------


def test_as_completed_yields_each_job_as_soon_as_a_poll_sees_it_end(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    jobs = [Job(client, emulator.create_job(durations=d)) for d in (3.0, 1.0, 2.0, 1.0)]
    seen: list[tuple[Job, float]] = []
    for job in as_completed(jobs, polling_seconds=0.5):
        seen.append((job, clock.now - 1000.0))
    order = [jobs[1], jobs[3], jobs[2], jobs[0]]
    assert [seconds for _, seconds in seen] == [1.0, 1.0, 2.0, 3.0]
    assert all(job is given for (job, _), given in zip(seen, order, strict=True))


def test_as_completed_sees_each_end_within_one_interval(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    jobs = [Job(client, emulator.create_job(durations=0.1 * (i + 1))) for i in range(20)]
    seen_at = {job: clock.now for job in as_completed(jobs, polling_seconds=0.2)}
    assert set(seen_at) == set(jobs)
    for job in jobs:
        lag = seen_at[job] - emulator.completion_time(str(job.job_id()), 0)
        assert 0 <= lag <= 0.2 + 1e-9


def test_jobs_already_terminal_come_first_and_are_not_fetched(
    client: Client, emulator: Emulator
) -> None:
    done = Job(client, emulator.create_job(durations=0.0))
    assert done.status() is S.COMPLETED
    open_job = Job(client, emulator.create_job(durations=1.0))
    results = as_completed([open_job, done], polling_seconds=1.0)
    assert next(results) is done
    assert next(results) is open_job
    assert list(results) == []
    fetched = _fetched_ids(emulator)
    assert fetched == [(str(done.job_id()),), (str(open_job.job_id()),), (str(open_job.job_id()),)]


def test_a_job_yielded_has_its_data_cached(client: Client, emulator: Emulator) -> None:
    jobs = [Job(client, emulator.create_job(durations=1.0, tags=(str(i),))) for i in range(3)]
    for job in as_completed(jobs, polling_seconds=0.5):
        count = emulator.request_count
        assert job.tags == [str(jobs.index(job))]
        assert emulator.request_count == count


def test_as_completed_times_out_from_the_iterator_saying_how_many_are_open(
    client: Client, emulator: Emulator, clock: FakeClock
) -> None:
    quick = Job(client, emulator.create_job(durations=1.0))
    slow = Job(client, emulator.create_job(durations=100.0))
    results = as_completed([slow, quick], timeout_seconds=5, polling_seconds=1)
    assert emulator.request_count == 0  # nothing happens until the first next()
    assert next(results) is quick
    with pytest.raises(TimeoutError) as caught:
        next(results)
    assert str(caught.value) == (
        f"Timed out while waiting for results: 1 of 2 jobs still open: {slow.job_id()} (received)."
    )
    assert clock.now - 1000.0 == 5.0


def test_a_consumer_may_stop_early(client: Client, emulator: Emulator) -> None:
    jobs = [Job(client, emulator.create_job(durations=d)) for d in (1.0, 50.0)]
    first = next(iter(as_completed(jobs, polling_seconds=0.5)))
    assert first is jobs[0]
    count = emulator.request_count
    assert jobs[1].status() is not S.COMPLETED
    assert emulator.request_count == count + 1  # the open job still refreshes itself


# -- through the whole stack -----------------------------------------------------------------


def test_a_wait_over_many_batches_ends_near_its_deadline_not_a_second_per_batch_later(
    make_client: ClientFactory, emulator: Emulator, clock: FakeClock
) -> None:
    """7 URL-sized batches of 0.9 s each per poll, a 5 s deadline: the first request of the
    wait gets its one second whatever the deadline, the later ones no more than is left."""
    client = make_client(latency=0.9)
    jobs = [Job(client, emulator.create_job(durations=1000.0)) for _ in range(600)]
    start = clock.now

    with pytest.raises(TimeoutError, match="600 of 600 jobs still open"):
        wait_all(jobs, timeout_seconds=5.0, polling_seconds=5.0)

    assert 5.0 <= clock.now - start <= 5.0 + 0.1 * 7  # at most a retry floor per batch


# `start + timeout` and a sum of sleeps may differ in the last place.
ULP = 1e-9
durations = st.lists(st.floats(0, 60), min_size=1, max_size=3)


@settings(max_examples=40)
@given(
    jobs=st.lists(durations, min_size=1, max_size=4),
    latency=st.just(0.0) | st.floats(0.05, 3),
    polling=st.just(0.0) | st.floats(0.1, 20),
    timeout=st.floats(0, 60),
)
@pytest.mark.filterwarnings("ignore:polling_seconds=0.0:sqcore.SuperstaqWarning")
def test_wait_all_ends_never_oversleeps_and_sees_every_end_in_time(
    jobs: list[list[float]], latency: float, polling: float, timeout: float
) -> None:
    step = interval = max(polling, MIN_POLLING_SECONDS)  # 0 polls at the floor
    clock = FakeClock()
    emulator = Emulator(api_key=KEY, clock=clock, wall_clock=lambda: EPOCH + clock.now)
    inner: Transport = emulator.transport()
    if latency:
        inner = SlowTransport(inner, clock, latency)
    # One fetch per poll (the few ids fit one URL).
    client = client_on(Guard(inner, math.ceil(timeout / step) + 3), clock)
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
    if ends_at + interval + latency < deadline:
        assert clock.now <= max(start + latency, ends_at + interval + latency) + ULP * clock.now
