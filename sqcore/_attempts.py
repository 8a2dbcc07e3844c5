"""Shell: the bookkeeping of one call's attempts, shared by `Client` and `AsyncClient`.

`Attempts` gives each attempt its request and timeout, takes what came back (a reply or a
transport fault), asks the core what it means (`sqcore._wire.classify_response`) and what
to do (`sqcore._retry.decide_retry`), writes the log lines and, at the end, raises the one
documented exception. `Budget` holds a call's time limits, fixed when it begins. The clients
only send and sleep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

import msgspec
from returns.result import Failure, Result

from sqcore._errors import ApiFailure, NetworkFault
from sqcore._query import FindAgain
from sqcore._retry import GiveUp, MaybeSent, OutOfTime, RetryIn, decide_retry
from sqcore._wire import classify_response
from transports._types import Request, Response, TransportError

__all__ = [
    "MIN_ATTEMPT_SECONDS",
    "MIN_RETRY_ATTEMPT_SECONDS",
    "Attempts",
    "Budget",
    "MakeRequest",
    "Policy",
    "TimeSource",
]

logger = logging.getLogger("sqcore")

#: Every call's first attempt gets at least this long, even when the retry budget is nearly
#: spent, so a zero budget still allows one try (as upstream, which always makes a request).
MIN_ATTEMPT_SECONDS = 1.0
#: A retry is made only when its backoff fits in the budget; what is left after the sleep
#: may be tiny, so it still gets this long (the budget can be overrun by at most this).
MIN_RETRY_ATTEMPT_SECONDS = 0.1

#: Builds the request of one attempt, given its timeout.
MakeRequest = Callable[[float], Request]


class TimeSource(Protocol):
    """The clock a call's attempts read: monotonic for the budget, wall for Retry-After."""

    def monotonic(self) -> float: ...

    def time(self) -> float: ...


class Policy(Protocol):
    """What attempts ask of a client's session: its bounds, and how it words a failure."""

    @property
    def max_retry_seconds(self) -> float: ...

    @property
    def request_timeout_seconds(self) -> float: ...

    def redact(self, text: str) -> str: ...

    def error_for(
        self, decision: GiveUp | OutOfTime | MaybeSent, what: str, submission: FindAgain | None
    ) -> Exception: ...


class Budget(msgspec.Struct, frozen=True):
    """The time limits of one call (a fetch in batches, a cancel, a submission), fixed when
    it begins (monotonic seconds).

    Attributes:
        deadline: The caller's wait deadline, or None.
        retries_end: No retry is made, and no retry's request runs, past this:
            `max_retry_seconds` after the call began, or the deadline if that is sooner.
        floor_end: `MIN_ATTEMPT_SECONDS` after the call began: a first request may run to
            here even past the deadline, so that a zero timeout still makes one check.
    """

    deadline: float | None
    retries_end: float
    floor_end: float


class Attempts:
    """One call's attempts: the next request, and what to do with what came back.

    The shell's loop is: send `next_request(...)`, hand the result to `outcome`, and return
    the body it gives or sleep the seconds it gives. A call's `submission` (a job submission:
    not idempotent) says how to find its job, for the error raised when it may exist; None
    for a request that may be repeated freely.
    """

    def __init__(
        self,
        session: Policy,
        what: str,
        budget: Budget,
        submission: FindAgain | None,
        clock: TimeSource,
        rng: Callable[[], float],
    ) -> None:
        self._session = session
        self._what = what
        self._budget = budget
        self._submission = submission
        self._clock = clock
        self._rng = rng
        self._attempt = 0
        self._started = 0.0

    def next_request(self, make_request: MakeRequest) -> Request:
        """The next attempt's request, with its timeout, within the per-request bound. A
        first attempt gets `max_retry_seconds` (a slow call of many requests that all
        succeed is not cut short), within the caller's deadline but for what is left of
        the call's first second; a retry gets only the time left of the call's retries, so
        retrying never runs past them. Never less than `MIN_RETRY_ATTEMPT_SECONDS`."""
        self._started = now = self._clock.monotonic()
        budget, session = self._budget, self._session
        if self._attempt == 0:
            own = session.max_retry_seconds
            if budget.deadline is not None:
                own = min(own, budget.deadline - now)
            left = max(own, budget.floor_end - now)
        else:
            left = budget.retries_end - now
        timeout = min(session.request_timeout_seconds, max(left, MIN_RETRY_ATTEMPT_SECONDS))
        return make_request(timeout)

    def outcome(self, request: Request, sent: Result[Response, TransportError]) -> bytes | float:
        """The reply's body, or the seconds to sleep before the next attempt.

        Raises:
            The documented exception of the final failure (`Session.error_for`).
        """
        now = self._clock.monotonic()
        if isinstance(sent, Failure):
            error = sent.failure()
            outcome: Result[bytes, ApiFailure] = Failure(
                NetworkFault(error.kind, f"{error.kind}: {error.message}")
            )
        else:
            outcome = classify_response(sent.unwrap(), self._clock.time())
        if logger.isEnabledFor(logging.DEBUG):
            status = sent.map(lambda reply: str(reply.status)).value_or("no reply")
            path = request.url.split("?", 1)[0]
            logger.debug("%s %s -> %s in %.3f s", request.method, path, status, now - self._started)
        if not isinstance(outcome, Failure):
            return outcome.unwrap()
        decision = decide_retry(
            self._attempt,
            outcome.failure(),
            self._budget.retries_end - now,
            self._rng(),
            idempotent=self._submission is None,
        )
        if not isinstance(decision, RetryIn):
            raise self._session.error_for(decision, self._what, self._submission)
        self._attempt += 1
        logger.info(
            "retrying %s in %.2f s after: %s",
            self._what,
            decision.seconds,
            self._session.redact(decision.failure.reason),
        )
        return decision.seconds
