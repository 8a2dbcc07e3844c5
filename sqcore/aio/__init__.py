"""sqcore.aio: the same jobs from asyncio, on the same pure core.

    from sqcore.aio import AsyncClient, AsyncJob, wait_all, as_completed

`AsyncClient` takes the same arguments as `sqcore.Client` (its `transport` is an
`AsyncTransport`; the default runs `Urllib3Transport` in a worker thread), and `AsyncJob`
has the methods of `sqcore.Job` that may make a request, as coroutines (the data is read
with `await job.data()`). Every decision (status, wait, backoff, retry, wire) is the pure
function the blocking shell asks; only the sending and the sleeping are awaited. Nothing
here starts, runs or blocks an event loop: it works inside a running one (a notebook), and
cancelling the awaiting task ends a wait at once.
"""

from __future__ import annotations

from sqcore.aio._client import AsyncClient, AsyncClock, SystemAsyncClock
from sqcore.aio._job import AsyncJob, as_completed, wait_all

__all__ = ["AsyncClient", "AsyncClock", "AsyncJob", "SystemAsyncClock", "as_completed", "wait_all"]
