"""The Client over real HTTP against hostile loopback servers: documented exceptions, bounded
time, retries counted on the server, and the key never shown."""

from __future__ import annotations

import json
import logging
import time
import tracemalloc
from collections.abc import Callable, Iterator

import pytest

from sqcore import (
    CircuitStatus,
    Client,
    Job,
    SuperstaqException,
    SuperstaqServerException,
    SuperstaqWarning,
)
from tests.fakes import Guard, SkippingClock
from tests.fixtures import JOB_65, fixture
from transports import Urllib3Transport

from .hostile import (
    Action,
    Hangup,
    HostileServer,
    Pause,
    Reply,
    Reset,
    Serve,
    Stall,
    Stream,
    Truncate,
    fail_first,
    json_reply,
    redirect,
    retry_later,
    unanswered_port,
)

KEY = "sk-live-HOSTILE-4b1d"
BUDGET = 1.0
TIMEOUT = 0.3
#: A retry may start just inside the budget and take MIN_RETRY_ATTEMPT_SECONDS (0.1 s);
#: the rest is scheduling slack on a loaded, shared 2-core machine. Real time is the subject
#: of these tests (deadlines on real sockets); without the budget they would run for ever.
MARGIN = 1.5

GOOD = fixture("fetch_completed_single.json")


def ok(body: bytes = GOOD) -> Reply:
    return Reply(200, (("Content-Type", "application/json"),), body)


def with_change(**changes: object) -> bytes:
    raw = json.loads(GOOD)
    raw[JOB_65].update(changes)
    return json.dumps(raw).encode()


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG, logger="sqcore")
    yield caplog
    for record in caplog.records:
        assert KEY not in record.getMessage()
        assert KEY not in str(record.args)


@pytest.fixture
def connect(
    serve: Serve,
) -> Iterator[Callable[[Action | tuple[Action, ...]], tuple[Client, HostileServer]]]:
    transports: list[Urllib3Transport] = []

    def make(
        script: Action | tuple[Action, ...], timeout: float = TIMEOUT
    ) -> tuple[Client, HostileServer]:
        server = serve(script if isinstance(script, tuple) else (script,))
        transport = Urllib3Transport()
        transports.append(transport)
        client = Client(
            api_key=KEY,
            remote_host=server.origin,
            transport=transport,
            max_retry_seconds=BUDGET,
            request_timeout_seconds=timeout,
            clock=SkippingClock(),  # backoff sleeps are skipped; request deadlines are real
        )
        return client, server

    yield make
    for transport in transports:
        transport.close()


Connect = Callable[..., tuple[Client, HostileServer]]


def no_key_in(error: BaseException) -> None:
    assert KEY not in str(error) and KEY not in repr(error)


@pytest.mark.parametrize(
    ("name", "action", "needle"),
    [
        ("reset before reply", Reset(), "protocol"),
        ("reset mid-reply", Reset(ok(), body_bytes=20, after_seconds=0.01), "protocol"),
        ("close without reply", Hangup(), "protocol"),
        ("truncated body", Truncate(ok(), body_bytes=30), "protocol"),
        ("stall before headers", Stall(5.0), "timeout"),
        ("503 forever", retry_later(503, retry_after=None), "503"),
        ("429 forever", retry_later(429, retry_after=None), "429"),
        (
            "a coding the transport cannot decode",
            Reply(200, (("Content-Encoding", "x-made-up"),), b"\x00\x01"),
            "Content-Encoding this transport cannot decode: 'x-made-up'",
        ),
    ],
)
def test_retryable_faults_retry_then_time_out_within_budget(
    connect: Connect, logs: pytest.LogCaptureFixture, name: str, action: Action, needle: str
) -> None:
    client, server = connect(action)
    started = time.monotonic()
    with pytest.raises(TimeoutError) as caught:
        client.fetch_jobs([JOB_65])
    elapsed = time.monotonic() - started
    message = str(caught.value)
    assert message.startswith("Reached maximum number of retries. Last error: "), message
    assert needle in message, message
    assert elapsed <= BUDGET + MARGIN, f"{name}: {elapsed:.2f} s"
    assert len(server.requests) >= 2, f"{name}: not retried"
    assert any("retrying" in r.getMessage() for r in logs.records)
    no_key_in(caught.value)


def test_stall_mid_body_is_cut_at_the_deadline(connect: Connect) -> None:
    client, server = connect(Pause(ok(), body_bytes=10, seconds=5.0))
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="timeout"):
        client.fetch_jobs([JOB_65])
    assert time.monotonic() - started <= BUDGET + MARGIN
    assert len(server.requests) >= 2


@pytest.mark.parametrize(
    ("k", "failure"),
    [(2, retry_later(503, retry_after="0")), (3, Reset()), (2, Hangup())],
)
def test_fail_first_k_then_succeed(connect: Connect, k: int, failure: Action) -> None:
    client, server = connect(fail_first(k, failure, ok()))
    assert JOB_65 in client.fetch_jobs([JOB_65])
    assert len(server.requests) == k + 1


def patient_client(
    server: HostileServer, transport: Urllib3Transport, clock: SkippingClock
) -> Client:
    """A client with budget enough to honour a Retry-After of a second or two, whose waits
    are recorded and skipped."""
    return Client(
        api_key=KEY,
        remote_host=server.origin,
        transport=transport,
        max_retry_seconds=5,
        clock=clock,
    )


@pytest.mark.parametrize(("status", "value"), [(503, "1"), (429, "1")])
def test_retry_after_is_honoured(
    serve: Serve, transport: Urllib3Transport, status: int, value: str
) -> None:
    server = serve(fail_first(1, retry_later(status, retry_after=value), ok()))
    clock = SkippingClock()
    patient_client(server, transport, clock).fetch_jobs([JOB_65])
    assert len(clock.sleeps) == 1 and clock.sleeps[0] >= 1.0
    assert len(server.requests) == 2


def test_retry_after_as_http_date(serve: Serve, transport: Urllib3Transport) -> None:
    import email.utils

    clock = SkippingClock()
    date = email.utils.formatdate(clock.time() + 3, usegmt=True)
    server = serve(fail_first(1, retry_later(503, retry_after=date), ok()))
    patient_client(server, transport, clock).fetch_jobs([JOB_65])
    # An HTTP date has whole seconds, and the first request takes some time (up to a second
    # on a loaded machine): the wait is what is left of the 3 s, far above any backoff.
    assert len(clock.sleeps) == 1 and 1.0 <= clock.sleeps[0] <= 3.0
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    ("reply", "status", "needle"),
    [
        (json_reply({"message": "bad request body"}, status=400), 400, "bad request body"),
        (json_reply({"detail": "Not Found"}, status=404), 404, "Not Found"),
        (json_reply({"detail": [{"msg": "bad uuid"}]}, status=422), 422, "bad uuid"),
        (Reply(500, (), b"<html>oops</html>"), 500, "oops"),
        (Reply(504, (), b""), 504, "smaller batch"),
        (Reply(401, (("Content-Type", "text/html"),), b"<html>401</html>"), 401, "Not authorized"),
        (json_reply("You must validate your registered email.", status=401), 401, "validate"),
    ],
)
def test_final_errors_are_raised_at_once(
    connect: Connect, logs: pytest.LogCaptureFixture, reply: Reply, status: int, needle: str
) -> None:
    client, server = connect(reply)
    with pytest.raises(SuperstaqServerException) as caught:
        client.fetch_jobs([JOB_65])
    assert caught.value.status_code == status
    assert needle in str(caught.value)
    assert len(server.requests) == 1
    no_key_in(caught.value)


def test_the_key_echoed_by_the_server_is_redacted(
    connect: Connect, logs: pytest.LogCaptureFixture
) -> None:
    client, _ = connect(json_reply({"message": f"key {KEY} is revoked"}, status=403))
    with pytest.raises(SuperstaqServerException) as caught:
        client.fetch_jobs([JOB_65])
    assert "key <redacted> is revoked" in str(caught.value)
    no_key_in(caught.value)


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"{not json", "not valid JSON"),
        (with_change(shots=["x"]), "$.shots[0]"),
        (with_change(counts="none"), "$.counts"),
        (json.dumps({"other": {}}).encode(), f"no data for job {JOB_65}"),
    ],
)
def test_bad_bodies(connect: Connect, body: bytes, needle: str) -> None:
    client, server = connect(ok(body))
    with pytest.raises(SuperstaqException) as caught:
        client.fetch_jobs([JOB_65])
    assert needle in str(caught.value)
    assert JOB_65 in str(caught.value)
    assert len(server.requests) == 1


def test_unknown_status_warns(connect: Connect) -> None:
    client, _ = connect(ok(with_change(statuses=["quantum_foam"])))
    with pytest.warns(SuperstaqWarning, match="quantum_foam"):
        assert Job(client, JOB_65).status() is CircuitStatus.UNRECOGNIZED


@pytest.mark.parametrize("framing", ["length", "chunked"])
def test_huge_body_is_refused_with_bounded_memory(connect: Connect, framing: str) -> None:
    # A generous timeout: the point is the size bound, not the clock (inflating 64 MiB of
    # chunks under tracemalloc takes a good part of a second on a busy machine).
    client, server = connect(
        Stream(300 * 2**20, framing="chunked" if framing == "chunked" else "length"), 10.0
    )
    tracemalloc.start()
    try:
        with pytest.raises(SuperstaqException, match="too_large") as caught:
            client.fetch_jobs([JOB_65])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not isinstance(caught.value, TimeoutError)
    assert peak < 80 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    assert len(server.requests) == 1


def test_redirects_are_not_followed_and_carry_no_credentials(
    connect: Connect, serve: Serve
) -> None:
    target = serve((ok(),))
    client, server = connect(redirect(target.url("/v0.3.0/client/job/cirq")))
    with pytest.raises(SuperstaqServerException, match="not followed") as caught:
        client.fetch_jobs([JOB_65])
    assert caught.value.status_code == 302
    assert target.requests == ()
    assert all(r.header("Authorization") in (None, KEY) for r in server.requests)


def test_refreshes_reuse_one_connection(connect: Connect) -> None:
    running = with_change(statuses=["running"])
    client, server = connect(ok(running))
    for _ in range(20):
        assert Job(client, JOB_65).status() is CircuitStatus.RUNNING
    assert len(server.requests) == 20
    assert server.connections == 1
    request = server.requests[0]
    assert request.header("Authorization") == KEY
    assert request.header("X-Client-Name") == "sqcore"
    assert request.path == "/v0.3.0/client/job/cirq"
    assert request.query == {"job_id": [JOB_65]}


def test_cancel_over_http(connect: Connect) -> None:
    client, server = connect(ok(fixture("cancel_reply.json")))
    assert client.cancel_jobs(["00000000-0000-0000-0000-000000000066"]) == [
        "00000000-0000-0000-0000-000000000066"
    ]
    (request,) = server.requests
    assert request.method == "PUT" and request.path == "/v0.3.0/client/cancel_jobs"
    assert json.loads(request.body) == {"job_id": ["00000000-0000-0000-0000-000000000066"]}


def test_connection_refused_is_retried_then_times_out() -> None:
    with Urllib3Transport() as transport:
        client = Client(
            api_key=KEY,
            remote_host="http://127.0.0.1:9",
            transport=transport,
            max_retry_seconds=0.5,
            request_timeout_seconds=TIMEOUT,
        )
        started = time.monotonic()
        with pytest.raises(TimeoutError, match="connect") as caught:
            client.fetch_jobs([JOB_65])
        assert time.monotonic() - started <= 0.5 + MARGIN
        no_key_in(caught.value)


def test_a_submission_whose_connection_is_never_made_is_retried_not_said_to_be_sent() -> None:
    with unanswered_port() as port, Urllib3Transport() as transport:
        client = Client(
            api_key=KEY,
            remote_host=f"http://127.0.0.1:{port}",
            transport=transport,
            max_retry_seconds=0.5,
            request_timeout_seconds=TIMEOUT,
        )
        started = time.monotonic()
        with pytest.raises(TimeoutError) as caught:
            client.create_job("[]", target="ss_unconstrained_simulator")
        assert time.monotonic() - started <= 0.5 + MARGIN

    assert str(caught.value).startswith(
        f"Reached maximum number of retries. Last error: connect: no connection to "
        f"127.0.0.1:{port} within "
    )
    assert "may have been created" not in str(caught.value)


UNKNOWN_HOST = "https://api.superstaq.invalid"  # RFC 6761 §6.4: never resolves, anywhere


def test_a_host_name_that_does_not_resolve_fails_at_once_naming_it() -> None:
    with Urllib3Transport() as real:
        transport = Guard(real, limit=1)  # a retry would be a second request
        client = Client(
            api_key=KEY, remote_host=UNKNOWN_HOST, transport=transport, max_retry_seconds=60
        )
        with pytest.raises(SuperstaqException) as caught:
            client.fetch_jobs([JOB_65])

    assert not isinstance(caught.value, TimeoutError)
    assert f"fetching job(s) {JOB_65}" in str(caught.value)
    assert "could not resolve the host name 'api.superstaq.invalid'" in str(caught.value)
    assert transport.count == 1


def test_a_submission_to_a_host_that_does_not_resolve_was_certainly_not_sent() -> None:
    with Urllib3Transport() as real:
        transport = Guard(real, limit=1)
        client = Client(
            api_key=KEY, remote_host=UNKNOWN_HOST, transport=transport, max_retry_seconds=60
        )
        with pytest.raises(SuperstaqException) as caught:
            client.create_job("[]", target="ss_unconstrained_simulator")

    assert "could not resolve the host name 'api.superstaq.invalid'" in str(caught.value)
    assert "may have been created" not in str(caught.value)
    assert transport.count == 1


def test_a_client_closes_its_own_transport_on_leaving_a_with_block(serve: Serve) -> None:
    server = serve([ok(with_change(statuses=["running"]))])

    with Client(api_key=KEY, remote_host=server.origin) as client:
        assert Job(client, JOB_65).status() is CircuitStatus.RUNNING

    with pytest.raises(SuperstaqException, match="the transport is closed") as caught:
        client.fetch_jobs([JOB_65])
    no_key_in(caught.value)
    assert len(server.requests) == 1


def test_a_client_leaves_a_transport_it_was_given_open(serve: Serve) -> None:
    server = serve([ok(with_change(statuses=["running"]))])

    with Urllib3Transport() as transport:
        with Client(api_key=KEY, remote_host=server.origin, transport=transport) as client:
            client.fetch_jobs([JOB_65])
        assert Job(client, JOB_65).status() is CircuitStatus.RUNNING  # still open

    assert server.connections == 1
