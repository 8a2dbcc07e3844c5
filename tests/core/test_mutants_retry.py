"""Backoff and Retry-After at exact values: kills mutants the bounds in test_retry.py let live."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator

import pytest

from sqcore._errors import NetworkFault, Retryable
from sqcore._retry import (
    BASE_DELAY_SECONDS,
    MAX_DELAY_SECONDS,
    GiveUp,
    RetryIn,
    backoff_seconds,
    decide_retry,
    parse_retry_after,
)

NOW = 784_111_777.0  # Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110's example date


@pytest.mark.parametrize(
    ("attempt", "draw", "expected"),
    [
        (0, 0.0, BASE_DELAY_SECONDS / 2),
        (0, 0.5, BASE_DELAY_SECONDS * 0.75),
        (3, 0.0, BASE_DELAY_SECONDS * 8 / 2),
        (20, 0.0, MAX_DELAY_SECONDS / 2),
        (10**6, 0.5, MAX_DELAY_SECONDS * 0.75),
    ],
)
def test_backoff_exact_values(attempt: int, draw: float, expected: float) -> None:
    assert backoff_seconds(attempt, draw) == pytest.approx(expected)


def test_backoff_clamps_a_draw_outside_zero_to_one() -> None:
    assert backoff_seconds(2, 7.0) == pytest.approx(BASE_DELAY_SECONDS * 4)
    assert backoff_seconds(2, -3.0) == pytest.approx(BASE_DELAY_SECONDS * 2)


def test_retry_in_exactly_the_time_left_is_allowed() -> None:
    delay = backoff_seconds(0, 0.0)
    assert decide_retry(0, Retryable("503"), delay, 0.0) == RetryIn(delay)
    assert decide_retry(0, Retryable("503"), delay * 0.999, 0.0) == GiveUp(
        Retryable("503"), out_of_time=True
    )


def test_retry_after_longer_than_the_backoff_wins() -> None:
    assert decide_retry(0, Retryable("429", 2.5), 60, 0.0) == RetryIn(2.5)
    assert decide_retry(9, Retryable("429", 0.0), 60, 0.0) == RetryIn(backoff_seconds(9, 0.0))


def test_a_retryable_network_fault_backs_off_like_a_503() -> None:
    assert decide_retry(1, NetworkFault("reset"), 60, 0.5) == RetryIn(backoff_seconds(1, 0.5))
    refused = NetworkFault("too large", retryable=False)
    assert decide_retry(1, refused, 60, 0.5) == GiveUp(refused, out_of_time=False)


def test_retry_after_date_with_an_offset_is_converted() -> None:
    # 09:49:37 at +01:00 is 08:49:37 UTC, which is NOW: no wait.
    assert parse_retry_after("Sun, 06 Nov 1994 09:49:37 +0100", NOW) == 0.0
    assert parse_retry_after("Sun, 06 Nov 1994 09:49:37 +0100", NOW - 60) == 60.0
    assert parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", NOW) == 60.0


@pytest.fixture
def local_time_five_hours_east(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Makes the process's local time zone UTC+5, so a date read as local time is 5 h off.

    (A test host on UTC cannot tell a naive date read as UTC from one read as local time.)
    """
    if not hasattr(time, "tzset"):  # Windows
        pytest.skip("time.tzset is POSIX-only")
    monkeypatch.setenv("TZ", "XST-05:00")
    time.tzset()
    try:
        yield
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.usefixtures("local_time_five_hours_east")
def test_a_date_without_zone_is_utc_whatever_the_local_zone() -> None:
    """RFC 5322 "-0000": UTC with no zone information; it is never local time."""
    assert datetime.datetime(2000, 1, 1).astimezone().utcoffset() == datetime.timedelta(hours=5)
    assert parse_retry_after("Sun, 06 Nov 1994 08:50:37 -0000", NOW) == 60.0


@pytest.mark.parametrize("value", ["\u00b2", "\u0663", "1\u00b2"])
def test_digits_other_than_ascii_are_unreadable_not_an_exception(value: str) -> None:
    """delay-seconds is 1*DIGIT, ASCII only. '²' (Latin-1 0xB2 in a header) once raised."""
    assert parse_retry_after(value, NOW) is None
