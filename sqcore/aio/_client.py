"""Shell: `AsyncClient`, the asyncio twin of `Client`: arguments in, the asyncio driver,
results out. Its `Session` builds what it sends and the engine (`sqcore.engine`) decides,
exactly as for `Client`; only the sending and the sleeping are awaited (`sqcore.aio._driver`).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from sqcore.aio._driver import perform
from sqcore.aio._job import AsyncJob
from sqcore.core.arguments import JobFilters, Submission, canonical_ids, job_query
from sqcore.core.models import JobData
from sqcore.engine import calls, submit
from sqcore.shell.base import ClientBase
from transports._types import AsyncTransport

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["AsyncClient", "AsyncClock", "SystemAsyncClock"]


class AsyncClock(Protocol):
    """Time as the asyncio shell sees it: a monotonic clock, the wall clock, an awaited
    sleep (tests pass a fake one whose sleep only moves its time)."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (deadlines are measured on it)."""
        ...

    def time(self) -> float:
        """Wall-clock epoch seconds (only to read Retry-After dates)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Waits `seconds` without blocking the event loop."""
        ...


class SystemAsyncClock:
    """The real clock: `time.monotonic`, `time.time` and `asyncio.sleep`."""

    def monotonic(self) -> float:
        """Returns `time.monotonic()`."""
        return time.monotonic()

    def time(self) -> float:
        """Returns `time.time()`."""
        return time.time()

    async def sleep(self, seconds: float) -> None:
        """Awaits `asyncio.sleep(seconds)`."""
        await asyncio.sleep(seconds)


class AsyncClient(ClientBase[AsyncTransport, AsyncClock]):
    """A connection to the Superstaq API (v0.3.0) for asyncio code.

    The arguments and their checks are `sqcore.Client`'s, except that `transport` is an
    `AsyncTransport` (default: `transports.ThreadedTransport()`, the blocking
    `Urllib3Transport` in a worker thread) and `clock` an `AsyncClock`. A transport whose
    `send` blocks (is not a coroutine function) is refused with a TypeError.
    """

    _AWAITS_TRANSPORT = True

    def _defaults(self) -> tuple[Callable[[], AsyncTransport], Callable[[], AsyncClock]]:
        from transports import ThreadedTransport

        return ThreadedTransport, SystemAsyncClock

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    # -- public API ----------------------------------------------------------------------

    async def fetch_jobs(
        self, job_ids: Sequence[str | uuid.UUID], **kwargs: str
    ) -> dict[str, JobData]:
        """`Client.fetch_jobs`, awaited."""
        ids, headers = canonical_ids(job_ids), self._session.headers(kwargs)
        return await perform(calls.fetch_jobs(self._session, ids, headers), [self])

    async def cancel_jobs(self, job_ids: Sequence[str | uuid.UUID], **kwargs: str) -> list[str]:
        """`Client.cancel_jobs`, awaited."""
        ids, headers = canonical_ids(job_ids), self._session.headers(kwargs)
        return await perform(calls.cancel(self._session, ids, headers), [self])

    async def create_job(self, circuits: str, **submission: Unpack[Submission]) -> AsyncJob:
        """`Client.create_job`, awaited: submits a job and returns its `AsyncJob`.

        Cancelled after its request was sent (`asyncio.wait_for`, `asyncio.timeout`, a
        task's `cancel()`), it logs a warning that the job may have been created and how to
        find it (its submission tag, if any), and the `CancelledError` it re-raises carries
        the same as a note (`add_note`); cancelled before, it adds nothing.
        """
        submitting = self._session.submission(circuits, submission, uuid.uuid4())
        return AsyncJob.knowing(
            self, await perform(submit.create(self._session, submitting), [self])
        )

    async def find_jobs(self, **filters: Unpack[JobFilters]) -> list[AsyncJob]:
        """`Client.find_jobs`, awaited: the jobs found, each with its data cached."""
        query = job_query(filters)
        found = calls.find(self._session, self._session.find(query), query.job_ids)
        return [AsyncJob.knowing(self, state) for state in await perform(found, [self])]
