"""Pure: a wait on many jobs (`wait_all`, `as_completed`), as an operation of the engine.

Each poll fetches only the jobs still open, every open job of a client in as few requests
as the URL length allows, all within one deadline; a job finished is never fetched again.
A poll decides each job once: a job whose statuses did not move costs a lookup and a
comparison, nothing more. What a poll learned goes to the shell (`Learned`): the new state
of each job whose statuses moved (of every job polled, on the first poll, so that no handle
keeps data older than the wait), and the jobs finished, to hand out in the order given.
"""

from __future__ import annotations

import collections
from collections.abc import Sequence

import msgspec
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from sqcore.core.errors import ApiFailure, Fault
from sqcore.core.models import CircuitStatus
from sqcore.core.replies import one_job_replies, parse_poll_reply
from sqcore.core.status import is_terminal, overall_status
from sqcore.core.waiting import (
    Change,
    Done,
    Progress,
    SleepFor,
    TimedOut,
    assert_never,
    changes_between,
    decide_wait_all,
    next_interval,
    tally,
)
from sqcore.engine.calls import fetch_each
from sqcore.engine.effects import JobState, Learned, Report, Sleep, Step, Warn, now
from sqcore.engine.jobs import WaitPlan
from sqcore.engine.session import Session

__all__ = ["SHOWN_OPEN", "Watched", "watch"]

#: A timed-out wait names this many open jobs, and counts the rest.
SHOWN_OPEN = 10


class Watched(msgspec.Struct, frozen=True):
    """A job a wait watches: what its handle knows, and which client fetches it (an index
    into the wait's sessions)."""

    state: JobState
    via: int = 0


class _Read(msgspec.Struct, frozen=True):
    warnings: tuple[str, ...]


class _Books:
    """What a wait on many jobs knows between polls: each job's statuses, the jobs still
    open (by client), the states and ends to tell, the changes to report."""

    def __init__(self, jobs: Sequence[Watched], report: bool) -> None:
        self.order = {job.state.job_id: at for at, job in enumerate(jobs)}
        self.via = {job.state.job_id: job.via for job in jobs}
        self.seen = {job.state.job_id: job.state.statuses for job in jobs}
        self.open: dict[int, dict[str, None]] = {}
        self.finished: list[str] = []
        for job in jobs:
            statuses = job.state.statuses
            if statuses is not None and is_terminal(statuses):
                self.finished.append(job.state.job_id)
            else:
                self.open.setdefault(job.via, {})[job.state.job_id] = None
        self.first = True  # the first poll tells every state it fetches
        self.learned: list[JobState] = []
        self.changes: list[Change] = []
        self.report = report
        self.overall: dict[str, CircuitStatus] = {}
        self.counts: collections.Counter[CircuitStatus] = collections.Counter()
        if report:
            self.overall = {job_id: overall_status(s or ()) for job_id, s in self.seen.items()}
            self.counts.update(self.overall.values())

    def polls(self) -> list[tuple[int, list[str]]]:
        """Each client's open jobs, in the order given."""
        return [(via, list(ids)) for via, ids in self.open.items() if ids]

    def read(self, body: bytes, batch: tuple[str, ...]) -> Result[_Read, ApiFailure]:
        """Takes in a reply to a poll of `batch`: each job's statuses, compared with those
        seen before; a job finished keeps its JSON (cut out of the batch), to decode its
        data when it is read."""
        polled = parse_poll_reply(body, batch)
        if not is_successful(polled):
            return Failure(polled.failure())
        poll = polled.unwrap()
        moved: list[tuple[str, tuple[CircuitStatus, ...]]] = []
        ended: list[str] = []
        for job_id, statuses in poll.statuses.items():
            before = self.seen[job_id]
            if statuses == before and not self.first:
                continue
            moved.append((job_id, statuses))
            if before is not None and statuses != before:
                self.changes.extend(changes_between(job_id, before, statuses))
            self.seen[job_id] = statuses
            if self.report:
                self._recount(job_id, statuses)
            if is_terminal(statuses):
                ended.append(job_id)
        replies: dict[str, bytes] = {}
        if len(batch) == 1:
            replies = dict.fromkeys(ended, body)  # the reply is the job's: kept as it is
        elif ended:
            cut = one_job_replies(body, ended)
            if not is_successful(cut):
                return Failure(cut.failure())
            replies = cut.unwrap()
        self.learned.extend(JobState(job_id, s, replies.get(job_id)) for job_id, s in moved)
        for job_id in ended:
            del self.open[self.via[job_id]][job_id]
        self.finished.extend(ended)
        return Success(_Read(poll.warnings))

    def _recount(self, job_id: str, statuses: tuple[CircuitStatus, ...]) -> None:
        after = overall_status(statuses)
        self.counts[self.overall[job_id]] -= 1
        self.counts[after] += 1
        self.overall[job_id] = after

    def told(self) -> Learned | None:
        """The states learned since the last call, if any, to tell."""
        if not self.learned:
            return None
        learned, self.learned = tuple(self.learned), []
        return Learned(learned)

    def ended(self) -> Learned | None:
        """The jobs finished since the last call, if any, in the order given, to hand out."""
        if not self.finished:
            return None
        finished, self.finished = sorted(self.finished, key=self.order.__getitem__), []
        return Learned((), tuple(finished))

    def open_statuses(self) -> list[tuple[CircuitStatus, ...] | None]:
        """The statuses of the jobs still open (None for one not seen yet)."""
        return [self.seen[job_id] for ids in self.open.values() for job_id in ids]

    def progress(self, elapsed: float, changes: tuple[Change, ...]) -> Progress:
        """The wait's progress: the jobs' overall statuses counted."""
        return tally(self.counts, elapsed, changes)

    def timed_out(self) -> Fault:
        """The fault of the wait's deadline: how many jobs are still open, naming some."""
        still_open = sorted(
            (job_id for ids in self.open.values() for job_id in ids), key=self.order.__getitem__
        )
        shown = ", ".join(
            f"{job_id} ({overall_status(self.seen[job_id] or ()).value})"
            for job_id in still_open[:SHOWN_OPEN]
        )
        more = len(still_open) - SHOWN_OPEN
        return Fault(
            "timeout",
            f"Timed out while waiting for results: {len(still_open)} of {len(self.order)} "
            f"jobs still open: {shown}{f' and {more} more' if more > 0 else ''}.",
        )


def watch(
    sessions: Sequence[Session], jobs: Sequence[Watched], plan: WaitPlan, report: bool = False
) -> Step[Result[None, Fault]]:
    """Waits until every job in `jobs` is terminal, polling the open ones together (each
    through its session, `sessions[job.via]`), until the deadline `plan` sets.

    Effects: Learned for what each poll of a client learned, then Learned for the jobs
    finished (first those finished before any poll); Report (with `report`) once a poll;
    Sleep between polls. Faults: "timeout" at the deadline (how many are still open, the
    first ten named with their statuses), and any fault of a fetch.
    """
    if plan.warning is not None:
        yield Warn(plan.warning)
    if not jobs:
        return Success(None)
    start = (yield from now()).monotonic
    deadline = start + plan.timeout_seconds
    books = _Books(jobs, report)
    interval: float | None = None
    while True:
        ended = books.ended()  # before the first poll: those finished already
        if ended is not None:
            yield ended
        for via, ids in books.polls():
            polled = yield from fetch_each(sessions[via], ids, deadline, books.read, via=via)
            if not is_successful(polled):
                return Failure(polled.failure())
            told = books.told()
            if told is not None:
                yield told
        books.first = False
        ended = books.ended()
        if ended is not None:
            yield ended
        moment = (yield from now()).monotonic
        changes, books.changes = tuple(books.changes), []
        interval = next_interval(plan.polling, interval, bool(changes))
        if report:
            yield Report(books.progress(moment - start, changes))
        match decide_wait_all(moment, deadline, books.open_statuses(), interval):
            case Done():
                return Success(None)
            case SleepFor(seconds=seconds):
                yield Sleep(seconds)
            case TimedOut():
                return Failure(books.timed_out())
            case unreachable:
                assert_never(unreachable)
