"""The poll path: statuses decoded alone, the rest left encoded and decoded on demand."""

from __future__ import annotations

import json

import msgspec
from hypothesis import given
from hypothesis import strategies as st
from returns.pipeline import is_successful

from sqcore._errors import BadBody, MissingJob
from sqcore._models import CircuitStatus, JobData
from sqcore._wire import (
    EncodedJob,
    decode_job,
    detach_jobs,
    parse_fetch_reply,
    parse_poll_reply,
)
from tests.fixtures import JOB_65, JOB_66, JOB_68, fixture
from tests.strategies import job_data

TWO = fixture("fetch_two_jobs.json")


def test_poll_reads_statuses_of_requested_jobs() -> None:
    result = parse_poll_reply(TWO, [JOB_68, JOB_65]).unwrap()
    assert result.statuses == {
        JOB_68: [CircuitStatus.PENDING, CircuitStatus.PENDING],
        JOB_65: [CircuitStatus.COMPLETED],
    }
    assert result.warnings == ()


def test_poll_skips_but_checks_the_rest() -> None:
    raw = json.loads(fixture("fetch_completed_single.json"))
    raw[JOB_65]["shots"] = ["not checked by a poll"]
    body = json.dumps(raw).encode()
    assert parse_poll_reply(body, [JOB_65]).unwrap().statuses[JOB_65] == [CircuitStatus.COMPLETED]
    # ...but the full decode, when someone reads the data, names job and path.
    failure = decode_job(EncodedJob(body, whole_reply=True), JOB_65).failure()
    assert failure == BadBody("Expected `int`, got `str`", "$.shots[0]", JOB_65)
    broken = body[:-2] + b"]}"
    assert not is_successful(parse_poll_reply(broken, [JOB_65]))


def test_poll_failures_name_job_and_path() -> None:
    raw = json.loads(fixture("fetch_completed_single.json"))
    raw[JOB_65]["statuses"] = [7]
    failure = parse_poll_reply(json.dumps(raw).encode(), [JOB_65]).failure()
    assert failure == BadBody("Expected `str`, got `int`", "$.statuses[0]", JOB_65)
    assert parse_poll_reply(TWO, [JOB_66]).failure() == MissingJob(JOB_66)
    failure = parse_poll_reply(b'{"x": 1}', ["x"]).failure()
    assert isinstance(failure, BadBody) and failure.job_id == "x"


def test_poll_warns_about_unknown_statuses_and_keeps_server_warnings() -> None:
    raw = json.loads(TWO)
    raw[JOB_68]["statuses"] = ["pending", "warp_drive"]
    raw["warnings"] = [{"message": "maintenance at noon"}]
    result = parse_poll_reply(json.dumps(raw).encode(), [JOB_65, JOB_68]).unwrap()
    assert result.statuses[JOB_68][1] is CircuitStatus.UNRECOGNIZED
    assert result.warnings[0] == "maintenance at noon"
    assert "'warp_drive'" in result.warnings[1] and JOB_68 in result.warnings[1]


def test_an_unrequested_malformed_entry_does_not_fail_a_poll() -> None:
    raw = json.loads(fixture("fetch_completed_single.json"))
    raw["not-a-job"] = "surprise"
    result = parse_poll_reply(json.dumps(raw).encode(), [JOB_65]).unwrap()
    assert list(result.statuses) == [JOB_65]


_bodies = st.one_of(
    st.binary(max_size=100),
    st.dictionaries(st.sampled_from([JOB_65, JOB_66, "warnings"]), job_data(), max_size=3).map(
        msgspec.json.encode
    ),
)


_requested = st.lists(st.sampled_from([JOB_65, JOB_66]), min_size=1, max_size=2, unique=True)


@given(_bodies, _requested)
def test_poll_agrees_with_the_full_parse(body: bytes, requested: list[str]) -> None:
    poll = parse_poll_reply(body, requested)
    full = parse_fetch_reply(body, requested)
    assert is_successful(poll) == is_successful(full)
    if is_successful(full):
        expected = {k: v.statuses for k, v in full.unwrap().jobs.items()}
        assert poll.unwrap().statuses == expected
        assert poll.unwrap().warnings == full.unwrap().warnings
    else:
        assert isinstance(poll.failure(), (BadBody, MissingJob))


@given(st.dictionaries(st.sampled_from([JOB_65, JOB_66, JOB_68]), job_data(), min_size=1))
def test_detached_jobs_decode_to_the_same_data(jobs: dict[str, JobData]) -> None:
    body = msgspec.json.encode(jobs)
    detached = detach_jobs(body, list(jobs)).unwrap()
    for job_id, data in jobs.items():
        assert not detached[job_id].whole_reply
        assert decode_job(detached[job_id], job_id).unwrap() == data
        assert decode_job(EncodedJob(body, whole_reply=True), job_id).unwrap() == data
    assert detach_jobs(body, ["missing"]).failure() == MissingJob("missing")
    assert isinstance(detach_jobs(b"[]", ["x"]).failure(), BadBody)


def test_a_detached_job_does_not_hold_the_batch_reply() -> None:
    padding = "x" * 100_000
    raw = json.loads(TWO)
    raw[JOB_68]["input_circuits"] = [padding, padding]
    body = json.dumps(raw).encode()
    detached = detach_jobs(body, [JOB_65]).unwrap()[JOB_65]
    assert len(bytes(detached.body)) < 3_000
    failure = decode_job(EncodedJob(b"{nope", whole_reply=False), JOB_65).failure()
    assert isinstance(failure, BadBody)
    assert failure.message.startswith("the job's data is not valid JSON")
    assert (failure.path, failure.job_id) == ("$", JOB_65)
