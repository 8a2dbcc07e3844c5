"""Review: a negative circuit index fails as upstream 0.5.70's does (a `ValueError`).

Upstream's `_status(index)` and `_check_if_unsuccessful(index)` check the index with
`validate_integer_param(index, min_val=0)`: a negative one is a `ValueError` ("`index=-1` is
less than the minimum value: 0."). sqcore raises `IndexError`. The README marks both rows
*compared* ("every answer and exception"), but tests/compat compares indices 0..n-1 only, and
the SDKs pass the user's index straight through (`css.JobV3.counts(index=-1)`), so code
written against upstream that catches `ValueError` sees another exception on sqcore."""

from __future__ import annotations

import json
import uuid
import warnings
from collections.abc import Callable, Sequence

import pytest

pytest.importorskip("general_superstaq")

from general_superstaq.job import Job as UpstreamJob
from general_superstaq.superstaq_client import _SuperstaqClientV3

from sqcore import Client, Job
from tests.fixtures import JOB_65, job_65, reply_of
from transports import FunctionTransport, Request, Response

DOCUMENT = job_65(statuses=["completed", "failed"], status_messages=[None, "bad"], shots=[1, 1])


class Served(_SuperstaqClientV3):
    """Upstream's client, its fetch answered with DOCUMENT."""

    def __init__(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # upstream warns that v0.3.0 is "under development"
            super().__init__(
                client_name="review",
                api_key="k",
                remote_host="https://x.test",
                api_version="v0.3.0",
            )

    def fetch_jobs(
        self, job_ids: Sequence[str] | Sequence[uuid.UUID], **kwargs: object
    ) -> dict[str, dict[str, object]]:
        return {str(job_id): json.loads(json.dumps(DOCUMENT)) for job_id in job_ids}


def serve(_request: Request) -> Response:
    return Response(200, {}, reply_of({JOB_65: DOCUMENT}))


def raised(call: Callable[[int], object]) -> type[BaseException] | None:
    try:
        call(-1)
    except Exception as error:  # noqa: BLE001 - the exception's type is what is compared
        return type(error)
    return None


@pytest.mark.parametrize("member", ["_status", "_check_if_unsuccessful"])
def test_a_negative_index_raises_what_upstream_raises(member: str) -> None:
    theirs = UpstreamJob(Served(), JOB_65)
    ours = Job(
        Client(api_key="k", remote_host="https://x.test", transport=FunctionTransport(serve)),
        JOB_65,
    )

    expected = raised(getattr(theirs, member))
    assert expected is ValueError  # upstream 0.5.70's answer

    assert raised(getattr(ours, member)) is expected
