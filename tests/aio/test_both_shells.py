"""One table of behaviours, run on both shells: the blocking `sqcore` and `sqcore.aio`.

Each test runs twice (`kind` is "async" or "sync", see conftest.py), on the in-process
emulator with a fake clock: the same requests, the same caching, the same waits, the same
exceptions. Only the sending and the sleeping differ between the shells.
"""

from __future__ import annotations

import itertools

import pytest

from sqcore import (
    Backoff,
    CircuitStatus,
    SuperstaqException,
    SuperstaqServerException,
    SuperstaqWarning,
)
from tests.aio.conftest import MakeShell
from tests.aio.shells import Shell
from tests.fakes import FakeClock, json_reply
from transports import FunctionTransport, Request, Response, TransportError
from transports.emulator import Emulator

S = CircuitStatus
CIRCUITS = '[{"cirq_type": "Circuit", "moments": []}]'


def requests_for(emulator: Emulator, job_id: object) -> int:
    return sum(str(job_id) in request.job_ids for request in emulator.requests)


async def test_status_refreshes_while_open_and_never_once_terminal(
    shell: Shell, emulator: Emulator, clock: FakeClock
) -> None:
    job = shell.job(emulator.create_job(num_circuits=2, durations=[1.0, 2.0]))

    assert await job.status() is S.RECEIVED
    clock.advance(1.5)
    assert await job.status(0) is S.COMPLETED
    assert await job.status() is S.SIMULATING
    clock.advance(1.0)
    assert await job.status() is S.COMPLETED
    count = emulator.request_count
    for _ in range(3):
        assert await job.status() is S.COMPLETED
        await job.data()
        await job.to_dict()

    assert emulator.request_count == count == 4


async def test_an_index_out_of_range_names_the_valid_range(
    shell: Shell, emulator: Emulator
) -> None:
    job = shell.job(emulator.create_job(num_circuits=3))

    with pytest.raises(IndexError, match=r"valid indices 0 to 2"):
        await job.status(3)


async def test_a_wait_sleeps_on_the_clock_and_returns_when_terminal(
    shell: Shell, emulator: Emulator, clock: FakeClock
) -> None:
    job = shell.job(emulator.create_job(durations=2.2))

    await job.wait(polling_seconds=0.5, timeout_seconds=10)

    assert await job.status() is S.COMPLETED
    assert clock.sleeps == [0.5] * 5
    assert clock.now - 1000.0 == pytest.approx(2.5)


async def test_a_wait_that_times_out_says_the_final_status_and_never_oversleeps(
    shell: Shell, emulator: Emulator, clock: FakeClock
) -> None:
    job = shell.job(emulator.create_job(durations=100))  # "received" for its first 33 s

    with pytest.raises(TimeoutError, match="Final status was 'received'"):
        await job.wait(polling_seconds=4, timeout_seconds=10)

    assert clock.sleeps == [4, 4, 2]
    assert clock.now - 1000.0 == pytest.approx(10.0)


async def test_check_until_compiled_returns_once_compiled(
    shell: Shell, emulator: Emulator, clock: FakeClock
) -> None:
    job = shell.job(emulator.create_job(target="ibmq_brisbane_qpu", durations=6.0))

    await job.wait(polling_seconds=0.5, check_until_compiled=True, timeout_seconds=20)

    assert await job.status() is S.AWAITING_SUBMISSION
    assert clock.now - 1000.0 == pytest.approx(3.0)


async def test_a_backoff_grows_while_nothing_changes_and_starts_over_on_a_change(
    shell: Shell, emulator: Emulator, clock: FakeClock
) -> None:
    job = shell.job(emulator.create_job(durations=30.0))  # 3 open stages of 10 s

    await job.wait(polling_seconds=Backoff(1.0, 2.0, 8.0), timeout_seconds=60)

    # Polls at t = 0, 1, 3, 7, 15 (the change at 10 seen: start over), 16, 18, 22 (the change
    # at 20 seen), 23, 25, 29, 37 (terminal since 30).
    assert clock.sleeps == [1, 2, 4, 8, 1, 2, 4, 1, 2, 4, 8]


async def test_a_circuit_cannot_be_cancelled_alone_and_a_job_can(
    shell: Shell, emulator: Emulator, clock: FakeClock
) -> None:
    job = shell.job(emulator.create_job(num_circuits=2, durations=10))

    with pytest.raises(ValueError, match="cannot cancel only circuit 1"):
        await job.cancel(1)
    await job.cancel()

    assert await job.status() is S.CANCELLED


async def test_to_dict_is_the_data_by_field_name(shell: Shell, emulator: Emulator) -> None:
    job = shell.job(emulator.create_job(num_circuits=2, durations=0, tags=("a",)))

    as_dict = await job.to_dict()
    data = await job.data()

    assert as_dict["statuses"] == ["completed", "completed"]
    assert as_dict["tags"] == data.tags == ["a"]
    assert set(as_dict) == set(data.__struct_fields__)


async def test_many_jobs_share_one_request_per_poll(
    shell: Shell, emulator: Emulator, clock: FakeClock
) -> None:
    jobs = [shell.job(emulator.create_job(durations=0.2 * (i % 5 + 1))) for i in range(30)]

    await shell.wait_all(jobs, polling_seconds=0.2, timeout_seconds=10)

    fetches = [request for request in emulator.requests if request.method == "GET"]
    # One request per poll (t = 0, 0.2, ..., 1.0), each naming only the jobs still open.
    assert [len(request.job_ids) for request in fetches] == [30, 30, 24, 18, 12, 6]
    assert {await job.status() for job in jobs} == {S.COMPLETED}
    assert emulator.request_count == 6


async def test_as_completed_yields_jobs_in_the_order_they_finish(
    shell: Shell, emulator: Emulator
) -> None:
    durations = [0.9, 0.3, 0.6]
    jobs = [shell.job(emulator.create_job(durations=d)) for d in durations]

    done = await shell.as_completed(jobs, polling_seconds=0.3, timeout_seconds=5)

    assert [job.job_id() for job in done] == [jobs[i].job_id() for i in (1, 2, 0)]


async def test_a_batched_wait_that_times_out_says_how_many_are_open(
    shell: Shell, emulator: Emulator
) -> None:
    jobs = [shell.job(emulator.create_job(durations=d)) for d in (0.1, 50, 60)]

    with pytest.raises(TimeoutError, match="2 of 3 jobs still open"):
        await shell.wait_all(jobs, polling_seconds=1, timeout_seconds=3)


async def test_a_restored_terminal_job_makes_no_request(shell: Shell, emulator: Emulator) -> None:
    job = shell.job(emulator.create_job(durations=0, tags=("saved",)))
    await job.status()
    saved = job.dump()
    count = emulator.request_count

    restored = shell.load(saved)

    assert await restored.status() is S.COMPLETED
    assert (await restored.data()).tags == ["saved"]
    assert emulator.request_count == count


# --- Submitting ----------------------------------------------------------------------------


async def test_create_job_posts_the_new_job_and_returns_a_handle(
    shell: Shell, emulator: Emulator
) -> None:
    job = await shell.create(
        CIRCUITS, target="ss_unconstrained_simulator", shots=10, tags=["t"], priority=2
    )

    assert await job.status() is S.RECEIVED
    assert emulator.jobs_posted == 1
    assert emulator.submitted(str(job.job_id())).priority == 2


def failing_first(
    emulator: Emulator, failure: Response | TransportError, times: int = 1
) -> FunctionTransport:
    """The emulator behind a transport that gives `failure` for the first `times` POSTs
    (a TransportError after the POST reached the emulator: the job exists)."""
    inner = emulator.transport()
    posts = 0

    def handler(request: Request) -> Response | TransportError:
        nonlocal posts
        if request.method != "POST":
            return inner.send(request).unwrap()
        posts += 1
        if posts > times:
            return inner.send(request).unwrap()
        if isinstance(failure, TransportError) and failure.kind != "connect":
            inner.send(request)  # it arrived: the job is created, the reply is lost
        return failure

    return FunctionTransport(handler)


@pytest.mark.parametrize(
    "failure",
    [
        json_reply(503, b'{"detail": "busy"}'),
        json_reply(429, b"{}"),
        TransportError("connect", "refused"),
    ],
    ids=["503", "429", "no connection"],
)
async def test_a_submission_the_server_did_not_take_is_retried_once_made(
    make_shell: MakeShell, emulator: Emulator, failure: Response | TransportError
) -> None:
    transport = failing_first(emulator, failure)
    shell = make_shell(transport)

    job = await shell.create(CIRCUITS, target="ss_unconstrained_simulator")

    assert emulator.jobs_posted == 1
    assert [r.method for r in transport.requests] == ["POST", "POST"]
    assert str(job.job_id()) in {r.job_ids[0] for r in emulator.requests if r.method == "POST"}


@pytest.mark.parametrize("kind_of_fault", ["timeout", "protocol"])
async def test_a_submission_lost_after_it_was_sent_is_not_repeated(
    make_shell: MakeShell, emulator: Emulator, kind_of_fault: str
) -> None:
    transport = failing_first(emulator, TransportError(kind_of_fault, "cut"))  # type: ignore[arg-type]
    shell = make_shell(transport)

    with pytest.raises(SuperstaqException, match="The job may have been created"):
        await shell.create(CIRCUITS, target="ss_unconstrained_simulator", tags=["find-me"])

    assert emulator.jobs_posted == 1
    assert [r.method for r in transport.requests] == ["POST"]


NO_ADDRESS = "could not resolve the host name 'api.superstaq.invalid': no such host is known"


@pytest.mark.parametrize("what", ["fetch", "submission"])
async def test_a_host_name_without_an_address_fails_at_once_and_nothing_was_sent(
    make_shell: MakeShell, what: str
) -> None:
    transport = FunctionTransport(lambda _request: TransportError("resolve", NO_ADDRESS))
    shell = make_shell(transport, max_retry_seconds=60.0)

    with pytest.raises(SuperstaqException) as caught:
        if what == "fetch":
            await shell.job("00000000-0000-0000-0000-000000000065").status()
        else:
            await shell.create(CIRCUITS, target="ss_unconstrained_simulator")

    assert not isinstance(caught.value, TimeoutError)
    assert NO_ADDRESS in str(caught.value)
    assert "may have been created" not in str(caught.value)
    assert len(transport.requests) == 1


@pytest.mark.parametrize(
    ("argument", "value", "error"),
    [
        ("shots", -1, ValueError),
        ("target", "", ValueError),
        ("job_type", "bake", ValueError),
        ("circuit_type", "braket", ValueError),
        ("shots", 1.5, TypeError),
        ("shotz", 1, TypeError),
    ],
)
async def test_bad_submission_arguments_are_refused_before_any_request(
    shell: Shell, emulator: Emulator, argument: str, value: object, error: type[Exception]
) -> None:
    options: dict[str, object] = {"target": "ss_unconstrained_simulator", argument: value}

    with pytest.raises(error, match=argument):
        await shell.create(CIRCUITS, **options)

    assert emulator.request_count == 0


# --- The same exceptions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (json_reply(401, b'"nope"'), SuperstaqServerException, "Not authorized"),
        (json_reply(504, b""), SuperstaqServerException, "smaller batch"),
        (json_reply(418, b'{"detail": "teapot"}'), SuperstaqServerException, "teapot"),
        (json_reply(200, b"{}"), SuperstaqException, "no data for job"),
        (json_reply(200, b"{]"), SuperstaqException, "not valid JSON"),
        (json_reply(503, b""), TimeoutError, "Reached maximum number of retries"),
        (TransportError("tls", "certificate verify failed"), SuperstaqException, "certificate"),
        (TransportError("resolve", NO_ADDRESS), SuperstaqException, "could not resolve"),
    ],
    ids=["401", "504", "418", "missing job", "bad json", "503 forever", "tls", "resolve"],
)
async def test_failures_raise_the_same_exceptions(
    make_shell: MakeShell,
    reply: Response | TransportError,
    error: type[Exception],
    message: str,
) -> None:
    shell = make_shell(FunctionTransport(lambda _request: reply), max_retry_seconds=2.0)
    job = shell.job("00000000-0000-0000-0000-000000000065")

    with pytest.raises(error, match=message):
        await job.status()


async def test_a_fetch_in_batches_retries_within_one_budget_for_all_of_them(
    make_shell: MakeShell, emulator: Emulator, clock: FakeClock
) -> None:
    """The first batch is busy for 8 s, then answers; the others stay busy: the fetch ends
    when the call's 10 s are spent, not 10 s after the first batch's answer."""
    ids = [emulator.create_job() for _ in range(200)]
    inner, start = emulator.transport(), clock.now

    def server(request: Request) -> Response:
        if ids[0] in request.url and clock.now >= start + 8.0:
            return inner.send(request).unwrap()
        return json_reply(503, b"")

    shell = make_shell(FunctionTransport(server), max_retry_seconds=10.0)

    with pytest.raises(TimeoutError, match="Reached maximum number of retries"):
        await shell.fetch(ids)

    assert 8.0 <= clock.now - start <= 10.0
    assert emulator.request_count == 1  # the first batch's answer


async def test_backoff_intervals_show_in_the_servers_arrival_times(
    make_shell: MakeShell, emulator: Emulator, clock: FakeClock
) -> None:
    inner = emulator.transport()
    arrivals: list[float] = []

    def server(request: Request) -> Response:
        arrivals.append(clock.now)
        return inner.send(request).unwrap()

    shell = make_shell(FunctionTransport(server))
    job = shell.job(emulator.create_job(durations=300.0))  # "received" for 100 s

    with pytest.raises(TimeoutError):
        await job.wait(polling_seconds=Backoff(1.0, 1.5, 20.0), timeout_seconds=99)

    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    grown = [min(1.5**n, 20.0) for n in range(len(gaps))]
    assert gaps[:-1] == pytest.approx(grown[:-1])  # the last sleep is cut to the deadline
    assert len(arrivals) < 15  # not the 99 a 1 s interval would make


async def test_a_warning_in_the_create_reply_is_shown(make_shell: MakeShell) -> None:
    reply = b'{"job_id": "00000000-0000-0000-0000-000000000065", "num_circuits": 1, '
    reply += b'"warnings": [{"message": "the queue is long today"}]}'
    shell = make_shell(FunctionTransport(lambda _request: json_reply(200, reply)))

    with pytest.warns(SuperstaqWarning, match="the queue is long today"):
        job = await shell.create(CIRCUITS, target="ss_unconstrained_simulator")

    assert str(job.job_id()) == "00000000-0000-0000-0000-000000000065"


async def test_reading_the_data_first_fetches_it_once(shell: Shell, emulator: Emulator) -> None:
    job = shell.job(emulator.create_job(durations=0, target="ibmq_brisbane_qpu"))

    assert await job.target() == "ibmq_brisbane_qpu"
    assert (await job.data()).statuses == [S.COMPLETED]
    assert emulator.request_count == 1


async def test_no_jobs_and_no_ids_make_no_request(shell: Shell, emulator: Emulator) -> None:
    assert await shell.as_completed([], polling_seconds=1, timeout_seconds=1) == []
    await shell.wait_all([], timeout_seconds=0)
    assert await shell.cancel([]) == []
    assert await shell.fetch([]) == {}

    assert emulator.request_count == 0


async def test_a_restored_terminal_job_comes_first_and_costs_no_request(
    shell: Shell, emulator: Emulator
) -> None:
    finished = shell.job(emulator.create_job(durations=0))
    await finished.status()
    restored = shell.load(finished.dump())
    running = shell.job(emulator.create_job(durations=0.5))
    before = emulator.request_count

    done = await shell.as_completed([running, restored], polling_seconds=0.25, timeout_seconds=5)

    assert [job.job_id() for job in done] == [restored.job_id(), running.job_id()]
    fetched = [request.job_ids for request in emulator.requests[before:]]
    assert all(str(restored.job_id()) not in ids for ids in fetched)
