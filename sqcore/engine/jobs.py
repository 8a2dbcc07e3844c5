"""Pure: one job: a refresh of its state, its data decoded from the reply it keeps, and a
wait on it (`Job.wait_until_terminal_state`), as operations of the engine.

A job handle keeps a `JobState` (`sqcore.engine.effects`): its statuses and the reply that
holds its data, decoded only when someone reads it. `WaitPlan` is a wait's arguments,
checked once at the call, for a wait on one job and on many alike.
"""

from __future__ import annotations

import msgspec
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from sqcore.core.arguments import checked_index_type, checked_polling, checked_seconds
from sqcore.core.errors import Fault
from sqcore.core.models import TERMINAL_CIRCUIT_STATES, TERMINAL_COMPILE_STATES, CircuitStatus
from sqcore.core.replies import parse_fetch_reply
from sqcore.core.status import index_error, is_terminal, status_of
from sqcore.core.waiting import (
    MIN_POLLING_SECONDS,
    Backoff,
    Done,
    Polling,
    SleepFor,
    TimedOut,
    assert_never,
    changes_between,
    decide_wait,
    next_interval,
    progress_of,
    with_floor,
)
from sqcore.engine.calls import refresh
from sqcore.engine.effects import JobState, Learned, Report, Step, Warn, now, sleep
from sqcore.engine.session import Session

__all__ = ["WaitPlan", "decoded", "is_settled", "refresh", "wait", "wait_plan"]


class WaitPlan(msgspec.Struct, frozen=True):
    """A wait's arguments, checked.

    Attributes:
        timeout_seconds: How long the wait may take in all, from its start.
        polling: The interval between polls (at or above the floor).
        warning: What to warn about once, as the wait begins (an interval below the floor,
            raised to it), or None.
        index: For a wait on one job: the circuit waited for, or None for the whole job.
        finished: For a wait on one job: the statuses that end it (terminal, or compiled).
    """

    timeout_seconds: float
    polling: Polling
    warning: str | None = None
    index: int | None = None
    finished: frozenset[CircuitStatus] = TERMINAL_CIRCUIT_STATES


def wait_plan(
    timeout_seconds: object,
    default_timeout: float,
    polling_seconds: object,
    *,
    index: object = None,
    check_until_compiled: bool = False,
) -> WaitPlan:
    """A wait's arguments checked (`timeout_seconds` None: `default_timeout`). An interval
    below `MIN_POLLING_SECONDS` is raised to it, and the plan says so in its `warning`.

    Raises:
        TypeError, ValueError: A bad timeout, polling interval or index (named).
    """
    timeout = (
        default_timeout
        if timeout_seconds is None
        else checked_seconds("timeout_seconds", timeout_seconds)
    )
    given = checked_polling(polling_seconds)
    polling = with_floor(given)
    warning = None
    if polling != given:
        shown = (
            f"Backoff(initial={given.initial!r})"
            if isinstance(given, Backoff)
            else f"polling_seconds={given!r}"
        )
        warning = (
            f"{shown} would flood the server with requests: polling every "
            f"{MIN_POLLING_SECONDS:g} s instead, the shortest interval sqcore polls at"
        )
    return WaitPlan(
        timeout,
        polling,
        warning,
        checked_index_type(index),
        TERMINAL_COMPILE_STATES if check_until_compiled else TERMINAL_CIRCUIT_STATES,
    )


def is_settled(state: JobState) -> bool:
    """Whether `state` is final: fetched, and every circuit terminal (no request is ever
    needed again)."""
    return state.statuses is not None and is_terminal(state.statuses)


def decoded(session: Session, state: JobState) -> Result[JobState, Fault]:
    """`state` with its data decoded (its reply dropped: it would double the memory). The
    state must hold the data or a reply (a fetch of the job)."""
    job_id = state.job_id
    if state.data is not None:
        return Success(state)
    if state.reply is None:
        raise AssertionError(f"job {job_id}: a state without a reply has no data to decode")
    read = parse_fetch_reply(state.reply, (job_id,))
    if not is_successful(read):
        return Failure(session.given_up(read.failure(), f"reading job {job_id}"))
    return Success(JobState(job_id, state.statuses, None, read.unwrap().jobs[job_id]))


def wait(session: Session, state: JobState, plan: WaitPlan) -> Step[Result[None, Fault]]:
    """Waits until the job of `state` (or circuit `plan.index`) is finished
    (`Job.wait_until_terminal_state`): refreshes while it is open, tells each state
    fetched (Learned), reports each check, sleeps between checks, never past the deadline.

    Faults: "timeout" at the deadline ("... Final status was '<status>'."), "index" for
    an index out of range, and any fault of a refresh.
    """
    if plan.warning is not None:
        yield Warn(plan.warning)
    job_id = state.job_id
    start = (yield from now()).monotonic
    deadline = start + plan.timeout_seconds
    seen: tuple[CircuitStatus, ...] | None = None
    interval: float | None = None
    while True:
        if state.statuses is None or not is_terminal(state.statuses):
            fetched = yield from refresh(session, job_id, deadline)
            if not is_successful(fetched):
                return Failure(fetched.failure())
            state = fetched.unwrap()
            yield Learned((state,))
        statuses = state.statuses or ()
        moment = (yield from now()).monotonic
        index = plan.index
        if index is not None:
            problem = index_error(index, len(statuses))
            if problem is not None:
                return Failure(Fault("index", problem))
        changes = changes_between(job_id, seen, statuses)
        if index is not None:  # only the watched circuit's own change counts
            changes = tuple(change for change in changes if change.index == index)
        seen = statuses
        interval = next_interval(plan.polling, interval, bool(changes))
        watched = statuses if index is None else (statuses[index],)
        yield Report(progress_of(watched, moment - start, changes))
        if not statuses:
            # No circuits: nothing to wait for (its status stays RECEIVED, as upstream's).
            return Success(None)
        match decide_wait(moment, deadline, status_of(statuses, index), interval, plan.finished):
            case Done():
                return Success(None)
            case SleepFor(seconds=seconds):
                yield from sleep(seconds, None)
            case TimedOut(status=status):
                return Failure(
                    Fault(
                        "timeout",
                        f"Timed out while waiting for results. Final status was '{status.value}'.",
                    )
                )
            case unreachable:
                assert_never(unreachable)
