"""Shell: `Job` (upstream `general_superstaq.job.Job`'s documented interface), `wait_all`
and `as_completed`, blocking: arguments in, the blocking driver, results out.

A Job caches what the last fetch said (`JobState`) and fetches again only while some
circuit is open: once every circuit is terminal, no request is ever made for it again.
Waits keep one monotonic deadline that counts request time, and never sleep past it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

from returns.result import Result

from sqcore._driver import perform, stream
from sqcore.core.arguments import checked_index, checked_index_type
from sqcore.core.errors import Fault
from sqcore.core.models import CircuitStatus, JobData
from sqcore.core.status import status_of
from sqcore.core.waiting import Backoff
from sqcore.engine.effects import Step
from sqcore.shell.handle import JobHandle
from sqcore.shell.steps import OnProgress
from sqcore.shell.watching import Handles

if TYPE_CHECKING:
    from sqcore._client import Client

__all__ = ["Job", "as_completed", "wait_all"]

#: Any `Job`, a subclass's (an SDK's job class) included: the waits hand back what they got.
_J = TypeVar("_J", bound="Job")


class Job(JobHandle["Client", None]):
    """A job on the Superstaq API: its status across every circuit, its data, cancel, wait.

    Args:
        client: The client used for calling the API.
        job_id: The job's id (a UUID, or its string form).

    Raises:
        ValueError: `job_id` is not a valid UUID.
        TypeError: `job_id` is neither a str nor a UUID.
    """

    def _fetch(self) -> None:
        """Fetches the job (its statuses and its JSON) and caches what came back."""
        self._state = perform(self._refreshing(), [self._client])

    def _refresh(self) -> tuple[CircuitStatus, ...]:
        """The job's statuses: fetched while some circuit is open, else the cached ones."""
        settled = self._settled()
        if settled is None:
            self._fetch()
            settled = self._state.statuses or ()
        return settled

    def _waited(self, wait: Step[Result[None, Fault]], on_progress: OnProgress | None) -> None:
        for learned in stream(wait, [self._client], on_progress):
            (self._state,) = learned.states

    @property
    def job_data(self) -> JobData:
        """The job's data, fetched on first use and decoded when first read.

        Later reads use the cached copy until a status check fetches the job again.
        """
        if not self._holds_data():
            self._fetch()  # statuses alone cannot give the data: fetch it
        return self._decoded()

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

        Keys and values are those of upstream's `JobData.model_dump()`: enum fields as their
        members (`CircuitStatus.COMPLETED`, a str enum), timestamps as `datetime`s, every
        list and dict a copy.
        """
        self._refresh()
        return self._plain(self.job_data)

    def status(self, index: int | None = None) -> CircuitStatus:
        """The job's overall status, or circuit `index`'s; refreshes while not terminal.

        The overall status is the first status in `STATUS_PRIORITY_ORDER` that any circuit
        has (so one running circuit makes the job "running"); RECEIVED for a job without
        circuits, as upstream.

        Raises:
            TypeError: `index` is not an int or None.
            ValueError: `index` is negative (as upstream; checked before any request).
            IndexError: `index` is past the last circuit (the message names the valid range).
            SuperstaqServerException, SuperstaqException, TimeoutError: as `fetch_jobs`.
        """
        checked_index_type(index)
        statuses = self._refresh()
        return status_of(statuses, checked_index(statuses, index))

    #: Upstream's name (0.5.70) of the same function, which the SDKs' job classes call or
    #: take as their `status`; a subclass that overrides `status` leaves it as it is.
    #: sqcore's own waits call neither.
    _status = status

    def _refresh_job(self) -> None:
        """Fetches the job unless every circuit was terminal at the last fetch (upstream's
        name; `status()` and `job_data` call it as needed)."""
        self._refresh()

    def _repetitions(self) -> int:
        """The shots of the job's first circuit (upstream's name; the SDKs expose it as
        `repetitions()` or `shots()`).

        Raises:
            IndexError: The job has no circuits.
        """
        return self._first_shots(self.job_data)

    def set_counts(self, results: Sequence[Mapping[str, int | float]]) -> None:
        """Sets the counts of every circuit by hand, e.g. from an experiment run elsewhere.

        Each mapping goes to `set_counts_for_circuit`'s rules; all are checked before any
        is stored. They are kept in `job_data.counts` (and shown by `to_dict()`, saved by
        `dump()`) until a later fetch of a job not yet terminal replaces the data, as
        upstream.

        Args:
            results: One mapping of bitstrings to counts (or probabilities) per circuit.

        Raises:
            TypeError: Not a sequence of mappings of str to numbers.
            ValueError: Not one mapping per circuit.
        """
        self._store_all_counts(self.job_data, results)

    def set_counts_for_circuit(self, index: int, counts: Mapping[str, int | float]) -> None:
        """Sets circuit `index`'s counts by hand, in `job_data.counts`.

        Bitstrings are read in the class's `endianness`: with `Endian.LITTLE` (a Qiskit job
        class) each is reversed before it is stored, as the server keeps them big-endian.

        Args:
            index: The circuit.
            counts: Bitstrings to counts (or probabilities), e.g. `{"00": 60, "11": 40}`.

        Raises:
            IndexError: `index` is out of range.
            TypeError: `counts` is not a mapping of str to numbers.
        """
        self._store_circuit_counts(self.job_data, index, counts)

    def _terminal_measurement_qubit_indices(self, index: int) -> list[int]:
        """The physical qubit of each bit of circuit `index`'s bitstrings, in (big-endian)
        bitstring order, assuming every qubit is measured at the end (upstream's rule:
        the circuit's final logical-to-physical map, by logical qubit). The SDKs override
        it and call it through `super()`.

        Raises:
            ValueError: The circuit is not compiled yet ("Circuit must be compiled before
                counts are set.", upstream's words).
            IndexError: `index` is out of range.
        """
        return self._measured_qubits(self.job_data, index)

    def _check_if_unsuccessful(self, index: int | None = None) -> None:
        """Raises if the job (or circuit `index`) failed; refreshes while not terminal. A
        cancelled or deleted job passes, as in upstream 0.5.70.

        Raises:
            SuperstaqUnsuccessfulJobException: With the failed circuits and their messages.
            TypeError, ValueError, IndexError: `index` is not an int or None, negative
                (checked before any request, as upstream), or past the last circuit.
        """
        checked_index_type(index)
        self._refresh()
        self._unsuccessful(self.job_data, index)

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
        self._whole_job(index)
        self._client.cancel_jobs([self._job_id], **kwargs)


def wait_all(
    jobs: Iterable[_J],
    timeout_seconds: float | None = None,
    polling_seconds: float | Backoff = 5,
    on_progress: OnProgress | None = None,
) -> None:
    """Waits until every job is terminal, fetching all open jobs of a client together.

    Each poll fetches the still-open jobs of each client in as few requests as the URL
    length allows (ids in batches), never one request per job; terminal jobs are never
    fetched again. Each job's cache is updated, so `job.status()` afterwards makes no
    request.

    Args:
        jobs: The jobs (of one or several clients; any subclass of `Job`).
        timeout_seconds: Wall-clock seconds for the whole wait; None means the largest
            `max_retry_seconds` of the jobs' clients.
        polling_seconds: Seconds between polls (>= 0; below 0.1, 0.1 with a
            `SuperstaqWarning`), or a `Backoff`.
        on_progress: Called once per poll with a `Progress` of the jobs' overall statuses
            and what changed.

    Raises:
        ValueError, TypeError: A bad `timeout_seconds` or `polling_seconds`.
        TimeoutError: Some jobs are still open at the deadline; the message says how many
            and their statuses.
    """
    for _ in as_completed(jobs, timeout_seconds, polling_seconds, on_progress):
        pass


def as_completed(
    jobs: Iterable[_J],
    timeout_seconds: float | None = None,
    polling_seconds: float | Backoff = 5,
    on_progress: OnProgress | None = None,
) -> Iterator[_J]:
    """Yields each job as soon as a poll sees it terminal (as `concurrent.futures`).

    Polls as `wait_all` does (batched, open jobs only, one deadline). A job yielded has its
    data cached: reading it makes no request. Jobs already terminal come first.

    Args:
        jobs: The jobs (of one or several clients); each job is yielded once, as one of
            its handles when several equal ones are given.
        timeout_seconds: Wall-clock seconds for the whole wait; None means the largest
            `max_retry_seconds` of the jobs' clients.
        polling_seconds: Seconds between polls (>= 0; below 0.1, 0.1 with a
            `SuperstaqWarning`), or a `Backoff`.
        on_progress: Called once per poll with a `Progress`.

    Raises:
        ValueError, TypeError: A bad argument, at the call (not at the first `next`).
        TimeoutError: From the iterator, at the deadline: how many jobs are still open.
    """
    handles = Handles(jobs, _client_of)
    wait = handles.watching(timeout_seconds, polling_seconds, on_progress is not None)
    return _finished(handles, wait, on_progress)


def _client_of(job: Job) -> Client:
    return job.client


def _finished(
    handles: Handles[_J, Client],
    wait: Step[Result[None, Fault]],
    on_progress: OnProgress | None,
) -> Iterator[_J]:
    for learned in stream(wait, handles.clients, on_progress):
        yield from handles.take(learned)
