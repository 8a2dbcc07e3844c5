"""Pure: the retry decision (exponential backoff with jitter, Retry-After, time budget).

`decide_retry` is a function of (attempt number, the failure, the time left, a random draw
in [0, 1)); it answers "retry in d seconds" or "give up, because ...". Only allow-listed
failures retry: 503 and 429 replies (`Retryable`) and retryable network faults.
The shell reads the clock, draws the random number and sleeps.
"""

from __future__ import annotations

import datetime

import msgspec

from sqcore._errors import ApiFailure, NetworkFault, Retryable

__all__ = [
    "BASE_DELAY_SECONDS",
    "MAX_DELAY_SECONDS",
    "GiveUp",
    "RetryDecision",
    "RetryIn",
    "backoff_seconds",
    "decide_retry",
    "parse_retry_after",
]

#: First backoff delay (upstream also starts at 100 ms and doubles).
BASE_DELAY_SECONDS = 0.1
#: No single backoff sleep is longer than this, however many attempts came before.
MAX_DELAY_SECONDS = 10.0


class RetryIn(msgspec.Struct, frozen=True):
    """Try again after sleeping this many seconds."""

    seconds: float


class GiveUp(msgspec.Struct, frozen=True):
    """Stop: `failure` is final (not retryable, or no time left to retry it)."""

    failure: ApiFailure
    out_of_time: bool


RetryDecision = RetryIn | GiveUp


def backoff_seconds(attempt: int, draw: float) -> float:
    """The jittered backoff before retry number `attempt` (0 for the first retry).

    The un-jittered delay doubles from BASE_DELAY_SECONDS up to MAX_DELAY_SECONDS; the
    jitter keeps between half and all of it ("equal jitter"), so clients that failed
    together do not retry together. Invariant: for draw in [0, 1),
    `0 < result <= MAX_DELAY_SECONDS`.
    """
    ceiling = min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2.0 ** min(attempt, 64))
    return ceiling * (0.5 + 0.5 * min(max(draw, 0.0), 1.0))


def decide_retry(attempt: int, failure: ApiFailure, time_left: float, draw: float) -> RetryDecision:
    """Decides whether to retry after `failure`, the outcome of attempt number `attempt`.

    Args:
        attempt: How many retries have been made already (0 after the first try).
        failure: Why the last attempt failed.
        time_left: Seconds left in the retry budget (`max_retry_seconds` minus time spent).
        draw: A random number in [0, 1) for the jitter.

    Returns:
        RetryIn(d) with `0 < d <= time_left` when `failure` is retryable and the wait fits in
        the budget; the wait is at least the server's Retry-After (RFC 9110 §10.2.3) when it
        gave one. Otherwise GiveUp(failure, out_of_time), where out_of_time says the failure
        was retryable but the budget ran out.
    """
    if not isinstance(failure, (Retryable, NetworkFault)) or (
        isinstance(failure, NetworkFault) and not failure.retryable
    ):
        return GiveUp(failure, out_of_time=False)
    delay = backoff_seconds(attempt, draw)
    if isinstance(failure, Retryable) and failure.retry_after is not None:
        delay = max(delay, failure.retry_after)
    if delay > time_left:
        return GiveUp(failure, out_of_time=True)
    return RetryIn(delay)


def parse_retry_after(value: str | None, now_epoch: float) -> float | None:
    """Reads a Retry-After header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.

    Args:
        value: The header's value, or None when absent.
        now_epoch: The current wall-clock time (epoch seconds), to turn a date into a delay.

    Returns:
        The seconds to wait (>= 0), or None when the header is absent or unreadable.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():  # delay-seconds = 1*DIGIT (ASCII only: not "²")
        return float(text)
    # Imported here: only a Retry-After date needs it, and it is slow to import.
    import email.utils

    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, when.timestamp() - now_epoch)
