"""`sqcore.core.wire`: the requests, what a reply's status means, and the cancel and create
replies (fetch replies are tests/core/test_fetch_reply.py).

One case table drives the builders; fixtures (tests/replies, as upstream's models write
them) drive the decoders. Whatever the server sends, a decoder gives data or a documented
failure naming the JSON path, never an exception.
Requests are built inside the tests, not at import, so a mutant of a builder is under test.
"""

from __future__ import annotations

import email.utils
import json
import uuid
from collections.abc import Callable, Mapping

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.pipeline import is_successful
from returns.result import Result

from sqcore.core.errors import (
    ApiFailure,
    BadBody,
    Retryable,
    ServerError,
    Unauthorized,
)
from sqcore.core.models import CircuitType
from sqcore.core.wire import (
    CreateResult,
    NewJob,
    build_cancel_request,
    build_create_request,
    build_fetch_request,
    build_headers,
    classify_response,
    parse_cancel_reply,
    parse_create_reply,
    split_path,
)
from tests.fakes import FakeClock
from tests.fixtures import JOB_65, JOB_66, fixture, nested, reply_of
from tests.matchers import Bad
from tests.strategies import json_values
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
        # Whether msgspec checks the UTF-8 of a field it skips depends on its version; either
        # way the quote must not raise.
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


# -- cancel and create replies -------------------------------------------------------------


def test_a_job_created_over_http_is_read_back_from_the_create_reply() -> None:
    auth = {"Authorization": "any-key"}
    emulator = Emulator(clock=FakeClock())
    request = build_create_request(f"https://h/{API_VERSION}", _new_job(), auth, 5.0)
    status, _, reply = emulator.handle(request.method, request.url, auth, request.body)
    assert status == 200, reply
    created = parse_create_reply(reply).unwrap()
    assert created.num_circuits == 1
    assert emulator.statuses(str(created.job_id)) == ["received"]


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
            Bad("$.succeeded"),
        ),
        (
            parse_cancel_reply,
            b'{"succeeded": []}',
            Bad(names="message"),
        ),
        (
            parse_create_reply,
            b'{"job_id": "nope", "num_circuits": 1}',
            Bad("$.job_id"),
        ),
        (
            parse_create_reply,
            f'{{"job_id": "{JOB_65}"}}'.encode(),
            Bad(names="num_circuits"),
        ),
        (parse_create_reply, b"[]", Bad()),
    ],
)
def test_a_bad_cancel_or_create_reply_names_the_path(
    parse: Callable[[bytes], Result[object, ApiFailure]], body: bytes, expected: Bad
) -> None:
    assert parse(body).failure() == expected


@pytest.mark.parametrize("parse", [parse_cancel_reply, parse_create_reply])
def test_a_cancel_or_create_reply_that_is_not_json_says_so(
    parse: Callable[[bytes], Result[object, ApiFailure]],
) -> None:
    failure = parse(b"<html>").failure()
    assert isinstance(failure, BadBody)
    assert failure.message.startswith("the reply is not valid JSON (")
    assert (failure.path, failure.job_id) == ("$", None)


@given(st.binary(max_size=100) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_cancel_or_create_reply_gives_data_or_a_badreply_of(body: bytes) -> None:
    for result in (parse_cancel_reply(body), parse_create_reply(body)):
        if not is_successful(result):
            assert isinstance(result.failure(), BadBody)


# -- bytes that are not UTF-8 ----------------------------------------------------------------
# msgspec before 0.23 raised UnicodeDecodeError for a JSON string that is not UTF-8, and a
# DecodeError from 0.23 on: either is a failure value here, never an exception.

INVALID_UTF8_CASES: list[tuple[str, Callable[[], Result[object, ApiFailure]]]] = [
    ("classify 500, a JSON string", lambda: classify_response(_reply(500, b'"\x80"'), NOW)),
    ("classify 401, a JSON string", lambda: classify_response(_reply(401, b'"\x80"'), NOW)),
    (
        "classify 503, a message",
        lambda: classify_response(_reply(503, b'{"message": "\xff"}'), NOW),
    ),
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


# -- reading msgspec's ValidationError --------------------------------------------------------
# `split_path` reads the JSON path out of msgspec's message, the one place sqcore reads a
# dependency's wording. These run on whatever msgspec is installed: CI runs the suite on the
# lowest and the newest version pyproject.toml allows.


class _Inner(msgspec.Struct):
    count: int


class _Outer(msgspec.Struct):
    items: list[_Inner]
    table: dict[int, int]
    when: list[str]


_OUTER = msgspec.json.Decoder(_Outer)


@pytest.mark.parametrize(
    ("document", "path", "about_a_key"),
    [
        ({"items": [{"count": "x"}], "table": {}, "when": []}, "$.items[0].count", False),
        ({"items": [{}, {"count": 1}], "table": {}, "when": []}, "$.items[0]", False),
        ({"items": [], "table": {"k": 1}, "when": []}, "$.table", True),
        ({"items": [], "table": {}, "when": [1]}, "$.when[0]", False),
        ({"items": [], "table": {}}, "$", False),
        ([], "$", False),
    ],
)
def test_the_path_of_a_real_validation_error_is_read_from_the_installed_msgspec(
    document: object, path: str, about_a_key: bool
) -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        _OUTER.decode(json.dumps(document).encode())
    message, found = split_path(caught.value)
    assert found == path
    assert message.strip() and "`$" not in message
    assert message.endswith(" (a key)") is about_a_key


def test_a_validation_message_of_an_unknown_form_keeps_it_whole_at_the_root() -> None:
    error = msgspec.ValidationError("a wording some later msgspec might use")
    assert split_path(error) == ("a wording some later msgspec might use", "$")


# -- replies nested past the decoder's recursion limit ----------------------------------------

NESTED = nested()


@pytest.mark.parametrize(
    ("parse", "body"),
    [
        (parse_cancel_reply, NESTED),
        (parse_create_reply, NESTED),
        (parse_cancel_reply, b'{"succeeded": [], "message": "m", "extra": ' + NESTED + b"}"),
        (parse_create_reply, b'{"job_id": "' + JOB_65.encode() + b'", "x": ' + NESTED + b"}"),
    ],
    ids=["cancel", "create", "cancel, an unknown field", "create, an unknown field"],
)
def test_a_cancel_or_create_reply_nested_too_deeply_is_a_failure_not_a_recursion_error(
    parse: Callable[[bytes], Result[object, ApiFailure]], body: bytes
) -> None:
    failure = parse(body).failure()

    assert failure == BadBody("the reply nests arrays or objects too deeply to be read", "$")


@pytest.mark.parametrize("status", [401, 418, 503])
def test_an_error_reply_nested_too_deeply_is_classified_not_raised(status: int) -> None:
    body = b'{"detail": ' + NESTED + b"}"

    failure = classify_response(_reply(status, body), NOW).failure()

    assert failure.kind == {401: "unauthorized", 418: "server", 503: "retryable"}[status]
