"""Pure: a wait on many jobs (`wait_all`, `as_completed`), as an operation of the engine.

Each poll fetches only the jobs still open, every open job of a client in as few requests
as the URL length allows, all within one deadline; a job finished is never fetched again.
A poll decides each job once: a job whose statuses did not move costs a lookup and a
comparison, nothing more (it is as open as it was). What a poll learned goes to the shell
(`Learned`): the new state of each job whose statuses moved (and, on the first poll, of each
job some handle of which knows something else: data that would be stale, or less), and the
jobs finished, to hand out in the order given.
"""

from __future__ import annotations

import collections
from collections.abc import Sequence
from collections.abc import Set as AbstractSet

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
from sqcore.engine.effects import JobState, Learned, Report, Step, Warn, now, sleep
from sqcore.engine.jobs import WaitPlan
from sqcore.engine.session import Session

__all__ = ["SHOWN_OPEN", "watch"]

#: A timed-out wait names this many open jobs, and counts the rest.
SHOWN_OPEN = 10


class _Read(msgspec.Struct, frozen=True):
    warnings: tuple[str, ...]


class _Books:
    """What a wait on many jobs knows between polls: each job's statuses, the jobs still
    open (by client), the states and ends to tell, the changes to report."""

    def __init__(
        self,
        jobs: Sequence[JobState],
        vias: Sequence[int] | None,
        unshared: AbstractSet[str],
        report: bool,
    ) -> None:
        self.jobs = jobs
        self.seen: dict[str, tuple[CircuitStatus, ...] | None] = {}
        self.open: dict[int, dict[str, None]] = {}
        self.finished: list[str] = []
        #: Jobs whose first poll is told even when nothing moved: some handle of theirs
        #: knows something else (data that would be stale, or less).
        self.tell_first: set[str] = set(unshared)
        only: dict[str, None] = {}  # the open jobs, when one client fetches them all
        for at, state in enumerate(jobs):
            job_id, statuses = state.job_id, state.statuses
            self.seen[job_id] = statuses
            if statuses is not None and is_terminal(statuses):
                self.finished.append(job_id)
                continue
            group = only if vias is None else self.open.setdefault(vias[at], {})
            group[job_id] = None
            if state.reply is not None or state.data is not None:
                self.tell_first.add(job_id)
        if vias is None:
            self.open[0] = only
        self.first = True
        self.learned: list[JobState] = []
        self.changes: list[Change] = []
        self.report = report
        self.overall: dict[str, CircuitStatus] = {}
        self.counts: collections.Counter[CircuitStatus] = collections.Counter()
        if report:
            self.overall = {job_id: overall_status(s or ()) for job_id, s in self.seen.items()}
            self.counts.update(self.overall.values())
        self._order: dict[str, int] = {}

    def order(self) -> dict[str, int]:
        """Each job's place in the order given (made when first needed)."""
        if not self._order:
            self._order = {state.job_id: at for at, state in enumerate(self.jobs)}
        return self._order

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
        seen, first, tell_first = self.seen, self.first, self.tell_first
        for job_id, statuses in poll.statuses.items():
            before = seen[job_id]
            if statuses == before:  # nothing moved: still open, as it was
                if first and job_id in tell_first:
                    moved.append((job_id, statuses))
                continue
            moved.append((job_id, statuses))
            if before is not None:
                self.changes.extend(changes_between(job_id, before, statuses))
            seen[job_id] = statuses
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
        for ids in self.open.values():
            for job_id in ended:
                ids.pop(job_id, None)
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
        finished, self.finished = sorted(self.finished, key=self.order().__getitem__), []
        return Learned((), tuple(finished))

    def open_statuses(self) -> list[tuple[CircuitStatus, ...] | None]:
        """The statuses of the jobs still open (None for one not seen yet)."""
        return [self.seen[job_id] for ids in self.open.values() for job_id in ids]

    def progress(self, elapsed: float, changes: tuple[Change, ...]) -> Progress:
        """The wait's progress: the jobs' overall statuses counted."""
        return tally(self.counts, elapsed, changes)

    def timed_out(self) -> Fault:
        """The fault of the wait's deadline: how many jobs are still open, naming the first
        ten in the order given."""
        still_open = {job_id for ids in self.open.values() for job_id in ids}
        named: list[str] = []
        for state in self.jobs:
            if len(named) == SHOWN_OPEN:
                break
            if state.job_id in still_open:
                status = overall_status(self.seen[state.job_id] or ())
                named.append(f"{state.job_id} ({status.value})")
        more = len(still_open) - len(named)
        return Fault(
            "timeout",
            f"Timed out while waiting for results: {len(still_open)} of {len(self.jobs)} "
            f"jobs still open: {', '.join(named)}{f' and {more} more' if more > 0 else ''}.",
        )


def watch(
    sessions: Sequence[Session],
    jobs: Sequence[JobState],
    plan: WaitPlan,
    report: bool = False,
    vias: Sequence[int] | None = None,
    unshared: AbstractSet[str] = frozenset(),
) -> Step[Result[None, Fault]]:
    """Waits until every job in `jobs` (what their handles know) is terminal, polling the
    open ones together, until the deadline `plan` sets. Job `jobs[i]` is fetched through
    `sessions[vias[i]]` (`vias` None: all through the first). `unshared`: the jobs some
    handle of which knows something else than the state given (the first poll tells it
    what it fetched even when nothing moved).

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
    books = _Books(jobs, vias, unshared, report)
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
                yield from sleep(seconds, None)
            case TimedOut():
                return Failure(books.timed_out())
            case unreachable:
                assert_never(unreachable)
