"""Review: the advice after a lost submission finds the job when the clocks disagree a little.

Without a submission tag, a `SuperstaqException` with `may_have_been_created=True` says to
look for the job with `find_jobs(tags=[...], submitted_after=<when the submission began>)`,
that time read on the client's clock. The server stamps the job with its own clock; when the
client's runs a minute ahead (a laptop or VM off NTP), the job was "submitted" before that
time, the advised call finds nothing, and the user, told to look before submitting again,
submits the job twice. (`sqcore submit` advises `sqcore jobs ... --since` the same way.)"""

from __future__ import annotations

import datetime
import re

import pytest

from sqcore import Client, SuperstaqException
from sqcore.testing import SimulatedClock
from transports import FunctionTransport, Request, Response
from transports.emulator import Emulator

CIRCUITS = '[{"cirq_type": "Circuit", "moments": []}]'
#: How far the server's wall clock is behind the client's.
SKEW_SECONDS = 60.0


def test_the_advised_find_jobs_call_finds_the_job_with_the_server_a_minute_behind() -> None:
    clock = SimulatedClock(start=1000.0)
    emulator = Emulator(clock=clock, wall_clock=lambda: clock.time() - SKEW_SECONDS)
    inner = emulator.transport()

    def server(request: Request) -> Response:
        reply = inner.send(request).unwrap()
        if request.method == "POST":  # the job is created, its reply lost in a 500
            assert reply.status == 200, reply.body
            return Response(500, {}, b'{"message": "internal error"}')
        return reply

    client = Client(api_key="sk-review-skew", transport=FunctionTransport(server), clock=clock)
    with pytest.raises(SuperstaqException) as caught:
        client.create_job(CIRCUITS, target="ss_unconstrained_simulator", tags=["run-7"])
    assert caught.value.may_have_been_created is True

    advised = re.search(r"submitted_after=datetime\.fromisoformat\('([^']+)'\)", str(caught.value))
    assert advised is not None, str(caught.value)
    since = datetime.datetime.fromisoformat(advised.group(1))

    found = client.find_jobs(tags=["run-7"], submitted_after=since)

    assert len(found) == 1
