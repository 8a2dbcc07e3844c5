"""`sqcore._wire`, all but the poll (tests/core/test_wire_poll.py): the requests, what a reply's
status means, and replies decoded in full: a fetch reply into `JobData` (`parse_fetch_reply`,
`decode_job`), a cancel reply and a create reply.

One case table drives the builders; fixtures (../shared/fixtures, as upstream's models write
them) and the emulator's replies drive the decoders. Whatever the server sends, a decoder
gives data or a documented failure naming the job and the JSON path, never an exception.
Requests are built inside the tests, not at import, so a mutant of a builder is under test.
"""

from __future__ import annotations

import datetime
import email.utils
import enum
import json
import uuid
from collections.abc import Callable, Mapping

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.pipeline import is_successful
from returns.result import Result

from sqcore._errors import (
    ApiFailure,
    BadBody,
    MissingJob,
    Retryable,
    ServerError,
    Unauthorized,
)
from sqcore._models import CircuitStatus, CircuitType, JobData, JobType
from sqcore._wire import (
    CreateResult,
    NewJob,
    build_cancel_request,
    build_create_request,
    build_fetch_request,
    build_headers,
    classify_response,
    decode_job,
    parse_cancel_reply,
    parse_create_reply,
    parse_fetch_reply,
)
from tests.fakes import EPOCH, FakeClock
from tests.fixtures import JOB_65, JOB_66, JOB_67, JOB_68, fixture, job_65, reply_of
from tests.strategies import EmulatedJob, emulated_jobs, job_data, json_values
from transports import Request, Response
from transports.emulator import API_VERSION, Emulator

KEY = "sk-SECRET-0123456789"
BASE = "https://superstaq.example/v0.3.0"
NOW = 1_700_000_000.0


# -- requests --------------------------------------------------------------------------------


def _headers() -> Mapping[str, str]:
    return build_headers(KEY, "sqcore-tests", "v0.3.0", {"ibmq_token": "ibm-T0KEN"})


def _new_job() -> NewJob:
    return NewJob(
        job_type="simulate",
        target="ss_unconstrained_simulator",
        circuits='[{"cirq_type": "Circuit"}]',
        circuit_type="cirq",
        verbatim=False,
        shots=100,
        dry_run=True,
        sim_method="noise-sim",
        priority=2,
        options_dict={"emulator": {"durations": 1.0}},
        tags=["sweep"],
        metadata={"round": 3},
    )


# (name, builder, method, url, body as JSON or None)
BUILD_CASES: list[tuple[str, Callable[[], Request], str, str, object]] = [
    (
        "fetch one",
        lambda: build_fetch_request(BASE, CircuitType.CIRQ, [JOB_65], _headers(), 5.0),
        "GET",
        f"{BASE}/client/job/cirq?job_id={JOB_65}",
        None,
    ),
    (
        "fetch two, qasm",
        lambda: build_fetch_request(BASE, CircuitType.QASM, [JOB_65, JOB_66], _headers(), 5.0),
        "GET",
        f"{BASE}/client/job/qasm?job_id={JOB_65}&job_id={JOB_66}",
        None,
    ),
    (
        "cancel two",
        lambda: build_cancel_request(BASE, (JOB_66, JOB_65), _headers(), 5.0),
        "PUT",
        f"{BASE}/client/cancel_jobs",
        {"job_id": [JOB_66, JOB_65]},
    ),
    (
        "create",
        lambda: build_create_request(BASE, _new_job(), _headers(), 5.0),
        "POST",
        f"{BASE}/client/job",
        {
            "job_type": "simulate",
            "target": "ss_unconstrained_simulator",
            "circuits": '[{"cirq_type": "Circuit"}]',
            "circuit_type": "cirq",
            "verbatim": False,
            "shots": 100,
            "dry_run": True,
            "sim_method": "noise-sim",
            "priority": 2,
            "options_dict": {"emulator": {"durations": 1.0}},
            "tags": ["sweep"],
            "metadata": {"round": 3},
        },
    ),
]


@pytest.mark.parametrize(
    ("name", "build", "method", "url", "body"), BUILD_CASES, ids=[c[0] for c in BUILD_CASES]
)
def test_each_request_has_its_method_url_body_headers_and_timeout(
    name: str, build: Callable[[], Request], method: str, url: str, body: object
) -> None:
    request = build()
    assert request.method == method
    assert request.url == url
    assert request.timeout == 5.0
    assert request.headers == _headers()
    if body is None:
        assert request.body is None
    else:
        assert request.body is not None
        assert json.loads(request.body) == body


def test_the_create_body_has_upstreams_new_job_fields_in_order() -> None:
    body = build_create_request(BASE, _new_job(), _headers(), 5.0).body
    assert body is not None
    assert list(json.loads(body)) == [
        "job_type",
        "target",
        "circuits",
        "circuit_type",
        "verbatim",
        "shots",
        "dry_run",
        "sim_method",
        "priority",
        "options_dict",
        "tags",
        "metadata",
    ]


def test_headers_are_exactly_the_four_plus_the_credentials_given() -> None:
    assert dict(build_headers(KEY, "me", "v0.3.0", {})) == {
        "Authorization": KEY,
        "Content-Type": "application/json",
        "X-Client-Name": "me",
        "X-Client-Version": "v0.3.0",
    }
    credentials = {
        "ibmq_token": "t",
        "ibmq_instance": "i",
        "ibmq_channel": "c",
        "cq_token": "q",
    }
    with_all = build_headers(KEY, "n", "v", {**credentials, "unrelated": "x"})
    assert {name: with_all[name] for name in credentials} == credentials
    assert "unrelated" not in with_all
    assert set(build_headers(KEY, "n", "v", {"cq_token": "q"})) == {
        "Authorization",
        "Content-Type",
        "X-Client-Name",
        "X-Client-Version",
        "cq_token",
    }


# -- what a reply's status means -------------------------------------------------------------

NOT_AUTHORIZED = (
    '"Not authorized" returned by Superstaq API.  '
    "Check to ensure you have supplied the correct API key."
)
GATEWAY_TIMEOUT = (
    "Connection timed out while processing your request. "
    "Try submitting a smaller batch of circuits."
)


def _reply(status: int, body: bytes = b"", **headers: str) -> Response:
    return Response(status, headers, body)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (_reply(401, b'"nope"'), Unauthorized(NOT_AUTHORIZED)),
        (_reply(401, b"<html>401</html>"), Unauthorized(NOT_AUTHORIZED)),
        (
            _reply(401, b'"You must validate your registered email."'),
            Unauthorized("You must validate your registered email."),
        ),
        (
            _reply(
                401, b'"You must accept the Terms of Use (superstaq.infleqtion.com/terms_of_use)."'
            ),
            Unauthorized("You'll need to accept the Terms of Use before usage of Superstaq."),
        ),
        (_reply(503, b"", **{"retry-after": "3"}), Retryable("503 Service Unavailable", 3.0)),
        (_reply(429, b'{"message": "slow down"}'), Retryable("429 slow down", None)),
        (_reply(429), Retryable("429 Too Many Requests", None)),
        (_reply(504, b"upstream timed out"), ServerError(504, GATEWAY_TIMEOUT, False)),
        (_reply(404, b'{"message": "no such thing"}'), ServerError(404, "no such thing")),
        (_reply(422, b'{"detail": "bad id"}'), ServerError(422, "bad id")),
        (_reply(422, b'{"detail": [{"loc": ["q"]}]}'), ServerError(422, '[{"loc":["q"]}]')),
        (_reply(422, b'{"detail": {"b": [1, 2]}}'), ServerError(422, '{"b":[1,2]}')),
        (_reply(500, b"Internal Server Error"), ServerError(500, "Internal Server Error")),
        (_reply(500, b'"database on fire"'), ServerError(500, "database on fire")),
        (_reply(500, b""), ServerError(500, "HTTP 500")),
        (_reply(418, b' {"error": "teapot"} '), ServerError(418, '{"error": "teapot"}')),
        (
            _reply(409, b'{"message": null, "detail": null}'),
            ServerError(409, '{"message": null, "detail": null}'),
        ),
        (_reply(502, b"bad \xff\xfe gateway"), ServerError(502, "bad \ufffd\ufffd gateway")),
        # msgspec skips unknown fields without checking their UTF-8; the quote must not raise.
        (_reply(500, b'{"x": "\xff"}'), ServerError(500, '{"x": "\ufffd"}')),
        (_reply(400, b'{"message": "m"}'), ServerError(400, "m")),
        (_reply(499), ServerError(499, "HTTP 499")),
        (
            _reply(302, b"", Location="https://other.example/"),
            ServerError(302, "redirected to https://other.example/; redirects are not followed"),
        ),
        (_reply(307), ServerError(307, "redirected to nowhere; redirects are not followed")),
    ],
)
def test_each_failing_status_means_its_failure(response: Response, expected: ApiFailure) -> None:
    assert classify_response(response, NOW).failure() == expected


@pytest.mark.parametrize("status", [200, 201, 204, 299])
def test_every_2xx_is_itsreply_of(status: int) -> None:
    assert classify_response(_reply(status, b"[1]"), NOW).unwrap() == b"[1]"


@pytest.mark.parametrize("status", [199, 300, 400])
def test_the_2xx_range_ends_where_it_should(status: int) -> None:
    assert not is_successful(classify_response(_reply(status, b"{}"), NOW))


@pytest.mark.parametrize("status", [300, 301, 399])
def test_every_3xx_is_a_redirect_not_followed(status: int) -> None:
    failure = classify_response(_reply(status, Location="https://x.example/"), NOW).failure()
    assert failure == ServerError(
        status, "redirected to https://x.example/; redirects are not followed"
    )


def test_a_retry_after_date_is_relative_to_now() -> None:
    date = email.utils.formatdate(NOW + 90, usegmt=True)
    failure = classify_response(_reply(503, b"", **{"Retry-After": date}), NOW).failure()
    assert isinstance(failure, Retryable)
    assert failure.retry_after == pytest.approx(90, abs=1)
    assert failure.reason == "503 Service Unavailable"


def test_a_500_character_text_is_quoted_whole_and_a_longer_one_is_cut() -> None:
    exact = "e" * 500
    assert classify_response(_reply(500, exact.encode()), NOW).failure() == ServerError(500, exact)
    longer = classify_response(_reply(500, b"f" * 501), NOW).failure()
    assert longer == ServerError(500, "f" * 500 + "…")


@settings(max_examples=150)
@given(
    status=st.integers(100, 599),
    body=st.one_of(
        st.binary(max_size=40),
        st.binary(max_size=20).map(lambda raw: b'"' + raw + b'"'),  # strings, maybe not UTF-8
        st.text(max_size=40).map(str.encode),
        json_values.map(lambda v: json.dumps(v).encode()),
    ),
    retry_after=st.none() | st.text(max_size=30) | st.integers(0, 10**6).map(str),
)
def test_any_reply_is_classified_never_raised(
    status: int, body: bytes, retry_after: str | None
) -> None:
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    result = classify_response(Response(status, headers, body), NOW)
    if 200 <= status < 300:
        assert result.unwrap() == body
        return
    failure = result.failure()
    if status == 401:
        assert isinstance(failure, Unauthorized)
    elif status in (429, 503):
        assert isinstance(failure, Retryable)
        assert failure.reason.startswith(str(status))
        assert failure.retry_after is None or failure.retry_after >= 0
        if retry_after is not None and retry_after.isascii() and retry_after.strip().isdigit():
            assert failure.retry_after == int(retry_after)
    else:
        assert isinstance(failure, ServerError)
        assert failure.status == status
        assert failure.message
        assert len(failure.message) <= 501


# -- a fetch reply, decoded in full ----------------------------------------------------------


def test_every_field_of_a_fixture_is_decoded() -> None:
    result = parse_fetch_reply(fixture("fetch_completed_single.json"), [JOB_65]).unwrap()
    assert result.warnings == ()
    utc = datetime.timezone.utc
    assert result.jobs == {
        JOB_65: JobData(
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
    }


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
def test_each_fixture_decodes_with_its_statuses(
    name: str, ids: list[str], statuses: dict[str, list[str]]
) -> None:
    jobs = parse_fetch_reply(fixture(name), ids).unwrap().jobs
    assert {k: [s.value for s in v.statuses] for k, v in jobs.items()} == statuses


def test_a_failed_circuit_keeps_its_message() -> None:
    body = fixture("fetch_failed_one_of_two.json")
    data = parse_fetch_reply(body, [JOB_67]).unwrap().jobs[JOB_67]
    assert data.status_messages == [None, "Circuit has 200 qubits; the target has 127."]
    assert data.counts[1] is None


def test_extra_fields_are_ignored_and_defaults_are_fresh() -> None:
    body = reply_of({JOB_65: job_65(brand_new_field={"x": 1})})
    assert parse_fetch_reply(body, [JOB_65]).unwrap().jobs[JOB_65].target
    entry = job_65()
    del entry["tags"], entry["metadata"]
    jobs = (
        parse_fetch_reply(reply_of({JOB_65: entry, JOB_66: entry}), [JOB_65, JOB_66]).unwrap().jobs
    )
    assert jobs[JOB_65].tags == [] and jobs[JOB_65].metadata == {}
    jobs[JOB_65].tags.append("x")
    assert jobs[JOB_66].tags == []


def test_ids_not_requested_are_ignored() -> None:
    body = reply_of({JOB_65: job_65(), JOB_66: {"not": "a job"}, "other": "surprise"})
    assert list(parse_fetch_reply(body, [JOB_65]).unwrap().jobs) == [JOB_65]


def test_an_unknown_status_is_unrecognized_and_warned_about() -> None:
    result = parse_fetch_reply(reply_of({JOB_65: job_65(statuses=["warping"])}), [JOB_65]).unwrap()
    assert result.jobs[JOB_65].statuses == [CircuitStatus.UNRECOGNIZED]
    assert result.warnings == (
        f"Job {JOB_65}: circuit 0 has status 'warping', which this client does not know; it is "
        "treated as 'unrecognized' (terminal).",
    )


def test_only_unknown_statuses_are_warned_about_after_the_servers_warnings() -> None:
    entry = job_65(statuses=["completed", "zzz", "running", "aaa"], num_circuits=4)
    body = reply_of({"warnings": [{"message": "first"}], JOB_65: entry})
    warnings = parse_fetch_reply(body, [JOB_65]).unwrap().warnings
    assert warnings[0] == "first"
    assert [w.split(" has status ")[0] for w in warnings[1:]] == [
        f"Job {JOB_65}: circuit 1",
        f"Job {JOB_65}: circuit 3",
    ]


def test_the_literal_status_unrecognized_is_not_warned_about() -> None:
    body = reply_of({JOB_65: job_65(statuses=["unrecognized"])})
    assert parse_fetch_reply(body, [JOB_65]).unwrap().warnings == ()


def test_the_servers_warnings_are_collected_in_order() -> None:
    warnings = [{"message": "target retiring soon"}, {"message": "and another"}]
    body = reply_of({"warnings": warnings, JOB_65: job_65()})
    result = parse_fetch_reply(body, [JOB_65]).unwrap()
    assert result.warnings == ("target retiring soon", "and another")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            b"not json",
            BadBody("the reply is not valid JSON (JSON is malformed: invalid character (byte 4))"),
        ),
        (
            b"[1, 2]",
            BadBody("the reply is not a JSON object of jobs (Expected `object`, got `array`)"),
        ),
        (
            b'"jobs"',
            BadBody("the reply is not a JSON object of jobs (Expected `object`, got `str`)"),
        ),
        (
            reply_of({JOB_65: job_65(shots=["many"])}),
            BadBody("Expected `int`, got `str`", "$.shots[0]", JOB_65),
        ),
        (
            reply_of({JOB_65: job_65(statuses=[])}),
            BadBody("Expected `array` of length >= 1", "$.statuses", JOB_65),
        ),
        (
            reply_of({JOB_65: job_65(submission_timestamp="yesterday")}),
            BadBody("Invalid RFC3339 encoded datetime", "$.submission_timestamp", JOB_65),
        ),
        # An enum value holding msgspec's " - at `" marker must not cut the path short.
        (
            reply_of({JOB_65: job_65(job_type="x - at `y")}),
            BadBody("Invalid enum value 'x - at `y'", "$.job_type", JOB_65),
        ),
        (
            reply_of({JOB_65: job_65(initial_logical_to_physicals=[{"zero": 0}])}),
            BadBody(
                "Expected `int`, got `str` (a key)", "$.initial_logical_to_physicals[0]", JOB_65
            ),
        ),
        (
            reply_of({JOB_65: [{"message": "not a job"}]}),
            BadBody("Expected `object`, got `array`", "$", JOB_65),
        ),
        (reply_of({JOB_66: job_65()}), MissingJob(JOB_65)),
        (
            b'{"warnings": [{"msg": 1}]}',
            BadBody("Object missing required field `message`", "$.warnings[0]"),
        ),
        (
            reply_of({"warnings": job_65(), JOB_65: job_65()}),
            BadBody("Expected `array`, got `object`", "$.warnings"),
        ),
    ],
)
def test_a_bad_reply_fails_naming_the_job_and_the_path(body: bytes, expected: ApiFailure) -> None:
    assert parse_fetch_reply(body, [JOB_65]).failure() == expected


def test_the_first_requested_job_missing_is_named() -> None:
    body = reply_of({"other": "not a job", JOB_66: job_65()})
    assert parse_fetch_reply(body, [JOB_66, JOB_65, JOB_67]).failure() == MissingJob(JOB_65)


def test_a_warning_that_is_not_utf8_names_the_warnings() -> None:
    body = b'{"warnings": [{"message": "\xc3"}], "' + JOB_65.encode() + b'": {}}'
    failure = parse_fetch_reply(body, [JOB_65]).failure()
    assert isinstance(failure, BadBody)
    assert failure.path == "$.warnings" and failure.job_id is None
    assert failure.message.startswith("a warning is not valid JSON text (")
    assert "utf-8" in failure.message


FIELDS = sorted(JobData.__struct_fields__)
REQUIRED = sorted(set(FIELDS) - {"tags", "metadata"})


@given(field=st.sampled_from(REQUIRED))
def test_a_job_missing_a_required_field_names_it(field: str) -> None:
    entry = job_65()
    del entry[field]
    failure = parse_fetch_reply(reply_of({JOB_65: entry}), [JOB_65]).failure()
    assert failure == BadBody(f"Object missing required field `{field}`", "$", JOB_65)


@settings(max_examples=100)
@given(field=st.sampled_from(FIELDS), value=json_values)
def test_a_job_with_one_field_replaced_decodes_or_names_the_job_and_field(
    field: str, value: object
) -> None:
    result = parse_fetch_reply(reply_of({JOB_65: job_65(**{field: value})}), [JOB_65])
    if is_successful(result):
        assert isinstance(result.unwrap().jobs[JOB_65], JobData)
        return
    failure = result.failure()
    assert isinstance(failure, BadBody)
    assert failure.job_id == JOB_65
    # For a bad dict key msgspec says "- at `key` in `$.x[0]`"; the path is the JSON path.
    assert not failure.path.startswith("key` in `")
    assert failure.path == "$" or failure.path.startswith(f"$.{field}")


@settings(max_examples=100)
@given(document=json_values, requested=st.lists(st.sampled_from([JOB_65, JOB_66]), max_size=2))
def test_any_json_document_gives_data_or_a_documented_failure(
    document: object, requested: list[str]
) -> None:
    result = parse_fetch_reply(json.dumps(document).encode(), requested)
    if is_successful(result):
        assert set(result.unwrap().jobs) == set(requested)
        return
    failure = result.failure()
    assert isinstance(failure, (BadBody, MissingJob))
    assert failure.job_id in (None, *requested)
    if isinstance(failure, BadBody):
        assert failure.path.startswith("$")


@settings(max_examples=100)
@given(warnings=json_values)
def test_any_warnings_value_is_read_or_named(warnings: object) -> None:
    result = parse_fetch_reply(reply_of({"warnings": warnings, JOB_65: job_65()}), [JOB_65])
    if is_successful(result):
        assert isinstance(warnings, list)
        assert result.unwrap().warnings == tuple(w["message"] for w in warnings)
        return
    failure = result.failure()
    assert isinstance(failure, BadBody)
    assert failure.path.startswith("$.warnings")


@given(st.binary(max_size=200))
def test_any_bytes_give_data_or_a_documented_failure(body: bytes) -> None:
    result = parse_fetch_reply(body, [JOB_65])
    if not is_successful(result):
        assert isinstance(result.failure(), (BadBody, MissingJob))


@given(job_data())
def test_any_job_data_encoded_decodes_to_itself(data: JobData) -> None:
    body = msgspec.json.encode({JOB_65: data})
    assert parse_fetch_reply(body, [JOB_65]).unwrap().jobs[JOB_65] == data
    assert decode_job(JOB_65, msgspec.json.encode(data)).unwrap() == data


# -- one job's JSON, decoded -----------------------------------------------------------------


def test_a_jobs_own_json_decodes_from_bytes_or_raw() -> None:
    own = json.dumps(job_65(target="t2")).encode()
    assert decode_job(JOB_66, own).unwrap().target == "t2"
    assert decode_job(JOB_66, msgspec.Raw(own)).unwrap().target == "t2"


def test_a_jobs_bad_json_names_the_job_and_the_path() -> None:
    bad = json.dumps(job_65(shots=["many"])).encode()
    assert decode_job(JOB_66, bad).failure() == BadBody(
        "Expected `int`, got `str`", "$.shots[0]", JOB_66
    )
    failure = decode_job(JOB_65, b"{nope").failure()
    assert isinstance(failure, BadBody)
    assert failure.message.startswith("the job's data is not valid JSON (")
    assert (failure.path, failure.job_id) == ("$", JOB_65)


@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_bytes_decode_to_a_job_or_a_failure_naming_it(raw: bytes) -> None:
    result = decode_job(JOB_67, raw)
    if not is_successful(result):
        failure = result.failure()
        assert isinstance(failure, BadBody)
        assert failure.job_id == JOB_67


# -- the emulator's replies ------------------------------------------------------------------
# The emulator writes replies from its own definitions (transports/emulator) and sqcore reads
# them: neither imports the other's schema, so a field one of them gets wrong shows.

AUTH = {"Authorization": "any-key"}
UPSTREAM_TIMESTAMP = "%Y-%m-%dT%H:%M:%S.%fZ"  # what upstream's pydantic models write


def _create(emulator: Emulator, job: EmulatedJob) -> str:
    return emulator.create_job(**msgspec.structs.asdict(job))


def _get(emulator: Emulator, circuit_type: str, job_ids: list[str]) -> bytes:
    query = "&".join(f"job_id={job_id}" for job_id in job_ids)
    url = f"/{API_VERSION}/client/job/{circuit_type}?{query}"
    status, _, body = emulator.handle("GET", url, AUTH, None)
    assert status == 200, body
    return body


def _as_object(value: object) -> dict[str, object]:
    assert isinstance(value, dict)
    return {str(key): item for key, item in value.items()}


def _plain(value: object) -> object:
    """A decoded value in JSON's terms: enums as their values, dict keys as strings."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def _instant(text: object) -> datetime.datetime | None:
    if text is None:
        return None
    assert isinstance(text, str)
    moment = datetime.datetime.strptime(text, UPSTREAM_TIMESTAMP)
    return moment.replace(tzinfo=datetime.timezone.utc)


def _assert_same_values(data: JobData, written: dict[str, object]) -> None:
    """Every field the emulator wrote decodes to the value it wrote, and nothing is missing."""
    assert set(written) == set(JobData.__struct_fields__)
    for name, value in written.items():
        decoded = getattr(data, name)
        if name == "submission_timestamp":
            assert decoded == _instant(value), name
        elif name == "last_updated_timestamp":
            assert isinstance(value, list)
            assert decoded == [_instant(item) for item in value], name
        else:
            assert _plain(decoded) == value, name


@settings(max_examples=60)
@given(
    job=emulated_jobs(),
    before_cancel=st.floats(0, 60),
    cancel=st.booleans(),
    after_cancel=st.floats(0, 60),
)
def test_a_job_the_emulator_writes_decodes_to_the_same_values(
    job: EmulatedJob, before_cancel: float, cancel: bool, after_cancel: float
) -> None:
    clock = FakeClock()
    emulator = Emulator(clock=clock, wall_clock=lambda: EPOCH + clock.now)
    created_at = clock.now
    job_id = _create(emulator, job)
    clock.advance(before_cancel)
    if cancel:
        open_at_cancel = any(clock.now < created_at + d for d in job.durations)
        cancel_body = msgspec.json.encode({"job_id": [job_id]})
        url = f"/{API_VERSION}/client/cancel_jobs"
        status, _, reply = emulator.handle("PUT", url, AUTH, cancel_body)
        assert status == 200
        succeeded = parse_cancel_reply(reply).unwrap().succeeded
        assert succeeded == ((job_id,) if open_at_cancel else ())
        clock.advance(after_cancel)

    body = _get(emulator, job.circuit_type, [job_id])
    result = parse_fetch_reply(body, [job_id])
    assert is_successful(result), result
    data = result.unwrap().jobs[job_id]
    _assert_same_values(data, _as_object(_as_object(msgspec.json.decode(body))[job_id]))

    # And against what the job was created with, independently of both decoders.
    assert data.num_circuits == job.num_circuits == len(data.statuses)
    assert data.shots == [job.shots] * job.num_circuits
    assert data.target == job.target
    assert data.circuit_type.value == job.circuit_type
    assert data.dry_run is job.dry_run
    assert tuple(data.tags) == job.tags
    assert data.metadata == job.metadata
    assert data.submission_timestamp == datetime.datetime.fromtimestamp(
        EPOCH + created_at, tz=datetime.timezone.utc
    )
    for index, status_ in enumerate(data.statuses):
        if status_ is CircuitStatus.FAILED:
            assert data.status_messages[index] == job.fail[index]
        if status_ is CircuitStatus.COMPLETED:
            counts = data.counts[index]
            assert counts is not None and sum(counts.values()) == job.shots
    assert result.unwrap().warnings == (() if job.warn is None else (job.warn,))


@settings(max_examples=30)
@given(jobs=st.lists(emulated_jobs(), min_size=1, max_size=4), elapsed=st.floats(0, 60))
def test_a_batch_reply_decodes_every_job_and_warning_in_order(
    jobs: list[EmulatedJob], elapsed: float
) -> None:
    clock = FakeClock()
    emulator = Emulator(clock=clock, wall_clock=lambda: EPOCH + clock.now)
    ids = [_create(emulator, job) for job in jobs]
    clock.advance(elapsed)
    body = _get(emulator, "cirq", ids)
    result = parse_fetch_reply(body, ids).unwrap()
    assert list(result.jobs) == ids
    written = _as_object(msgspec.json.decode(body))
    for job_id in ids:
        _assert_same_values(result.jobs[job_id], _as_object(written[job_id]))
    assert result.warnings == tuple(job.warn for job in jobs if job.warn is not None)


def test_a_job_created_over_http_is_read_back_from_the_create_reply() -> None:
    emulator = Emulator(clock=FakeClock())
    request = build_create_request(f"https://h/{API_VERSION}", _new_job(), AUTH, 5.0)
    status, _, reply = emulator.handle(request.method, request.url, AUTH, request.body)
    assert status == 200, reply
    created = parse_create_reply(reply).unwrap()
    assert created.num_circuits == 1
    assert emulator.statuses(str(created.job_id)) == ["received"]


# -- cancel and create replies ---------------------------------------------------------------


def test_the_cancel_fixture_decodes() -> None:
    result = parse_cancel_reply(fixture("cancel_reply.json")).unwrap()
    assert result.succeeded == (JOB_66,)
    assert result.message == "1 job(s) cancelled."
    assert result.warnings == ()


def test_a_cancel_replys_warnings_are_kept_in_order() -> None:
    body = reply_of(
        {
            "succeeded": [JOB_65, JOB_66],
            "message": "2 job(s) cancelled.",
            "warnings": [{"message": "one"}, {"message": "two"}],
        }
    )
    result = parse_cancel_reply(body).unwrap()
    assert result.succeeded == (JOB_65, JOB_66)
    assert result.message == "2 job(s) cancelled."
    assert result.warnings == ("one", "two")


def test_the_create_fixture_decodes() -> None:
    assert parse_create_reply(fixture("create_reply.json")).unwrap() == CreateResult(
        uuid.UUID(JOB_65), 1
    )


def test_a_create_reply_keeps_its_warnings() -> None:
    body = msgspec.json.encode(
        {"job_id": JOB_65, "num_circuits": 2, "warnings": [{"message": "queue is long"}]}
    )

    assert parse_create_reply(body).unwrap() == CreateResult(
        uuid.UUID(JOB_65), 2, ("queue is long",)
    )


@pytest.mark.parametrize(
    ("parse", "body", "expected"),
    [
        (
            parse_cancel_reply,
            b'{"succeeded": "all", "message": "x"}',
            BadBody("Expected `array`, got `str`", "$.succeeded"),
        ),
        (
            parse_cancel_reply,
            b'{"succeeded": []}',
            BadBody("Object missing required field `message`"),
        ),
        (
            parse_create_reply,
            b'{"job_id": "nope", "num_circuits": 1}',
            BadBody("Invalid UUID", "$.job_id"),
        ),
        (
            parse_create_reply,
            f'{{"job_id": "{JOB_65}"}}'.encode(),
            BadBody("Object missing required field `num_circuits`"),
        ),
        (parse_create_reply, b"[]", BadBody("Expected `object`, got `array`")),
    ],
)
def test_a_bad_cancel_or_create_reply_names_the_path(
    parse: Callable[[bytes], Result[object, ApiFailure]], body: bytes, expected: BadBody
) -> None:
    assert parse(body).failure() == expected


@pytest.mark.parametrize("parse", [parse_cancel_reply, parse_create_reply])
def test_a_cancel_or_create_reply_that_is_not_json_says_so(
    parse: Callable[[bytes], Result[object, ApiFailure]],
) -> None:
    failure = parse(b"<html>").failure()
    assert isinstance(failure, BadBody)
    assert failure.message.startswith("the reply is not valid JSON (JSON is malformed")
    assert (failure.path, failure.job_id) == ("$", None)


@given(st.binary(max_size=100) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_cancel_or_create_reply_gives_data_or_a_badreply_of(body: bytes) -> None:
    for result in (parse_cancel_reply(body), parse_create_reply(body)):
        if not is_successful(result):
            assert isinstance(result.failure(), BadBody)


# -- bytes that are not UTF-8 ----------------------------------------------------------------
# msgspec raises UnicodeDecodeError (not a DecodeError) for a JSON string that is not UTF-8.

INVALID_UTF8_CASES: list[tuple[str, Callable[[], Result[object, ApiFailure]]]] = [
    ("classify 500, a JSON string", lambda: classify_response(_reply(500, b'"\x80"'), NOW)),
    ("classify 401, a JSON string", lambda: classify_response(_reply(401, b'"\x80"'), NOW)),
    (
        "classify 503, a message",
        lambda: classify_response(_reply(503, b'{"message": "\xff"}'), NOW),
    ),
    ("fetch, a key", lambda: parse_fetch_reply(b'{"\x80": 1}', [JOB_65])),
    ("fetch, a warning", lambda: parse_fetch_reply(b'{"warnings": [{"message": "\xc3"}]}', [])),
    ("job, a field", lambda: decode_job(JOB_65, b'{"target": "\x80"}')),
    ("cancel, an id", lambda: parse_cancel_reply(b'{"succeeded": ["\x80"], "message": "m"}')),
    ("create, an id", lambda: parse_create_reply(b'{"job_id": "\x80", "num_circuits": 1}')),
]


@pytest.mark.parametrize(
    ("name", "call"), INVALID_UTF8_CASES, ids=[c[0] for c in INVALID_UTF8_CASES]
)
def test_a_json_string_that_is_not_utf8_is_a_failure_not_an_exception(
    name: str, call: Callable[[], Result[object, ApiFailure]]
) -> None:
    assert not is_successful(call()), name
