"""Shell: `AsyncJob`, `wait_all` and `as_completed` for asyncio: the twins of `sqcore.Job`
and its waits, on the same `JobHandle`, `Handles` and engine; only the sending and the
sleeping are awaited (`sqcore.aio._driver`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

from returns.result import Result

from sqcore.aio._driver import perform, stream
from sqcore.core.arguments import checked_index, checked_index_type
from sqcore.core.errors import Fault
from sqcore.core.models import CircuitStatus, JobData
from sqcore.core.status import status_of
from sqcore.core.waiting import Polling
from sqcore.engine.effects import Step
from sqcore.shell.handle import JobHandle
from sqcore.shell.steps import OnProgress
from sqcore.shell.watching import Handles

if TYPE_CHECKING:
    from sqcore.aio._client import AsyncClient

__all__ = ["AsyncJob", "as_completed", "wait_all"]

#: Any `AsyncJob`, a subclass's included.
_J = TypeVar("_J", bound="AsyncJob")


class AsyncJob(JobHandle["AsyncClient", Coroutine[object, object, None]]):
    """A job on the Superstaq API, for asyncio, made as `sqcore.Job` is (with an
    `AsyncClient`): its methods that may make a request are coroutines here; `job_id()`,
    equality, hashing, `str`, `dump` and `load` are plain. The same caching rule: once every
    circuit is terminal, no request is made."""

    async def _fetch(self) -> None:
        self._state = await perform(self._refreshing(), [self._client])

    async def _refresh(self) -> tuple[CircuitStatus, ...]:
        settled = self._settled()
        if settled is None:
            await self._fetch()
            settled = self._state.statuses or ()
        return settled

    def _waited(
        self, wait: Step[Result[None, Fault]], on_progress: OnProgress | None
    ) -> Coroutine[object, object, None]:
        return self._waiting(wait, on_progress)

    async def _waiting(
        self, wait: Step[Result[None, Fault]], on_progress: OnProgress | None
    ) -> None:
        async for learned in stream(wait, [self._client], on_progress):
            (self._state,) = learned.states

    async def data(self) -> JobData:
        """The job's `JobData` (`Job.job_data`): fetched on first use, then cached."""
        if not self._holds_data():
            await self._fetch()
        return self._decoded()

    async def target(self) -> str:
        """The target the job was submitted to."""
        return (await self.data()).target

    async def status(self, index: int | None = None) -> CircuitStatus:
        """`Job.status`: the overall status, or circuit `index`'s; refreshes while open."""
        checked_index_type(index)
        statuses = await self._refresh()
        return status_of(statuses, checked_index(statuses, index))

    _status = status  #: upstream's name, as on `Job`

    async def _refresh_job(self) -> None:
        """`Job._refresh_job`: fetches unless every circuit was terminal at the last fetch."""
        await self._refresh()

    async def _repetitions(self) -> int:
        """`Job._repetitions`: the shots of the first circuit."""
        return self._first_shots(await self.data())

    async def _check_if_unsuccessful(self, index: int | None = None) -> None:
        """`Job._check_if_unsuccessful`: raises if the job (or circuit `index`) failed."""
        checked_index_type(index)
        await self._refresh()
        self._unsuccessful(await self.data(), index)

    async def set_counts(self, results: Sequence[Mapping[str, int | float]]) -> None:
        """`Job.set_counts`: every circuit's counts, by hand (fetched first if not cached)."""
        self._store_all_counts(await self.data(), results)

    async def set_counts_for_circuit(self, index: int, counts: Mapping[str, int | float]) -> None:
        """`Job.set_counts_for_circuit`: circuit `index`'s counts, by hand."""
        self._store_circuit_counts(await self.data(), index, counts)

    async def _terminal_measurement_qubit_indices(self, index: int) -> list[int]:
        """`Job._terminal_measurement_qubit_indices`: the measured physical qubits."""
        return self._measured_qubits(await self.data(), index)

    async def to_dict(self) -> dict[str, object]:
        """`Job.to_dict`: refreshes (while open), then the data by field name."""
        await self._refresh()
        return self._plain(await self.data())

    async def cancel(self, index: int | None = None, **kwargs: str) -> None:
        """`Job.cancel`: cancels the whole job (an `index` raises ValueError)."""
        self._whole_job(index)
        await self._client.cancel_jobs([self._job_id], **kwargs)


async def wait_all(
    jobs: Iterable[_J],
    timeout_seconds: float | None = None,
    polling_seconds: Polling = 5,
    on_progress: OnProgress | None = None,
) -> None:
    """`sqcore.wait_all` for asyncio: every open job of a client polled together
    (`polling_seconds`: seconds, or a `Backoff`)."""
    async for _ in as_completed(jobs, timeout_seconds, polling_seconds, on_progress):
        pass


def as_completed(
    jobs: Iterable[_J],
    timeout_seconds: float | None = None,
    polling_seconds: Polling = 5,
    on_progress: OnProgress | None = None,
) -> AsyncIterator[_J]:
    """`sqcore.as_completed` for asyncio: an async iterator of the jobs as they finish
    (`polling_seconds`: seconds, or a `Backoff`).

    Arguments are checked at the call; the iterator raises TimeoutError at the deadline.
    """
    handles = Handles(jobs, _client_of)
    wait = handles.watching(timeout_seconds, polling_seconds, on_progress is not None)
    return _finished(handles, wait, on_progress)


def _client_of(job: AsyncJob) -> AsyncClient:
    return job.client


async def _finished(
    handles: Handles[_J, AsyncClient],
    wait: Step[Result[None, Fault]],
    on_progress: OnProgress | None,
) -> AsyncIterator[_J]:
    async for learned in stream(wait, handles.clients, on_progress):
        for job in handles.take(learned):
            yield job
