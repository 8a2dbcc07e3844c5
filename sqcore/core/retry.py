"""Pure: the retry decision (exponential backoff with jitter, Retry-After, time budget).

The whole retry policy is here, as data and one function. `decide_retry` maps (attempt
number, the failure, whether the request may be repeated, the time left, a random draw in
[0, 1)) to "retry in d seconds" or "give up, because ...". Only allow-listed failures retry:
503 and 429 replies (`Retryable`) and the transport faults in `RETRYABLE_FAULTS`. A request
that is not idempotent (a job submission) is repeated only when the server provably did not
take it (`RESUBMITTABLE_FAULTS`), and a fault after which the server may have taken it
(anything but `UNSENT_FAULTS`, or a reply in `MAYBE_TAKEN_STATUSES`) says so (`MaybeSent`).
The shell reads the clock, draws the number and sleeps.
"""

from __future__ import annotations

import datetime

import msgspec

from sqcore.core.errors import ApiFailure, NetworkFault, Retryable, ServerError
from transports._types import TransportErrorKind

__all__ = [
    "BASE_DELAY_SECONDS",
    "MAX_DELAY_SECONDS",
    "MAYBE_TAKEN_STATUSES",
    "RESUBMITTABLE_FAULTS",
    "RETRYABLE_FAULTS",
    "UNSENT_FAULTS",
    "GiveUp",
    "MaybeSent",
    "OutOfTime",
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

#: Transport faults worth asking again for: the deadline passed, no connection could be
#: made, or the peer broke HTTP (a reset, a cut). Not: a host name with no address (a typo
#: does not mend itself; requests does not retry it either), a reply over the size bound, a
#: TLS or certificate failure, a proxy that refused the tunnel, a request the transport
#: refused.
RETRYABLE_FAULTS: frozenset[TransportErrorKind] = frozenset({"timeout", "connect", "protocol"})

#: Transport faults that leave the request unsent: no connection was made (or no address
#: found for it), TLS or the proxy refused before it, or the transport refused it. After any
#: other (a timeout, a broken or too large reply) the server may have taken it.
UNSENT_FAULTS: frozenset[TransportErrorKind] = frozenset(
    {"connect", "resolve", "tls", "proxy", "refused"}
)

#: Transport faults after which a request that must not be repeated (a submission) still
#: may be: worth asking again, and the server cannot have taken it. After a timeout or a
#: broken reply the job may exist, and submitting again could make it twice.
RESUBMITTABLE_FAULTS: frozenset[TransportErrorKind] = RETRYABLE_FAULTS & UNSENT_FAULTS

#: Reply statuses after which a submission may still have been taken: the server failed
#: while handling it (500), or a gateway lost the answer of the server behind it (502, 504),
#: which may have created the job all the same. Any other status says it was not taken.
MAYBE_TAKEN_STATUSES: frozenset[int] = frozenset({500, 502, 504})


class RetryIn(msgspec.Struct, frozen=True):
    """Try again after sleeping `seconds`; `failure` is what is being retried."""

    seconds: float
    failure: Retryable | NetworkFault


class GiveUp(msgspec.Struct, frozen=True):
    """Stop: `failure` is final, no retry can fix it."""

    failure: ApiFailure


class OutOfTime(msgspec.Struct, frozen=True):
    """Stop: `failure` could be retried, but the budget has run out."""

    failure: Retryable | NetworkFault


class MaybeSent(msgspec.Struct, frozen=True):
    """Stop: the request may have reached the server and must not be repeated (a
    submission: the job may exist), whether or not `failure` could otherwise be retried:
    a network fault after it was sent, or a reply in `MAYBE_TAKEN_STATUSES`."""

    failure: NetworkFault | ServerError


RetryDecision = RetryIn | GiveUp | OutOfTime | MaybeSent


def backoff_seconds(attempt: int, draw: float) -> float:
    """The jittered backoff before retry number `attempt` (0 for the first retry).

    The un-jittered delay doubles from BASE_DELAY_SECONDS up to MAX_DELAY_SECONDS; the
    jitter keeps between half and all of it ("equal jitter"), so clients that failed
    together do not retry together. Invariant: for draw in [0, 1),
    `0 < result <= MAX_DELAY_SECONDS`.
    """
    ceiling = min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2.0 ** min(attempt, 64))
    return ceiling * (0.5 + 0.5 * min(max(draw, 0.0), 1.0))


def decide_retry(
    attempt: int, failure: ApiFailure, time_left: float, draw: float, *, idempotent: bool = True
) -> RetryDecision:
    """Decides whether to retry after `failure`, the outcome of attempt number `attempt`.

    Args:
        attempt: How many retries have been made already (0 after the first try).
        failure: Why the last attempt failed.
        time_left: Seconds left in the retry budget.
        draw: A random number in [0, 1) for the jitter.
        idempotent: Whether the request may be repeated freely (a fetch, a cancel); a
            submission is not.

    Returns:
        RetryIn(d, failure) with `0 < d <= time_left` when `failure` may be retried and the
        wait fits in the budget; the wait is at least the server's Retry-After (RFC 9110
        §10.2.3) when it gave one. Otherwise MaybeSent(failure) for a network fault after
        which a submission may have been taken (not in UNSENT_FAULTS), or a reply to one in
        MAYBE_TAKEN_STATUSES; GiveUp(failure) for a failure no retry can fix, or
        OutOfTime(failure) when the wait does not fit in the budget.
    """
    retryable: Retryable | NetworkFault
    if isinstance(failure, ServerError):
        taken = not idempotent and failure.status in MAYBE_TAKEN_STATUSES
        return MaybeSent(failure) if taken else GiveUp(failure)
    if isinstance(failure, NetworkFault):
        if not idempotent and failure.fault not in UNSENT_FAULTS:
            return MaybeSent(failure)
        if failure.fault not in RETRYABLE_FAULTS:
            return GiveUp(failure)
        retryable = failure
    elif isinstance(failure, Retryable):
        retryable = failure
    else:
        return GiveUp(failure)
    delay = backoff_seconds(attempt, draw)
    if isinstance(retryable, Retryable) and retryable.retry_after is not None:
        delay = max(delay, retryable.retry_after)
    if delay > time_left:
        return OutOfTime(retryable)
    return RetryIn(delay, retryable)


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
