"""Retrying through the whole Client, against a server that fails in arbitrary retryable ways
(503 and 429 with or without Retry-After, connection faults), on a fake clock where every
request costs time: no sleep passes `max_retry_seconds`, none exceeds the backoff cap unless the
server asked for longer, Retry-After is honoured, and the call ends in data or TimeoutError."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqcore import Client, JobData
from sqcore._retry import BASE_DELAY_SECONDS, MAX_DELAY_SECONDS
from tests.fakes import FakeClock, SlowTransport, json_reply
from tests.fixtures import JOB_65, fixture
from transports import Request, Response, TransportError

KEY = "sk-retry-KEY-41b7"
OK = json_reply(200, fixture("fetch_completed_single.json"))

Outcome = Response | TransportError


def _busy(status: int, retry_after: int | None) -> Response:
    if retry_after is None:
        return json_reply(status, b'{"message": "busy"}')
    return json_reply(status, b"", **{"Retry-After": str(retry_after)})


outcomes: st.SearchStrategy[Outcome] = st.one_of(
    st.builds(_busy, st.sampled_from([429, 503]), st.none() | st.integers(0, 30)),
    st.builds(
        TransportError,
        st.sampled_from(["connect", "timeout", "protocol"]),
        st.just("connection reset"),
    ),
)


class Script:
    """Serves the scripted failures in turn, then data; records what each request got."""

    def __init__(self, failures: list[Outcome]) -> None:
        self.failures = failures
        self.served: list[Outcome] = []

    def __call__(self, _request: Request) -> Outcome:
        outcome = self.failures[len(self.served)] if len(self.served) < len(self.failures) else OK
        self.served.append(outcome)
        return outcome


def _asked(outcome: Outcome) -> float | None:
    if isinstance(outcome, Response):
        header = outcome.header("Retry-After")
        return None if header is None else float(header)
    return None


@settings(max_examples=80, deadline=None)
@given(
    failures=st.lists(outcomes, max_size=12),
    budget=st.floats(0.5, 60),
    latency=st.just(0.0) | st.floats(0.001, 2),
    draw=st.floats(0, 1, exclude_max=True),
)
def test_retries_stay_within_cap_and_budget_and_honour_retry_after(
    failures: list[Outcome], budget: float, latency: float, draw: float
) -> None:
    clock = FakeClock()
    script = Script(failures)
    transport = FunctionTransport(script)
    client = Client(
        api_key=KEY,
        remote_host="https://superstaq.example",
        transport=SlowTransport(transport, clock, latency) if latency else transport,
        clock=clock,
        rng=lambda: draw,
        max_retry_seconds=budget,
    )
    start = clock.now
    try:
        jobs = client.fetch_jobs([JOB_65])
    except TimeoutError as error:
        assert str(error).startswith("Reached maximum number of retries. Last error: ")
        assert script.served[-1] is not OK
    else:
        assert isinstance(jobs[JOB_65], JobData)
        assert script.served[-1] is OK

    # One sleep after every failed request but the last.
    assert len(clock.sleeps) == len(script.served) - 1
    assert len(script.served) <= math.ceil(budget / (BASE_DELAY_SECONDS / 2)) + 1
    for outcome, seconds in zip(script.served, clock.sleeps, strict=False):
        asked = _asked(outcome)
        assert 0 < seconds <= max(MAX_DELAY_SECONDS, asked or 0.0)
        if asked is not None:
            assert seconds >= asked
    # Request time counts: no sleep ends past the budget, measured from the call.
    assert all(end <= start + budget + 1e-9 * start for end in clock.sleep_ends)


def test_a_retry_after_beyond_the_budget_is_not_slept() -> None:
    clock = FakeClock()
    transport = FunctionTransport(lambda _request: _busy(503, 30))
    client = Client(
        api_key=KEY,
        remote_host="https://superstaq.example",
        transport=transport,
        clock=clock,
        rng=lambda: 0.5,
        max_retry_seconds=10,
    )
    with pytest.raises(TimeoutError, match="Reached maximum number of retries"):
        client.fetch_jobs([JOB_65])
    assert clock.sleeps == []
    assert len(transport.requests) == 1
