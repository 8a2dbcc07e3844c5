"""Properties of the pure retry decision and Retry-After parsing."""

from __future__ import annotations

import email.utils

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sqcore._errors import (
    ApiFailure,
    BadBody,
    MissingJob,
    NetworkFault,
    Retryable,
    ServerError,
    Unauthorized,
)
from sqcore._retry import (
    BASE_DELAY_SECONDS,
    MAX_DELAY_SECONDS,
    GiveUp,
    RetryIn,
    backoff_seconds,
    decide_retry,
    parse_retry_after,
)

draws = st.floats(min_value=0, max_value=1, exclude_max=True)
attempts = st.integers(0, 10_000)
retryable: st.SearchStrategy[ApiFailure] = st.builds(
    Retryable, st.text(max_size=5), st.none() | st.floats(0, 1e5, allow_nan=False)
) | st.builds(NetworkFault, st.text(max_size=5), st.just(True))
final: st.SearchStrategy[ApiFailure] = st.one_of(
    st.builds(Unauthorized, st.text(max_size=5)),
    st.builds(ServerError, st.integers(300, 599), st.text(max_size=5)),
    st.builds(BadBody, st.text(max_size=5)),
    st.builds(MissingJob, st.text(max_size=5)),
    st.builds(NetworkFault, st.text(max_size=5), st.just(False)),
)
time_left = st.floats(min_value=-10, max_value=1e5, allow_nan=False)


@given(attempts, draws)
def test_backoff_within_cap(attempt: int, draw: float) -> None:
    delay = backoff_seconds(attempt, draw)
    assert 0 < delay <= MAX_DELAY_SECONDS
    uncapped = BASE_DELAY_SECONDS * 2.0 ** min(attempt, 64)
    assert delay >= min(MAX_DELAY_SECONDS, uncapped) / 2


@given(st.integers(0, 5), draws)
def test_backoff_grows(attempt: int, draw: float) -> None:
    assert backoff_seconds(attempt + 1, draw) == pytest.approx(2 * backoff_seconds(attempt, draw))


@given(attempts, final, time_left, draws)
def test_final_failures_never_retry(
    attempt: int, failure: ApiFailure, left: float, draw: float
) -> None:
    assert decide_retry(attempt, failure, left, draw) == GiveUp(failure, out_of_time=False)


@given(attempts, retryable, time_left, draws)
def test_retry_delay_fits_the_time_left_and_honours_retry_after(
    attempt: int, failure: ApiFailure, left: float, draw: float
) -> None:
    decision = decide_retry(attempt, failure, left, draw)
    if isinstance(decision, RetryIn):
        assert 0 < decision.seconds <= left
        assert decision.seconds >= backoff_seconds(attempt, draw)
        if isinstance(failure, Retryable) and failure.retry_after is not None:
            assert decision.seconds >= failure.retry_after
    else:
        assert decision == GiveUp(failure, out_of_time=True)
        wanted = backoff_seconds(attempt, draw)
        if isinstance(failure, Retryable) and failure.retry_after is not None:
            wanted = max(wanted, failure.retry_after)
        assert wanted > left


@given(st.lists(draws, min_size=1, max_size=50), st.floats(0, 300, allow_nan=False))
def test_a_retry_schedule_never_outlasts_its_budget(draw_list: list[float], budget: float) -> None:
    spent = 0.0
    for attempt, draw in enumerate(draw_list):
        decision = decide_retry(attempt, Retryable("503"), budget - spent, draw)
        if isinstance(decision, GiveUp):
            break
        spent += decision.seconds
    assert spent <= budget


def test_retry_after_forms() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after(" 0 ", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-3", now) is None
    assert parse_retry_after("²", now) is None  # a Unicode digit is not delay-seconds
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(date, now) == pytest.approx(30, abs=1)
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after(past, now) == 0.0


@given(st.text(max_size=40), st.floats(0, 2e9, allow_nan=False))
def test_retry_after_never_raises(value: str, now: float) -> None:
    result = parse_retry_after(value, now)
    assert result is None or result >= 0
