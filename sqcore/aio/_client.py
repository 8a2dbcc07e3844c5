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

from sqcore._arguments import Submission, canonical_ids, new_job
from sqcore._attempts import Budget, MakeRequest
from sqcore._base import ClientBase
from sqcore._models import CircuitStatus, JobData
from sqcore._session import JobState
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
        """`Client.create_job`, awaited: submits a job and returns its `AsyncJob`."""
        from sqcore.aio._job import AsyncJob

        body, credentials = new_job(circuits, submission, self.circuit_type)
        what = f"submitting a job to {body.target}"
        make_request = self._session.create(body, credentials)
        reply = await self._send(make_request, what, None, idempotent=False)
        return AsyncJob(self, self._session.created(reply, what))

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
        *,
        idempotent: bool = True,
    ) -> bytes:
        """`Client._send`, awaiting the transport and the sleeps."""
        attempts = self._session.attempts(
            what, self.clock, self._rng, budget, idempotent=idempotent
        )
        while True:
            request = attempts.next_request(make_request)
            step = attempts.outcome(request, await self.transport.send(request))
            if isinstance(step, bytes):
                return step
            await self.clock.sleep(step)
