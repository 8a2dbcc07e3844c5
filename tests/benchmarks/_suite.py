"""The suite: runs the chosen benchmarks, prints a table of figures, writes them as JSON.

    python -m tests.benchmarks [--quick] [--only import,poll,decode,http,many,memory]
                               [--out bench-results.json] [--server process|thread]
    python tests/benchmarks/run.py ...   (the same)

Needs the `bench` extra (general-superstaq). Takes a few minutes (`--quick`: about two).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Literal

import msgspec

from tests.benchmarks import _upstream
from tests.benchmarks._harness import Figure, Settings, format_seconds

__all__ = ["BENCHES", "main", "settings_for"]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BENCHES = ("import", "poll", "decode", "http", "many", "memory")


class Results(msgspec.Struct, kw_only=True):
    """What the JSON output holds."""

    started: str
    seconds: float
    settings: Settings
    machine: dict[str, str | int]
    source: dict[str, str]
    figures: list[Figure]


def settings_for(quick: bool, server: str) -> Settings:
    """The repetitions of a full or a quick run."""
    where: Literal["process", "thread"] = "thread" if server == "thread" else "process"
    if quick:
        return Settings(
            quick=True,
            pairs=7,
            block_seconds=0.05,
            import_pairs=7,
            http_pairs=5,
            http_block=20,
            many_reps=1,
            memory_reps=1,
            memory_jobs=5000,
            server=where,
        )
    return Settings(
        quick=False,
        pairs=15,
        block_seconds=0.1,
        import_pairs=21,
        http_pairs=11,
        http_block=40,
        many_reps=3,
        memory_reps=2,
        memory_jobs=5000,
        server=where,
    )


def _bench(name: str) -> Callable[[Settings, Callable[[str], None]], list[Figure]]:
    import importlib

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


_CONTEXT_KEYS = (
    ("sqcore_seconds", "sqcore"),
    ("upstream_seconds", "upstream"),
    ("floor_seconds", "floor"),
    ("http_client_seconds", "bare http.client"),
    ("bare_interpreter_seconds", "bare python"),
)


_MANY_SIDES = ("sqcore", "poll_all", "sequential")


def _context_text(figure: Figure) -> str:
    context = figure.context
    parts = []
    for key, label in _CONTEXT_KEYS:
        value = context.get(key)
        if isinstance(value, float):
            parts.append(f"{label} {format_seconds(value)}")
    if figure.bench == "http":
        parts.append(f"upstream/http.client {float(context.get('http_client_ratio', 0.0)):.2f}")
        if "sqcore_cpu_seconds" in context:
            cpus = "/".join(
                format_seconds(float(context[f"{side}_cpu_seconds"]))
                for side in ("sqcore", "upstream", "http_client")
            )
            parts.append(f"client CPU {cpus} (sqcore/upstream/http.client)")
        parts.append(
            f"conns {context.get('sqcore_connections')}/{context.get('upstream_connections')}"
        )
    if figure.bench == "decode" and not context.get("equal_to_upstream", True):
        parts.append(f"DIFFERS: {context.get('differing_fields')}")
    if figure.bench == "many" and "sqcore_requests" in context:
        requests = "/".join(f"{float(context[f'{side}_requests']):g}" for side in _MANY_SIDES)
        latencies = "/".join(
            f"{float(context[f'{side}_mean_latency_s']) * 1e3:.0f}" for side in _MANY_SIDES
        )
        parts.append(
            f"requests {requests}, mean latency {latencies} ms (sqcore/poll-all/sequential)"
        )
    if figure.bench == "memory":
        if "sqcore_peak_mib" in context:
            parts.append(
                "peak {sqcore_peak_mib}/{upstream_peak_mib} MiB, RSS growth "
                "{sqcore_rss_peak_growth_mib}/{upstream_rss_peak_growth_mib} MiB "
                "(sqcore/upstream)".format(**context)
            )
        else:
            per_job = "{sqcore_bytes_per_job}/{upstream_bytes_per_job}".format(**context)
            parts.append(f"{per_job} B per job (sqcore/upstream)")
    return ", ".join(parts)


def table(figures: Sequence[Figure]) -> str:
    """The figures as a fixed-width text table."""
    header = ("bench", "case", "ratio", "measure", "target", "met", "n", "range", "context")
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
                _context_text(f),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths) + "  " + "-" * 7)
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
