"""Corners of the shell: several clients in one wait, short credentials, frozen headers."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from sqcore import Client, Job, SuperstaqServerException, wait_all
from tests.fakes import FakeClock, json_reply
from tests.fixtures import JOB_65
from tests.shell.conftest import ClientFactory
from transports import Response
from transports.emulator import Emulator


def test_a_client_whose_jobs_are_done_is_not_polled_again(
    make_client: ClientFactory, emulator: Emulator, clock: FakeClock
) -> None:
    quick, slow = make_client(), make_client()
    done = Job(quick, emulator.create_job(durations=0.0))
    later = Job(slow, emulator.create_job(durations=2.0))
    wait_all([done, later], polling_seconds=0.5)
    fetched = [r.job_ids for r in emulator.requests if r.method == "GET"]
    assert fetched.count((str(done.job_id()),)) == 1
    assert fetched.count((str(later.job_id()),)) == len(fetched) - 1 >= 4


def test_a_credential_shorter_than_four_characters_is_not_redacted() -> None:
    """Redacting "ab" would blank every "ab" in a message; a key that short is no secret."""
    body = b'{"message": "token ab refused; key sk-long-KEY-0042 refused"}'
    transport = FunctionTransport(lambda _request: json_reply(403, body))
    client = Client(
        api_key="sk-long-KEY-0042",
        remote_host="https://superstaq.example",
        transport=transport,
        clock=FakeClock(),
        cq_token="ab",
    )
    with pytest.raises(SuperstaqServerException) as caught:
        client.fetch_jobs([JOB_65])
    assert "token ab refused; key <redacted> refused" in str(caught.value)


def test_frozen_headers_are_kept_as_given() -> None:
    headers = MappingProxyType({"Retry-After": "3"})
    response = Response(503, headers, b"")
    assert response.headers is headers
    assert response.header("retry-after") == "3"
    assert Response(503, {"A": "1"}, b"").headers == {"A": "1"}
