"""The wire format at its edges: each test here kills mutants that tests/core/test_wire.py lets
live (tests/mutation.sh). Requests are built inside the tests, not at import, so a mutant of a
builder is the code under test."""

from __future__ import annotations

import email.utils
import json
import urllib.parse

import pytest
from returns.pipeline import is_successful

from sqcore._errors import BadBody, MissingJob, Retryable, ServerError
from sqcore._models import CircuitStatus, CircuitType
from sqcore._wire import (
    CREDENTIAL_NAMES,
    PollResult,
    base_url,
    build_cancel_request,
    build_fetch_request,
    build_headers,
    classify_response,
    decode_job,
    detach_jobs,
    fetch_url,
    fetch_url_base_length,
    parse_cancel_reply,
    parse_fetch_reply,
    parse_poll_reply,
    unsafe_url_reason,
)
from tests.fixtures import JOB_65, JOB_66, fixture
from transports import Request, Response

KEY = "sk-mutant-KEY-0001"
BASE = "https://superstaq.example/v0.3.0"
NOW = 1_700_000_000.0


def _headers() -> dict[str, str]:
    return dict(build_headers(KEY, "sqcore-tests", "v9.9.9", {}))


# -- requests -------------------------------------------------------------------------------


def test_headers_are_exactly_the_four_plus_given_credentials() -> None:
    assert _headers() == {
        "Authorization": KEY,
        "Content-Type": "application/json",
        "X-Client-Name": "sqcore-tests",
        "X-Client-Version": "v9.9.9",
    }
    credentials = {name: f"value-of-{name}" for name in CREDENTIAL_NAMES}
    with_all = build_headers(KEY, "n", "v", {**credentials, "unrelated": "x"})
    assert {name: with_all[name] for name in CREDENTIAL_NAMES} == credentials
    assert "unrelated" not in with_all
    only_one = build_headers(KEY, "n", "v", {"cq_token": "cq"})
    assert dict(only_one) == {**_headers(), "X-Client-Name": "n", "X-Client-Version": "v"} | {
        "cq_token": "cq"
    }


def test_fetch_request_is_a_get_of_every_id() -> None:
    headers = build_headers(KEY, "n", "v", {})
    request = build_fetch_request(BASE, CircuitType.QASM, [JOB_65, JOB_66], headers, 7.5)
    assert request == Request(
        "GET",
        f"{BASE}/client/job/qasm?job_id={JOB_65}&job_id={JOB_66}",
        headers,
        None,
        7.5,
    )
    assert request.headers == headers


def test_fetch_url_without_ids_has_no_query() -> None:
    assert fetch_url(BASE, CircuitType.CIRQ, ()) == f"{BASE}/client/job/cirq"
    assert fetch_url_base_length(BASE, CircuitType.QISKIT) == len(f"{BASE}/client/job/qiskit")


def test_fetch_url_ids_survive_any_characters() -> None:
    ids = ["a b&c=d", "é/?#", JOB_65]
    parts = urllib.parse.urlsplit(fetch_url(BASE, CircuitType.CIRQ, ids))
    assert parts.path == "/v0.3.0/client/job/cirq"
    assert urllib.parse.parse_qsl(parts.query) == [("job_id", job_id) for job_id in ids]


def test_cancel_request_is_a_put_with_the_ids() -> None:
    headers = build_headers(KEY, "n", "v", {"ibmq_token": "t"})
    request = build_cancel_request(BASE, (JOB_66, JOB_65), headers, 3.0)
    assert request.method == "PUT"
    assert request.url == f"{BASE}/client/cancel_jobs"
    assert request.headers == headers
    assert request.timeout == 3.0
    assert request.body is not None
    assert json.loads(request.body) == {"job_id": [JOB_66, JOB_65]}


def test_base_url_lowercases_the_scheme_and_keeps_the_port() -> None:
    assert base_url(" HTTPS://Host.example:8443/x ", "v0.3.0").unwrap() == (
        "https://Host.example:8443/v0.3.0"
    )


def test_unsafe_url_reasons_say_what_to_do() -> None:
    assert unsafe_url_reason("http://evil.example/x") == (
        "refusing to send the API key over plain http:// to 'evil.example', which is not a "
        "loopback host; use https://"
    )
    assert unsafe_url_reason("ftp://h") == (
        "'ftp://h' is not an http(s) URL with a host, like https://example.com"
    )
    broken = unsafe_url_reason("http://[::1")
    assert broken is not None
    assert broken.startswith("'http://[::1' is not a valid URL (")


@pytest.mark.parametrize("host", ["LOCALHOST", "localhost.", "ip6-localhost", "127.255.0.1"])
def test_loopback_spellings_are_safe(host: str) -> None:
    assert unsafe_url_reason(f"http://{host}:80") is None


# -- classify -------------------------------------------------------------------------------


def _reply(status: int, body: bytes = b"", **headers: str) -> Response:
    return Response(status, headers, body)


@pytest.mark.parametrize("status", [200, 201, 299])
def test_every_2xx_is_a_success(status: int) -> None:
    assert classify_response(_reply(status, b"x"), NOW).unwrap() == b"x"


@pytest.mark.parametrize("status", [199, 300, 400])
def test_the_2xx_range_ends_where_it_should(status: int) -> None:
    assert not is_successful(classify_response(_reply(status, b"{}"), NOW))


@pytest.mark.parametrize("status", [300, 301, 399])
def test_every_3xx_is_a_redirect_not_followed(status: int) -> None:
    failure = classify_response(_reply(status, Location="https://x.example/"), NOW).failure()
    assert failure == ServerError(
        status, "redirected to https://x.example/; redirects are not followed"
    )


def test_a_redirect_without_location_says_nowhere() -> None:
    failure = classify_response(_reply(307), NOW).failure()
    assert failure == ServerError(307, "redirected to nowhere; redirects are not followed")


def test_400_and_499_are_server_errors_not_redirects() -> None:
    assert classify_response(_reply(400, b'{"message": "m"}'), NOW).failure() == ServerError(
        400, "m"
    )
    assert classify_response(_reply(499), NOW).failure() == ServerError(499, "HTTP 499")


def test_504_is_final_without_contact_info() -> None:
    failure = classify_response(_reply(504, b"upstream timed out"), NOW).failure()
    assert failure == ServerError(
        504,
        "Connection timed out while processing your request. "
        "Try submitting a smaller batch of circuits.",
        contact_info=False,
    )


def test_retry_after_as_an_http_date_is_relative_to_now() -> None:
    date = email.utils.formatdate(NOW + 90, usegmt=True)
    failure = classify_response(_reply(503, b"", **{"Retry-After": date}), NOW).failure()
    assert isinstance(failure, Retryable)
    assert failure.retry_after == pytest.approx(90, abs=1)
    assert failure.reason == "503 Service Unavailable"


def test_429_without_body_names_its_reason() -> None:
    failure = classify_response(_reply(429), NOW).failure()
    assert failure == Retryable("429 Too Many Requests", None)


def test_a_json_string_body_is_quoted_as_is() -> None:
    failure = classify_response(_reply(500, b'"database on fire"'), NOW).failure()
    assert failure == ServerError(500, "database on fire")


def test_an_object_without_message_or_detail_is_quoted_as_text() -> None:
    failure = classify_response(_reply(418, b' {"error": "teapot"} '), NOW).failure()
    assert failure == ServerError(418, '{"error": "teapot"}')


def test_detail_null_and_message_null_fall_back_to_the_text() -> None:
    failure = classify_response(_reply(409, b'{"message": null, "detail": null}'), NOW).failure()
    assert failure == ServerError(409, '{"message": null, "detail": null}')


def test_a_body_that_is_not_utf8_is_quoted_with_replacement_characters() -> None:
    failure = classify_response(_reply(502, b"bad \xff\xfe gateway"), NOW).failure()
    assert failure == ServerError(502, "bad \ufffd\ufffd gateway")


def test_a_500_character_text_is_quoted_whole_and_a_longer_one_is_cut() -> None:
    exact = "e" * 500
    assert classify_response(_reply(500, exact.encode()), NOW).failure() == ServerError(500, exact)
    longer = classify_response(_reply(500, b"f" * 501), NOW).failure()
    assert longer == ServerError(500, "f" * 500 + "…")


def test_a_detail_that_is_not_a_string_is_quoted_as_json() -> None:
    failure = classify_response(_reply(422, b'{"detail": {"b": [1, 2]}}'), NOW).failure()
    assert failure == ServerError(422, '{"b":[1,2]}')


# -- parse ----------------------------------------------------------------------------------


def _job_entry(**changes: object) -> dict[str, object]:
    entry = json.loads(fixture("fetch_completed_single.json"))[JOB_65]
    assert isinstance(entry, dict)
    entry.update(changes)
    return entry


def test_an_error_path_is_split_at_the_last_marker() -> None:
    """An enum value that itself contains the " - at `" marker must not cut the path short."""
    body = json.dumps({JOB_65: _job_entry(job_type="x - at `y")}).encode()
    failure = parse_fetch_reply(body, [JOB_65]).failure()
    assert failure == BadBody("Invalid enum value 'x - at `y'", "$.job_type", JOB_65)


def test_a_reply_that_is_not_an_object_fails_at_the_root() -> None:
    failure = parse_fetch_reply(b'"jobs"', [JOB_65]).failure()
    assert failure == BadBody(
        "the reply is not a JSON object of jobs (Expected `object`, got `str`)", "$"
    )


def test_unknown_status_warning_text() -> None:
    body = json.dumps({JOB_65: _job_entry(statuses=["warping"])}).encode()
    assert parse_fetch_reply(body, [JOB_65]).unwrap().warnings == (
        f"Job {JOB_65}: circuit 0 has status 'warping', which this client does not know; it is "
        "treated as 'unrecognized' (terminal).",
    )


def test_only_unknown_statuses_are_warned_about_in_circuit_order() -> None:
    statuses = ["completed", "zzz", "running", "aaa"]
    entry = _job_entry(statuses=statuses, num_circuits=4)
    body = json.dumps({"warnings": [{"message": "first"}], JOB_65: entry}).encode()
    warnings = parse_fetch_reply(body, [JOB_65]).unwrap().warnings
    assert warnings[0] == "first"
    assert [w.split(" has status ")[0] for w in warnings[1:]] == [
        f"Job {JOB_65}: circuit 1",
        f"Job {JOB_65}: circuit 3",
    ]


def test_ids_not_requested_are_ignored() -> None:
    body = json.dumps({JOB_65: _job_entry(), JOB_66: {"not": "a job"}}).encode()
    assert list(parse_fetch_reply(body, [JOB_65]).unwrap().jobs) == [JOB_65]


def test_cancel_reply_warnings_are_kept_in_order() -> None:
    body = json.dumps(
        {
            "succeeded": [JOB_65, JOB_66],
            "message": "2 job(s) cancelled.",
            "warnings": [{"message": "one"}, {"message": "two"}],
        }
    ).encode()
    result = parse_cancel_reply(body).unwrap()
    assert result.succeeded == (JOB_65, JOB_66)
    assert result.message == "2 job(s) cancelled."
    assert result.warnings == ("one", "two")


def test_cancel_reply_without_warnings_has_none() -> None:
    assert parse_cancel_reply(fixture("cancel_reply.json")).unwrap().warnings == ()


def test_cancel_reply_that_is_not_json_says_so() -> None:
    failure = parse_cancel_reply(b"<html>").failure()
    assert isinstance(failure, BadBody)
    assert failure.message.startswith("the reply is not valid JSON (JSON is malformed")
    assert failure.path == "$"
    assert failure.job_id is None


def test_cancel_reply_missing_a_field_names_it() -> None:
    failure = parse_cancel_reply(b'{"succeeded": []}').failure()
    assert failure == BadBody("Object missing required field `message`", "$")


def test_an_undecodable_byte_in_an_ignored_field_is_replaced_not_raised() -> None:
    """msgspec skips unknown fields without checking their UTF-8; the quote must not raise."""
    failure = classify_response(_reply(500, b'{"x": "\xff"}'), NOW).failure()
    assert failure == ServerError(500, '{"x": "\ufffd"}')


# -- the poll path --------------------------------------------------------------------------


def test_poll_of_one_job_warns_about_its_unknown_status() -> None:
    body = json.dumps({JOB_65: _job_entry(statuses=["warping"])}).encode()
    result = parse_poll_reply(body, [JOB_65]).unwrap()
    assert result.statuses == {JOB_65: [CircuitStatus.UNRECOGNIZED]}
    assert result.warnings == parse_fetch_reply(body, [JOB_65]).unwrap().warnings
    assert len(result.warnings) == 1


def test_poll_of_a_job_that_is_a_list_fails_as_the_full_parse_does() -> None:
    body = json.dumps({JOB_65: [{"message": "not a job"}]}).encode()
    failure = parse_poll_reply(body, [JOB_65]).failure()
    assert failure == BadBody("Expected `object`, got `array`", "$", JOB_65)
    assert failure == parse_fetch_reply(body, [JOB_65]).failure()


def test_poll_of_warnings_that_look_like_a_job_fails_as_the_full_parse_does() -> None:
    body = json.dumps({"warnings": {"statuses": ["running"]}, JOB_65: _job_entry()}).encode()
    failure = parse_poll_reply(body, [JOB_65]).failure()
    assert failure == BadBody("Expected `array`, got `object`", "$.warnings")
    assert failure == parse_fetch_reply(body, [JOB_65]).failure()


def test_poll_that_falls_back_to_the_full_parse_keeps_the_warnings() -> None:
    """An entry nobody asked for that is not a job makes the one-pass decode fail."""
    body = json.dumps(
        {"warnings": [{"message": "w"}], "other": "surprise", JOB_65: _job_entry()}
    ).encode()
    result = parse_poll_reply(body, [JOB_65]).unwrap()
    assert result == PollResult({JOB_65: [CircuitStatus.COMPLETED]}, ("w",))


def test_detached_jobs_are_their_own_json() -> None:
    body = json.dumps({JOB_65: _job_entry(), JOB_66: _job_entry(target="t2")}).encode()
    detached = detach_jobs(body, [JOB_66]).unwrap()
    assert list(detached) == [JOB_66]
    assert detached[JOB_66].whole_reply is False
    assert decode_job(detached[JOB_66], JOB_66).unwrap().target == "t2"


def test_detaching_from_a_reply_that_is_not_an_object_says_so() -> None:
    failure = detach_jobs(b"[]", [JOB_65]).failure()
    assert failure == BadBody(
        "the reply is not a JSON object of jobs (Expected `object`, got `array`)"
    )
    assert detach_jobs(b"{}", [JOB_65]).failure() == MissingJob(JOB_65)


# -- the full parse: one pass, and the job-by-job fallback ----------------------------------


def test_warnings_that_are_a_whole_job_fail_as_the_job_by_job_parse_does() -> None:
    body = json.dumps({"warnings": _job_entry(), JOB_65: _job_entry()}).encode()
    expected = BadBody("Expected `array`, got `object`", "$.warnings")
    assert parse_fetch_reply(body, [JOB_65]).failure() == expected
    assert parse_poll_reply(body, [JOB_65]).failure() == expected
    # With an entry nobody asked for that is not a job, the job-by-job parse says the same.
    spoiled = json.dumps({"warnings": _job_entry(), "x": 1, JOB_65: _job_entry()}).encode()
    assert parse_fetch_reply(spoiled, [JOB_65]).failure() == expected


def test_job_by_job_parse_names_the_missing_job() -> None:
    body = json.dumps({"other": "not a job", JOB_66: _job_entry()}).encode()
    assert parse_fetch_reply(body, [JOB_66, JOB_65]).failure() == MissingJob(JOB_65)


def test_job_by_job_parse_warns_about_unknown_statuses() -> None:
    entry = _job_entry(statuses=["completed", "warping"], num_circuits=2)
    body = json.dumps({"other": "not a job", JOB_65: entry}).encode()
    result = parse_fetch_reply(body, [JOB_65]).unwrap()
    assert result.jobs[JOB_65].statuses == [CircuitStatus.COMPLETED, CircuitStatus.UNRECOGNIZED]
    assert result.warnings == (
        f"Job {JOB_65}: circuit 1 has status 'warping', which this client does not know; it is "
        "treated as 'unrecognized' (terminal).",
    )
    one_pass = json.dumps({JOB_65: entry}).encode()
    assert parse_fetch_reply(one_pass, [JOB_65]).unwrap().warnings == result.warnings


def test_job_by_job_parse_without_unknown_statuses_has_no_warnings() -> None:
    body = json.dumps({"other": "not a job", JOB_65: _job_entry()}).encode()
    assert parse_fetch_reply(body, [JOB_65]).unwrap().warnings == ()
