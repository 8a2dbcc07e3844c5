"""Interleaved measurement and the figures the suite reports.

Machines running this are shared and noisy, so no figure is an absolute time: each is a
ratio of two sides measured alternately (A B A B ...) in one run, summarised as the median
of the per-pair ratios. Absolute medians go into `context`, for reading the ratio only.
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Literal

import msgspec

__all__ = [
    "Figure",
    "Settings",
    "Target",
    "calibrate",
    "figure_from_pairs",
    "format_seconds",
    "interleave",
    "time_block",
    "time_block_cpu",
]

Context = dict[str, float | int | str | bool]


class Target(msgspec.Struct, frozen=True):
    """What a ratio must reach: `ratio >= value` or `ratio <= value`."""

    op: Literal[">=", "<="]
    value: float

    def met(self, ratio: float) -> bool:
        """Whether `ratio` meets the target."""
        return ratio >= self.value if self.op == ">=" else ratio <= self.value

    def __str__(self) -> str:
        return f"{self.op} {self.value:g}"


class Figure(msgspec.Struct, kw_only=True):
    """One reported figure: the median of per-pair ratios, and how it compares to a target.

    Attributes:
        bench: The benchmark ("import", "poll", ...).
        case: The case within it ("1x100", "vs poll-all", ...).
        measure: What the ratio divides, e.g. "time upstream/sqcore".
        ratio: The median of the per-pair ratios.
        target: The target, or None for a figure reported for context only.
        met: Whether the target is met (None without a target).
        pairs: How many pairs the median is over.
        ratio_min: The smallest per-pair ratio.
        ratio_max: The largest per-pair ratio.
        context: Absolute medians and other facts, for reading the ratio only.
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
    context: Context = msgspec.field(default_factory=dict)


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """How much to repeat: `--quick` trades confidence for time.

    Attributes:
        quick: Whether this is a quick run.
        pairs: Pairs of timed blocks for the in-process micro benchmarks.
        block_seconds: The length each timed block aims for.
        import_pairs: Pairs of fresh interpreters for the import benchmark.
        http_pairs: Pairs of blocks of refreshes over HTTP.
        http_block: Refreshes per block over HTTP.
        many_reps: Repetitions of the many-jobs scenario (each about 10 s).
        memory_reps: Pairs of memory subprocesses.
        memory_jobs: Jobs held in the memory benchmark.
        server: Where the loopback emulator server runs: its own process, or a thread of this
            one (then it competes with the client for the GIL).
    """

    quick: bool
    pairs: int
    block_seconds: float
    import_pairs: int
    http_pairs: int
    http_block: int
    many_reps: int
    memory_reps: int
    memory_jobs: int
    server: Literal["process", "thread"]


def time_block_cpu(op: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Runs `op` `repeat` times after a full collection; returns the wall seconds and this
    thread's CPU seconds per call."""
    gc.collect()
    cpu_start = time.thread_time()
    start = time.perf_counter()
    for _ in range(repeat):
        op()
    wall = (time.perf_counter() - start) / repeat
    return wall, (time.thread_time() - cpu_start) / repeat


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
    first: Callable[[], object],
    second: Callable[[], object],
    pairs: int,
    block_seconds: float,
) -> tuple[list[float], list[float]]:
    """Times `first` and `second` in alternating blocks (A B A B ...), seconds per call.

    Each side's block repeats it enough times to last about `block_seconds`, so a fast and a
    slow side each get a block long enough to time.
    """
    repeat_first = calibrate(first, block_seconds)
    repeat_second = calibrate(second, block_seconds)
    times_first: list[float] = []
    times_second: list[float] = []
    for _ in range(pairs):
        times_first.append(time_block(first, repeat_first))
        times_second.append(time_block(second, repeat_second))
    return times_first, times_second


def figure_from_pairs(
    *,
    bench: str,
    case: str,
    measure: str,
    numerators: Sequence[float],
    denominators: Sequence[float],
    target: Target | None,
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
        context=dict(context or {}),
    )


def format_seconds(seconds: float) -> str:
    """A duration for people: "412 us", "3.1 ms", "1.25 s"."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1.0:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"
