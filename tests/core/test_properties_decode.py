"""Whatever the server sends, the decoders give data or a documented failure, never an exception.

test_wire.py feeds random bytes, which are almost never JSON; these feed JSON that is nearly
right: a valid job with one field replaced or removed, arbitrary JSON documents, and replies of
any status with any body and Retry-After."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.pipeline import is_successful
from returns.result import Result

from sqcore._errors import ApiFailure, BadBody, MissingJob, Retryable, ServerError, Unauthorized
from sqcore._models import JobData
from sqcore._wire import (
    classify_response,
    parse_cancel_reply,
    parse_fetch_reply,
    parse_poll_reply,
)
from tests.fixtures import JOB_65, JOB_66, fixture
from transports import Response

NOW = 1_700_000_000.0

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)

FIELDS = sorted(JobData.__struct_fields__)
REQUIRED = sorted(set(FIELDS) - {"tags", "metadata"})
KEY_PREFIX = "key` in `"


def _entry() -> dict[str, object]:
    entry = json.loads(fixture("fetch_completed_single.json"))[JOB_65]
    assert isinstance(entry, dict)
    return entry


@settings(max_examples=100)
@given(field=st.sampled_from(FIELDS), value=json_values)
def test_a_job_with_one_field_replaced_decodes_or_names_the_job_and_field(
    field: str, value: object
) -> None:
    entry = _entry()
    entry[field] = value
    result = parse_fetch_reply(json.dumps({JOB_65: entry}).encode(), [JOB_65])
    if is_successful(result):
        assert isinstance(result.unwrap().jobs[JOB_65], JobData)
        return
    failure = result.failure()
    assert isinstance(failure, BadBody)
    assert failure.job_id == JOB_65
    # For a bad dict key msgspec says "- at `key` in `$.x[0]`"; the path is the JSON path.
    path = failure.path
    assert not path.startswith(KEY_PREFIX)
    assert path == "$" or path.startswith(f"$.{field}")


def test_a_bad_dict_key_has_a_json_path() -> None:
    entry = _entry()
    entry["initial_logical_to_physicals"] = [{"zero": 0}]
    failure = parse_fetch_reply(json.dumps({JOB_65: entry}).encode(), [JOB_65]).failure()
    assert isinstance(failure, BadBody)
    assert failure.path == "$.initial_logical_to_physicals[0]"


@given(field=st.sampled_from(REQUIRED))
def test_a_job_missing_a_required_field_names_it(field: str) -> None:
    entry = _entry()
    del entry[field]
    failure = parse_fetch_reply(json.dumps({JOB_65: entry}).encode(), [JOB_65]).failure()
    assert failure == BadBody(f"Object missing required field `{field}`", "$", JOB_65)


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
    cancel = parse_cancel_reply(json.dumps(document).encode())
    if not is_successful(cancel):
        assert isinstance(cancel.failure(), BadBody)


@settings(max_examples=100)
@given(warnings=json_values)
def test_any_warnings_value_is_read_or_named(warnings: object) -> None:
    body = json.dumps({"warnings": warnings, JOB_65: _entry()}).encode()
    result = parse_fetch_reply(body, [JOB_65])
    if is_successful(result):
        assert isinstance(warnings, list)
        assert all(isinstance(w, str) for w in result.unwrap().warnings)
        return
    failure = result.failure()
    assert isinstance(failure, BadBody)
    assert failure.path.startswith("$.warnings")


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


INVALID_UTF8_CASES = [
    ("classify 500, a JSON string", lambda: classify_response(Response(500, {}, b'"\x80"'), NOW)),
    ("classify 401, a JSON string", lambda: classify_response(Response(401, {}, b'"\x80"'), NOW)),
    (
        "classify 503, a message",
        lambda: classify_response(Response(503, {}, b'{"message": "\xff"}'), NOW),
    ),
    ("fetch, a key", lambda: parse_fetch_reply(b'{"\x80": 1}', [JOB_65])),
    ("fetch, a warning", lambda: parse_fetch_reply(b'{"warnings": [{"message": "\xc3"}]}', [])),
    ("poll, a key", lambda: parse_poll_reply(b'{"\x80": {"statuses": ["running"]}}', [JOB_65])),
    ("cancel, an id", lambda: parse_cancel_reply(b'{"succeeded": ["\x80"], "message": "m"}')),
]


@pytest.mark.parametrize(
    ("name", "call"), INVALID_UTF8_CASES, ids=[c[0] for c in INVALID_UTF8_CASES]
)
def test_a_json_string_that_is_not_utf8_is_a_failure_not_an_exception(
    name: str, call: Callable[[], Result[object, ApiFailure]]
) -> None:
    assert not is_successful(call()), name
