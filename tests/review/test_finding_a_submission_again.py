"""Review: a submission whose reply was lost is found again only by its own submission tag.

The lookup after a lost reply asks the server for the jobs carrying the submission's tag. A
server that ignores the filter (one that does not know `tags`, or lists every job of the
user, as a query with no filter does) answers with other jobs too: those are not the
submission's job, and `create_job` must not return one of them as if it were."""

from __future__ import annotations

import json

import pytest

from sqcore import Client, SuperstaqException
from sqcore.aio import AsyncClient
from tests.fixtures import JOB_66, JOB_67, job_65, reply_of
from transports import FunctionTransport, Request, Response, ThreadedTransport

KEY = "sk-review-key-1"
HOST = "https://h.example"
TARGET = "ss_unconstrained_simulator"


class IgnoresTheTagFilter:
    """A server that answers a submission with a 500 after taking its body (creating the job
    as JOB_67 when `creates`), and any query with every job of the user: first another job
    (JOB_66, without the tag), then the submission's job if it was created."""

    def __init__(self, *, creates: bool) -> None:
        self.creates = creates
        self.posted_tags: list[str] = []

    def __call__(self, request: Request) -> Response:
        if request.method == "POST":
            assert request.body is not None
            self.posted_tags = json.loads(request.body)["tags"]
            return Response(500, {}, b'{"message": "internal error"}')
        jobs = {JOB_66: job_65(tags=["someone-elses-run"])}
        if self.creates:
            jobs[JOB_67] = job_65(tags=self.posted_tags)
        return Response(200, {}, reply_of(jobs))


def test_a_lost_submission_is_not_taken_for_a_job_without_its_tag() -> None:
    server = IgnoresTheTagFilter(creates=False)
    transport = FunctionTransport(server)
    client = Client(api_key=KEY, remote_host=HOST, transport=transport)

    with pytest.raises(SuperstaqException) as caught:
        client.create_job("[]", target=TARGET, submission_tag=True)

    assert caught.value.may_have_been_created is True
    assert caught.value.submission_tag in server.posted_tags
    assert [request.method for request in transport.requests] == ["POST", "GET"]


def test_a_lost_submission_found_among_other_jobs_is_the_one_with_its_tag() -> None:
    transport = FunctionTransport(IgnoresTheTagFilter(creates=True))
    client = Client(api_key=KEY, remote_host=HOST, transport=transport)

    job = client.create_job("[]", target=TARGET, submission_tag=True)

    assert str(job.job_id()) == JOB_67


async def test_an_async_lost_submission_is_not_taken_for_a_job_without_its_tag() -> None:
    server = IgnoresTheTagFilter(creates=False)
    transport = ThreadedTransport(FunctionTransport(server))

    async with AsyncClient(api_key=KEY, remote_host=HOST, transport=transport) as client:
        with pytest.raises(SuperstaqException) as caught:
            await client.create_job("[]", target=TARGET, submission_tag=True)

    assert caught.value.may_have_been_created is True
    assert caught.value.submission_tag in server.posted_tags
