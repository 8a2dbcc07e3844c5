"""Many jobs: 200 jobs finishing at staggered times over 3 s, polled every 0.2 s, over HTTP.

Each strategy gets its own 200 fresh jobs on the loopback emulator server, created at once
with durations spread evenly over (0, 3] s and shuffled (seeded), so jobs finish in an order
unrelated to the order they were submitted in, as real jobs of different sizes do:

- sqcore: `wait_all(jobs, polling_seconds=0.2)`; the progress callback notes the time of
  each report and how many jobs it counts done.
- upstream poll-all: what an upstream user must do to see each completion within one
  interval: every tick, `Job._status()` of every still-open job, then sleep 0.2 s.
- upstream sequential: `Job.wait_until_terminal_state(polling_seconds=0.2)` for each job in
  submission order.

Detection latency is the monotonic time a waiter first sees a job terminal minus the time
the server made it terminal; its mean is the mean detection time minus the mean completion
time, which needs no job identities (`Emulator.completion_time`; the server's clock is
`time.monotonic`, system-wide on Linux, so it holds across processes). Requests are counted
by the server. The strategies run interleaved (A B C, A B C, ...); figures are medians of
per-repetition ratios. Targets: against poll-all, >= 20x fewer requests with no worse mean
latency; against sequential, >= 5x lower mean latency with no more requests.

The emulator's server sets TCP_NODELAY on its sockets, as real API servers do: without it,
every keep-alive reply would wait about 40 ms for the client's delayed ACK (Nagle's
algorithm), 200 upstream requests would take ~9 s instead of one 0.2 s tick, and the
scenario would stop being the one the targets describe.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence

import msgspec

from sqcore import TERMINAL_CIRCUIT_STATES, Client, Job, Progress, wait_all
from tests.benchmarks import _data, _harness, _upstream
from tests.benchmarks._harness import Context, Figure, Settings, Target
from tests.benchmarks._server_host import KEY, Host, open_host

__all__ = ["JOBS", "POLLING_SECONDS", "SPREAD_SECONDS", "Outcome", "run"]

JOBS = 200
SPREAD_SECONDS = 3.0
POLLING_SECONDS = 0.2
TIMEOUT_SECONDS = 60.0
_TERMINAL_VALUES = frozenset(status.value for status in TERMINAL_CIRCUIT_STATES)


class Outcome(msgspec.Struct, frozen=True):
    """One strategy's run: requests made, when jobs were seen terminal and became so.

    Detection and completion times are each sorted: sqcore's progress reports say how many
    jobs are done, not which, and the mean latency needs only the two sums. (Sorted, the
    i-th detection can never precede the i-th completion: `run_strategy` checks it.)
    """

    strategy: str
    requests: int
    detections: list[float]
    completions: list[float]
    wall_seconds: float

    @property
    def mean_latency(self) -> float:
        """Mean detection latency, seconds: mean detection time minus mean completion time."""
        return statistics.fmean(self.detections) - statistics.fmean(self.completions)

    @property
    def tail_latency(self) -> float:
        """From the last job's completion to the waiter seeing every job terminal, seconds."""
        return self.detections[-1] - self.completions[-1]


def _sqcore(host: Host, ids: Sequence[str]) -> list[float]:
    client = Client(api_key=KEY, remote_host=host.url, max_retry_seconds=TIMEOUT_SECONDS)
    jobs = [Job(client, job_id) for job_id in ids]
    detections: list[float] = []

    def on_progress(progress: Progress) -> None:
        # Public API only: the report counts the jobs done; reading a job here could fetch.
        now = time.monotonic()
        detections.extend([now] * (progress.done - len(detections)))

    wait_all(
        jobs,
        timeout_seconds=TIMEOUT_SECONDS,
        polling_seconds=POLLING_SECONDS,
        on_progress=on_progress,
    )
    return detections


def _poll_all(host: Host, ids: Sequence[str]) -> list[float]:
    seen: list[float] = []
    client = _upstream.make_client(host.url, KEY, max_retry_seconds=TIMEOUT_SECONDS)
    still_open = _upstream.jobs(client, ids)
    while still_open:
        remaining = []
        for job in still_open:
            if job._status().value in _TERMINAL_VALUES:
                seen.append(time.monotonic())
            else:
                remaining.append(job)
        still_open = remaining
        if still_open:
            time.sleep(POLLING_SECONDS)
    return seen


def _sequential(host: Host, ids: Sequence[str]) -> list[float]:
    seen: list[float] = []
    client = _upstream.make_client(host.url, KEY, max_retry_seconds=TIMEOUT_SECONDS)
    for job in _upstream.jobs(client, ids):
        job.wait_until_terminal_state(
            timeout_seconds=TIMEOUT_SECONDS, polling_seconds=POLLING_SECONDS
        )
        seen.append(time.monotonic())
    return seen


STRATEGIES: tuple[tuple[str, Callable[[Host, Sequence[str]], list[float]]], ...] = (
    ("sqcore wait_all", _sqcore),
    ("upstream poll-all", _poll_all),
    ("upstream sequential", _sequential),
)


def run_strategy(
    host: Host,
    name: str,
    strategy: Callable[[Host, Sequence[str]], list[float]],
    seed: int,
) -> Outcome:
    """Creates fresh jobs, runs `strategy` on them, and measures."""
    before = host.counters().requests
    created = host.create(_data.staggered(JOBS, SPREAD_SECONDS, seed))
    start = time.monotonic()
    detections = sorted(strategy(host, created.ids))
    wall = time.monotonic() - start
    requests = host.counters().requests - before
    completions = sorted(created.completion)
    if len(detections) != len(completions):
        raise AssertionError(f"{name} saw {len(detections)} of {len(completions)} jobs terminal")
    early = max(done - seen for seen, done in zip(detections, completions, strict=True))
    if early > 0:
        raise AssertionError(f"{name} saw a job terminal {early:.3f} s before any could be")
    return Outcome(name, requests, detections, completions, wall)


def run(settings: Settings, log: Callable[[str], None]) -> list[Figure]:
    """Runs every strategy `many_reps` times, interleaved; returns the figures."""
    outcomes: dict[str, list[Outcome]] = {name: [] for name, _ in STRATEGIES}
    with open_host(settings.server) as host:
        for rep in range(settings.many_reps):
            for name, strategy in STRATEGIES:
                outcome = run_strategy(host, name, strategy, seed=rep)
                outcomes[name].append(outcome)
                log(
                    f"many: rep {rep + 1}/{settings.many_reps} {name}: {outcome.requests} "
                    f"requests, mean latency {outcome.mean_latency * 1e3:.0f} ms, "
                    f"{outcome.wall_seconds:.2f} s"
                )
    runs = {
        "sqcore": outcomes["sqcore wait_all"],
        "poll-all": outcomes["upstream poll-all"],
        "sequential": outcomes["upstream sequential"],
    }
    requests = {label: statistics.median(r.requests for r in rs) for label, rs in runs.items()}
    latency = {label: statistics.median(r.mean_latency for r in rs) for label, rs in runs.items()}
    facts: Context = {"server": f"{settings.server}, TCP_NODELAY"}
    for label, rs in runs.items():
        key = label.replace("-", "_")
        facts[f"{key}_requests"] = requests[label]
        facts[f"{key}_mean_latency_s"] = latency[label]
        facts[f"{key}_tail_latency_s"] = statistics.median(r.tail_latency for r in rs)
        facts[f"{key}_wall_s"] = statistics.median(r.wall_seconds for r in rs)
    cases = (
        ("vs poll-all: requests", "requests", "poll-all", 20.0),
        ("vs poll-all: mean latency", "latency", "poll-all", 1.0),
        ("vs sequential: mean latency", "latency", "sequential", 5.0),
        ("vs sequential: requests", "requests", "sequential", 1.0),
    )
    return [
        _harness.figure_from_pairs(
            bench="many",
            case=case,
            measure=f"{measure} upstream/sqcore",
            numerators=[_value(r, measure) for r in runs[other]],
            denominators=[_value(r, measure) for r in runs["sqcore"]],
            target=Target(">=", target),
            note=(
                f"requests {requests['sqcore']:g} vs {requests[other]:g}, mean latency "
                f"{latency['sqcore'] * 1e3:.0f} vs {latency[other] * 1e3:.0f} ms "
                f"(sqcore vs {other})"
            ),
            context=facts,
        )
        for case, measure, other, target in cases
    ]


def _value(outcome: Outcome, measure: str) -> float:
    return outcome.requests if measure == "requests" else outcome.mean_latency
