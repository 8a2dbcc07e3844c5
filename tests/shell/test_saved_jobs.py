"""Saved jobs: `Job.dump()` and `Job.load(client, data)` round-trip a handle and its cache, and
a restored terminal job makes no request."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqcore import Client, Job, JobData
from sqcore.engine.effects import JobState
from tests.strategies import job_data
from transports import FunctionTransport, Request, Response

JOB = "00000000-0000-0000-0000-0000000000aa"
TERMINAL = {"completed", "failed", "cancelled", "unrecognized", "deleted"}


def offline() -> tuple[Client, FunctionTransport]:
    """A client whose transport fails the test if it is asked anything."""

    def refuse(request: Request) -> Response:
        raise AssertionError(f"unexpected request {request}")

    transport = FunctionTransport(refuse)
    return Client(api_key="k", remote_host="https://x.test", transport=transport), transport


@settings(max_examples=60)
@given(data=job_data(), decoded=st.booleans())
def test_a_saved_job_comes_back_with_its_data_and_makes_no_request_when_terminal(
    data: JobData, decoded: bool
) -> None:
    client, transport = offline()
    job = Job(client, JOB)
    raw = msgspec.json.encode(data)
    reply = msgspec.json.encode({JOB: msgspec.Raw(raw)})
    job.learn(
        JobState(JOB, tuple(data.statuses), None if decoded else reply, data if decoded else None)
    )

    restored = Job.load(client, job.dump())

    assert restored == job
    assert restored.known.statuses == tuple(data.statuses)
    assert restored.job_data == msgspec.json.decode(raw, type=JobData)
    if all(status.value in TERMINAL for status in data.statuses):
        restored.status()
        restored.to_dict()
        assert transport.requests == []


def test_a_job_saved_before_any_fetch_is_just_its_id() -> None:
    client, _ = offline()

    restored = Job.load(client, Job(client, JOB).dump())

    assert restored.job_id() == Job(client, JOB).job_id()
    assert restored.known == JobState(JOB)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not json", "not a saved sqcore job"),
        (b'{"job_id": "' + JOB.encode() + b'"}', r"sqcore_job.*\(at \$\)$"),
        (b'{"sqcore_job": 2, "job_id": "' + JOB.encode() + b'"}', "format 2"),
        (b'{"sqcore_job": 1, "job_id": "x"}', r"\(at \$\.job_id\)$"),
        (b'{"sqcore_job": 1, "job_id": "' + JOB.encode() + b'", "key": "k"}', r"key.*\(at \$\)$"),
    ],
)
def test_anything_else_is_refused_saying_what_is_wrong(data: bytes, message: str) -> None:
    client, _ = offline()

    with pytest.raises(ValueError, match=message):
        Job.load(client, data)


def test_the_key_is_not_saved() -> None:
    client = Client(api_key="sk-SECRET-never-saved", remote_host="https://x.test")

    assert b"sk-SECRET" not in Job(client, JOB).dump()
