"""The suite: runs the chosen benchmarks, prints a table of figures, writes them as JSON.

    python -m tests.benchmarks [--quick] [--only NAME,NAME...]
                               [--out bench-results.json] [--server process|thread]
    python tests/benchmarks/run.py ...   (the same)

Needs the `bench` extra (general-superstaq). A full run takes about four minutes on two
cores; `--quick` about a minute (fewer repetitions; the scale benchmark on 2,000 jobs
instead of 10,000, the memory benchmark on 2,500 instead of 5,000 and without RSS runs).
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Literal

import msgspec

from tests.benchmarks import _upstream
from tests.benchmarks._harness import Figure, Settings

__all__ = ["BENCHES", "FULL", "QUICK", "main", "settings_for", "table"]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

#: Every benchmark, in the order a full run takes them (module `bench_<name>` each).
BENCHES = ("import", "poll", "decode", "http", "many", "scale", "memory", "asyncio")


class Results(msgspec.Struct, kw_only=True):
    """What the JSON output holds."""

    started: str
    seconds: float
    settings: Settings
    machine: dict[str, str | int]
    source: dict[str, str]
    figures: list[Figure]


#: A full run's repetitions (`_harness.Settings` says what each means).
FULL = msgspec.convert(
    {
        "quick": False,
        "server": "process",
        "pairs": 15,
        "block_seconds": 0.1,
        "import_pairs": 21,
        "http_pairs": 11,
        "http_block": 40,
        "many_reps": 3,
        "scale_jobs": 10_000,
        "scale_pairs": 2,
        "scale_extra_pairs": 5,
        "memory_reps": 2,
        "memory_jobs": 5000,
        "memory_rss": True,
        "aio_jobs": 1000,
        "aio_pairs": 5,
    },
    Settings,
)

#: A quick run's: fewer of everything, the scale and memory benchmarks on fewer jobs, no
#: RSS runs.
QUICK = msgspec.structs.replace(
    FULL,
    **{
        "quick": True,
        "pairs": 7,
        "block_seconds": 0.04,
        "import_pairs": 7,
        "http_pairs": 5,
        "http_block": 20,
        "many_reps": 1,
        "scale_jobs": 2000,
        "scale_pairs": 1,
        "scale_extra_pairs": 2,
        "memory_reps": 1,
        "memory_jobs": 2500,
        "memory_rss": False,
        "aio_pairs": 2,
    },
)


def settings_for(quick: bool, server: str) -> Settings:
    """The repetitions of a full or a quick run, with the server where it is asked for."""
    where: Literal["process", "thread"] = "thread" if server == "thread" else "process"
    return msgspec.structs.replace(QUICK if quick else FULL, server=where)


def _bench(name: str) -> Callable[[Settings, Callable[[str], None]], list[Figure]]:
    module = importlib.import_module(f"tests.benchmarks.bench_{name}")
    runner: Callable[[Settings, Callable[[str], None]], list[Figure]] = module.run
    return runner


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, check=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.decode().strip()


def _machine() -> dict[str, str | int]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count() or 0,
        "general_superstaq": _upstream.upstream_version(),
        "msgspec": msgspec.__version__,
    }


def table(figures: Sequence[Figure]) -> str:
    """The figures as a fixed-width text table (the last column, the note, is not padded)."""
    header = ("bench", "case", "ratio", "measure", "target", "met", "n", "range", "note")
    rows = [header]
    for f in figures:
        met = "-" if f.met is None else ("yes" if f.met else "NO")
        rows.append(
            (
                f.bench,
                f.case,
                f"{f.ratio:.2f}",
                f.measure,
                "-" if f.target is None else str(f.target),
                met,
                str(f.pairs),
                f"{f.ratio_min:.2f}-{f.ratio_max:.2f}",
                f.note,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths) + "  " + "-" * 4)
    return "\n".join(lines)


def _log(message: str) -> None:
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the chosen benchmarks; exit status 0 when all ran (targets do not affect it)."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--only", default=",".join(BENCHES), help="comma-separated subset of " + ",".join(BENCHES)
    )
    parser.add_argument(
        "--out",
        default=os.path.join(ROOT, "bench-results.json"),
        help="JSON output path (default: bench-results.json in the repository, git-ignored)",
    )
    parser.add_argument(
        "--server",
        choices=("process", "thread"),
        default="process",
        help="run the loopback emulator server in its own process (default) or a thread",
    )
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(BENCHES))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    if not _upstream.available():
        sys.stderr.write(
            "general-superstaq is not installed; install the extra: pip install -e '.[bench]'\n"
        )
        return 2
    settings = settings_for(args.quick, args.server)
    started = datetime.datetime.now(datetime.timezone.utc)
    clock = time.perf_counter()
    figures: list[Figure] = []
    for name in chosen:
        began = time.perf_counter()
        figures.extend(_bench(name)(settings, _log))
        _log(f"{name} done in {time.perf_counter() - began:.1f} s")
    results = Results(
        started=started.isoformat(timespec="seconds"),
        seconds=round(time.perf_counter() - clock, 1),
        settings=settings,
        machine=_machine(),
        source={
            "commit": _git("rev-parse", "HEAD"),
            "uncommitted": _git("status", "--short", "--", "sqcore", "transports"),
        },
        figures=figures,
    )
    sys.stdout.write(table(figures) + "\n")
    met = [f for f in figures if f.met is not None]
    sys.stdout.write(
        f"\n{sum(1 for f in met if f.met)} of {len(met)} targets met; "
        f"{results.seconds:.0f} s; ratios are medians of per-pair ratios; JSON: {args.out}\n"
    )
    with open(args.out, "wb") as file:
        file.write(msgspec.json.format(msgspec.json.encode(results), indent=2) + b"\n")
    return 0
