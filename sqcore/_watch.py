"""Shell: the bookkeeping of waits, shared by the blocking and the asyncio shells.

`JobWait` follows one job's wait, `BatchWatch` a wait over many jobs (`wait_all`,
`as_completed`). They hold the deadline, the polling interval and the statuses seen; after
each poll they call `on_progress` and return the seconds to sleep, or None when the wait is
over, or raise `TimeoutError`. Every decision comes from the pure core (`sqcore._wait`);
fetching and sleeping are the shells' (`sqcore._job`, `sqcore.aio`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Generic, TypeVar

from sqcore._arguments import checked_index, checked_polling, checked_seconds
from sqcore._errors import SuperstaqWarning
from sqcore._models import TERMINAL_CIRCUIT_STATES, TERMINAL_COMPILE_STATES, CircuitStatus
from sqcore._session import JobState, _caller_stacklevel
from sqcore._status import is_terminal, overall_status, status_of
from sqcore._wait import (
    MIN_POLLING_SECONDS,
    Backoff,
    Change,
    Done,
    Polling,
    Progress,
    SleepFor,
    TimedOut,
    WaitDecision,
    assert_never,
    changes_between,
    decide_wait,
    decide_wait_all,
    next_interval,
    progress_of,
    with_floor,
)

if TYPE_CHECKING:
    from sqcore._handle import HandleClient, JobHandle

__all__ = ["BatchWatch", "JobWait", "OnProgress"]

#: Called once per poll with a snapshot of the wait.
OnProgress = Callable[[Progress], None]


_J = TypeVar("_J", bound="JobHandle[HandleClient]")


def _polling(polling_seconds: object) -> Polling:
    """`polling_seconds` checked, and raised to `MIN_POLLING_SECONDS` when below it, with one
    `SuperstaqWarning` (pointing at the caller's line) for the wait that was given it.

    Raises:
        TypeError, ValueError: As `checked_polling`.
    """
    given = checked_polling(polling_seconds)
    polling = with_floor(given)
    if polling != given:
        shown = (
            f"Backoff(initial={given.initial!r})"
            if isinstance(given, Backoff)
            else f"polling_seconds={given!r}"
        )
        warnings.warn(
            f"{shown} would flood the server with requests: polling every "
            f"{MIN_POLLING_SECONDS:g} s instead, the shortest interval sqcore polls at",
            SuperstaqWarning,
            stacklevel=_caller_stacklevel(),
        )
    return polling


def _timeout(timeout_seconds: object, default: float) -> float:
    return (
        default if timeout_seconds is None else checked_seconds("timeout_seconds", timeout_seconds)
    )


class JobWait:
    """One job's wait: `wait_until_terminal_state` and `wait_until_complete`.

    Raises (on construction):
        TypeError, ValueError: A bad timeout or polling value.
    """

    def __init__(
        self,
        job_id: str,
        now: float,
        *,
        timeout_seconds: object,
        default_timeout: float,
        polling_seconds: object,
        index: object,
        check_until_compiled: bool,
        on_progress: OnProgress | None,
    ) -> None:
        self._job_id = job_id
        self._start = now
        self.deadline = now + _timeout(timeout_seconds, default_timeout)
        self._polling = _polling(polling_seconds)
        self._index = index
        self._finished = (
            TERMINAL_COMPILE_STATES if check_until_compiled else TERMINAL_CIRCUIT_STATES
        )
        self._on_progress = on_progress
        self._seen: tuple[CircuitStatus, ...] | None = None
        self._interval: float | None = None

    def after(self, statuses: tuple[CircuitStatus, ...], now: float) -> float | None:
        """After a poll that saw `statuses`: seconds to sleep, or None when done.

        Raises:
            IndexError, TypeError: A bad `index`.
            TimeoutError: Not done at the deadline: "Timed out while waiting for results.
                Final status was '<status>'."
        """
        index = checked_index(statuses, self._index)
        watched = statuses if index is None else (statuses[index],)
        changes = changes_between(self._job_id, self._seen, statuses)
        if index is not None:  # only the watched circuit's own change counts
            changes = tuple(change for change in changes if change.index == index)
        self._seen = statuses
        self._interval = next_interval(self._polling, self._interval, bool(changes))
        if self._on_progress is not None:
            self._on_progress(progress_of(watched, now - self._start, changes))
        decision = (
            Done()  # no circuits: nothing to wait for (its status stays RECEIVED, as upstream's)
            if not statuses
            else decide_wait(
                now, self.deadline, status_of(statuses, index), self._interval, self._finished
            )
        )
        return _act(
            decision,
            lambda final: f"Timed out while waiting for results. Final status was '{final.value}'.",
        )


def _act(decision: WaitDecision, timed_out: Callable[[CircuitStatus], str]) -> float | None:
    match decision:
        case Done():
            return None
        case SleepFor(seconds=seconds):
            return seconds
        case TimedOut(status=status):
            raise TimeoutError(timed_out(status))
        case unreachable:
            assert_never(unreachable)


class BatchWatch(Generic[_J]):
    """A wait over many jobs, polled together: `wait_all` and `as_completed`.

    Each poll fetches only the jobs still open, every open job of a client in as few
    requests as the URL length allows; jobs finished keep their data (no later request).

    Raises (on construction):
        TypeError, ValueError: A bad timeout or polling value.
    """

    def __init__(
        self,
        jobs: Iterable[_J],
        now: float,
        *,
        timeout_seconds: object,
        polling_seconds: object,
        on_progress: OnProgress | None,
    ) -> None:
        given = list(jobs)
        chosen: dict[str, _J] = {}
        for handle in given:
            kept = chosen.get(handle._id)
            if kept is None or (handle._is_settled() and not kept._is_settled()):
                chosen[handle._id] = handle
        #: One handle per job (one already terminal if any, else the first given), whose
        #: statuses the wait follows, in the order the jobs were first given.
        self.jobs = list(chosen.values())
        #: Every handle given, once each: all of them take in what a poll says, and what a
        #: handle of the same job already knows to be final.
        self._handles = list({id(handle): handle for handle in given}.values())
        for handle in self._handles:
            kept = chosen[handle._id]
            if kept._state is not None and kept._is_settled() and handle is not kept:
                handle._adopt(kept._state)
        polling = _polling(polling_seconds)
        default = max((job._client.max_retry_seconds for job in self.jobs), default=0.0)
        self.deadline = now + _timeout(timeout_seconds, default)
        self._polling = polling
        self._start = now
        self._on_progress = on_progress
        self._interval: float | None = None
        self._changes: list[Change] = []
        # Jobs already terminal (a cache, a restored job) count as finished from the start.
        self._unreported = [job for job in self.jobs if job._is_settled()]

    @classmethod
    def starting_now(
        cls,
        jobs: Iterable[_J],
        *,
        timeout_seconds: object,
        polling_seconds: object,
        on_progress: OnProgress | None,
    ) -> BatchWatch[_J]:
        """A wait over `jobs` starting now, on the clock of the first job's client
        (arguments checked)."""
        given = list(jobs)
        now = given[0]._client.clock.monotonic() if given else 0.0
        return cls(
            given,
            now,
            timeout_seconds=timeout_seconds,
            polling_seconds=polling_seconds,
            on_progress=on_progress,
        )

    def polls(self) -> list[list[_J]]:
        """The open jobs to fetch, grouped by client (each group one client's)."""
        groups: dict[int, list[_J]] = {}
        for job in self.jobs:
            if not job._is_settled():
                groups.setdefault(id(job._client), []).append(job)
        return list(groups.values())

    def absorb(self, states: dict[str, JobState]) -> None:
        """Takes in the states a poll fetched: updates every handle of each job (two handles
        of one job both keep its cache), notes what changed and what finished."""
        for job in self.jobs:
            state = states.get(job._id)
            if state is None:
                continue
            before = job._state
            self._changes.extend(
                changes_between(
                    job._id, None if before is None else before.statuses, state.statuses
                )
            )
            if is_terminal(state.statuses):
                self._unreported.append(job)
        for handle in self._handles:
            state = states.get(handle._id)
            if state is not None:
                handle._adopt(state)

    def finished(self) -> list[_J]:
        """The jobs seen terminal since the last call, in the order they were given."""
        done, self._unreported = self._unreported, []
        return done

    def after(self, now: float) -> float | None:
        """After a poll: seconds to sleep, or None when every job is terminal.

        Raises:
            TimeoutError: Some jobs are still open at the deadline; the message says how
                many and their statuses.
        """
        changes, self._changes = tuple(self._changes), []
        statuses = [_overall(job._state) for job in self.jobs]
        self._interval = next_interval(self._polling, self._interval, bool(changes))
        if self._on_progress is not None:
            self._on_progress(progress_of(statuses, now - self._start, changes))
        seen = [
            None if job._state is None else job._state.statuses
            for job in self.jobs
            if not job._is_settled()
        ]
        decision = decide_wait_all(now, self.deadline, seen, self._interval)
        return _act(decision, lambda _status: self._still_open())

    def _still_open(self) -> str:
        still_open = [job for job in self.jobs if not job._is_settled()]
        shown = ", ".join(f"{job._id} ({_overall(job._state).value})" for job in still_open[:10])
        more = f" and {len(still_open) - 10} more" if len(still_open) > 10 else ""
        return (
            f"Timed out while waiting for results: {len(still_open)} of {len(self.jobs)} jobs "
            f"still open: {shown}{more}."
        )


def _overall(state: JobState | None) -> CircuitStatus:
    """A job's overall status; RECEIVED while nothing is known (upstream's initial value)."""
    return overall_status(() if state is None else state.statuses)
