"""One table of behaviours, run on both shells: the blocking `sqcore` and `sqcore.aio`.

Each test runs twice (`kind` is "async" or "sync", see conftest.py), on the in-process
emulator with a fake clock: the same requests, the same caching, the same waits, the same
exceptions. Only the sending and the sleeping differ between the shells.
"""

from __future__ import annotations

import itertools
import json
import math
import warnings
from collections.abc import Awaitable, Callable

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
from tests.fakes import FakeClock, Guard, SlowTransport, json_reply
from tests.fixtures import JOB_65, JOB_66, job_65, nested, nested_reply, reply_of
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


# --- Replies nested too deeply to decode -------------------------------------------------------

TOO_DEEP = "nests arrays or objects too deeply to be read"

DeepCall = Callable[[Shell, str], Awaitable[object]]


async def _wait_all_of_two(shell: Shell, job_id: str) -> None:
    await shell.wait_all([shell.job(JOB_65), shell.job(job_id)], 5, 1)


async def _as_completed_of_two(shell: Shell, job_id: str) -> None:
    await shell.as_completed([shell.job(JOB_65), shell.job(job_id)], 5, 1)


DEEP_CALLS: dict[str, DeepCall] = {
    "status": lambda shell, job_id: shell.job(job_id).status(),
    "status(index)": lambda shell, job_id: shell.job(job_id).status(0),
    "data": lambda shell, job_id: shell.job(job_id).data(),
    "target": lambda shell, job_id: shell.job(job_id).target(),
    "to_dict": lambda shell, job_id: shell.job(job_id).to_dict(),
    "wait": lambda shell, job_id: shell.job(job_id).wait(timeout_seconds=5, polling_seconds=1),
    "fetch_jobs": lambda shell, job_id: shell.fetch([job_id]),
    "wait_all": _wait_all_of_two,
    "as_completed": _as_completed_of_two,
}


@pytest.mark.parametrize("call", DEEP_CALLS.values(), ids=DEEP_CALLS.keys())
@pytest.mark.parametrize("status", ["running", "completed"])
async def test_a_reply_nested_too_deeply_is_a_superstaq_exception_naming_the_job_and_where(
    make_shell: MakeShell, call: DeepCall, status: str
) -> None:
    entries = json.loads(nested_reply(JOB_66, status, depth=1))
    entries[JOB_65] = job_65()
    body = reply_of(entries).replace(nested(1), nested())
    shell = make_shell(FunctionTransport(lambda _request: json_reply(200, body)))

    with pytest.raises(SuperstaqException) as raised:
        await call(shell, JOB_66)

    assert type(raised.value) is SuperstaqException
    assert f"{TOO_DEEP} (at $)" in str(raised.value) and JOB_66 in str(raised.value)


async def test_metadata_nested_too_deeply_to_send_is_a_value_error_before_any_request(
    shell: Shell, emulator: Emulator
) -> None:
    metadata: dict[str, object] = {}
    for _ in range(100_000):
        metadata = {"a": metadata}

    with pytest.raises(ValueError, match="metadata nests too deeply to be sent as JSON"):
        await shell.create(CIRCUITS, target="ss_unconstrained_simulator", metadata=metadata)

    assert emulator.request_count == 0


def test_a_saved_job_nested_too_deeply_is_refused_with_a_value_error(shell: Shell) -> None:
    saved = b'{"sqcore_job": 1, "job_id": "' + JOB_65.encode() + b'", "data": ' + nested() + b"}"

    with pytest.raises(ValueError, match=f"not a saved sqcore job: it {TOO_DEEP}"):
        shell.load(saved)


# --- The polling floor -------------------------------------------------------------------------

WaitCall = Callable[[Shell, str, "float | Backoff"], Awaitable[object]]

WAITS: dict[str, WaitCall] = {
    "wait_until_terminal_state": lambda shell, job_id, polling: shell.job(job_id).wait(
        timeout_seconds=10, polling_seconds=polling
    ),
    "wait_all": lambda shell, job_id, polling: shell.wait_all([shell.job(job_id)], 10, polling),
    "as_completed": lambda shell, job_id, polling: shell.as_completed(
        [shell.job(job_id)], 10, polling
    ),
}


@pytest.mark.parametrize("wait", WAITS.values(), ids=WAITS.keys())
async def test_polling_seconds_zero_asks_the_server_at_most_ten_times_a_second(
    make_shell: MakeShell, emulator: Emulator, clock: FakeClock, wait: WaitCall
) -> None:
    shell = make_shell(SlowTransport(emulator.transport(), clock, latency=0.001))
    job_id = emulator.create_job(durations=5.0)
    start = clock.now

    with pytest.warns(SuperstaqWarning):
        await wait(shell, job_id, 0)

    elapsed = clock.now - start
    assert elapsed >= 5.0
    assert emulator.request_count <= 1 + elapsed / 0.1  # not 1,000 a second


@pytest.mark.parametrize("wait", WAITS.values(), ids=WAITS.keys())
@pytest.mark.parametrize(
    ("polling", "shown"),
    [
        (0, "polling_seconds=0.0"),
        (0.0001, "polling_seconds=0.0001"),
        (Backoff(0.01, 2.0, 0.05), "Backoff(initial=0.01)"),
    ],
)
async def test_an_interval_below_the_floor_polls_at_a_tenth_of_a_second_with_one_warning(
    make_shell: MakeShell,
    emulator: Emulator,
    clock: FakeClock,
    wait: WaitCall,
    polling: float | Backoff,
    shown: str,
) -> None:
    shell = make_shell(Guard(emulator.transport(), limit=20))  # 0 s on a fake clock never ends
    job_id = emulator.create_job(durations=1.0)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await wait(shell, job_id, polling)

    (warning,) = caught
    assert warning.category is SuperstaqWarning
    assert str(warning.message) == (
        f"{shown} would flood the server with requests: polling every 0.1 s instead, the "
        "shortest interval sqcore polls at"
    )
    assert warning.filename.endswith("shells.py")  # the caller's line (the table's shells)
    assert clock.sleeps and all(sleep == pytest.approx(0.1) for sleep in clock.sleeps)


@pytest.mark.parametrize("wait", WAITS.values(), ids=WAITS.keys())
async def test_an_interval_at_the_floor_or_above_gives_no_warning(
    shell: Shell, emulator: Emulator, wait: WaitCall
) -> None:
    job_id = emulator.create_job(durations=0.5)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        await wait(shell, job_id, 0.1)
        await wait(shell, job_id, Backoff(0.1, 2.0, 0.1))


@pytest.mark.parametrize("wait", WAITS.values(), ids=WAITS.keys())
@pytest.mark.parametrize("polling", [-0.1, math.nan, -math.inf])
async def test_a_negative_or_nan_interval_is_still_a_value_error(
    shell: Shell, emulator: Emulator, wait: WaitCall, polling: float
) -> None:
    with pytest.raises(ValueError, match="polling_seconds must be >= 0"):
        await wait(shell, emulator.create_job(), polling)

    assert emulator.request_count == 0


# --- Saved jobs that were edited -------------------------------------------------------------


async def saved_open_job(shell: Shell, emulator: Emulator) -> dict[str, object]:
    """A job of 3 circuits, all still 'received', saved with its data, as JSON values."""
    job = shell.job(emulator.create_job(num_circuits=3, durations=60))
    await job.data()
    saved = json.loads(job.dump())
    assert isinstance(saved, dict)
    return saved


def edited(saved: dict[str, object], path: str, value: object) -> bytes:
    """`saved` with the value at `path` ("statuses", "data.num_circuits") replaced."""
    *parents, name = path.split(".")
    place = saved
    for parent in parents:
        inner = place[parent]
        assert isinstance(inner, dict)
        place = inner
    place[name] = value
    return json.dumps(saved).encode()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            "statuses",
            ["completed", "completed", "completed"],
            r"its statuses \(completed, completed, completed, at \$\.statuses\) are not those "
            r"of its data \(received, received, received, at \$\.data\.statuses\)",
        ),
        (
            "statuses",
            ["received"],
            r"its statuses \(received, at \$\.statuses\) are not those of its data",
        ),
        (
            "data.num_circuits",
            1,
            r"it has 3 statuses \(at \$\.statuses\) for 1 circuits \(at \$\.data\.num_circuits\)",
        ),
        ("data.statuses", "received", r".+ \(at \$\.data\.statuses\)$"),
        ("data.num_circuits", None, r".+ \(at \$\.data\.num_circuits\)$"),
    ],
    ids=["statuses edited", "statuses cut", "circuit count edited", "data's statuses", "count"],
)
async def test_a_saved_job_whose_statuses_disagree_with_its_data_is_refused_naming_the_field(
    shell: Shell, emulator: Emulator, path: str, value: object, message: str
) -> None:
    saved = await saved_open_job(shell, emulator)
    count = emulator.request_count

    with pytest.raises(ValueError, match="not a saved sqcore job: " + message):
        shell.load(edited(saved, path, value))

    assert emulator.request_count == count


async def test_a_saved_job_whose_statuses_agree_with_its_data_is_restored(
    shell: Shell, emulator: Emulator
) -> None:
    saved = await saved_open_job(shell, emulator)

    restored = shell.load(edited(saved, "statuses", ["received"] * 3))

    assert (await restored.data()).num_circuits == 3


# --- A megabyte where a short value belongs -----------------------------------------------------


async def test_a_megabyte_job_id_gives_a_short_error_quoting_its_start(
    shell: Shell, emulator: Emulator
) -> None:
    with pytest.raises(ValueError) as raised:
        shell.job("x" * 1_000_000)
    with pytest.raises(ValueError) as fetched:
        await shell.fetch(["y" * 1_000_000])

    assert str(raised.value) == (
        f"{'x' * 60!r}… (1,000,000 characters) is not a valid job id (expected a UUID)"
    )
    assert len(str(fetched.value)) < 200 and "1,000,000 characters" in str(fetched.value)
    assert emulator.request_count == 0


async def test_a_megabyte_job_type_gives_a_short_error(shell: Shell, emulator: Emulator) -> None:
    with pytest.raises(ValueError, match=r"^job_type 'zzz.*… \(1,000,000 characters\) is not") as e:
        await shell.create(CIRCUITS, target="ss_unconstrained_simulator", job_type="z" * 10**6)

    assert len(str(e.value)) < 200
