"""Review: the benchmark row "a tick costs what its bytes cost" measures what issue 19 set.

Issue 19 (item 4) and the engine brief set the target as "a tick's client CPU within 1.5x
of what msgspec alone takes to decode that tick's reply bytes". `bench_scale` reports
instead "sqcore's own CPU": the tick's CPU minus all of `Urllib3Transport.send`'s, though
that transport is sqcore's own default one (`transports/urllib3`, shipped with it) and is
about 72 % of the tick (docs/development.md: the tick 74 ms, its transport 53 ms, msgspec
18 ms: own/decode 1.14 reported as met, whole tick/decode 4.1). So the row passes by a
narrower measure than the target it is reported against, and a slower transport can never
fail it. Fed the full run's medians, the row should give the whole tick's ratio."""

from __future__ import annotations

import msgspec
import pytest

from tests.benchmarks import bench_scale
from tests.benchmarks._suite import QUICK


def _tick(cpu: float, transport: float) -> bench_scale._Tick:
    tick = bench_scale._Tick()
    tick.cpu, tick.wall, tick.bytes, tick.requests = [cpu], [0.3], [9_360_000], [113]
    tick.transport = [transport]
    return tick


def test_the_tick_against_msgspec_row_compares_the_whole_ticks_client_cpu() -> None:
    settings = msgspec.structs.replace(QUICK, scale_jobs=10_000, scale_pairs=1)
    measured = {side: _tick(0.074, 0.053) for side in bench_scale._SIDES}
    decodes = bench_scale._Decodes([("a",)], [b"{}"])
    decodes.held, decodes.dropped, decodes.read = [0.069], [0.018], [0.0085]

    figures = bench_scale._figures(settings, measured, 0.001, decodes)

    (row,) = [
        figure for figure in figures if figure.target is not None and "decode" in figure.measure
    ]
    assert row.ratio == pytest.approx(0.074 / 0.018)
    assert row.met is False
