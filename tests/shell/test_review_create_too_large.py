"""Review: a submission whose reply was refused as too large (the server did answer, so it
took the request) fails without saying the job may have been created.

`decide_retry` (sqcore/_retry.py) gives `GiveUp` for every fault outside
`RETRYABLE_FAULTS`, and only `MaybeSent` carries the "may have been created" advice
(`Session.error_for`). "too_large" can only happen after a reply came, i.e. after the server
took the POST; the user gets "Request failed while submitting ...: too_large: ..." and no
hint to look for the job before submitting again. (A 200 reply that cannot be parsed is the
same case: the job exists.)
"""

from __future__ import annotations

import pytest

from sqcore import SuperstaqException
from tests.shell.conftest import client_on
from transports import FunctionTransport, Request, Response, TransportError


def _too_large(request: Request) -> Response | TransportError:
    return TransportError("too_large", "reply body exceeds the 67108864-byte limit")


def test_a_submission_whose_reply_was_too_large_says_the_job_may_exist() -> None:
    transport = FunctionTransport(_too_large)
    with pytest.raises(SuperstaqException) as caught:
        client_on(transport).create_job("[]", target="ss_unconstrained_simulator")
    assert len(transport.requests) == 1
    assert "may have been created" in str(caught.value), str(caught.value)
