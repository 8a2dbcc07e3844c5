"""Shell: `AsyncClient`, the asyncio twin of `Client`: it awaits where `Client` blocks.

Its `Session` builds every request and `Attempts` decides after each one (`sqcore._attempts`),
exactly as for `Client`; this module only awaits the transport and the clock's sleep.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from sqcore._arguments import JobFilters, Submission, canonical_ids, job_query
from sqcore._attempts import Budget, MakeRequest
from sqcore._base import ClientBase
from sqcore._errors import SuperstaqException
from sqcore._models import CircuitStatus, JobData
from sqcore._session import JobState, Submitting
from sqcore._wire import parse_cancel_reply
from transports._types import AsyncTransport

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from sqcore.aio._job import AsyncJob

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

    def _default_transport(self) -> AsyncTransport:
        from transports._threaded import ThreadedTransport

        return ThreadedTransport()

    def _default_clock(self) -> AsyncClock:
        return SystemAsyncClock()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- public API ----------------------------------------------------------------------

    async def fetch_jobs(
        self, job_ids: Sequence[str | uuid.UUID], **kwargs: str
    ) -> dict[str, JobData]:
        """`Client.fetch_jobs`, awaited."""
        jobs: dict[str, JobData] = {}
        async for batch, body in self._replies(canonical_ids(job_ids), None, kwargs):
            jobs.update(self._session.jobs(body, batch))
        return jobs

    async def cancel_jobs(self, job_ids: Sequence[str | uuid.UUID], **kwargs: str) -> list[str]:
        """`Client.cancel_jobs`, awaited."""
        ids = canonical_ids(job_ids)
        if not ids:
            return []
        what = f"cancelling job(s) {', '.join(ids)}"
        body = await self._send(self._session.cancel(ids, kwargs), what, None)
        result = self._session.value(parse_cancel_reply(body), what)
        self._session.warn(result.warnings)
        return list(result.succeeded)

    async def create_job(self, circuits: str, **submission: Unpack[Submission]) -> AsyncJob:
        """`Client.create_job`, awaited: submits a job and returns its `AsyncJob`.

        Cancelled after its request was sent (`asyncio.wait_for`, `asyncio.timeout`, a
        task's `cancel()`), it logs a warning that the job may have been created and how to
        find it (its submission tag, if any), and the `CancelledError` it re-raises carries
        the same as a note (`add_note`); cancelled before, it adds nothing.
        """
        from sqcore.aio._job import AsyncJob

        submitting = self._session.submission(circuits, submission, self.clock.time())
        try:
            reply = await self._send(submitting.request, submitting.what, None, submitting)
            return AsyncJob(self, self._session.created(reply, submitting))
        except SuperstaqException as error:
            if not error.may_have_been_created or error.submission_tag is None:
                raise
            try:
                found = await self._found_again(submitting, error.submission_tag)
            except asyncio.CancelledError as cancelled:
                self._session.interrupted(cancelled, submitting)
                raise
            if found is None:
                raise
            return found

    async def find_jobs(self, **filters: Unpack[JobFilters]) -> list[AsyncJob]:
        """`Client.find_jobs`, awaited: the jobs found, each with its data cached."""
        query = job_query(filters)
        body = await self._send(self._session.find(query), "finding jobs", None)
        from sqcore._handle import adopted
        from sqcore.aio._job import AsyncJob

        found = self._session.found(body, query)
        return [adopted(AsyncJob(self, job_id), data) for job_id, data in found.items()]

    async def _found_again(self, submitting: Submitting, tag: str) -> AsyncJob | None:
        """`Client._found_again`, awaited."""
        try:
            return self._session.found_again(submitting, await self.find_jobs(tags=[tag]))
        except (SuperstaqException, TimeoutError) as failure:
            return self._session.found_again(submitting, failure)

    # -- the interface of AsyncJob, wait_all and as_completed ------------------------------

    async def _poll(
        self,
        ids: Sequence[str],
        deadline: float | None,
        keep: Callable[[tuple[CircuitStatus, ...]], bool],
        credentials: Mapping[str, str],
    ) -> dict[str, JobState]:
        """`Client._poll`, awaited."""
        states: dict[str, JobState] = {}
        async for batch, body in self._replies(ids, deadline, credentials):
            states.update(self._session.states(body, batch, keep))
        return states

    async def _replies(
        self, ids: Sequence[str], deadline: float | None, credentials: Mapping[str, str]
    ) -> AsyncIterator[tuple[tuple[str, ...], bytes]]:
        budget = self._session.budget(self.clock.monotonic(), deadline)
        for batch, make_request, what in self._session.fetches(ids, credentials):
            yield batch, await self._send(make_request, what, budget)

    async def _send(
        self,
        make_request: MakeRequest,
        what: str,
        budget: Budget | None,
        submitting: Submitting | None = None,
    ) -> bytes:
        """`Client._send`, awaiting the transport and the sleeps; a submission cancelled
        while its request is out says so (a cancelled sleep is before any such request)."""
        attempts = self._session.attempts(
            what,
            self.clock,
            self._rng,
            budget,
            None if submitting is None else submitting.find_again,
        )
        while True:
            request = attempts.next_request(make_request)
            try:
                sent = await self.transport.send(request)
            except asyncio.CancelledError as cancelled:
                if submitting is not None:
                    self._session.interrupted(cancelled, submitting)
                raise
            step = attempts.outcome(request, sent)
            if isinstance(step, bytes):
                return step
            await self.clock.sleep(step)
