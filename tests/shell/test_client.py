"""`Client`: its requests, retries, errors and safety, on a fake clock, against function
transports (`transports.FunctionTransport`) and the in-process emulator.

Argument checks are tests/shell/test_arguments.py; where the key comes from is
tests/shell/test_config.py.
"""

from __future__ import annotations

import json
import logging
import math
import re
import uuid
import warnings
from collections.abc import Callable, Coroutine

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqcore import (
    CircuitType,
    Client,
    Job,
    JobData,
    JobType,
    SuperstaqException,
    SuperstaqServerException,
    SuperstaqWarning,
)
from sqcore.aio import AsyncClient
from sqcore.core.query import searched_since
from sqcore.core.retry import BASE_DELAY_SECONDS, MAX_DELAY_SECONDS
from tests.fakes import FakeClock, SlowTransport, always, json_reply, sequence
from tests.fixtures import JOB_65, JOB_66, JOB_68, fixture, job_65, reply_of
from tests.shell.conftest import HOST, KEY, ClientFactory, client_on
from transports import FunctionTransport, Request, Response, TransportError
from transports._types import TransportErrorKind
from transports.emulator import Emulator

OK_65 = json_reply(200, fixture("fetch_completed_single.json"))
CREATED = json_reply(200, fixture("create_reply.json"))


def _with(**changes: object) -> Response:
    """A fetch reply of JOB_65 with `changes` to its data."""
    return json_reply(200, reply_of({JOB_65: job_65(**changes)}))


# -- requests and results --------------------------------------------------------------------


def test_fetch_jobs_gets_every_job_by_its_canonical_id() -> None:
    transport = always(json_reply(200, fixture("fetch_two_jobs.json")))
    jobs = client_on(transport).fetch_jobs([JOB_65, JOB_68.upper(), uuid.UUID(JOB_65)])
    assert list(jobs) == [JOB_65, JOB_68]
    assert all(isinstance(v, JobData) for v in jobs.values())
    (request,) = transport.requests
    assert request.method == "GET"
    assert request.url == f"{HOST}/v0.3.0/client/job/cirq?job_id={JOB_65}&job_id={JOB_68}"
    assert request.body is None
    assert dict(request.headers) == {
        "Authorization": KEY,
        "Content-Type": "application/json",
        "X-Client-Name": "sqcore",
        "X-Client-Version": "v0.3.0",
    }


def test_fetch_jobs_of_no_jobs_sends_nothing() -> None:
    transport = always(OK_65)
    assert client_on(transport).fetch_jobs([]) == {}
    assert transport.requests == []


def test_fetch_jobs_of_hundreds_of_jobs_sends_a_few_urls_that_fit(
    client: Client, emulator: Emulator
) -> None:
    ids = [emulator.create_job(durations=0.0) for _ in range(200)]
    jobs = client.fetch_jobs(ids)
    assert list(jobs) == ids
    fetches = emulator.requests
    assert [len(request.job_ids) for request in fetches] == [89, 89, 22]
    assert [job_id for request in fetches for job_id in request.job_ids] == ids


def test_cancel_jobs_puts_the_ids_and_returns_what_the_server_cancelled() -> None:
    transport = always(json_reply(200, fixture("cancel_reply.json")))
    assert client_on(transport).cancel_jobs([JOB_66, JOB_66.upper()]) == [JOB_66]
    (request,) = transport.requests
    assert (request.method, request.url) == ("PUT", f"{HOST}/v0.3.0/client/cancel_jobs")
    assert request.body is not None and json.loads(request.body) == {"job_id": [JOB_66]}


def test_cancel_jobs_of_no_jobs_sends_nothing() -> None:
    transport = always(OK_65)
    assert client_on(transport).cancel_jobs([]) == []
    assert transport.requests == []


def test_cancel_jobs_on_the_emulator_cancels_only_open_jobs(
    client: Client, emulator: Emulator
) -> None:
    done = emulator.create_job(durations=0.0)
    running = emulator.create_job(num_circuits=2, durations=[0.0, 50.0])
    assert client.cancel_jobs([done, running]) == [running]
    assert emulator.statuses(done) == ["completed"]
    assert emulator.statuses(running) == ["completed", "cancelled"]


def test_credentials_travel_as_headers_from_the_client_and_from_each_call() -> None:
    transport = always(OK_65)
    client = Client(
        api_key=KEY,
        remote_host=HOST,
        transport=transport,
        ibmq_token="ibm-tok-1",
        cq_token="cq-tok-2",
        circuit_type="qiskit",
    )
    client.fetch_jobs([JOB_65], ibmq_instance="inst", cq_token="cq-override")
    client.fetch_jobs([JOB_65])
    first, second = (request.headers for request in transport.requests)
    assert (first["ibmq_token"], first["cq_token"], first["ibmq_instance"]) == (
        "ibm-tok-1",
        "cq-override",
        "inst",
    )
    assert (second["cq_token"], "ibmq_instance" in second) == ("cq-tok-2", False)
    assert "/client/job/qiskit?" in transport.requests[0].url
    assert client.circuit_type is CircuitType.QISKIT


def test_a_client_shows_its_settings_and_budget() -> None:
    client = client_on(always(OK_65), max_retry_seconds=12.5)
    assert repr(client) == (
        "Client(remote_host='https://superstaq.example', api_version='v0.3.0', "
        "circuit_type='cirq', client_name='sqcore', transport=FunctionTransport)"
    )
    assert str(client) == repr(client)
    assert client.max_retry_seconds == 12.5


class _AsyncSend:
    async def send(self, request: Request) -> Response:
        raise AssertionError("never called")


@pytest.mark.parametrize(
    ("transport", "message"),
    [
        (_AsyncSend(), r"^transport: _AsyncSend\.send is a coroutine function .*AsyncClient"),
        (object(), r"^transport: object has no send\(request\) method$"),
    ],
    ids=["async send", "no send"],
)
def test_a_transport_that_cannot_serve_a_blocking_client_is_refused_saying_why(
    transport: object, message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        Client(api_key=KEY, remote_host=HOST, transport=transport)  # type: ignore[arg-type]


class _UnmarkedAsyncSend:
    """An AsyncTransport whose send is a plain function returning a coroutine (a decorator
    without functools.wraps): it cannot be told from a blocking one until it is called."""

    def __init__(self) -> None:
        self.sent = 0

    def send(self, request: Request) -> Coroutine[None, None, Response]:
        async def exchange() -> Response:
            self.sent += 1
            raise AssertionError("never awaited")

        return exchange()


def test_a_send_that_returns_an_awaitable_is_refused_at_the_first_request_unawaited() -> None:
    transport = _UnmarkedAsyncSend()
    client = Client(api_key=KEY, remote_host=HOST, transport=transport)  # type: ignore[arg-type]

    with (
        warnings.catch_warnings(),
        pytest.raises(TypeError, match=r"^transport: _UnmarkedAsyncSend\.send returned an aw"),
    ):
        warnings.simplefilter("error", RuntimeWarning)  # "coroutine ... was never awaited"
        client.fetch_jobs([JOB_65])
    assert transport.sent == 0


def test_a_client_given_a_transport_works_in_a_with_block_and_leaves_it_to_its_owner() -> None:
    transport = always(OK_65)
    with client_on(transport) as client:
        client.fetch_jobs([JOB_65])
    client.fetch_jobs([JOB_65])  # the transport is the caller's: still usable
    assert len(transport.requests) == 2


# -- create_job ------------------------------------------------------------------------------


def test_create_job_posts_upstreams_new_job_and_returns_the_job() -> None:
    transport = always(CREATED)
    job = client_on(transport).create_job(
        '[{"cirq_type": "Circuit"}]',
        target="ss_unconstrained_simulator",
        shots=50,
        job_type="simulate",
        sim_method="sim",
        dry_run=True,
        verbatim=True,
        priority=3,
        tags=("sweep",),
        metadata={"round": 2},
        options={"seed": 7},
        ibmq_token="tok",
    )
    assert isinstance(job, Job)
    assert job.job_id() == uuid.UUID(JOB_65)
    (request,) = transport.requests
    assert (request.method, request.url) == ("POST", f"{HOST}/v0.3.0/client/job")
    assert request.headers["ibmq_token"] == "tok"
    assert request.body is not None
    assert json.loads(request.body) == {
        "job_type": "simulate",
        "target": "ss_unconstrained_simulator",
        "circuits": '[{"cirq_type": "Circuit"}]',
        "circuit_type": "cirq",
        "verbatim": True,
        "shots": 50,
        "dry_run": True,
        "sim_method": "sim",
        "priority": 3,
        "options_dict": {"seed": 7},
        "tags": ["sweep"],
        "metadata": {"round": 2},
    }


def test_create_job_defaults_are_upstreams_and_the_clients_circuit_type() -> None:
    transport = always(CREATED)
    client = Client(api_key=KEY, remote_host=HOST, transport=transport, circuit_type="qasm")
    client.create_job("OPENQASM 2.0;", target="t")
    client.create_job("OPENQASM 2.0;", target="t", circuit_type=CircuitType.QISKIT)
    first, second = (json.loads(r.body or b"") for r in transport.requests)
    assert first == {
        "job_type": "submit",
        "target": "t",
        "circuits": "OPENQASM 2.0;",
        "circuit_type": "qasm",
        "verbatim": False,
        "shots": 1,
        "dry_run": False,
        "sim_method": None,
        "priority": 0,
        "options_dict": {},
        "tags": [],
        "metadata": {},
    }
    assert second["circuit_type"] == "qiskit"


def test_a_job_created_on_the_emulator_runs_and_can_be_waited_on(
    client: Client, emulator: Emulator
) -> None:
    job = client.create_job(
        '["c0", "c1"]',
        target="ss_unconstrained_simulator",
        shots=10,
        job_type=JobType.SIMULATE,
        tags=["mine"],
        options={"emulator": {"durations": [1.0, 2.0]}},
    )
    assert emulator.statuses(str(job.job_id())) == ["received", "received"]
    job.wait_until_complete(polling_seconds=0.5)
    assert job.job_data.input_circuits == ["c0", "c1"]
    assert (job.tags, job.job_data.shots) == (["mine"], [10, 10])


def test_a_job_the_server_refuses_raises_with_its_reasons_at_once(
    client: Client, emulator: Emulator
) -> None:
    with pytest.raises(SuperstaqServerException, match="holds no circuits") as caught:
        client.create_job("[]", target="t")
    assert caught.value.status_code == 422
    assert emulator.request_count == 1


@pytest.mark.parametrize(
    "first",
    [
        json_reply(503, b'{"message": "busy"}'),
        json_reply(429, b"", **{"Retry-After": "2"}),
        TransportError("connect", "connection refused"),
    ],
    ids=["503", "429", "connect"],
)
def test_a_submission_the_server_cannot_have_taken_is_retried(
    first: Response | TransportError,
) -> None:
    transport = sequence(first, CREATED)
    job = client_on(transport).create_job("c", target="t")
    assert job.job_id() == uuid.UUID(JOB_65)
    assert len(transport.requests) == 2
    assert transport.requests[0].body == transport.requests[1].body


@pytest.mark.parametrize(
    "fault",
    [
        TransportError("timeout", "no reply within 30 s"),
        TransportError("protocol", "reset"),
        TransportError("too_large", "reply body exceeds the 67108864-byte limit"),
    ],
    ids=["timeout", "protocol", "too_large"],
)
def test_a_submission_that_may_have_arrived_is_not_sent_again(fault: TransportError) -> None:
    clock = FakeClock()
    transport = sequence(fault, CREATED)
    with pytest.raises(SuperstaqException) as caught:
        client_on(transport, clock).create_job("c", target="ss_unconstrained_simulator", tags=["x"])
    began = searched_since(clock.time()).isoformat()
    assert str(caught.value) == (
        f"Request failed while submitting a job to ss_unconstrained_simulator, after it was "
        f"sent: {fault.kind}: {fault.message}. The job may have been created: look for it with "
        f"find_jobs(tags=['x'], submitted_after=datetime.fromisoformat('{began}')) before "
        "submitting again."
    )
    assert caught.value.may_have_been_created is True
    assert caught.value.submission_tag is None
    assert not isinstance(caught.value, TimeoutError)
    assert len(transport.requests) == 1
    assert clock.sleeps == []


def test_a_submission_interrupted_after_it_was_sent_warns_and_notes_how_to_find_it(
    make_client: ClientFactory, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    inner = emulator.transport()

    def handler(request: Request) -> Response:
        reply = inner.send(request).unwrap()
        if request.method == "POST":  # it arrived: the job is created; then Ctrl-C
            raise KeyboardInterrupt
        return reply

    client = make_client(transport=FunctionTransport(handler))
    caplog.set_level(logging.WARNING, logger="sqcore")

    with pytest.raises(KeyboardInterrupt) as caught:
        client.create_job("c", target="ss_unconstrained_simulator", submission_tag=True)

    (job_id,) = [r.job_ids[0] for r in emulator.requests if r.method == "POST"]
    (tag,) = emulator.submitted(job_id).tags
    (note,) = getattr(caught.value, "__notes__", [])
    assert note == (
        f"submitting a job to ss_unconstrained_simulator (submission tag {tag}) was stopped by "
        "KeyboardInterrupt after its request was sent. The job may have been created: look for "
        f"it with find_jobs(tags=['{tag}']) before submitting again."
    )
    assert [r.getMessage() for r in caplog.records] == [note]
    assert [job._id for job in client.find_jobs(tags=[tag])] == [job_id]


def test_a_submission_interrupted_while_waiting_to_retry_adds_no_note(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class InterruptedSleep(FakeClock):
        def sleep(self, seconds: float) -> None:
            raise KeyboardInterrupt

    transport = always(json_reply(503, b'{"detail": "busy"}'))  # not taken: retried later
    caplog.set_level(logging.WARNING, logger="sqcore")

    with pytest.raises(KeyboardInterrupt) as caught:
        client_on(transport, InterruptedSleep()).create_job("c", target="t", submission_tag=True)

    assert getattr(caught.value, "__notes__", []) == []
    assert caplog.records == []


def test_a_submission_refused_as_busy_past_the_budget_is_a_timeout() -> None:
    transport = always(json_reply(503, b"", **{"Retry-After": "30"}))
    with pytest.raises(TimeoutError, match=r"^Reached maximum number of retries\. Last error: 503"):
        client_on(transport, max_retry_seconds=10).create_job("c", target="t")
    assert len(transport.requests) == 1


def test_a_create_reply_that_cannot_be_read_names_the_submission() -> None:
    transport = always(json_reply(200, b'{"job_id": "nope", "num_circuits": 1}'))
    with pytest.raises(SuperstaqException) as caught:
        client_on(transport).create_job("c", target="ibmq_brisbane_qpu")
    message = str(caught.value)
    assert message.startswith(
        "Could not read the server's reply for submitting a job to ibmq_brisbane_qpu: "
    )
    assert (
        " (at $.job_id) The job may have been created: look for it with "
        "find_jobs(targets=['ibmq_brisbane_qpu'], submitted_after=datetime.fromisoformat("
    ) in message
    assert caught.value.may_have_been_created is True


# -- retries ---------------------------------------------------------------------------------


def test_a_503_is_retried_with_backoff_until_success() -> None:
    clock = FakeClock()
    transport = sequence(
        json_reply(503, b'"busy"'), json_reply(503, b'"busy"'), json_reply(503, b""), OK_65
    )
    assert JOB_65 in client_on(transport, clock).fetch_jobs([JOB_65])
    assert len(transport.requests) == 4
    # Equal jitter with draw 0.5: 0.75 of 0.1, 0.2, 0.4.
    assert clock.sleeps == pytest.approx([0.075, 0.15, 0.3])


def test_a_429_is_retried_after_the_servers_retry_after() -> None:
    clock = FakeClock()
    transport = sequence(json_reply(429, b"{}", **{"Retry-After": "4"}), OK_65)
    client_on(transport, clock).fetch_jobs([JOB_65])
    assert clock.sleeps == [4.0]


@pytest.mark.parametrize("kind", ["connect", "timeout", "protocol"])
def test_network_faults_asking_again_can_help_with_are_retried(kind: TransportErrorKind) -> None:
    transport = sequence(TransportError(kind, "it broke"), OK_65)
    client_on(transport).fetch_jobs([JOB_65])
    assert len(transport.requests) == 2


def test_a_cancel_is_retried_as_a_fetch_is() -> None:
    transport = sequence(
        TransportError("timeout", "slow"), json_reply(200, fixture("cancel_reply.json"))
    )
    assert client_on(transport).cancel_jobs([JOB_66]) == [JOB_66]
    assert len(transport.requests) == 2


def test_a_slow_fetch_in_batches_that_all_succeed_is_not_cut_short_by_the_retry_budget(
    emulator: Emulator,
) -> None:
    """Each of the 7 batches takes 8 s; the retry budget (10 s) bounds retries, not the
    time of a call whose requests all succeed, and each request may take 10 s."""
    clock = FakeClock()
    ids = [emulator.create_job() for _ in range(600)]
    timeouts: list[float] = []
    inner = emulator.transport()

    def takes_eight_seconds(request: Request) -> Response | TransportError:
        timeouts.append(request.timeout)
        clock.advance(min(8.0, request.timeout))
        if request.timeout < 8.0:
            return TransportError("timeout", "no reply in time")
        return inner.send(request).unwrap()

    client = client_on(FunctionTransport(takes_eight_seconds), clock, max_retry_seconds=10.0)

    assert len(client.fetch_jobs(ids)) == 600
    assert timeouts == [10.0] * 7


def test_retries_stop_at_max_retry_seconds() -> None:
    clock = FakeClock()
    transport = always(TransportError("timeout", "no reply headers within 1.0 s"))
    with pytest.raises(TimeoutError) as caught:
        client_on(transport, clock, max_retry_seconds=5).fetch_jobs([JOB_65])
    assert str(caught.value) == (
        "Reached maximum number of retries. Last error: timeout: no reply headers within 1.0 s"
    )
    assert sum(clock.sleeps) <= 5
    assert len(transport.requests) == len(clock.sleeps) + 1 > 3


def test_a_retry_after_past_the_budget_is_not_slept() -> None:
    clock = FakeClock()
    transport = always(json_reply(503, b"", **{"Retry-After": "120"}))
    with pytest.raises(TimeoutError, match=r"^Reached maximum number of retries\. Last error: 503"):
        client_on(transport, clock, max_retry_seconds=60).fetch_jobs([JOB_65])
    assert clock.sleeps == []
    assert len(transport.requests) == 1


def test_an_attempt_never_gets_longer_than_the_time_left() -> None:
    transport = sequence(json_reply(503, b""), json_reply(503, b""), OK_65)
    client = Client(
        api_key=KEY,
        remote_host=HOST,
        transport=transport,
        clock=FakeClock(),
        rng=lambda: 0.0,
        max_retry_seconds=0.2,
        request_timeout_seconds=30,
    )
    client.fetch_jobs([JOB_65])
    timeouts = [request.timeout for request in transport.requests]
    # The first attempt always gets a fair second; a retry only what is left (at least 0.1 s).
    assert timeouts == pytest.approx([1.0, 0.15, 0.1])


Outcome = Response | TransportError


def _busy(status: int, retry_after: int | None) -> Response:
    if retry_after is None:
        return json_reply(status, b'{"message": "busy"}')
    return json_reply(status, b"", **{"Retry-After": str(retry_after)})


outcomes: st.SearchStrategy[Outcome] = st.one_of(
    st.builds(_busy, st.sampled_from([429, 503]), st.none() | st.integers(0, 30)),
    st.builds(
        TransportError,
        st.sampled_from(["connect", "timeout", "protocol"]),
        st.just("connection reset"),
    ),
)


class Script:
    """Serves the scripted failures in turn, then data; records what each request got."""

    def __init__(self, failures: list[Outcome]) -> None:
        self.failures = failures
        self.served: list[Outcome] = []

    def __call__(self, _request: Request) -> Outcome:
        outcome = (
            self.failures[len(self.served)] if len(self.served) < len(self.failures) else OK_65
        )
        self.served.append(outcome)
        return outcome


@settings(max_examples=80)
@given(
    failures=st.lists(outcomes, max_size=12),
    budget=st.floats(0.5, 60),
    latency=st.just(0.0) | st.floats(0.001, 2),
    draw=st.floats(0, 1, exclude_max=True),
)
def test_retries_stay_within_the_cap_and_the_budget_and_honour_retry_after(
    failures: list[Outcome], budget: float, latency: float, draw: float
) -> None:
    """Against a server that fails in any retryable way, on a clock where requests cost time:
    the call ends in data or TimeoutError, and no sleep breaks the rules."""
    clock = FakeClock()
    script = Script(failures)
    transport = FunctionTransport(script)
    client = Client(
        api_key=KEY,
        remote_host=HOST,
        transport=SlowTransport(transport, clock, latency) if latency else transport,
        clock=clock,
        rng=lambda: draw,
        max_retry_seconds=budget,
    )
    start = clock.now
    try:
        jobs = client.fetch_jobs([JOB_65])
    except TimeoutError as error:
        assert str(error).startswith("Reached maximum number of retries. Last error: ")
        assert script.served[-1] is not OK_65
    else:
        assert isinstance(jobs[JOB_65], JobData)
        assert script.served[-1] is OK_65

    # One sleep after every failed request but the last.
    assert len(clock.sleeps) == len(script.served) - 1
    assert len(script.served) <= math.ceil(budget / (BASE_DELAY_SECONDS / 2)) + 1
    for outcome, seconds in zip(script.served, clock.sleeps, strict=False):
        header = outcome.header("Retry-After") if isinstance(outcome, Response) else None
        asked = None if header is None else float(header)
        assert 0 < seconds <= max(MAX_DELAY_SECONDS, asked or 0.0)
        if asked is not None:
            assert seconds >= asked
    # Request time counts: no sleep ends past the budget, measured from the call.
    assert all(end <= start + budget + 1e-9 * start for end in clock.sleep_ends)


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "status", "text"),
    [
        (json_reply(504, b"{}"), 504, "Try submitting a smaller batch of circuits"),
        (json_reply(500, b'{"message": "kaput"}'), 500, "kaput"),
        (json_reply(404, b'{"detail": "Not Found"}'), 404, "Not Found"),
        (json_reply(400, b"plain words"), 400, "plain words"),
        (json_reply(401, b"<html>nope</html>"), 401, "Not authorized"),
        (json_reply(401, b'"You must validate your registered email."'), 401, "validate"),
        (json_reply(302, b"", Location="https://elsewhere.example/"), 302, "not followed"),
    ],
)
def test_final_errors_are_raised_at_once_with_their_status(
    response: Response, status: int, text: str
) -> None:
    clock = FakeClock()
    transport = always(response)
    with pytest.raises(SuperstaqServerException, match=text) as caught:
        client_on(transport, clock).fetch_jobs([JOB_65])
    assert caught.value.status_code == status
    assert f"(Status code: {status}" in str(caught.value)
    assert len(transport.requests) == 1
    assert clock.sleeps == []


def test_a_server_error_offers_contact_but_a_gateway_timeout_does_not() -> None:
    contact = "email us at superstaq@infleqtion.com"
    with pytest.raises(SuperstaqServerException, match=contact):
        client_on(always(json_reply(500, b"kaput"))).fetch_jobs([JOB_65])
    with pytest.raises(SuperstaqServerException) as caught:
        client_on(always(json_reply(504, b""))).fetch_jobs([JOB_65])
    assert contact not in str(caught.value)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("too_large", "reply body of 99 bytes exceeds the 10-byte limit"),
        ("refused", "transport is closed"),
        ("tls", "certificate verify failed"),
        ("proxy", "the proxy refused the tunnel (407)"),
    ],
)
def test_final_transport_faults_are_not_retried(kind: TransportErrorKind, text: str) -> None:
    clock = FakeClock()
    transport = always(TransportError(kind, text))
    with pytest.raises(SuperstaqException) as caught:
        client_on(transport, clock).fetch_jobs([JOB_65])
    assert str(caught.value) == f"Request failed while fetching job(s) {JOB_65}: {kind}: {text}"
    assert not isinstance(caught.value, TimeoutError)
    assert len(transport.requests) == 1 and clock.sleeps == []


def test_a_bad_body_names_the_job_and_the_path() -> None:
    with pytest.raises(SuperstaqException) as caught:
        client_on(always(_with(shots=["lots"]))).fetch_jobs([JOB_65])
    message = str(caught.value)
    assert message.startswith(f"Could not read the server's reply for job {JOB_65}: ")
    assert message.endswith(" (at $.shots[0])")


def test_a_reply_that_is_not_json_says_what_was_asked() -> None:
    with pytest.raises(SuperstaqException, match="not valid JSON") as caught:
        client_on(always(json_reply(200, b"<html>oops</html>"))).fetch_jobs([JOB_65])
    assert str(caught.value).startswith(
        f"Could not read the server's reply for fetching job(s) {JOB_65}: the reply is not "
    )


def test_a_job_missing_from_the_reply_is_named() -> None:
    with pytest.raises(SuperstaqException) as caught:
        client_on(always(OK_65)).fetch_jobs([JOB_65, JOB_66])
    assert str(caught.value) == (
        f"The server's reply has no data for job {JOB_66}: it may not exist, or it may belong "
        "to another user."
    )


def test_a_cancel_reply_that_cannot_be_read_raises() -> None:
    with pytest.raises(SuperstaqException, match=r"cancelling job\(s\).*\(at \$\)"):
        client_on(always(json_reply(200, b'{"succeeded": []}'))).cancel_jobs([JOB_65])


# -- warnings --------------------------------------------------------------------------------


def test_an_unknown_status_warns_and_decodes_as_unrecognized() -> None:
    with pytest.warns(SuperstaqWarning, match="'hyperspace'"):
        jobs = client_on(always(_with(statuses=["hyperspace"]))).fetch_jobs([JOB_65])
    assert jobs[JOB_65].statuses == ["unrecognized"]


def test_the_servers_warnings_point_at_the_callers_line() -> None:
    raw = json.loads(fixture("cancel_reply.json"))
    raw["warnings"] = [{"message": "cancel later"}, {"message": "or now"}]
    client = client_on(always(json_reply(200, json.dumps(raw).encode())))
    with pytest.warns(SuperstaqWarning) as record:
        client.cancel_jobs([JOB_66])
    assert [str(w.message) for w in record] == ["cancel later", "or now"]
    assert {w.filename for w in record} == {__file__}


# -- safety ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "http://superstaq.example",
        "HTTP://superstaq.example",
        "http://127.0.0.1@superstaq.example",
        "http://localhost.example",
        "http://192.168.1.10:8080",
        "http://evil.example\\@127.0.0.1",  # urllib3 would connect to evil.example
        "http://evil.example:8080\\@localhost:8080",
        "http://192.0.2.7\\@[::1]",
        "ftp://localhost",
        "not a url",
    ],
)
def test_unsafe_hosts_are_refused_before_the_transport_sees_anything(host: str) -> None:
    transport = always(OK_65)
    with pytest.raises(ValueError, match=r"^remote_host: ") as caught:
        Client(api_key=KEY, remote_host=host, transport=transport)
    assert transport.requests == []
    assert KEY not in str(caught.value)


@pytest.mark.parametrize("make", [Client, AsyncClient])
@pytest.mark.parametrize(
    ("host", "needle"),
    [
        ("https://superstaq.example/api/v2", "has '/api/v2' after the host"),
        ("https://superstaq.example:0", "has port '0', which is not a TCP port (1 to 65535)"),
        ("https://superstaq.example:99999", "has port '99999'"),
    ],
)
def test_a_host_with_a_path_or_a_port_out_of_range_is_refused_when_the_client_is_made(
    make: Callable[..., object], host: str, needle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValueError, match=f"^remote_host: .*{re.escape(needle)}"):
        make(api_key=KEY, remote_host=host, transport=always(OK_65))
    monkeypatch.setenv("SUPERSTAQ_REMOTE_HOST", host)
    with pytest.raises(ValueError, match=f"^remote_host: .*{re.escape(needle)}"):
        make(api_key=KEY, transport=always(OK_65))


@pytest.mark.parametrize("host", ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9"])
def test_plain_http_to_loopback_is_allowed(host: str) -> None:
    transport = always(OK_65)
    Client(api_key=KEY, remote_host=host, transport=transport).fetch_jobs([JOB_65])
    assert transport.requests[0].url.startswith(f"{host}/v0.3.0/client/job/cirq?")


def test_the_key_never_shows(caplog: pytest.LogCaptureFixture) -> None:
    echo = json_reply(500, json.dumps({"message": f"bad key {KEY} and token ibm-SEC"}).encode())
    warn = {JOB_65: job_65(), "warnings": [{"message": f"your key {KEY} is old"}]}
    transport = sequence(
        json_reply(503, f'{{"message": "{KEY}"}}'.encode()),
        json_reply(200, reply_of(warn)),
        echo,
    )
    client = Client(
        api_key=KEY, remote_host=HOST, transport=transport, clock=FakeClock(), ibmq_token="ibm-SEC"
    )
    assert KEY not in repr(client) and KEY not in str(client)
    caplog.set_level(logging.DEBUG, logger="sqcore")
    with pytest.warns(SuperstaqWarning) as record:
        client.fetch_jobs([JOB_65])
    assert all(KEY not in str(w.message) for w in record)
    assert "<redacted>" in str(record[0].message)
    with pytest.raises(SuperstaqServerException) as caught:
        client.fetch_jobs([JOB_65])
    assert KEY not in str(caught.value) and "ibm-SEC" not in str(caught.value)
    assert "<redacted>" in str(caught.value)
    assert caplog.records, "expected debug and retry log lines"
    for entry in caplog.records:
        assert KEY not in entry.getMessage()
        assert "ibm-SEC" not in entry.getMessage()
    assert all(KEY not in repr(r) for r in transport.requests)


def test_a_key_echoed_in_a_final_retry_error_is_redacted() -> None:
    transport = always(json_reply(503, f'{{"message": "no room for {KEY}"}}'.encode()))
    with pytest.raises(TimeoutError) as caught:
        client_on(transport, max_retry_seconds=0).fetch_jobs([JOB_65])
    assert str(caught.value) == (
        "Reached maximum number of retries. Last error: 503 no room for <redacted>"
    )


def test_a_credential_given_per_call_is_redacted_when_the_server_echoes_it() -> None:
    token = "ibm-SECRET-token-77"
    body = json.dumps({"message": f"token {token} is not valid for this instance"}).encode()
    client = client_on(always(json_reply(403, body)))
    calls: list[Callable[[], object]] = [
        lambda: client.fetch_jobs([JOB_65], ibmq_token=token),
        lambda: client.create_job("[]", target="ibmq_brisbane_qpu", ibmq_token=token),
        lambda: client.cancel_jobs([JOB_65], ibmq_token=token),
    ]
    for call in calls:
        with pytest.raises(SuperstaqServerException) as caught:
            call()
        assert token not in str(caught.value)
        assert "token <redacted> is not valid" in str(caught.value)


SLASHED_KEY = 'sk-Key/With"Quote\\9'
ECHOES = {
    "as sent": SLASHED_KEY,
    "upper case": SLASHED_KEY.upper(),
    "lower case": SLASHED_KEY.lower(),
    "JSON-escaped": json.dumps(SLASHED_KEY)[1:-1],
    "JSON-escaped slash": json.dumps(SLASHED_KEY)[1:-1].replace("/", "\\/"),
    "\\u-escaped": "".join(f"\\u{ord(char):04x}" for char in SLASHED_KEY),
    "\\u-escaped, upper case": "".join(f"\\u{ord(char):04X}" for char in SLASHED_KEY).upper(),
}


@pytest.mark.parametrize("echo", ECHOES.values(), ids=ECHOES.keys())
@pytest.mark.parametrize("status", [403, 503])
def test_a_key_echoed_escaped_or_in_another_case_is_redacted(echo: str, status: int) -> None:
    # Not JSON with a message: the reply's text itself is quoted in the error.
    body = f'<p>{{"key": "{echo}"}} refused</p>'.encode()
    client = Client(
        api_key=SLASHED_KEY,
        remote_host=HOST,
        transport=always(json_reply(status, body)),
        clock=FakeClock(),
        max_retry_seconds=0,
    )

    with pytest.raises((SuperstaqServerException, TimeoutError)) as caught:
        client.fetch_jobs([JOB_65])

    assert '{"key": "<redacted>"} refused' in str(caught.value)


def test_a_credential_shorter_than_four_characters_is_not_redacted() -> None:
    """Redacting "ab" would blank every "ab" in a message; a key that short is no secret."""
    body = json.dumps({"message": f"token ab refused; key {KEY} refused"}).encode()
    client = Client(
        api_key=KEY, remote_host=HOST, transport=always(json_reply(403, body)), cq_token="ab"
    )
    with pytest.raises(SuperstaqServerException) as caught:
        client.fetch_jobs([JOB_65])
    assert "token ab refused; key <redacted> refused" in str(caught.value)


def test_logging_says_one_debug_line_per_request_and_one_info_line_per_retry(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="sqcore")
    client_on(sequence(json_reply(503, b""), OK_65)).fetch_jobs([JOB_65])
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert debug == [
        f"GET {HOST}/v0.3.0/client/job/cirq -> 503 in 0.000 s",
        f"GET {HOST}/v0.3.0/client/job/cirq -> 200 in 0.000 s",
    ]
    assert info == [f"retrying fetching job(s) {JOB_65} in 0.08 s after: 503 Service Unavailable"]


def test_a_network_fault_logs_no_reply(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="sqcore")
    client_on(sequence(TransportError("connect", "refused"), OK_65)).fetch_jobs([JOB_65])
    assert caplog.records[0].getMessage() == (
        f"GET {HOST}/v0.3.0/client/job/cirq -> no reply in 0.000 s"
    )


def test_without_debug_logging_no_debug_line_is_made(
    make_client: ClientFactory, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sqcore")
    make_client().fetch_jobs([emulator.create_job()])
    assert caplog.records == []


def test_a_client_shows_its_settings_read_only() -> None:
    client = Client(
        api_key="k",
        remote_host="https://superstaq.example/",
        client_name="my-sdk",
        request_timeout_seconds=7.5,
        transport=FunctionTransport(lambda _request: Response(200, {}, b"{}")),
    )

    assert (client.remote_host, client.url) == (
        "https://superstaq.example/",
        "https://superstaq.example/v0.3.0",
    )
    assert (client.api_version, client.client_name) == ("v0.3.0", "my-sdk")
    assert (client.request_timeout_seconds, client.max_retry_seconds) == (7.5, 60.0)
    with pytest.raises(AttributeError):
        client.url = "https://elsewhere.example"  # type: ignore[misc]
