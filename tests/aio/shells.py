"""The two shells behind one face, so one table of behaviours drives both.

A `Shell` makes a client and jobs on a transport, and offers the job methods and the waits
as coroutines: `AsyncShell` is `sqcore.aio` itself; `SyncShell` calls the blocking `Client`
and `Job` inside coroutines. The clock is a fake whose sleep only moves its time (the async
one also yields to the event loop once, so a task can be cancelled there).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeGuard

from returns.result import Result

import sqcore
import sqcore.aio
from sqcore import Backoff, CircuitStatus, JobData, Progress
from sqcore.shell.base import is_async
from tests.fakes import FakeClock
from transports import AsyncTransport, Request, Response, Transport, TransportError

KEY = "sk-test-AIO-8c1e"
HOST = "https://superstaq.example"

Polling = float | Backoff
OnProgress = Callable[[Progress], None]


class AsyncFakeClock(FakeClock):
    """`FakeClock` with an awaited sleep, for `sqcore.aio`."""

    async def sleep(self, seconds: float) -> None:  # type: ignore[override]
        FakeClock.sleep(self, seconds)
        await asyncio.sleep(0)


class Awaited:
    """A blocking `Transport` answered inside a coroutine (for in-process fakes only)."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner

    async def send(self, request: Request) -> Result[Response, TransportError]:
        return self.inner.send(request)


def _is_blocking(transport: Transport | AsyncTransport) -> TypeGuard[Transport]:
    return not is_async(transport.send)


def _awaitable(transport: Transport | AsyncTransport) -> AsyncTransport:
    """`transport` as an AsyncTransport: an async one as it is, a blocking fake `Awaited`."""
    if _is_blocking(transport):
        return Awaited(transport)
    assert isinstance(transport, AsyncTransport)
    return transport


class AnyJob(Protocol):
    """What the table asks of a job, whichever the shell."""

    def job_id(self) -> object: ...

    def dump(self) -> bytes: ...

    async def status(self, index: int | None = None) -> CircuitStatus: ...

    async def data(self) -> JobData: ...

    async def target(self) -> str: ...

    async def to_dict(self) -> dict[str, object]: ...

    async def cancel(self, index: int | None = None) -> None: ...

    async def wait(
        self,
        index: int | None = None,
        timeout_seconds: float | None = None,
        polling_seconds: Polling = 5,
        check_until_compiled: bool = False,
        on_progress: OnProgress | None = None,
    ) -> None: ...


class Shell(Protocol):
    """One of the two shells, as the table drives it."""

    name: str
    clock: FakeClock

    def job(self, job_id: str) -> AnyJob: ...

    def load(self, data: bytes) -> AnyJob: ...

    async def create(self, circuits: str, **options: object) -> AnyJob: ...

    async def fetch(self, job_ids: Sequence[str]) -> dict[str, JobData]: ...

    async def find(self, **filters: object) -> list[AnyJob]: ...

    async def cancel(self, job_ids: Sequence[str]) -> list[str]: ...

    async def wait_all(
        self,
        jobs: Iterable[AnyJob],
        timeout_seconds: float | None = None,
        polling_seconds: Polling = 5,
    ) -> None: ...

    async def as_completed(
        self,
        jobs: Iterable[AnyJob],
        timeout_seconds: float | None = None,
        polling_seconds: Polling = 5,
    ) -> list[AnyJob]: ...


class _SyncJob:
    def __init__(self, job: sqcore.Job) -> None:
        self.job = job

    def job_id(self) -> object:
        return self.job.job_id()

    def dump(self) -> bytes:
        return self.job.dump()

    async def status(self, index: int | None = None) -> CircuitStatus:
        return self.job.status(index)

    async def data(self) -> JobData:
        return self.job.job_data

    async def target(self) -> str:
        return self.job.target()

    async def to_dict(self) -> dict[str, object]:
        return self.job.to_dict()

    async def cancel(self, index: int | None = None) -> None:
        self.job.cancel(index)

    async def wait(self, *args: object, **kwargs: object) -> None:
        self.job.wait_until_terminal_state(*args, **kwargs)  # type: ignore[arg-type]


class SyncShell:
    """The blocking shell, behind coroutines."""

    name = "sync"

    def __init__(
        self, transport: Transport, clock: FakeClock, *, max_retry_seconds: float = 60.0
    ) -> None:
        self.clock: FakeClock = clock
        self.client = sqcore.Client(
            api_key=KEY,
            remote_host=HOST,
            transport=transport,
            clock=self.clock,
            rng=lambda: 0.5,
            max_retry_seconds=max_retry_seconds,
        )

    def job(self, job_id: str) -> AnyJob:
        return _SyncJob(sqcore.Job(self.client, job_id))

    def load(self, data: bytes) -> AnyJob:
        return _SyncJob(sqcore.Job.load(self.client, data))

    async def create(self, circuits: str, **options: object) -> AnyJob:
        return _SyncJob(self.client.create_job(circuits, **options))  # type: ignore[arg-type]

    async def fetch(self, job_ids: Sequence[str]) -> dict[str, JobData]:
        return self.client.fetch_jobs(job_ids)

    async def find(self, **filters: object) -> list[AnyJob]:
        return [_SyncJob(job) for job in self.client.find_jobs(**filters)]  # type: ignore[arg-type]

    async def cancel(self, job_ids: Sequence[str]) -> list[str]:
        return self.client.cancel_jobs(job_ids)

    async def wait_all(
        self,
        jobs: Iterable[AnyJob],
        timeout_seconds: float | None = None,
        polling_seconds: Polling = 5,
    ) -> None:
        sqcore.wait_all(_unwrap(jobs), timeout_seconds, polling_seconds)

    async def as_completed(
        self,
        jobs: Iterable[AnyJob],
        timeout_seconds: float | None = None,
        polling_seconds: Polling = 5,
    ) -> list[AnyJob]:
        done = sqcore.as_completed(_unwrap(jobs), timeout_seconds, polling_seconds)
        return [_SyncJob(job) for job in done]


def _unwrap(jobs: Iterable[AnyJob]) -> list[sqcore.Job]:
    found = []
    for job in jobs:
        assert isinstance(job, _SyncJob)
        found.append(job.job)
    return found


class _AsyncJob:
    def __init__(self, job: sqcore.aio.AsyncJob) -> None:
        self.job = job

    def job_id(self) -> object:
        return self.job.job_id()

    def dump(self) -> bytes:
        return self.job.dump()

    async def status(self, index: int | None = None) -> CircuitStatus:
        return await self.job.status(index)

    async def data(self) -> JobData:
        return await self.job.data()

    async def target(self) -> str:
        return await self.job.target()

    async def to_dict(self) -> dict[str, object]:
        return await self.job.to_dict()

    async def cancel(self, index: int | None = None) -> None:
        await self.job.cancel(index)

    async def wait(self, *args: object, **kwargs: object) -> None:
        await self.job.wait_until_terminal_state(*args, **kwargs)  # type: ignore[arg-type]


class AsyncShell:
    """`sqcore.aio` itself."""

    name = "async"

    def __init__(
        self,
        transport: Transport | AsyncTransport,
        clock: FakeClock,
        *,
        max_retry_seconds: float = 60.0,
    ) -> None:
        assert isinstance(clock, AsyncFakeClock)
        self.clock: FakeClock = clock
        self.client = sqcore.aio.AsyncClient(
            api_key=KEY,
            remote_host=HOST,
            transport=_awaitable(transport),
            clock=clock,
            rng=lambda: 0.5,
            max_retry_seconds=max_retry_seconds,
        )

    def job(self, job_id: str) -> AnyJob:
        return _AsyncJob(sqcore.aio.AsyncJob(self.client, job_id))

    def load(self, data: bytes) -> AnyJob:
        return _AsyncJob(sqcore.aio.AsyncJob.load(self.client, data))

    async def create(self, circuits: str, **options: object) -> AnyJob:
        return _AsyncJob(await self.client.create_job(circuits, **options))  # type: ignore[arg-type]

    async def fetch(self, job_ids: Sequence[str]) -> dict[str, JobData]:
        return await self.client.fetch_jobs(job_ids)

    async def find(self, **filters: object) -> list[AnyJob]:
        return [_AsyncJob(job) for job in await self.client.find_jobs(**filters)]  # type: ignore[arg-type]

    async def cancel(self, job_ids: Sequence[str]) -> list[str]:
        return await self.client.cancel_jobs(job_ids)

    async def wait_all(
        self,
        jobs: Iterable[AnyJob],
        timeout_seconds: float | None = None,
        polling_seconds: Polling = 5,
    ) -> None:
        await sqcore.aio.wait_all(_unwrap_async(jobs), timeout_seconds, polling_seconds)

    async def as_completed(
        self,
        jobs: Iterable[AnyJob],
        timeout_seconds: float | None = None,
        polling_seconds: Polling = 5,
    ) -> list[AnyJob]:
        done = sqcore.aio.as_completed(_unwrap_async(jobs), timeout_seconds, polling_seconds)
        return [_AsyncJob(job) async for job in done]


def _unwrap_async(jobs: Iterable[AnyJob]) -> list[sqcore.aio.AsyncJob]:
    found = []
    for job in jobs:
        assert isinstance(job, _AsyncJob)
        found.append(job.job)
    return found


#: Each shell, and the fake clock it runs on.
SHELLS: dict[str, tuple[Callable[..., Shell], type[FakeClock]]] = {
    "sync": (SyncShell, FakeClock),
    "async": (AsyncShell, AsyncFakeClock),
}
