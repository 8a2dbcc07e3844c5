"""Interleaved measurement and the figures the suite reports.

Machines running this are shared and noisy, so no figure is an absolute time: each is a
ratio of two sides measured alternately (A B A B ...) in one run, summarised as the median
of the per-pair ratios. Absolute medians go into `context` (and, for people, `note`), for
reading the ratio only.

CPU times are this process's (`time.process_time`: every thread of it, so a transport's
worker threads count too). The loopback emulator server runs in another process by
default, so its CPU is not in them; with `--server thread` it would be.
"""

from __future__ import annotations

import gc
import math
import re
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Literal

import msgspec

__all__ = [
    "Context",
    "Figure",
    "Settings",
    "Target",
    "calibrate",
    "cpu_and_wall",
    "figure_from_pairs",
    "format_bytes",
    "format_seconds",
    "interleave",
    "time_block",
    "time_block_cpu",
    "timed_figure",
]

Context = dict[str, float | int | str | bool]


class Target(msgspec.Struct, frozen=True):
    """What a ratio must reach: `ratio >= value`, `ratio > value` or `ratio <= value`."""

    op: Literal[">=", ">", "<="]
    value: float

    def met(self, ratio: float) -> bool:
        """Whether `ratio` meets the target."""
        if self.op == ">=":
            return ratio >= self.value
        if self.op == ">":
            return ratio > self.value
        return ratio <= self.value

    def __str__(self) -> str:
        return f"{self.op} {self.value:g}"


class Figure(msgspec.Struct, kw_only=True):
    """One reported figure: the median of per-pair ratios, and how it compares to a target.

    Attributes:
        bench: The benchmark ("import", "poll", ...).
        case: The case within it ("1 job x 100", "vs poll-all: requests", ...).
        measure: What the ratio divides, e.g. "time upstream/sqcore".
        ratio: The median of the per-pair ratios.
        target: The target, or None for a figure reported for context only.
        met: Whether the target is met (None without a target).
        pairs: How many pairs the median is over.
        ratio_min: The smallest per-pair ratio.
        ratio_max: The largest per-pair ratio.
        note: The absolute figures behind the ratio, for people (the table's last column).
        context: The same and more, as values (the JSON output).
    """

    bench: str
    case: str
    measure: str
    ratio: float
    target: Target | None
    met: bool | None
    pairs: int
    ratio_min: float
    ratio_max: float
    note: str = ""
    context: Context = msgspec.field(default_factory=dict)


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """How much to repeat: `--quick` trades confidence for time.

    Attributes:
        quick: Whether this is a quick run.
        pairs: Pairs of timed blocks for the in-process micro benchmarks (poll, decode).
        block_seconds: The length each timed block aims for.
        import_pairs: Rounds of fresh interpreters for the import benchmark.
        http_pairs: Rounds of blocks of refreshes over HTTP.
        http_block: Refreshes per block over HTTP.
        many_reps: Repetitions of the many-jobs scenario (each about 10 s).
        scale_jobs: Open jobs in one poll tick of the scale benchmark.
        scale_pairs: Rounds of ticks of both libraries, compression off and on.
        scale_extra_pairs: Further rounds of sqcore's ticks alone, compression off and on.
        memory_reps: Pairs of memory subprocesses.
        memory_jobs: Jobs held in the memory benchmark.
        memory_rss: Whether the memory benchmark also measures RSS growth (in further runs).
        aio_jobs: Jobs watched from one event loop in the asyncio benchmark.
        aio_pairs: Pairs of asyncio runs (each about 4 s).
        server: Where the loopback emulator server runs: its own process, or a thread of this
            one (then it competes with the client for the GIL, and its CPU counts as the
            client's).
    """

    quick: bool
    pairs: int
    block_seconds: float
    import_pairs: int
    http_pairs: int
    http_block: int
    many_reps: int
    scale_jobs: int
    scale_pairs: int
    scale_extra_pairs: int
    memory_reps: int
    memory_jobs: int
    memory_rss: bool
    aio_jobs: int
    aio_pairs: int
    server: Literal["process", "thread"]


def cpu_and_wall(op: Callable[[], object]) -> tuple[float, float]:
    """Runs `op` once; returns this process's CPU seconds and the wall seconds it took."""
    cpu_start = time.process_time()
    start = time.perf_counter()
    op()
    return time.process_time() - cpu_start, time.perf_counter() - start


def time_block_cpu(op: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Runs `op` `repeat` times after a full collection; returns the wall seconds and this
    process's CPU seconds per call."""
    gc.collect()
    cpu_start = time.process_time()
    start = time.perf_counter()
    for _ in range(repeat):
        op()
    wall = (time.perf_counter() - start) / repeat
    return wall, (time.process_time() - cpu_start) / repeat


def time_block(op: Callable[[], object], repeat: int) -> float:
    """Runs `op` `repeat` times after a full collection; returns wall seconds per call."""
    return time_block_cpu(op, repeat)[0]


def calibrate(op: Callable[[], object], block_seconds: float) -> int:
    """How many calls of `op` make a block of about `block_seconds` (at least 1)."""
    op()  # warm caches, first-use imports and lazy state
    per_call = time_block(op, 1)
    repeat = 1
    while per_call * repeat < block_seconds / 10 and repeat < 1_000_000:
        repeat *= 10
        per_call = time_block(op, repeat)
    return max(1, math.ceil(block_seconds / max(per_call, 1e-9)))


def interleave(
    ops: Sequence[Callable[[], object]], pairs: int, block_seconds: float
) -> list[list[float]]:
    """Times `ops` in rotating blocks (A B A B ..., or A B C A B C ...), seconds per call.

    Each side's block repeats it enough times to last about `block_seconds`, so a fast and a
    slow side each get a block long enough to time. Returns each side's block times.
    """
    repeats = [calibrate(op, block_seconds) for op in ops]
    times: list[list[float]] = [[] for _ in ops]
    for _ in range(pairs):
        for op, repeat, side in zip(ops, repeats, times, strict=True):
            side.append(time_block(op, repeat))
    return times


def figure_from_pairs(
    *,
    bench: str,
    case: str,
    measure: str,
    numerators: Sequence[float],
    denominators: Sequence[float],
    target: Target | None,
    note: str = "",
    context: Context | None = None,
) -> Figure:
    """The figure for per-pair ratios `numerators[i] / denominators[i]`."""
    ratios = [n / d if d > 0 else math.inf for n, d in zip(numerators, denominators, strict=True)]
    ratio = statistics.median(ratios)
    return Figure(
        bench=bench,
        case=case,
        measure=measure,
        ratio=ratio,
        target=target,
        met=None if target is None else target.met(ratio),
        pairs=len(ratios),
        ratio_min=min(ratios),
        ratio_max=max(ratios),
        note=note,
        context=dict(context or {}),
    )


def timed_figure(
    *,
    bench: str,
    case: str,
    times: Mapping[str, Sequence[float]],
    over: tuple[str, str],
    target: Target | None,
    detail: str = "",
    context: Context | None = None,
) -> Figure:
    """The figure of `times[over[0]][i] / times[over[1]][i]`, for sides timed in rotation.

    Args:
        bench: The benchmark.
        case: The case.
        times: Each side's seconds per call, block by block (`interleave`), by label.
        over: The labels of the numerator and the denominator.
        target: The target, if any.
        detail: What the note adds after every side's median time.
        context: Added to the context, after each side's median as `<label>_seconds`.
    """
    medians = {label: statistics.median(values) for label, values in times.items()}
    note = ", ".join(f"{label} {format_seconds(median)}" for label, median in medians.items())
    return figure_from_pairs(
        bench=bench,
        case=case,
        measure=f"time {over[0]}/{over[1]}",
        numerators=times[over[0]],
        denominators=times[over[1]],
        target=target,
        note=f"{note}; {detail}" if detail else note,
        context={
            **{f"{re.sub(r'[^a-z]+', '_', label)}_seconds": m for label, m in medians.items()},
            **(context or {}),
        },
    )


def format_seconds(seconds: float) -> str:
    """A duration for people: "412 us", "3.1 ms", "1.25 s"."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1.0:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def format_bytes(count: float) -> str:
    """A size for people: "930 B", "41.2 KB", "9.31 MB" (powers of 1000, as on the wire)."""
    if count < 1e3:
        return f"{count:.0f} B"
    if count < 1e6:
        return f"{count / 1e3:.3g} KB"
    return f"{count / 1e6:.3g} MB"
