"""Memory: many jobs held while being waited on, and the per-job overhead once read in full.

Each measurement runs in a fresh subprocess per side (`python -m tests.benchmarks.bench_memory
--worker ...`), sides alternating. The worker imports only its own library, warms it up on
one job, then starts measuring, makes the client and the jobs, and polls them from canned
replies (no network: a `FunctionTransport` for sqcore, a `requests` adapter for upstream):

- held: 5,000 jobs of 10 circuits (~2 KB circuits, 7 completed with counts, 3 running), one
  poll tick of every job (`_ticks`): sqcore's batched `wait_all`, upstream's poll-all
  pattern (`Job._status()` of each). This is the state of a wait in progress: nobody has
  read the jobs' data yet. Figure: upstream peak / sqcore peak (tracemalloc), target >= 3;
  peak RSS growth is reported beside it, measured in separate runs without tracemalloc
  (not in a quick run).
- overhead: the same with empty circuits and fewer jobs, then every job's data read
  (`job.job_data`) and held: the bytes per job that remain, after a collection. Reported.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Literal

import msgspec

from tests.benchmarks import _data, _harness
from tests.benchmarks._canned import HOST, KEY, batch_reply, requested_ids
from tests.benchmarks._harness import Figure, Settings, Target

__all__ = ["Measurement", "run"]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CIRCUITS = 10
OPEN_CIRCUITS = 3
OVERHEAD_JOBS = 1000

Side = Literal["sqcore", "upstream"]
Phase = Literal["held", "overhead"]
Meter = Literal["tracemalloc", "rss"]


class Measurement(msgspec.Struct, frozen=True):
    """What one worker measured, in bytes (RSS figures are page-granular).

    Attributes:
        peak: The highest memory in use during the phase, above the level at its start.
        retained: What is still in use at its end, after a collection.
        seconds: The phase's wall time.
    """

    peak: int
    retained: int
    seconds: float


def _rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _sqcore_phase(job_ids: Sequence[str], template: bytes, read: bool) -> list[object]:
    from sqcore import Client, Job
    from tests.benchmarks._canned import canned_transport
    from tests.benchmarks._ticks import sqcore_tick

    transport = canned_transport(lambda request: batch_reply(requested_ids(request.url), template))
    client = Client(api_key=KEY, remote_host=HOST, transport=transport)
    jobs = [Job(client, job_id) for job_id in job_ids]
    sqcore_tick(jobs)
    held: list[object] = list(jobs)
    if read:
        held.extend(job.job_data for job in jobs)
    return held


def _upstream_phase(job_ids: Sequence[str], template: bytes, read: bool) -> list[object]:
    from tests.benchmarks import _upstream
    from tests.benchmarks._ticks import upstream_tick

    client = _upstream.make_client(HOST, KEY)
    _upstream.mount_canned(
        client, _upstream.CannedAdapter(lambda url: batch_reply(requested_ids(url), template))
    )
    jobs = _upstream.jobs(client, job_ids)
    upstream_tick(jobs)
    held: list[object] = list(jobs)
    if read:
        held.extend(job.job_data for job in jobs)
    return held


def worker(side: Side, phase: Phase, meter: Meter, jobs: int, template_path: str) -> Measurement:
    """Measures one side in this process (a fresh interpreter)."""
    with open(template_path, "rb") as file:
        template = file.read()
    job_ids = _data.job_ids(jobs, seed=99)
    run_phase = _sqcore_phase if side == "sqcore" else _upstream_phase
    run_phase(_data.job_ids(1, seed=7), template, True)  # first-use imports and caches
    gc.collect()
    if meter == "tracemalloc":
        tracemalloc.start()
        start_level = tracemalloc.get_traced_memory()[0]
    else:
        start_level = _rss_bytes()
    started = time.perf_counter()
    held = run_phase(job_ids, template, phase == "overhead")
    seconds = time.perf_counter() - started
    gc.collect()
    if meter == "tracemalloc":
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    else:
        current, peak = _rss_bytes(), _peak_rss_bytes()
    del held
    return Measurement(peak - start_level, current - start_level, seconds)


def _spawn(side: Side, phase: Phase, meter: Meter, jobs: int, template_path: str) -> Measurement:
    env = {**os.environ, "PYTHONPATH": ROOT}
    command = [sys.executable, "-m", "tests.benchmarks.bench_memory", "--worker", side]
    command += ["--phase", phase, "--meter", meter, "--jobs", str(jobs), template_path]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"memory worker {side} failed:\n{done.stderr.decode()}")
    return msgspec.json.decode(done.stdout, type=Measurement)


def _template(circuit_chars: int) -> bytes:
    """One job's JSON (the value under its id in a reply)."""
    return _data.job_bytes(
        CIRCUITS, seed=3, circuit_chars=circuit_chars, open_circuits=OPEN_CIRCUITS
    )


#: What the "held" figure's context gives, per side: (name, meter's results, value read).
_HELD_MEASURES: tuple[tuple[str, Meter, Callable[[Measurement], int]], ...] = (
    ("peak", "tracemalloc", lambda m: m.peak),
    ("retained", "tracemalloc", lambda m: m.retained),
    ("rss_peak_growth", "rss", lambda m: m.peak),
)


def _mib(value: float) -> float:
    return round(value / 2**20, 1)


def run(settings: Settings, log: Callable[[str], None]) -> list[Figure]:
    """Runs the workers, alternating sides; returns the figures."""
    figures = []
    with tempfile.TemporaryDirectory() as directory:
        paths = {}
        for name, chars in (("held", 2048), ("overhead", 0)):
            paths[name] = os.path.join(directory, f"{name}.json")
            with open(paths[name], "wb") as file:
                file.write(_template(chars))
        held_size = os.path.getsize(paths["held"])
        sides: tuple[Side, Side] = ("sqcore", "upstream")
        meters: tuple[Meter, ...] = (
            ("tracemalloc", "rss") if settings.memory_rss else ("tracemalloc",)
        )
        held: dict[Meter, dict[Side, list[Measurement]]] = {
            meter: {side: [] for side in sides} for meter in meters
        }
        for rep in range(settings.memory_reps):
            for meter, results in held.items():
                for side in sides:
                    log(f"memory: rep {rep + 1}/{settings.memory_reps} held, {side}, {meter}")
                    results[side].append(
                        _spawn(side, "held", meter, settings.memory_jobs, paths["held"])
                    )
        medians = {
            f"{side}_{name}_mib": _mib(statistics.median(read(m) for m in held[meter][side]))
            for name, meter, read in _HELD_MEASURES
            if meter in held
            for side in sides
        }
        note = "peak {sqcore_peak_mib} vs {upstream_peak_mib} MiB (tracemalloc)"
        if settings.memory_rss:
            note += (
                ", RSS growth {sqcore_rss_peak_growth_mib} vs {upstream_rss_peak_growth_mib} MiB"
            )
        figures.append(
            _harness.figure_from_pairs(
                bench="memory",
                case=f"{settings.memory_jobs} jobs x {CIRCUITS} held, waiting",
                measure="peak upstream/sqcore",
                numerators=[m.peak for m in held["tracemalloc"]["upstream"]],
                denominators=[m.peak for m in held["tracemalloc"]["sqcore"]],
                target=Target(">=", 3.0),
                note=(note + " (sqcore vs upstream)").format(**medians),
                context={
                    **medians,
                    "job_json_bytes": held_size,
                    "reply_bytes_total_mib": _mib(held_size * settings.memory_jobs),
                },
            )
        )
        overhead: dict[Side, Measurement] = {}
        for side in sides:
            log(f"memory: per-job overhead, {side}")
            overhead[side] = _spawn(
                side, "overhead", "tracemalloc", OVERHEAD_JOBS, paths["overhead"]
            )
        ours = overhead["sqcore"].retained / OVERHEAD_JOBS
        theirs = overhead["upstream"].retained / OVERHEAD_JOBS
        figures.append(
            _harness.figure_from_pairs(
                bench="memory",
                case=f"per job read in full ({CIRCUITS} circuits, empty)",
                measure="bytes upstream/sqcore",
                numerators=[theirs],
                denominators=[ours],
                target=None,
                note=f"{ours / 1e3:.1f} vs {theirs / 1e3:.1f} KB per job (sqcore vs upstream)",
                context={
                    "sqcore_bytes_per_job": round(ours),
                    "upstream_bytes_per_job": round(theirs),
                    "job_json_bytes": os.path.getsize(paths["overhead"]),
                },
            )
        )
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    """The worker's command line; prints one `Measurement` as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", choices=("sqcore", "upstream"), required=True)
    parser.add_argument("--phase", choices=("held", "overhead"), required=True)
    parser.add_argument("--meter", choices=("tracemalloc", "rss"), required=True)
    parser.add_argument("--jobs", type=int, required=True)
    parser.add_argument("template")
    args = parser.parse_args(argv)
    measured = worker(args.worker, args.phase, args.meter, args.jobs, args.template)
    sys.stdout.buffer.write(msgspec.json.encode(measured) + b"\n")


if __name__ == "__main__":
    main()
