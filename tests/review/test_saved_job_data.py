"""Review: `Job.load` refuses a save whose data is not a job's data, naming the place.

The README: `load` refuses (`ValueError`, naming the fields by path) bytes that are not a
saved job. A save whose statuses agree with its data but whose data has a field of the wrong
type (`"shots": "x"`) is not one `dump()` can write, yet `load` takes it: the restored job is
terminal, so `status()` answers from the save with no request, and every later read of
`job_data` raises a `SuperstaqException` blaming "the server's reply" (at `$.shots`), for a
job that is never fetched again."""

from __future__ import annotations

import json

import pytest

from sqcore import Client, Job
from sqcore.aio import AsyncClient, AsyncJob
from tests.fixtures import JOB_65, job_65
from transports import FunctionTransport, Request, Response, ThreadedTransport


def refuse(request: Request) -> Response:
    raise AssertionError(f"unexpected request {request.method} {request.url}")


def save_with(**changes: object) -> bytes:
    """A save of the completed job JOB_65 whose data has `changes`, statuses left agreeing."""
    data = job_65(**changes)
    return json.dumps(
        {"sqcore_job": 1, "job_id": JOB_65, "statuses": data["statuses"], "data": data}
    ).encode()


CHANGES = [
    ({"shots": "x"}, r"\$\.data\.shots"),
    ({"target": 7}, r"\$\.data\.target"),
    ({"counts": [{"00": "many"}]}, r"\$\.data\.counts\[0\]"),
]


@pytest.mark.parametrize(("changes", "path"), CHANGES)
def test_a_save_whose_data_has_a_wrong_field_is_refused_naming_it(
    changes: dict[str, object], path: str
) -> None:
    client = Client(api_key="sk-review-1", transport=FunctionTransport(refuse))

    with pytest.raises(ValueError, match=path):
        Job.load(client, save_with(**changes))


@pytest.mark.parametrize(("changes", "path"), CHANGES)
async def test_an_async_save_whose_data_has_a_wrong_field_is_refused_naming_it(
    changes: dict[str, object], path: str
) -> None:
    transport = ThreadedTransport(FunctionTransport(refuse))
    async with AsyncClient(api_key="sk-review-1", transport=transport) as client:
        with pytest.raises(ValueError, match=path):
            AsyncJob.load(client, save_with(**changes))
