"""Shell: `AsyncJob`, `wait_all` and `as_completed` for asyncio: the twins of `sqcore.Job`
and its waits, on the same `JobHandle`, `JobWait` and `BatchWatch`; only the fetching and
the sleeping are awaited.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

from sqcore._arguments import checked_index
from sqcore._handle import JobHandle, keep_every_reply, restored
from sqcore._models import CircuitStatus, JobData
from sqcore._session import JobState
from sqcore._status import is_terminal, status_of
from sqcore._wait import Backoff
from sqcore._watch import BatchWatch, OnProgress

if TYPE_CHECKING:
    from sqcore.aio._client import AsyncClient

__all__ = ["AsyncJob", "as_completed", "wait_all"]

#: Any `AsyncJob`, a subclass's included.
_J = TypeVar("_J", bound="AsyncJob")


class AsyncJob(JobHandle["AsyncClient"]):
    """A job on the Superstaq API, for asyncio, made as `sqcore.Job` is (with an
    `AsyncClient`): its methods that may make a request are coroutines here; `job_id()`,
    equality, hashing, `str`, `dump` and `load` are plain. The same caching rule: once every
    circuit is terminal, no request is made."""

    @classmethod
    def load(cls, client: AsyncClient, data: bytes | str) -> AsyncJob:
        """`Job.load` for asyncio: a job restored from `dump()`'s bytes (no request)."""
        job_id, state = restored(data)
        job = cls(client, job_id)
        job._state = state
        return job

    async def _fetch(self, deadline: float | None = None) -> JobState:
        state = (await self._client._poll([self._id], deadline, keep_every_reply, {}))[self._id]
        self._adopt(state)
        return state

    async def _refresh(self, deadline: float | None = None) -> tuple[CircuitStatus, ...]:
        if self._state is not None and self._is_settled():
            return self._state.statuses
        return (await self._fetch(deadline)).statuses

    async def data(self) -> JobData:
        """The job's `JobData` (`Job.job_data`): fetched on first use, then cached."""
        state = self._state
        if state is None or (state.data is None and state.reply is None):
            state = await self._fetch()
        self._state, data = self._client._session.decoded(self._id, state)
        return data

    async def target(self) -> str:
        """The target the job was submitted to."""
        return (await self.data()).target

    async def status(self, index: int | None = None) -> CircuitStatus:
        """`Job.status`: the overall status, or circuit `index`'s; refreshes while open."""
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

    async def wait_until_terminal_state(
        self,
        index: int | None = None,
        timeout_seconds: float | None = None,
        polling_seconds: float | Backoff = 5,
        check_until_compiled: bool = False,
        on_progress: OnProgress | None = None,
    ) -> None:
        """`Job.wait_until_terminal_state`, awaited; cancelling the task ends it at once."""
        clock = self._client.clock
        wait = self._wait(
            index, timeout_seconds, polling_seconds, check_until_compiled, on_progress
        )
        while (
            pause := wait.after(await self._refresh(wait.deadline), clock.monotonic())
        ) is not None:
            await clock.sleep(pause)

    async def wait_until_complete(
        self,
        index: int | None = None,
        timeout_seconds: float | None = None,
        polling_seconds: float | Backoff = 5,
        on_progress: OnProgress | None = None,
    ) -> None:
        """`Job.wait_until_complete`, awaited."""
        await self.wait_until_terminal_state(
            index, timeout_seconds, polling_seconds, False, on_progress
        )


async def wait_all(
    jobs: Iterable[_J],
    timeout_seconds: float | None = None,
    polling_seconds: float | Backoff = 5,
    on_progress: OnProgress | None = None,
) -> None:
    """`sqcore.wait_all` for asyncio: every open job of a client polled together."""
    async for _ in as_completed(jobs, timeout_seconds, polling_seconds, on_progress):
        pass


def as_completed(
    jobs: Iterable[_J],
    timeout_seconds: float | None = None,
    polling_seconds: float | Backoff = 5,
    on_progress: OnProgress | None = None,
) -> AsyncIterator[_J]:
    """`sqcore.as_completed` for asyncio: an async iterator of the jobs as they finish.

    Arguments are checked at the call; the iterator raises TimeoutError at the deadline.
    """
    watch = BatchWatch.starting_now(
        jobs,
        timeout_seconds=timeout_seconds,
        polling_seconds=polling_seconds,
        on_progress=on_progress,
    )
    return _watching(watch)


async def _watching(watch: BatchWatch[_J]) -> AsyncIterator[_J]:
    if not watch.jobs:
        return
    clock = watch.jobs[0]._client.clock
    for job in watch.finished():  # terminal already (a cache, a restored job): no request
        yield job
    while True:
        for group in watch.polls():
            ids = [job._id for job in group]
            watch.absorb(await group[0]._client._poll(ids, watch.deadline, is_terminal, {}))
        for job in watch.finished():
            yield job
        pause = watch.after(clock.monotonic())
        if pause is None:
            return
        await clock.sleep(pause)
