"""Shell: `Job` (upstream `general_superstaq.job.Job`'s documented interface) and `wait_all`.

A Job caches its `JobData` and fetches again only while some circuit is open: once every
circuit is terminal, no request is ever made for it again. Waits keep one monotonic
deadline that counts request time, and never sleep past it (`sqcore._wait.decide_wait`).
"""

from __future__ import annotations

import enum
import math
import uuid
from collections.abc import Callable, Iterable
from typing import ClassVar

import msgspec

from sqcore._client import Client, Polled
from sqcore._errors import SuperstaqUnsuccessfulJobException
from sqcore._models import STATUS_PRIORITY_ORDER, CircuitStatus, JobData
from sqcore._status import failure_summary, index_error, is_terminal, needs_refresh, overall_status
from sqcore._wait import Done, SleepFor, TimedOut, assert_never, decide_wait, open_ids
from sqcore._wire import EncodedJob

__all__ = ["Job", "Progress", "wait_all"]


class Progress(msgspec.Struct, frozen=True):
    """A snapshot of a wait, passed to `on_progress` once per poll.

    Attributes:
        counts: How many jobs (or, for one job, circuits) are in each status, in
            `STATUS_PRIORITY_ORDER`; statuses with none are left out.
        done: How many of them are terminal.
        total: How many there are.
        elapsed_seconds: Time since the wait began.
    """

    counts: tuple[tuple[CircuitStatus, int], ...]
    done: int
    total: int
    elapsed_seconds: float


def _progress(statuses: list[CircuitStatus], elapsed: float) -> Progress:
    counts = tuple((status, n) for status in STATUS_PRIORITY_ORDER if (n := statuses.count(status)))
    return Progress(counts, sum(1 for s in statuses if is_terminal((s,))), len(statuses), elapsed)


def _check_wait_args(timeout_seconds: float | None, polling_seconds: float) -> None:
    for name, value in (("timeout_seconds", timeout_seconds), ("polling_seconds", polling_seconds)):
        if value is None and name == "timeout_seconds":  # None: the client's default
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
        if math.isnan(value) or value < 0:
            raise ValueError(f"{name} must be >= 0, got {value!r}")


class Job:
    """A job on the Superstaq API: its status across every circuit, its data, cancel, wait.

    Args:
        client: The client used for calling the API.
        job_id: The job's id (a UUID, or its string form).

    Raises:
        ValueError: `job_id` is not a valid UUID.
    """

    STATUS_PRIORITY_ORDER: ClassVar[tuple[CircuitStatus, ...]] = STATUS_PRIORITY_ORDER

    def __init__(self, client: Client, job_id: uuid.UUID | str) -> None:
        if isinstance(job_id, uuid.UUID):
            self._job_id = job_id
        elif isinstance(job_id, str):
            try:
                self._job_id = uuid.UUID(job_id)
            except ValueError:
                raise ValueError(f"{job_id!r} is not a valid job id (expected a UUID)") from None
        else:
            raise TypeError(f"job_id must be a str or uuid.UUID, not {type(job_id).__name__}")
        self._key = str(self._job_id)  # the canonical form the API is asked with
        self._client = client
        # What the last fetch said: the statuses (all a status decision needs), the rest of
        # the data still encoded (None when a batched wait did not keep it), and the data
        # decoded once someone read it.
        self._statuses: list[CircuitStatus] | None = None
        self._encoded: EncodedJob | None = None
        self._data: JobData | None = None

    # -- identity ------------------------------------------------------------------------

    def job_id(self) -> uuid.UUID:
        """The job's unique id."""
        return self._job_id

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Job):
            return NotImplemented
        return self._job_id == other._job_id

    def __hash__(self) -> int:
        return hash(self._job_id)

    def __str__(self) -> str:
        return f"Job with job_id={self._job_id}"

    def __repr__(self) -> str:
        return f"Job(job_id={str(self._job_id)!r})"

    # -- data ----------------------------------------------------------------------------

    def _refresh(self, deadline: float | None = None, **kwargs: str) -> list[CircuitStatus]:
        """Fetches the job if it is not terminal yet; returns its (possibly cached) statuses."""
        if needs_refresh(self._statuses):
            key = self._key
            self._update(self._client._poll([key], kwargs, deadline, _always)[key])
        assert self._statuses is not None
        return self._statuses

    def _update(self, polled: Polled) -> None:
        """Takes in what a poll saw; the full data is decoded again only when read."""
        self._statuses = polled.statuses
        self._encoded = polled.encoded
        self._data = None

    @property
    def job_data(self) -> JobData:
        """The job's data, fetched on first use and decoded when first read.

        Later reads use the cached copy until a status check fetches the job again.
        """
        if self._data is None:
            if self._encoded is None:
                self._statuses = None  # known statuses alone cannot give the data: fetch
                self._refresh()
            assert self._encoded is not None
            self._data = self._client._decode(self._encoded, self._key)
            self._encoded = None  # decoded: the encoded copy would only double the memory
        return self._data

    def target(self) -> str:
        """The target the job was submitted to."""
        return self.job_data.target

    @property
    def tags(self) -> list[str]:
        """The tags attached to the job."""
        return self.job_data.tags

    @property
    def metadata(self) -> dict[str, object]:
        """The metadata passed when the job was created."""
        return self.job_data.metadata

    def to_dict(self) -> dict[str, object]:
        """Refreshes (while not terminal) and returns the job's data by field name.

        Keys and values are those of upstream's `JobData.model_dump()`: enums as their
        string values, timestamps as `datetime`s.
        """
        self._refresh()
        data = self.job_data
        return {name: _plain(getattr(data, name)) for name in data.__struct_fields__}

    # -- status --------------------------------------------------------------------------

    def _checked_index(self, statuses: list[CircuitStatus], index: int | None) -> int | None:
        if index is None:
            return None
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"index must be an int or None, not {type(index).__name__}")
        problem = index_error(index, len(statuses))
        if problem is not None:
            raise IndexError(problem)
        return index

    def _status_of(self, statuses: list[CircuitStatus], index: int | None) -> CircuitStatus:
        return overall_status(statuses) if index is None else statuses[index]

    def status(self, index: int | None = None) -> CircuitStatus:
        """The job's overall status, or circuit `index`'s; refreshes while not terminal.

        The overall status is the first status in `STATUS_PRIORITY_ORDER` that any circuit
        has (so one running circuit makes the job "running").

        Raises:
            IndexError: `index` is out of range (the message names the valid range).
            SuperstaqServerException, SuperstaqException, TimeoutError: as `fetch_jobs`.
        """
        statuses = self._refresh()
        return self._status_of(statuses, self._checked_index(statuses, index))

    def _check_if_unsuccessful(self, index: int | None = None) -> None:
        """Raises if the job (or circuit `index`) failed, was cancelled or was deleted.

        Raises:
            SuperstaqUnsuccessfulJobException: With the failed circuits and their messages,
                or the unsuccessful status.
        """
        statuses = self._refresh()
        checked = self._checked_index(statuses, index)
        status = self._status_of(statuses, checked)
        if status is CircuitStatus.FAILED:
            data = self.job_data
            summary = failure_summary(data.statuses, data.status_messages, checked)
            raise SuperstaqUnsuccessfulJobException(self._key, summary or status.value)
        if status in (CircuitStatus.CANCELLED, CircuitStatus.DELETED):
            raise SuperstaqUnsuccessfulJobException(self._key, status.value)

    def cancel(self, index: int | None = None, **kwargs: str) -> None:
        """Cancels the job: every circuit not yet terminal.

        Args:
            index: Must be None: the v0.3.0 API cancels whole jobs only.
            **kwargs: Provider credentials for this call.

        Raises:
            ValueError: An `index` was given (cancelling one circuit is not possible, and
                sqcore never cancels more than was asked).
            SuperstaqServerException, SuperstaqException, TimeoutError: as `cancel_jobs`.
        """
        if index is not None:
            raise ValueError(
                f"cannot cancel only circuit {index}: the Superstaq v0.3.0 API cancels whole "
                "jobs; call cancel() without an index to cancel every circuit of the job"
            )
        self._client.cancel_jobs([self._job_id], **kwargs)

    def wait_until_complete(
        self,
        index: int | None = None,
        timeout_seconds: float | None = None,
        polling_seconds: float = 5,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> None:
        """Waits until the job (or circuit `index`) is in a terminal state.

        Args:
            index: Wait only for this circuit.
            timeout_seconds: Wall-clock seconds to wait in all, request time included; None
                means the client's `max_retry_seconds`; 0 means one status check, no wait.
            polling_seconds: Seconds between status checks (>= 0).
            on_progress: Called once per check with a `Progress` of the circuits.

        Raises:
            ValueError: `timeout_seconds` or `polling_seconds` is negative.
            IndexError: `index` is out of range.
            TimeoutError: Still not terminal at the deadline: "Timed out while waiting for
                results. Final status was '<status>'."
        """
        _check_wait_args(timeout_seconds, polling_seconds)
        clock = self._client.clock
        start = clock.monotonic()
        budget = self._client.max_retry_seconds if timeout_seconds is None else timeout_seconds
        deadline = start + budget
        while True:
            statuses = self._refresh(deadline)
            checked = self._checked_index(statuses, index)
            status = self._status_of(statuses, checked)
            now = clock.monotonic()
            if on_progress is not None:
                circuits = statuses if checked is None else [statuses[checked]]
                on_progress(_progress(list(circuits), now - start))
            match decide_wait(now, deadline, status, polling_seconds):
                case Done():
                    return
                case TimedOut(status=final):
                    raise TimeoutError(
                        f"Timed out while waiting for results. Final status was '{final.value}'."
                    )
                case SleepFor(seconds=seconds):
                    clock.sleep(seconds)
                case unreachable:
                    assert_never(unreachable)


def _always(_statuses: list[CircuitStatus]) -> bool:
    return True


def _plain(value: object) -> object:
    """Enums become their values, recursively through lists (as pydantic's model_dump)."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


def wait_all(
    jobs: Iterable[Job],
    timeout_seconds: float | None = None,
    polling_seconds: float = 5,
    on_progress: Callable[[Progress], None] | None = None,
) -> None:
    """Waits until every job is terminal, fetching all open jobs of a client together.

    Each poll fetches the still-open jobs of each client in as few requests as the URL
    length allows (ids in batches), never one request per job; terminal jobs are never
    fetched again. Each job's cached data is updated, so `job.status()` afterwards makes no
    request.

    Args:
        jobs: The jobs (of one or several clients).
        timeout_seconds: Wall-clock seconds for the whole wait; None means the largest
            `max_retry_seconds` of the jobs' clients.
        polling_seconds: Seconds between polls (>= 0).
        on_progress: Called once per poll with a `Progress` of the jobs' overall statuses.

    Raises:
        ValueError: A negative `timeout_seconds` or `polling_seconds`.
        TimeoutError: Some jobs are still open at the deadline; the message says how many
            and their statuses.
    """
    _check_wait_args(timeout_seconds, polling_seconds)
    unique_jobs = list(dict.fromkeys(jobs))
    if not unique_jobs:
        return
    groups: dict[int, tuple[Client, list[Job]]] = {}
    for job in unique_jobs:
        groups.setdefault(id(job._client), (job._client, []))[1].append(job)
    clock = unique_jobs[0]._client.clock
    start = clock.monotonic()
    budget = (
        max(client.max_retry_seconds for client, _ in groups.values())
        if timeout_seconds is None
        else timeout_seconds
    )
    deadline = start + budget
    while True:
        for client, members in groups.values():
            by_id = {job._key: job for job in members}
            stale = open_ids({key: job._statuses for key, job in by_id.items()})
            if stale:
                # Only jobs now terminal keep their data: an open job's would be stale by
                # the next poll, and holding it for thousands of jobs costs memory.
                polled = client._poll(stale, {}, deadline, is_terminal)
                for key in stale:
                    by_id[key]._update(polled[key])
        statuses = [overall_status(job._statuses) for job in unique_jobs if job._statuses]
        now = clock.monotonic()
        if on_progress is not None:
            on_progress(_progress(statuses, now - start))
        match decide_wait(now, deadline, overall_status(statuses), polling_seconds):
            case Done():
                return
            case SleepFor(seconds=seconds):
                clock.sleep(seconds)
            case TimedOut():
                raise TimeoutError(_still_open_message(unique_jobs, statuses))
            case unreachable:
                assert_never(unreachable)


def _still_open_message(jobs: list[Job], statuses: list[CircuitStatus]) -> str:
    still_open = [
        (job, status)
        for job, status in zip(jobs, statuses, strict=True)
        if not is_terminal((status,))
    ]
    shown = ", ".join(f"{job._job_id} ({status.value})" for job, status in still_open[:10])
    more = f" and {len(still_open) - 10} more" if len(still_open) > 10 else ""
    return (
        f"Timed out while waiting for results: {len(still_open)} of {len(jobs)} jobs still "
        f"open: {shown}{more}."
    )
