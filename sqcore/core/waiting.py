"""Pure: waiting decisions: when a wait is done, how long to sleep, what changed.

Time comes in as arguments (`now`, `deadline`: monotonic seconds); nothing here reads a
clock or sleeps. A shell loops: poll, ask `decide_wait` (one job) or `decide_wait_all`
(many), act on the answer. The interval between polls is a number of seconds, or a
`Backoff` that grows while nothing changes and starts over when something does
(`next_interval`); `changes_between` says what changed.
"""

from __future__ import annotations

import collections
import math
from collections.abc import Mapping, Sequence
from typing import NoReturn

import msgspec

from sqcore.core.models import STATUS_PRIORITY_ORDER, TERMINAL_CIRCUIT_STATES, CircuitStatus
from sqcore.core.status import overall_status

__all__ = [
    "MIN_POLLING_SECONDS",
    "Backoff",
    "Change",
    "Done",
    "Polling",
    "Progress",
    "SleepFor",
    "TimedOut",
    "WaitDecision",
    "assert_never",
    "changes_between",
    "decide_wait",
    "decide_wait_all",
    "next_interval",
    "progress_of",
    "tally",
    "with_floor",
]


class Backoff(msgspec.Struct, frozen=True):
    """A polling interval that grows while nothing changes (as Google's and Azure's pollers).

    The first interval is `initial`; each poll that sees no status change multiplies it by
    `factor`, up to `maximum`; a poll that sees any watched status change starts over at
    `initial`. Accepted wherever `polling_seconds` is. The deadline is never overslept. A
    wait given an `initial` (or `maximum`) below `MIN_POLLING_SECONDS` polls at that floor
    instead, with a `SuperstaqWarning` (one per call of the wait).

    Args:
        initial: Seconds before the first re-poll, and after a change (> 0).
        factor: Growth per unchanged poll (>= 1).
        maximum: The longest interval (>= initial).

    Raises:
        ValueError: A bound is not a finite number in its range (the message names it).
    """

    initial: float = 1.0
    factor: float = 1.5
    maximum: float = 30.0

    def __post_init__(self) -> None:
        for name in ("initial", "factor", "maximum"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"Backoff {name} must be a number, not {type(value).__name__}")
            if not math.isfinite(value):
                raise ValueError(f"Backoff {name} must be finite, got {value!r}")
        if self.initial <= 0:
            raise ValueError(f"Backoff initial must be > 0 seconds, got {self.initial!r}")
        if self.factor < 1:
            raise ValueError(f"Backoff factor must be >= 1, got {self.factor!r}")
        if self.maximum < self.initial:
            raise ValueError(
                f"Backoff maximum ({self.maximum!r}) must be >= initial ({self.initial!r})"
            )


#: How often to poll: fixed seconds, or a Backoff.
Polling = float | Backoff

#: The shortest interval between polls. Upstream accepts `polling_seconds=0` (and then asks
#: the server as fast as it answers); a wait given less polls at this floor instead, so code
#: written for upstream keeps running without flooding the server.
MIN_POLLING_SECONDS = 0.1


def with_floor(polling: Polling) -> Polling:
    """`polling` with no interval below `MIN_POLLING_SECONDS`: a number raised to it, a
    Backoff's `initial` and `maximum` raised to it (its `factor` kept).

    Invariants: `polling` itself is returned when it is at or above the floor; otherwise
    every interval `next_interval` gives for the result is >= MIN_POLLING_SECONDS.
    """
    if not isinstance(polling, Backoff):
        return max(polling, MIN_POLLING_SECONDS)
    if polling.initial >= MIN_POLLING_SECONDS:
        return polling
    return Backoff(MIN_POLLING_SECONDS, polling.factor, max(polling.maximum, MIN_POLLING_SECONDS))


def next_interval(polling: Polling, previous: float | None, changed: bool) -> float:
    """The seconds to wait before the next poll.

    Invariants: a number is returned unchanged; for a Backoff the result is `initial` on the
    first poll (`previous` None) and after a change, else `min(previous * factor, maximum)`,
    so it always lies in [initial, maximum].
    """
    if not isinstance(polling, Backoff):
        return polling
    if previous is None or changed:
        return polling.initial
    return min(max(previous, polling.initial) * polling.factor, polling.maximum)


class Done(msgspec.Struct, frozen=True):
    """What was awaited has happened: stop waiting."""


class SleepFor(msgspec.Struct, frozen=True):
    """Not there yet: sleep this many seconds (>= 0), then poll again."""

    seconds: float


class TimedOut(msgspec.Struct, frozen=True):
    """The deadline has passed; `status` is where things stood (for many jobs, the first
    in priority order of the open jobs' overall statuses)."""

    status: CircuitStatus


WaitDecision = Done | SleepFor | TimedOut


def decide_wait(
    now: float,
    deadline: float,
    status: CircuitStatus,
    interval: float,
    finished: frozenset[CircuitStatus] = TERMINAL_CIRCUIT_STATES,
) -> WaitDecision:
    """Decides what a waiter does after seeing `status` at time `now`.

    Invariants: Done exactly when `status` is in `finished` (the terminal states, or the
    compiled ones); otherwise TimedOut when no time is left, else
    SleepFor(min(interval, deadline - now)), so a sleep never ends past the deadline. With
    an interval of 0 the waiter polls again at once; the loop still ends, because `now`
    advances with each poll.
    """
    if status in finished:
        return Done()
    return _sleep_or_time_out(now, deadline, status, interval)


def decide_wait_all(
    now: float,
    deadline: float,
    still_open: Sequence[Sequence[CircuitStatus] | None],
    interval: float,
) -> WaitDecision:
    """Decides what a waiter on many jobs does, given the circuit statuses of the jobs still
    open (None for a job not seen yet).

    Invariants: Done exactly when no job is open; otherwise as `decide_wait`, with TimedOut
    naming the first, in priority order, of the open jobs' overall statuses (RECEIVED for a
    job not seen yet).
    """
    if not still_open:
        return Done()
    left = deadline - now
    if left <= 0:
        # The first of their overall statuses is the first of all their circuits' statuses;
        # a job not seen yet is RECEIVED, the first of all.
        seen = [statuses for statuses in still_open if statuses is not None]
        if len(seen) < len(still_open):
            return TimedOut(CircuitStatus.RECEIVED)
        return TimedOut(overall_status(set().union(*seen)))
    return SleepFor(min(interval, left))


def _sleep_or_time_out(
    now: float, deadline: float, status: CircuitStatus, interval: float
) -> SleepFor | TimedOut:
    """For a waiter not done: TimedOut(status) with no time left, else a sleep of
    `min(interval, time left)`."""
    left = deadline - now
    if left <= 0:
        return TimedOut(status)
    return SleepFor(min(interval, left))


class Change(msgspec.Struct, frozen=True):
    """One status that moved between two polls.

    Attributes:
        job_id: The job's id.
        index: The circuit, or None for the job's overall status.
        before: The status at the previous poll.
        after: The status now.
    """

    job_id: str
    index: int | None
    before: CircuitStatus
    after: CircuitStatus


def changes_between(
    job_id: str, before: Sequence[CircuitStatus] | None, after: Sequence[CircuitStatus]
) -> tuple[Change, ...]:
    """The transitions of one job between two polls: its overall status, then each circuit.

    Invariants: empty when `before` is None (a first sight is not a change) or equal to
    `after`; otherwise one Change per circuit whose status differs, in circuit order, after
    one for the overall status when it differs.
    """
    if before is None or tuple(before) == tuple(after):
        return ()
    found: list[Change] = []
    overall_before, overall_after = overall_status(before), overall_status(after)
    if overall_before != overall_after:
        found.append(Change(job_id, None, overall_before, overall_after))
    found.extend(
        Change(job_id, index, old, new)
        for index, (old, new) in enumerate(zip(before, after, strict=False))
        if old != new
    )
    return tuple(found)


class Progress(msgspec.Struct, frozen=True):
    """A snapshot of a wait, passed to `on_progress` once per poll.

    Attributes:
        counts: How many jobs (or, for one job, circuits) are in each status, in
            `STATUS_PRIORITY_ORDER`; statuses with none are left out.
        done: How many of them are terminal.
        total: How many there are.
        elapsed_seconds: Time since the wait began.
        changes: The transitions seen since the previous poll (empty when nothing moved,
            and on the first poll).
    """

    counts: tuple[tuple[CircuitStatus, int], ...]
    done: int
    total: int
    elapsed_seconds: float
    changes: tuple[Change, ...] = ()


def progress_of(
    statuses: Sequence[CircuitStatus], elapsed_seconds: float, changes: tuple[Change, ...] = ()
) -> Progress:
    """The Progress of a wait over `statuses` (circuits of one job, or jobs' overall ones).

    Invariants: the counts sum to `total == len(statuses)`; `done` counts the terminal ones.
    """
    return tally(collections.Counter(statuses), elapsed_seconds, changes)


def tally(
    counts: Mapping[CircuitStatus, int], elapsed_seconds: float, changes: tuple[Change, ...] = ()
) -> Progress:
    """The Progress of a wait from how many jobs (or circuits) are in each status.

    Invariants: the counts are those given above 0, in `STATUS_PRIORITY_ORDER`; `total` is
    their sum and `done` the sum of the terminal ones.
    """
    ordered = tuple((status, n) for status in STATUS_PRIORITY_ORDER if (n := counts.get(status, 0)))
    done = sum(n for status, n in ordered if status in TERMINAL_CIRCUIT_STATES)
    return Progress(ordered, done, sum(n for _, n in ordered), elapsed_seconds, changes)


def assert_never(value: NoReturn) -> NoReturn:
    """Marks a `match` arm mypy proves unreachable (typing.assert_never is 3.11+)."""
    raise AssertionError(f"unhandled case: {value!r}")
