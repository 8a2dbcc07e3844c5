"""The wire format: one case table drives the builders, fixtures drive the parsers."""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.pipeline import is_successful

from sqcore._errors import BadBody, MissingJob, Retryable, ServerError, Unauthorized
from sqcore._models import CircuitStatus, CircuitType, JobData, JobType
from sqcore._wire import (
    base_url,
    build_cancel_request,
    build_fetch_request,
    build_headers,
    classify_response,
    fetch_url,
    parse_cancel_reply,
    parse_fetch_reply,
    unsafe_url_reason,
)
from tests.fixtures import JOB_65, JOB_66, JOB_67, JOB_68, fixture
from tests.strategies import job_data
from transports import Response

KEY = "sk-SECRET-0123456789"
HEADERS = build_headers(KEY, "sqcore", "v0.3.0", {"ibmq_token": "ibm-T0KEN"})
BASE = "https://superstaq-prod.infleqtion.com/v0.3.0"

# (name, request, method, url, body as JSON or None)
BUILD_CASES = [
    (
        "fetch one",
        build_fetch_request(BASE, CircuitType.CIRQ, [JOB_65], HEADERS, 5.0),
        "GET",
        f"{BASE}/client/job/cirq?job_id={JOB_65}",
        None,
    ),
    (
        "fetch two, qiskit",
        build_fetch_request(BASE, CircuitType.QISKIT, [JOB_65, JOB_66], HEADERS, 5.0),
        "GET",
        f"{BASE}/client/job/qiskit?job_id={JOB_65}&job_id={JOB_66}",
        None,
    ),
    (
        "cancel two",
        build_cancel_request(BASE, [JOB_65, JOB_66], HEADERS, 5.0),
        "PUT",
        f"{BASE}/client/cancel_jobs",
        {"job_id": [JOB_65, JOB_66]},
    ),
]


@pytest.mark.parametrize(("name", "request_", "method", "url", "body"), BUILD_CASES)
def test_builders(name: str, request_: object, method: str, url: str, body: object) -> None:
    from transports import Request

    assert isinstance(request_, Request), name
    assert request_.method == method
    assert request_.url == url
    assert request_.timeout == 5.0
    assert (None if request_.body is None else json.loads(request_.body)) == body
    assert dict(request_.headers) == {
        "Authorization": KEY,
        "Content-Type": "application/json",
        "X-Client-Name": "sqcore",
        "X-Client-Version": "v0.3.0",
        "ibmq_token": "ibm-T0KEN",
    }
    assert KEY not in repr(request_) and "ibm-T0KEN" not in repr(request_)
    assert KEY not in str(request_)
    assert all(KEY not in str(v) for _, v in request_.__rich_repr__())


def test_fetch_url_escapes_anything_but_plain_ids() -> None:
    assert fetch_url(BASE, CircuitType.CIRQ, ["a b&c=d", JOB_65]) == (
        f"{BASE}/client/job/cirq?job_id=a%20b%26c%3Dd&job_id={JOB_65}"
    )
    assert fetch_url(BASE, CircuitType.QASM, []) == f"{BASE}/client/job/qasm"
    assert fetch_url(BASE, CircuitType.CIRQ, ["é"]) == f"{BASE}/client/job/cirq?job_id=%C3%A9"


def test_headers_leave_out_absent_credentials() -> None:
    headers = build_headers(KEY, "me", "v0.3.0", {})
    assert set(headers) == {"Authorization", "Content-Type", "X-Client-Name", "X-Client-Version"}


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://superstaq-prod.infleqtion.com", True),
        ("HTTPS://example.com/path", True),
        ("http://127.0.0.1:8080", True),
        ("http://127.5.6.7", True),
        ("http://localhost:9", True),
        ("http://[::1]:80", True),
        ("http://example.com", False),
        ("HTTP://example.com", False),
        ("http://127.0.0.1@example.com", False),
        ("http://localhost.example", False),
        ("http://localhost@evil.example:80", False),
        ("http://10.0.0.1", False),
        ("ftp://localhost", False),
        ("example.com", False),
        ("http://", False),
    ],
)
def test_unsafe_url_reason(url: str, safe: bool) -> None:
    reason = unsafe_url_reason(url)
    assert (reason is None) == safe, reason


def test_base_url_keeps_scheme_and_host_only() -> None:
    assert base_url("https://h.example/some/path?x=1", "v0.3.0").unwrap() == (
        "https://h.example/v0.3.0"
    )
    refused = base_url("http://evil.example", "v0.3.0")
    assert not is_successful(refused)
    assert "evil.example" in refused.failure()


# -- classify -----------------------------------------------------------------------------


def _response(
    status: int, body: bytes = b"{}", headers: Mapping[str, str] | None = None
) -> Response:
    return Response(status, headers or {}, body)


NOW = 1_700_000_000.0
NOT_AUTHORIZED = (
    '"Not authorized" returned by Superstaq API.  '
    "Check to ensure you have supplied the correct API key."
)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (
            _response(401, b'"nope"'),
            Unauthorized(NOT_AUTHORIZED),
        ),
        (
            _response(401, b"<html>401</html>"),
            Unauthorized(NOT_AUTHORIZED),
        ),
        (
            _response(401, b'"You must validate your registered email."'),
            Unauthorized("You must validate your registered email."),
        ),
        (
            _response(
                401, b'"You must accept the Terms of Use (superstaq.infleqtion.com/terms_of_use)."'
            ),
            Unauthorized("You'll need to accept the Terms of Use before usage of Superstaq."),
        ),
        (_response(503, b"", {"retry-after": "3"}), Retryable("503 Service Unavailable", 3.0)),
        (_response(429, b'{"message": "slow down"}'), Retryable("429 slow down", None)),
        (_response(404, b'{"message": "no such thing"}'), ServerError(404, "no such thing")),
        (_response(422, b'{"detail": "bad id"}'), ServerError(422, "bad id")),
        (_response(422, b'{"detail": [{"loc": ["q"]}]}'), ServerError(422, '[{"loc":["q"]}]')),
        (_response(500, b"Internal Server Error"), ServerError(500, "Internal Server Error")),
        (_response(500, b""), ServerError(500, "HTTP 500")),
        (
            _response(302, b"", {"Location": "https://other.example/"}),
            ServerError(302, "redirected to https://other.example/; redirects are not followed"),
        ),
    ],
)
def test_classify_failures(response: Response, expected: object) -> None:
    result = classify_response(response, NOW)
    assert not is_successful(result)
    failure = result.failure()
    if isinstance(expected, ServerError) and expected.status == 504:
        assert failure == expected
    assert failure == expected


def test_classify_504_is_final_with_upstream_text() -> None:
    failure = classify_response(_response(504, b"gateway"), NOW).failure()
    assert isinstance(failure, ServerError) and failure.status == 504
    assert "Try submitting a smaller batch" in failure.message


def test_classify_success_returns_body() -> None:
    assert classify_response(_response(200, b"[1]"), NOW).unwrap() == b"[1]"
    assert classify_response(_response(204, b""), NOW).unwrap() == b""


def test_classify_quotes_long_text_short() -> None:
    failure = classify_response(_response(500, b"x" * 10_000), NOW).failure()
    assert isinstance(failure, ServerError)
    assert len(failure.message) < 600


# -- parse --------------------------------------------------------------------------------


def test_parse_every_field_of_a_fixture() -> None:
    result = parse_fetch_reply(fixture("fetch_completed_single.json"), [JOB_65]).unwrap()
    assert result.warnings == ()
    data = result.jobs[JOB_65]
    utc = datetime.timezone.utc
    assert data == JobData(
        job_type=JobType.SIMULATE,
        statuses=[CircuitStatus.COMPLETED],
        status_messages=[None],
        user_email="user@example.com",
        target="ss_unconstrained_simulator",
        provider_id=[None],
        num_circuits=1,
        compiled_circuits=['{"cirq_type": "Circuit", "moments": []}'],
        input_circuits=['{"cirq_type": "Circuit", "moments": []}'],
        circuit_type=CircuitType.CIRQ,
        counts=[{"00": 48, "11": 52}],
        results_dicts=[None],
        shots=[100],
        dry_run=False,
        submission_timestamp=datetime.datetime(2026, 11, 23, 12, 0, 0, 123456, tzinfo=utc),
        last_updated_timestamp=[datetime.datetime(2026, 11, 23, 12, 0, 0, 123456, tzinfo=utc)],
        initial_logical_to_physicals=[{0: 0, 1: 1}],
        final_logical_to_physicals=[{0: 1, 1: 0}],
        logical_qubits=['[{"cirq_type": "LineQubit", "x": 0}]'],
        physical_qubits=['[{"cirq_type": "LineQubit", "x": 0}]'],
        tags=["sweep-7"],
        metadata={"experiment": "bell", "round": 3},
    )


@pytest.mark.parametrize(
    ("name", "ids", "statuses"),
    [
        (
            "fetch_two_jobs.json",
            [JOB_65, JOB_68],
            {JOB_65: ["completed"], JOB_68: ["pending", "pending"]},
        ),
        (
            "fetch_mixed_three_circuits.json",
            [JOB_66],
            {JOB_66: ["running", "awaiting_submission", "completed"]},
        ),
        ("fetch_failed_one_of_two.json", [JOB_67], {JOB_67: ["completed", "failed"]}),
    ],
)
def test_parse_fixtures(name: str, ids: list[str], statuses: dict[str, list[str]]) -> None:
    jobs = parse_fetch_reply(fixture(name), ids).unwrap().jobs
    assert {k: [s.value for s in v.statuses] for k, v in jobs.items()} == statuses


def test_parse_failed_fixture_keeps_message() -> None:
    data = (
        parse_fetch_reply(fixture("fetch_failed_one_of_two.json"), [JOB_67]).unwrap().jobs[JOB_67]
    )
    assert data.status_messages == [None, "Circuit has 200 qubits; the target has 127."]
    assert data.counts[1] is None


def _reply_with(job_id: str, **changes: object) -> bytes:
    raw = json.loads(fixture("fetch_completed_single.json"))
    entry = raw.pop(JOB_65)
    entry.update(changes)
    return json.dumps({job_id: entry}).encode()


def test_extra_fields_are_ignored_and_defaults_fresh() -> None:
    body = _reply_with(JOB_65, brand_new_field={"x": 1})
    assert parse_fetch_reply(body, [JOB_65]).unwrap().jobs[JOB_65].target
    raw = json.loads(body)
    del raw[JOB_65]["tags"], raw[JOB_65]["metadata"]
    body = json.dumps({JOB_65: raw[JOB_65], JOB_66: raw[JOB_65]}).encode()
    jobs = parse_fetch_reply(body, [JOB_65, JOB_66]).unwrap().jobs
    assert jobs[JOB_65].tags == [] and jobs[JOB_65].metadata == {}
    jobs[JOB_65].tags.append("x")
    assert jobs[JOB_66].tags == []


def test_unknown_status_becomes_unrecognized_with_a_warning() -> None:
    body = _reply_with(JOB_65, statuses=["teleporting"])
    result = parse_fetch_reply(body, [JOB_65]).unwrap()
    assert result.jobs[JOB_65].statuses == [CircuitStatus.UNRECOGNIZED]
    assert len(result.warnings) == 1
    assert "'teleporting'" in result.warnings[0] and JOB_65 in result.warnings[0]


def test_literal_unrecognized_status_gives_no_warning() -> None:
    result = parse_fetch_reply(_reply_with(JOB_65, statuses=["unrecognized"]), [JOB_65]).unwrap()
    assert result.warnings == ()


def test_server_warnings_are_collected() -> None:
    raw = json.loads(fixture("fetch_completed_single.json"))
    raw["warnings"] = [{"message": "target retiring soon"}]
    result = parse_fetch_reply(json.dumps(raw).encode(), [JOB_65]).unwrap()
    assert result.warnings == ("target retiring soon",)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            b"not json",
            BadBody("the reply is not valid JSON (JSON is malformed: invalid character (byte 4))"),
        ),
        (
            b"[1, 2]",
            BadBody("the reply is not a JSON object of jobs (Expected `object`, got `array`)", "$"),
        ),
        (
            _reply_with(JOB_65, shots=["many"]),
            BadBody("Expected `int`, got `str`", "$.shots[0]", JOB_65),
        ),
        (
            _reply_with(JOB_65, statuses=[]),
            BadBody("Expected `array` of length >= 1", "$.statuses", JOB_65),
        ),
        (
            _reply_with(JOB_65, submission_timestamp="yesterday"),
            BadBody("Invalid RFC3339 encoded datetime", "$.submission_timestamp", JOB_65),
        ),
        (_reply_with(JOB_66), MissingJob(JOB_65)),
        (
            b'{"warnings": [{"msg": 1}]}',
            BadBody("Object missing required field `message`", "$.warnings[0]"),
        ),
    ],
)
def test_parse_failures_name_job_and_path(body: bytes, expected: object) -> None:
    result = parse_fetch_reply(body, [JOB_65])
    assert not is_successful(result)
    assert result.failure() == expected


def test_missing_field_names_the_field() -> None:
    raw = json.loads(fixture("fetch_completed_single.json"))
    del raw[JOB_65]["target"]
    failure = parse_fetch_reply(json.dumps(raw).encode(), [JOB_65]).failure()
    assert failure == BadBody("Object missing required field `target`", "$", JOB_65)


@given(st.binary(max_size=200))
def test_any_bytes_give_data_or_a_documented_failure(body: bytes) -> None:
    result = parse_fetch_reply(body, [JOB_65])
    if not is_successful(result):
        assert isinstance(result.failure(), (BadBody, MissingJob))
    result2 = parse_cancel_reply(body)
    if not is_successful(result2):
        assert isinstance(result2.failure(), BadBody)


@given(job_data())
def test_round_trip_of_any_job_data(data: JobData) -> None:
    body = msgspec.json.encode({JOB_65: data})
    assert parse_fetch_reply(body, [JOB_65]).unwrap().jobs[JOB_65] == data


def test_parse_cancel_fixture() -> None:
    result = parse_cancel_reply(fixture("cancel_reply.json")).unwrap()
    assert result.succeeded == (JOB_66,)
    assert result.message == "1 job(s) cancelled."


def test_parse_cancel_bad_body() -> None:
    failure = parse_cancel_reply(b'{"succeeded": "all", "message": "x"}').failure()
    assert failure == BadBody("Expected `array`, got `str`", "$.succeeded")


def test_a_warning_that_is_not_utf8_names_the_warnings() -> None:
    body = b'{"warnings": [{"message": "\xc3"}], "' + JOB_65.encode() + b'": {}}'
    failure = parse_fetch_reply(body, [JOB_65]).failure()
    assert isinstance(failure, BadBody)
    assert failure.path == "$.warnings" and failure.job_id is None
    assert failure.message.startswith("a warning is not valid JSON text (")
    assert "utf-8" in failure.message
