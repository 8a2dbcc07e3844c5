"""asyncio: 1,000 jobs watched from one event loop, `sqcore.aio` against the blocking API in a
thread, on the loopback emulator server (its own process).

Each run gets 1,000 fresh jobs of one circuit, finishing at staggered times over 3 s
(`_data.staggered`), and watches them with the same polling (every 0.2 s) in a new event
loop (`asyncio.run`); one untimed watch of a single job by each side comes first (so no
run pays for first-use imports):

- async: `sqcore.aio.as_completed` over an `AsyncClient` with its default transport
  (`ThreadedTransport` over `Urllib3Transport`), iterated in the loop.
- threaded: the blocking `sqcore.as_completed` over a `Client` (default `Urllib3Transport`),
  run in a worker thread with `asyncio.to_thread`; each job it yields is handed to the
  loop (`call_soon_threadsafe` onto an `asyncio.Queue`), as an asyncio program using the
  blocking API must.

Both time each job when the event loop's own code receives it; its detection latency is
that time minus the time the server made it terminal (`Emulator.completion_time`; the
clock is `time.monotonic` on both sides of the process boundary). Measured per run: the
requests the server handled, the mean detection latency, and this process's CPU time for
the whole run (every thread of it: loop, worker threads).

The two run in pairs, on fresh jobs each, the first side alternating (A B, B A, ...).
Figures are the medians over pairs of threaded / async for each measure: above 1 the async
path is better. "Not worse" means the median is within 5% (>= 0.95); a single pair's ratio
wanders by about 10% either way on this shared machine (the ticks a run takes, and where
its polls fall against the completions, vary), hence the median over five pairs (two with
`--quick`). All three measures must meet it.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable, Coroutine, Sequence

import msgspec

from sqcore import Client, Job, as_completed
from sqcore.aio import AsyncClient, AsyncJob
from sqcore.aio import as_completed as async_as_completed
from tests.benchmarks import _data, _harness
from tests.benchmarks._harness import Figure, Settings, Target, format_seconds
from tests.benchmarks._server_host import KEY, Host, open_host

__all__ = ["NOT_WORSE", "POLLING_SECONDS", "SPREAD_SECONDS", "Run", "run"]

SPREAD_SECONDS = 3.0
POLLING_SECONDS = 0.2
TIMEOUT_SECONDS = 60.0
#: threaded / async for each measure: the async path is not worse, within 5%.
NOT_WORSE = Target(">=", 0.95)

#: A job's id and the monotonic time the event loop received it.
Seen = list[tuple[str, float]]


class Run(msgspec.Struct, frozen=True):
    """One watch of fresh jobs: requests, mean detection latency, CPU and wall seconds."""

    requests: int
    mean_latency: float
    cpu_seconds: float
    wall_seconds: float


async def _async_side(url: str, ids: Sequence[str]) -> Seen:
    seen: Seen = []
    async with AsyncClient(
        api_key=KEY, remote_host=url, max_retry_seconds=TIMEOUT_SECONDS
    ) as client:
        jobs = [AsyncJob(client, job_id) for job_id in ids]
        async for job in async_as_completed(jobs, polling_seconds=POLLING_SECONDS):
            seen.append((str(job.job_id()), time.monotonic()))
    return seen


async def _threaded_side(url: str, ids: Sequence[str]) -> Seen:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Job | None] = asyncio.Queue()
    seen: Seen = []
    # Not `with Client(...)`: mypy --strict refuses it (`ClientBase.__enter__` binds its
    # self type to ClientBase[object, object], which Client[Transport, Clock] is not).
    client = Client(api_key=KEY, remote_host=url, max_retry_seconds=TIMEOUT_SECONDS)
    jobs = [Job(client, job_id) for job_id in ids]

    def watch() -> None:
        try:
            for job in as_completed(jobs, polling_seconds=POLLING_SECONDS):
                loop.call_soon_threadsafe(queue.put_nowait, job)
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, None)

    try:
        watcher = asyncio.ensure_future(asyncio.to_thread(watch))
        while (job := await queue.get()) is not None:
            seen.append((str(job.job_id()), time.monotonic()))
        await watcher
    finally:
        client.close()
    return seen


SIDES: dict[str, Callable[[str, Sequence[str]], Coroutine[object, object, Seen]]] = {
    "async": _async_side,
    "threaded": _threaded_side,
}


def watch(host: Host, side: str, jobs: int, seed: int) -> Run:
    """Creates `jobs` fresh jobs and watches them with `side`; checks what it saw."""
    created = host.create(_data.staggered(jobs, SPREAD_SECONDS, seed))
    completion = dict(zip(created.ids, created.completion, strict=True))
    before = host.counters().requests
    cpu_start, start = time.process_time(), time.perf_counter()
    seen = asyncio.run(SIDES[side](host.url, created.ids))
    cpu, wall = time.process_time() - cpu_start, time.perf_counter() - start
    requests = host.counters().requests - before
    latencies = [when - completion[job_id] for job_id, when in seen]
    if sorted(job_id for job_id, _ in seen) != sorted(created.ids):
        raise AssertionError(f"{side}: saw {len(seen)} jobs finish, not the {jobs} created")
    if min(latencies) < 0:
        raise AssertionError(f"{side}: saw a job terminal {-min(latencies):.3f} s early")
    return Run(requests, statistics.fmean(latencies), cpu, wall)


_MEASURES: tuple[tuple[str, str, Callable[[Run], float]], ...] = (
    ("requests", "requests", lambda r: r.requests),
    ("mean latency", "latency", lambda r: r.mean_latency),
    ("client CPU", "CPU", lambda r: r.cpu_seconds),
)


def run(settings: Settings, log: Callable[[str], None]) -> list[Figure]:
    """Runs `aio_pairs` pairs (first side alternating); returns one figure per measure."""
    runs: dict[str, list[Run]] = {side: [] for side in SIDES}
    with open_host(settings.server) as host:
        for watcher in SIDES.values():  # first-use imports and code paths, untimed
            asyncio.run(watcher(host.url, host.create([[0.01]]).ids))
        for pair in range(settings.aio_pairs):
            # Alternate which side goes first (A B, B A, ...), so a drift favours neither.
            for side in list(SIDES)[:: 1 if pair % 2 == 0 else -1]:
                done = watch(host, side, settings.aio_jobs, seed=pair)
                runs[side].append(done)
                log(
                    f"asyncio: pair {pair + 1}/{settings.aio_pairs} {side}: {done.requests} "
                    f"requests, mean latency {done.mean_latency * 1e3:.0f} ms, CPU "
                    f"{format_seconds(done.cpu_seconds)}, wall {done.wall_seconds:.2f} s"
                )
    figures = []
    for name, short, value in _MEASURES:
        ours = [value(r) for r in runs["async"]]
        threaded = [value(r) for r in runs["threaded"]]
        shown = [
            f"{statistics.median(side):g}"
            if short == "requests"
            else format_seconds(statistics.median(side))
            for side in (ours, threaded)
        ]
        figures.append(
            _harness.figure_from_pairs(
                bench="asyncio",
                case=f"{settings.aio_jobs:,} jobs from one loop: {name}",
                measure=f"{short} threaded/async",
                numerators=threaded,
                denominators=ours,
                target=NOT_WORSE,
                note=f"{shown[0]} vs {shown[1]} (sqcore.aio vs blocking in to_thread)",
                context={
                    "async_median": statistics.median(ours),
                    "threaded_median": statistics.median(threaded),
                    "polling_seconds": POLLING_SECONDS,
                    "spread_seconds": SPREAD_SECONDS,
                },
            )
        )
    return figures
