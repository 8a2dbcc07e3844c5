"""Pure: one request with its retries, and the calls made of requests (a fetch of many jobs
in URL-sized batches, a cancel, a search), as operations of the engine.

`call` is the heart: it gives each attempt its timeout within the call's `Budget`, sends,
reads what came back (`sqcore.core.wire.classify_response`), asks the retry policy what to do
(`sqcore.core.retry.decide_retry`), sleeps and tries again, or returns the body or the `Fault`
that ends the call. The rest read the bodies it returns and show their warnings; `refresh`
is the fetch of one job that `Job.status()` makes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, TypeVar

import msgspec
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from sqcore.core.errors import ApiFailure, Fault, NetworkFault
from sqcore.core.models import JobData
from sqcore.core.query import FindAgain, parse_query_reply
from sqcore.core.replies import parse_fetch_reply, parse_poll_reply
from sqcore.core.retry import RetryIn, decide_retry
from sqcore.core.wire import classify_response, parse_cancel_reply
from sqcore.engine.effects import (
    Abandoned,
    Instant,
    JobState,
    Log,
    Step,
    Warn,
    draw,
    now,
    send,
    sleep,
)
from sqcore.engine.session import Budget, MakeRequest, Session
from transports._types import Response, TransportError

__all__ = [
    "MIN_RETRY_ATTEMPT_SECONDS",
    "attempt_timeout",
    "call",
    "cancel",
    "fetch_each",
    "fetch_jobs",
    "find",
    "read",
]

#: A retry is made only when its backoff fits in the budget; what is left after the sleep
#: may be tiny, so it still gets this long (the budget can be overrun by at most this).
MIN_RETRY_ATTEMPT_SECONDS = 0.1


class _Warned(Protocol):
    """A reply read: it carries the server's warnings (and any about unknown names)."""

    @property
    def warnings(self) -> tuple[str, ...]: ...


_R = TypeVar("_R", bound=_Warned)


def attempt_timeout(session: Session, budget: Budget, attempt: int, now: float) -> float:
    """The timeout of attempt number `attempt` (0 for the first) of a call, begun at `now`.

    A first attempt gets `max_retry_seconds` (a slow call of many requests that all
    succeed is not cut short), within the caller's deadline but for what is left of the
    call's first second (`Budget.floor_end`); a retry gets only the time left of the call's
    retries, so retrying never runs past them. Invariant: within
    [MIN_RETRY_ATTEMPT_SECONDS, request_timeout_seconds] (the bound wins).
    """
    if attempt == 0:
        own = session.max_retry_seconds
        if budget.deadline is not None:
            own = min(own, budget.deadline - now)
        left = max(own, budget.floor_end - now)
    else:
        left = budget.retries_end - now
    return min(session.request_timeout_seconds, max(left, MIN_RETRY_ATTEMPT_SECONDS))


def call(
    session: Session,
    make_request: MakeRequest,
    what: str,
    budget: Budget | None = None,
    *,
    via: int = 0,
    submission: FindAgain | None = None,
    abandoned: Abandoned | None = None,
    started: Instant | None = None,
) -> Step[Result[bytes, Fault]]:
    """Sends a request until a reply body or a final fault, within `budget` (None: a call
    of its own, begun at its first attempt, under no deadline); `started`: the clock as the
    call begins, when the caller has just read it.

    `submission` is set for a job submission: it is not idempotent, so it is repeated only
    when the server provably did not take it, and a fault after which it may have is the
    fault's to say (with how to find the job). `abandoned`: what each request says if it is
    abandoned in flight (and each retry's sleep, but a submission's own: a submission
    retried was provably not taken).

    Effects: Now (unless `started` is given), then per attempt a Send; after a failure a
    Draw; before a retry, an info Log and a Sleep.
    """
    if started is None:
        started = yield from now()
    if budget is None:
        budget = session.budget(started.monotonic, None)
    attempt = 0
    while True:
        request = make_request(attempt_timeout(session, budget, attempt, started.monotonic))
        sent = yield from send(request, via, abandoned)
        outcome = _classified(sent.result, sent.at.wall)
        if is_successful(outcome):
            return Success(outcome.unwrap())
        decision = decide_retry(
            attempt,
            outcome.failure(),
            budget.retries_end - sent.at.monotonic,
            (yield from draw(via)),
            idempotent=submission is None,
        )
        if not isinstance(decision, RetryIn):
            return Failure(session.fault(decision, what, submission))
        attempt += 1
        reason = session.redact(decision.failure.reason)
        yield Log("info", "retrying %s in %.2f s after: %s", (what, decision.seconds, reason))
        started = yield from sleep(decision.seconds, None if submission is not None else abandoned)


def _or_clients(session: Session, headers: Mapping[str, str] | None) -> Mapping[str, str]:
    """`headers`, or (None) the client's own."""
    return session.headers({}) if headers is None else headers


def _classified(
    sent: Result[Response, TransportError], now_epoch: float
) -> Result[bytes, ApiFailure]:
    """A transport's result as the body, or the failure it means."""
    if is_successful(sent):
        return classify_response(sent.unwrap(), now_epoch)
    error = sent.failure()
    return Failure(NetworkFault(error.kind, f"{error.kind}: {error.message}"))


def read(
    session: Session,
    body: Result[bytes, Fault],
    parse: Callable[[bytes], Result[_R, ApiFailure]],
    what: str,
) -> Step[Result[_R, Fault]]:
    """A call's body parsed, its warnings shown (Warn, redacted), or the call's fault, or
    the fault of a reply that cannot be read."""
    if not is_successful(body):
        return Failure(body.failure())
    parsed = parse(body.unwrap())
    if not is_successful(parsed):
        return Failure(session.given_up(parsed.failure(), what))
    value = parsed.unwrap()
    for message in value.warnings:
        yield Warn(session.redact(message))
    return Success(value)


def fetch_each(
    session: Session,
    ids: Sequence[str],
    deadline: float | None,
    parse: Callable[[bytes, tuple[str, ...]], Result[_R, ApiFailure]],
    headers: Mapping[str, str] | None = None,
    via: int = 0,
) -> Step[Result[list[_R], Fault]]:
    """Fetches jobs `ids` in URL-sized batches, all within one retry budget (and the
    caller's `deadline`), each reply parsed by `parse(body, batch)` as it comes (so that
    no more than one reply is held at a time): each batch's value, in order."""
    first = yield from now()
    budget = session.budget(first.monotonic, deadline)
    started: Instant | None = first
    values: list[_R] = []
    for batch, make_request, what in session.fetches(ids, _or_clients(session, headers)):
        body = yield from call(session, make_request, what, budget, via=via, started=started)
        started = None  # the next batch reads the clock as it begins
        value = yield from read(session, body, lambda reply: parse(reply, batch), what)  # noqa: B023
        if not is_successful(value):
            return Failure(value.failure())
        values.append(value.unwrap())
    return Success(values)


def fetch_jobs(
    session: Session, ids: Sequence[str], headers: Mapping[str, str] | None = None
) -> Step[Result[dict[str, JobData], Fault]]:
    """Fetches the full data of jobs `ids`, keyed by id (`Client.fetch_jobs`)."""
    fetched = yield from fetch_each(session, ids, None, parse_fetch_reply, headers)
    return fetched.map(lambda replies: {k: v for reply in replies for k, v in reply.jobs.items()})


def cancel(
    session: Session, ids: Sequence[str], headers: Mapping[str, str] | None = None
) -> Step[Result[list[str], Fault]]:
    """Cancels jobs `ids`: the ids the server cancelled (`Client.cancel_jobs`)."""
    if not ids:
        return Success([])
    what = f"cancelling job(s) {', '.join(ids)}"
    body = yield from call(session, session.cancel(ids, _or_clients(session, headers)), what)
    done = yield from read(session, body, parse_cancel_reply, what)
    return done.map(lambda reply: list(reply.succeeded))


def find(
    session: Session,
    make_request: MakeRequest,
    job_ids: Sequence[str] = (),
    abandoned: Abandoned | None = None,
) -> Step[Result[list[JobState], Fault]]:
    """The jobs a query finds, in the order of the reply, each with its data
    (`Client.find_jobs`; `make_request` from `Session.find`), keeping only `job_ids` when the
    query names some. `abandoned`: for the lookup of a submission, what to say if it is
    abandoned."""
    body = yield from call(session, make_request, "finding jobs", abandoned=abandoned)
    found = yield from read(
        session, body, lambda reply: parse_query_reply(reply, job_ids), "finding jobs"
    )
    return found.map(
        lambda reply: [
            JobState(job_id, tuple(data.statuses), None, data)
            for job_id, data in reply.jobs.items()
        ]
    )


class _Polled(msgspec.Struct, frozen=True):
    state: JobState
    warnings: tuple[str, ...]


def _kept_whole(body: bytes, batch: tuple[str, ...]) -> Result[_Polled, ApiFailure]:
    """A reply of one job read as its state, the reply kept whole for its data."""
    (job_id,) = batch
    return parse_poll_reply(body, batch).map(
        lambda poll: _Polled(JobState(job_id, poll.statuses[job_id], body), poll.warnings)
    )


def refresh(
    session: Session, job_id: str, deadline: float | None = None
) -> Step[Result[JobState, Fault]]:
    """Fetches job `job_id`: its statuses, and its reply, kept to decode its data when it
    is read (within `deadline`, when a wait gives one)."""
    fetched = yield from fetch_each(session, (job_id,), deadline, _kept_whole)
    return fetched.map(lambda polled: polled[0].state)
