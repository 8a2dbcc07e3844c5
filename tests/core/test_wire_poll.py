"""`sqcore._wire.parse_poll_reply`: a fetch reply read as far as a status decision needs,
each requested job's statuses (unknown names warned about in the same pass); and
`one_job_replies`, which cuts jobs out of a batch reply as replies of their own, for a
later full decode once the batch is freed.

The full decode is tests/core/test_wire.py; here the poll is held to agree with it.
"""

from __future__ import annotations

import json

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.pipeline import is_successful

from sqcore._errors import ApiFailure, BadBody, MissingJob
from sqcore._models import CircuitStatus, JobData
from sqcore._wire import PollResult, one_job_replies, parse_fetch_reply, parse_poll_reply
from tests.fixtures import JOB_65, JOB_66, JOB_68, fixture, job_65, reply_of
from tests.strategies import job_data, json_values

S = CircuitStatus
TWO = fixture("fetch_two_jobs.json")


def test_a_poll_reads_the_statuses_of_the_requested_jobs() -> None:
    result = parse_poll_reply(TWO, [JOB_68, JOB_65]).unwrap()
    assert list(result.statuses) == [JOB_68, JOB_65]
    assert result.statuses[JOB_68] == (S.PENDING, S.PENDING)
    assert result.statuses[JOB_65] == (S.COMPLETED,)
    assert result.warnings == ()


def test_a_job_cut_out_of_a_batch_is_a_reply_of_its_own_for_a_later_decode() -> None:
    body = reply_of({JOB_65: job_65(), JOB_66: job_65(target="t2")})
    replies = one_job_replies(body, [JOB_66]).unwrap()
    assert list(replies) == [JOB_66]
    assert json.loads(replies[JOB_66]) == {JOB_66: job_65(target="t2")}
    assert parse_fetch_reply(replies[JOB_66], [JOB_66]).unwrap().jobs[JOB_66].target == "t2"


def test_a_job_cut_out_does_not_hold_the_batch_reply() -> None:
    padding = "x" * 100_000
    raw = json.loads(TWO)
    raw[JOB_68]["input_circuits"] = [padding, padding]
    replies = one_job_replies(json.dumps(raw).encode(), [JOB_65]).unwrap()
    assert len(replies[JOB_65]) < 3_000


def test_cutting_out_a_job_the_reply_lacks_names_it() -> None:
    assert one_job_replies(TWO, [JOB_66]).failure() == MissingJob(JOB_66)
    assert isinstance(one_job_replies(b"[]", [JOB_65]).failure(), BadBody)


def test_a_poll_checks_the_statuses_and_leaves_the_rest_to_the_decode() -> None:
    body = reply_of({JOB_65: job_65(shots=["not checked by a poll"])})
    assert parse_poll_reply(body, [JOB_65]).unwrap().statuses[JOB_65] == (S.COMPLETED,)
    # ...but the full decode, when someone reads the data, names the job and the path.
    failure = parse_fetch_reply(body, [JOB_65]).failure()
    assert failure == BadBody("Expected `int`, got `str`", "$.shots[0]", JOB_65)
    # The whole body is still JSON that a poll reads.
    assert not is_successful(parse_poll_reply(body[:-2] + b"]}", [JOB_65]))


@pytest.mark.parametrize(
    ("body", "requested", "expected"),
    [
        (
            reply_of({JOB_65: job_65(statuses=[7])}),
            [JOB_65],
            BadBody("Expected `str`, got `int`", "$.statuses[0]", JOB_65),
        ),
        (
            reply_of({JOB_65: job_65(statuses=[])}),
            [JOB_65],
            BadBody("Expected `array` of length >= 1", "$.statuses", JOB_65),
        ),
        (
            reply_of({JOB_65: {"target": "no statuses"}}),
            [JOB_65],
            BadBody("Object missing required field `statuses`", "$", JOB_65),
        ),
        (b'{"x": 1}', ["x"], BadBody("Expected `object`, got `int`", "$", "x")),
        (
            reply_of({JOB_65: [{"message": "not a job"}]}),
            [JOB_65],
            BadBody("Expected `object`, got `array`", "$", JOB_65),
        ),
        (TWO, [JOB_65, JOB_66], MissingJob(JOB_66)),
        (
            b"[]",
            [JOB_65],
            BadBody("the reply is not a JSON object of jobs (Expected `object`, got `array`)"),
        ),
        (
            b"{nope",
            [JOB_65],
            BadBody(
                "the reply is not valid JSON (JSON is malformed: object keys must be strings "
                "(byte 1))"
            ),
        ),
        (
            reply_of({"warnings": {"statuses": ["running"]}, JOB_65: job_65()}),
            [JOB_65],
            BadBody("Expected `array`, got `object`", "$.warnings"),
        ),
        (
            reply_of({"warnings": [{"msg": "x"}], JOB_65: job_65()}),
            [JOB_65],
            BadBody("Object missing required field `message`", "$.warnings[0]"),
        ),
    ],
)
def test_a_bad_poll_fails_naming_the_job_and_the_path_as_the_full_parse_does(
    body: bytes, requested: list[str], expected: ApiFailure
) -> None:
    assert parse_poll_reply(body, requested).failure() == expected
    assert parse_fetch_reply(body, requested).failure() == expected


@pytest.mark.parametrize(
    ("body", "path", "job_id", "start"),
    [
        (b'{"\x80": {"statuses": ["running"]}}', "$", None, "the reply is not valid JSON ("),
        (b'{"warnings": [{"message": "\xc3"}]}', "$.warnings", None, "a warning is not valid"),
        (
            b'{"' + JOB_65.encode() + b'": {"statuses": ["\x80"]}}',
            "$",
            JOB_65,
            "a status is not valid JSON text (",
        ),
    ],
)
def test_text_that_is_not_utf8_is_a_failure_naming_where_it_is(
    body: bytes, path: str, job_id: str | None, start: str
) -> None:
    failure = parse_poll_reply(body, [JOB_65]).failure()
    assert isinstance(failure, BadBody)
    assert (failure.path, failure.job_id) == (path, job_id)
    assert failure.message.startswith(start)
    assert "utf-8" in failure.message


def test_unknown_statuses_are_warned_about_in_the_same_pass_after_the_servers() -> None:
    raw = json.loads(TWO)
    raw[JOB_65]["statuses"] = ["warping"]
    raw[JOB_68]["statuses"] = ["pending", "zzz"]
    raw["warnings"] = [{"message": "maintenance at noon"}]
    result = parse_poll_reply(json.dumps(raw).encode(), [JOB_68, JOB_65]).unwrap()
    assert result.statuses[JOB_68] == (S.PENDING, S.UNRECOGNIZED)
    assert result.statuses[JOB_65] == (S.UNRECOGNIZED,)
    assert result.warnings == (
        "maintenance at noon",
        f"Job {JOB_68}: circuit 1 has status 'zzz', which this client does not know; it is "
        "treated as 'unrecognized' (terminal).",
        f"Job {JOB_65}: circuit 0 has status 'warping', which this client does not know; it is "
        "treated as 'unrecognized' (terminal).",
    )
    full = parse_fetch_reply(json.dumps(raw).encode(), [JOB_68, JOB_65]).unwrap()
    assert result.warnings == full.warnings


def test_the_literal_status_unrecognized_is_not_warned_about() -> None:
    body = reply_of({JOB_65: job_65(statuses=["unrecognized", "completed"])})
    result = parse_poll_reply(body, [JOB_65]).unwrap()
    assert result.statuses[JOB_65] == (S.UNRECOGNIZED, S.COMPLETED)
    assert result.warnings == ()


def test_entries_not_requested_may_be_anything() -> None:
    body = reply_of({"warnings": [{"message": "w"}], "other": "surprise", JOB_65: job_65()})
    result = parse_poll_reply(body, [JOB_65]).unwrap()
    assert result.statuses == {JOB_65: (S.COMPLETED,)}
    assert result.warnings == ("w",)


def test_a_poll_of_no_jobs_reads_only_the_warnings() -> None:
    assert parse_poll_reply(b'{"warnings": [{"message": "w"}]}', []).unwrap() == PollResult(
        {}, ("w",)
    )


# -- properties ------------------------------------------------------------------------------

_requested = st.lists(st.sampled_from([JOB_65, JOB_66]), min_size=1, max_size=2, unique=True)


@given(
    st.binary(max_size=100) | json_values.map(lambda v: json.dumps(v).encode()),
    _requested,
)
def test_any_bytes_give_statuses_or_a_documented_failure(body: bytes, requested: list[str]) -> None:
    result = parse_poll_reply(body, requested)
    if is_successful(result):
        assert list(result.unwrap().statuses) == requested
        return
    failure = result.failure()
    assert isinstance(failure, (BadBody, MissingJob))
    assert failure.job_id in (None, *requested)


@settings(max_examples=100)
@given(
    st.dictionaries(st.sampled_from([JOB_65, JOB_66, JOB_68]), job_data(), min_size=1),
    st.lists(st.text(max_size=10), max_size=2),
)
def test_a_poll_agrees_with_the_full_parse_on_any_jobs(
    jobs: dict[str, JobData], server_warnings: list[str]
) -> None:
    body = msgspec.json.encode({**jobs, "warnings": [{"message": w} for w in server_warnings]})
    poll = parse_poll_reply(body, list(jobs)).unwrap()
    full = parse_fetch_reply(body, list(jobs)).unwrap()
    assert poll.warnings == full.warnings == tuple(server_warnings)
    replies = one_job_replies(body, list(jobs)).unwrap()
    for job_id, data in jobs.items():
        assert poll.statuses[job_id] == tuple(data.statuses) == tuple(full.jobs[job_id].statuses)
        assert parse_fetch_reply(replies[job_id], [job_id]).unwrap().jobs[job_id] == data


@settings(max_examples=100)
@given(field=st.sampled_from(sorted(JobData.__struct_fields__)), value=json_values)
def test_a_poll_fails_only_on_the_statuses(field: str, value: object) -> None:
    result = parse_poll_reply(reply_of({JOB_65: job_65(**{field: value})}), [JOB_65])
    if field != "statuses":
        assert result.unwrap().statuses[JOB_65] == (S.COMPLETED,)
    elif not is_successful(result):
        failure = result.failure()
        assert isinstance(failure, BadBody)
        assert (failure.job_id, failure.path.startswith("$")) == (JOB_65, True)
    else:
        assert isinstance(value, list) and value and all(isinstance(v, str) for v in value)


@settings(max_examples=100)
@given(st.binary(max_size=60) | json_values.map(lambda v: json.dumps(v).encode()), _requested)
def test_the_one_pass_and_the_job_by_job_reading_agree_on_any_bytes(
    body: bytes, requested: list[str]
) -> None:
    # An entry nobody asked for may be anything: a reply with one is read job by job.
    polluted = (
        body[:-1] + b', "other": "surprise"}' if body.endswith(b"}") and len(body) > 2 else body
    )
    for reply in (body, polluted):
        poll, full = parse_poll_reply(reply, requested), parse_fetch_reply(reply, requested)
        if is_successful(full):
            assert poll.unwrap().statuses == {
                job_id: tuple(data.statuses) for job_id, data in full.unwrap().jobs.items()
            }
