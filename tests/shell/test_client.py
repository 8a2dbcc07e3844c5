"""Client: requests, retries, errors and safety, on a fake clock with function transports."""

from __future__ import annotations

import json
import logging
import pathlib

import pytest

from sqcore import (
    CircuitType,
    Client,
    JobData,
    SuperstaqException,
    SuperstaqServerException,
    SuperstaqWarning,
)
from tests.fakes import FakeClock, json_reply, untyped
from tests.fixtures import JOB_65, JOB_66, JOB_68, fixture
from transports import Request, Response, TransportError
from transports._types import TransportErrorKind

KEY = "sk-live-SECRET-7c1e"
HOST = "https://superstaq.example"


def make(handler: FunctionTransport, clock: FakeClock, **kwargs: float) -> Client:
    return Client(
        api_key=KEY,
        remote_host=HOST,
        transport=handler,
        clock=clock,
        rng=lambda: 0.5,
        max_retry_seconds=kwargs.get("max_retry_seconds", 60.0),
    )


def always(response: Response | TransportError) -> FunctionTransport:
    return FunctionTransport(lambda _request: response)


def sequence(*responses: Response | TransportError) -> FunctionTransport:
    items = list(responses)

    def handler(_request: Request) -> Response | TransportError:
        return items.pop(0) if len(items) > 1 else items[0]

    return FunctionTransport(handler)


OK_65 = json_reply(200, fixture("fetch_completed_single.json"))


def test_fetch_jobs_request_and_result() -> None:
    transport = always(json_reply(200, fixture("fetch_two_jobs.json")))
    client = make(transport, FakeClock())
    jobs = client.fetch_jobs([JOB_65, JOB_68.upper()])
    assert list(jobs) == [JOB_65, JOB_68]
    assert all(isinstance(v, JobData) for v in jobs.values())
    (request,) = transport.requests
    assert request.method == "GET"
    assert request.url == f"{HOST}/v0.3.0/client/job/cirq?job_id={JOB_65}&job_id={JOB_68}"
    assert request.headers["Authorization"] == KEY
    assert request.headers["X-Client-Name"] == "sqcore"
    assert request.headers["X-Client-Version"] == "v0.3.0"
    assert request.headers["Content-Type"] == "application/json"


def test_cancel_jobs_request_and_result() -> None:
    transport = always(json_reply(200, fixture("cancel_reply.json")))
    client = make(transport, FakeClock())
    assert client.cancel_jobs([JOB_66]) == [JOB_66]
    (request,) = transport.requests
    assert (request.method, request.url) == ("PUT", f"{HOST}/v0.3.0/client/cancel_jobs")
    assert request.body is not None and json.loads(request.body) == {"job_id": [JOB_66]}


def test_credentials_travel_as_headers() -> None:
    transport = always(OK_65)
    client = Client(
        api_key=KEY,
        remote_host=HOST,
        transport=transport,
        ibmq_token="ibm-tok-1",
        cq_token="cq-tok-2",
        circuit_type="qiskit",
    )
    client.fetch_jobs([JOB_65], ibmq_instance="inst")
    headers = transport.requests[0].headers
    assert headers["ibmq_token"] == "ibm-tok-1"
    assert headers["cq_token"] == "cq-tok-2"
    assert headers["ibmq_instance"] == "inst"
    assert "/client/job/qiskit?" in transport.requests[0].url
    assert client.circuit_type is CircuitType.QISKIT
    with pytest.raises(TypeError, match=r"unexpected keyword argument.*'verbose'"):
        Client(api_key=KEY, remote_host=HOST, transport=transport, verbose="yes")


def test_503_is_retried_with_backoff_until_success() -> None:
    clock = FakeClock()
    transport = sequence(
        json_reply(503, b'"busy"'), json_reply(503, b'"busy"'), json_reply(503, b""), OK_65
    )
    assert JOB_65 in make(transport, clock).fetch_jobs([JOB_65])
    assert len(transport.requests) == 4
    # Equal jitter with draw 0.5: 0.75 of 0.1, 0.2, 0.4.
    assert clock.sleeps == pytest.approx([0.075, 0.15, 0.3])


def test_429_honours_retry_after() -> None:
    clock = FakeClock()
    transport = sequence(json_reply(429, b"{}", **{"Retry-After": "4"}), OK_65)
    make(transport, clock).fetch_jobs([JOB_65])
    assert clock.sleeps == [4.0]


def test_network_faults_are_retried() -> None:
    clock = FakeClock()
    transport = sequence(TransportError("connect", "connection refused by 127.0.0.1:1"), OK_65)
    make(transport, clock).fetch_jobs([JOB_65])
    assert len(transport.requests) == 2


def test_retries_stop_at_max_retry_seconds() -> None:
    clock = FakeClock()
    transport = always(TransportError("timeout", "no reply headers within 1.0 s"))
    with pytest.raises(TimeoutError) as caught:
        make(transport, clock, max_retry_seconds=5).fetch_jobs([JOB_65])
    assert str(caught.value) == (
        "Reached maximum number of retries. Last error: timeout: no reply headers within 1.0 s"
    )
    assert sum(clock.sleeps) <= 5
    assert len(transport.requests) == len(clock.sleeps) + 1 > 3


def test_retry_after_past_the_budget_gives_up_at_once() -> None:
    clock = FakeClock()
    transport = always(json_reply(503, b"{}", **{"Retry-After": "120"}))
    with pytest.raises(TimeoutError, match="503"):
        make(transport, clock, max_retry_seconds=60).fetch_jobs([JOB_65])
    assert clock.sleeps == []


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
def test_final_errors_are_not_retried(response: Response, status: int, text: str) -> None:
    clock = FakeClock()
    transport = always(response)
    with pytest.raises(SuperstaqServerException, match=text) as caught:
        make(transport, clock).fetch_jobs([JOB_65])
    assert caught.value.status_code == status
    assert f"(Status code: {status}" in str(caught.value)
    assert len(transport.requests) == 1
    assert clock.sleeps == []


def test_bad_body_names_job_and_path() -> None:
    raw = json.loads(fixture("fetch_completed_single.json"))
    raw[JOB_65]["shots"] = ["lots"]
    transport = always(json_reply(200, json.dumps(raw).encode()))
    with pytest.raises(SuperstaqException, match=rf"job {JOB_65}.*at \$\.shots\[0\]"):
        make(transport, FakeClock()).fetch_jobs([JOB_65])


def test_invalid_json_is_a_superstaq_exception() -> None:
    transport = always(json_reply(200, b"<html>oops</html>"))
    with pytest.raises(SuperstaqException, match="not valid JSON") as caught:
        make(transport, FakeClock()).fetch_jobs([JOB_65])
    assert JOB_65 in str(caught.value)


def test_missing_job_is_named() -> None:
    transport = always(OK_65)
    with pytest.raises(SuperstaqException, match=JOB_66):
        make(transport, FakeClock()).fetch_jobs([JOB_65, JOB_66])


def test_unknown_status_warns_and_decodes_as_unrecognized() -> None:
    raw = json.loads(fixture("fetch_completed_single.json"))
    raw[JOB_65]["statuses"] = ["hyperspace"]
    transport = always(json_reply(200, json.dumps(raw).encode()))
    with pytest.warns(SuperstaqWarning, match="'hyperspace'"):
        jobs = make(transport, FakeClock()).fetch_jobs([JOB_65])
    assert jobs[JOB_65].statuses == ["unrecognized"]


def test_bad_job_ids_are_refused_before_any_request() -> None:
    transport = always(OK_65)
    client = make(transport, FakeClock())
    with pytest.raises(ValueError, match="'nope' is not a valid job id"):
        client.fetch_jobs([JOB_65, "nope"])
    with pytest.raises(TypeError, match="wrap it in a list"):
        client.fetch_jobs(JOB_65)
    assert transport.requests == []


# -- safety ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "http://superstaq.example",
        "HTTP://superstaq.example",
        "http://127.0.0.1@superstaq.example",
        "http://localhost.example",
        "http://192.168.1.10:8080",
        "ftp://localhost",
        "not a url",
    ],
)
def test_unsafe_hosts_are_refused_before_the_transport_sees_anything(host: str) -> None:
    transport = always(OK_65)
    with pytest.raises(ValueError, match="remote_host") as caught:
        Client(api_key=KEY, remote_host=host, transport=transport)
    assert transport.requests == []
    assert KEY not in str(caught.value)


@pytest.mark.parametrize("host", ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9"])
def test_plain_http_to_loopback_is_allowed(host: str) -> None:
    Client(api_key=KEY, remote_host=host, transport=always(OK_65))


def test_the_key_never_shows(caplog: pytest.LogCaptureFixture) -> None:
    echo = json_reply(500, json.dumps({"message": f"bad key {KEY} and token ibm-SEC"}).encode())
    warn = json.loads(fixture("fetch_completed_single.json"))
    warn["warnings"] = [{"message": f"your key {KEY} is old"}]
    transport = sequence(
        json_reply(503, f'{{"message": "{KEY}"}}'.encode()),
        json_reply(200, json.dumps(warn).encode()),
        echo,
    )
    client = Client(
        api_key=KEY,
        remote_host=HOST,
        transport=transport,
        clock=FakeClock(),
        ibmq_token="ibm-SEC",
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


def test_logging_one_debug_line_per_request_and_info_per_retry(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="sqcore")
    transport = sequence(json_reply(503, b"{}"), OK_65)
    make(transport, FakeClock()).fetch_jobs([JOB_65])
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG]
    info = [r for r in caplog.records if r.levelno == logging.INFO]
    assert len(debug) == 2 and len(info) == 1
    assert "GET" in debug[0].getMessage() and "503" in debug[0].getMessage()
    assert "retrying" in info[0].getMessage()


# -- configuration --------------------------------------------------------------------------


def test_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPERSTAQ_API_KEY", "env-key-1234")
    monkeypatch.setenv("SUPERSTAQ_REMOTE_HOST", "https://env-host.example")
    transport = always(OK_65)
    client = Client(transport=transport)
    client.fetch_jobs([JOB_65])
    assert transport.requests[0].headers["Authorization"] == "env-key-1234"
    assert transport.requests[0].url.startswith("https://env-host.example/v0.3.0/")


def test_key_from_key_file(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    monkeypatch.delenv("SUPERSTAQ_API_KEY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    key_file = tmp_path / "home" / ".super.tech" / "superstaq-api-key"
    key_file.parent.mkdir(parents=True)
    key_file.write_text("file-key-5678\nsecond line\n")
    transport = always(OK_65)
    Client(transport=transport).fetch_jobs([JOB_65])
    assert transport.requests[0].headers["Authorization"] == "file-key-5678"
    preferred = tmp_path / "data" / "super.tech" / "superstaq_api_key"
    preferred.parent.mkdir(parents=True)
    preferred.write_text("xdg-key-9999")
    Client(transport=transport).fetch_jobs([JOB_65])
    assert transport.requests[1].headers["Authorization"] == "xdg-key-9999"


def test_no_key_says_how_to_set_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path
) -> None:
    monkeypatch.delenv("SUPERSTAQ_API_KEY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(OSError, match="SUPERSTAQ_API_KEY"):
        Client(transport=always(OK_65))


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"max_retry_seconds": -1}, ValueError, "max_retry_seconds must be >= 0"),
        ({"api_version": "v0.2.0"}, ValueError, "api_version 'v0.2.0' is not supported"),
        ({"circuit_type": "braket"}, ValueError, "circuit_type 'braket'"),
        ({"api_key": "bad\nkey"}, ValueError, "api_key must not contain line breaks"),
        ({"api_key": ""}, ValueError, "api_key must not be empty"),
        ({"request_timeout_seconds": 0}, ValueError, "request_timeout_seconds must be > 0"),
    ],
)
def test_bad_client_arguments(kwargs: dict[str, object], error: type[Exception], text: str) -> None:
    options: dict[str, object] = {"api_key": KEY, "remote_host": HOST, "transport": always(OK_65)}
    options.update(kwargs)
    with pytest.raises(error, match=text):
        untyped(Client)(**options)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("too_large", "reply body of 99 bytes exceeds the 10-byte limit"),
        ("refused", "transport is closed"),
        ("tls", "certificate verify failed"),
    ],
)
def test_final_transport_faults_are_not_retried(kind: TransportErrorKind, text: str) -> None:
    clock = FakeClock()
    transport = always(TransportError(kind, text))
    with pytest.raises(SuperstaqException, match=f"{kind}: {text}") as caught:
        make(transport, clock).fetch_jobs([JOB_65])
    assert not isinstance(caught.value, TimeoutError)
    assert len(transport.requests) == 1 and clock.sleeps == []
